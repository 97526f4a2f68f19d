"""Unit tests of crm_tiering.lib.input_types (no database)."""
import datetime
import decimal
import unittest

from odoo.addons.crm_tiering.lib.input_types import (
    NOT_CHOICE, NOT_DATE, NOT_DATETIME, NOT_NUMBER, NOT_RECORD, NOT_TEXT, NOT_WHOLE,
    OUT_OF_RANGE, listed, shown, value_problem)


class TestValueProblem(unittest.TestCase):

    def assertFits(self, field_type, values, choices=()):
        for value in values:
            self.assertIsNone(value_problem(field_type, value, choices),
                              '%s %r' % (field_type, value))

    def assertProblem(self, field_type, values, problem, choices=()):
        for value in values:
            self.assertEqual(value_problem(field_type, value, choices), problem,
                             '%s %r' % (field_type, value))

    def test_empty_fits_every_type(self):
        for field_type in ('integer', 'float', 'monetary', 'selection', 'many2one', 'date',
                           'datetime', 'char', 'text', 'html', 'boolean'):
            self.assertFits(field_type, [None, False, ''], choices=['a'])

    def test_integer(self):
        self.assertFits('integer', [0, 7, -3, True, 2.0, '12', ' 5 ', b'5',
                                    decimal.Decimal('4'), 2 ** 31 - 1, -2 ** 31])
        self.assertProblem('integer', ['two', '1 year', '2.5', 2.5, float('nan'),
                                       float('inf'), [1], {'a': 1}, (1, 2),
                                       datetime.date(2026, 1, 1)], NOT_WHOLE)
        self.assertProblem('integer', [2 ** 31, -2 ** 31 - 1, 1e10, '99999999999'],
                           OUT_OF_RANGE)

    def test_float_and_monetary(self):
        for field_type in ('float', 'monetary'):
            self.assertFits(field_type, [0, 1, -2.5, True, '3.25', '1e9', ' 7 ',
                                         decimal.Decimal('1.5')])
            self.assertProblem(field_type, ['high', '1e9x', '3 boxes', float('nan'),
                                            float('inf'), '-inf', [1.0], {'x': 1},
                                            datetime.date(2026, 1, 1)], NOT_NUMBER)

    def test_selection(self):
        choices = ['pareto', 'grid']
        self.assertFits('selection', ['pareto', 'grid'], choices)
        self.assertProblem('selection', ['Grid', 'diagonal', 3, {'grid': 1}, ['grid']],
                           NOT_CHOICE, choices)
        # String keys stay strings: 3 is not '3'.
        self.assertProblem('selection', [3], NOT_CHOICE, ['0', '1', '2', '3'])

    def test_selection_with_integer_keys_reads_numeric_text(self):
        self.assertFits('selection', [1, '2'], [1, 2, 3])
        self.assertProblem('selection', ['4', 'two', 9], NOT_CHOICE, [1, 2, 3])

    def test_many2one_takes_an_id(self):
        self.assertFits('many2one', [1, 999999999])
        self.assertProblem('many2one', ['BT1', '5', True, 1.0, [5, 'Name'], (5, 'Name'),
                                        {'id': 5}, 2 ** 31], NOT_RECORD)

    def test_date(self):
        self.assertFits('date', ['2026-05-01', '2026-5-1', '2024-02-29', '2026-05-01 10:00:00',
                                 datetime.date(2026, 5, 1),
                                 datetime.datetime(2026, 5, 1, 10, 0)])
        self.assertProblem('date', ['2026-13-45', '2026-02-30', '2025-02-29', 'spring',
                                    '2026-05-01x', '01/05/2026', 20991231, ['2026-05-01'],
                                    b'2026-05-01'], NOT_DATE)

    def test_datetime(self):
        self.assertFits('datetime', ['2026-05-01 08:00:00', '2026-05-01 08:00:00.123456',
                                     '2026-05-01', datetime.datetime(2026, 5, 1, 8),
                                     datetime.date(2026, 5, 1)])
        self.assertProblem('datetime', ['2026-13-45 10:00:00', '2026-05-01 25:00:00',
                                        '2026-05-01 08:00', 'now', 1700000000,
                                        {'date': '2026-05-01'}], NOT_DATETIME)

    def test_text(self):
        for field_type in ('char', 'text', 'html'):
            self.assertFits(field_type, ['Bad', '坏', b'bytes', 12, 1.5])
            self.assertProblem(field_type, [['Bad', 'list'], ('a',), {'a': 1}, {'a'},
                                            datetime.date(2026, 1, 1)], NOT_TEXT)

    def test_other_types_are_not_checked(self):
        for field_type in ('boolean', 'binary', 'one2many', 'many2many', 'reference'):
            self.assertFits(field_type, [{'any': 'thing'}, 'text', 3])


class TestShown(unittest.TestCase):

    def test_quotes_text_and_shortens_long_values(self):
        self.assertEqual(shown('two'), "'two'")
        self.assertEqual(shown({'grid': 1}), "{'grid': 1}")
        long = shown('x' * 100)
        self.assertEqual(len(long), 60)
        self.assertTrue(long.endswith('\u2026'))

    def test_lists_choices_shortened(self):
        self.assertEqual(listed(['A', 'B']), "'A', 'B'")
        self.assertEqual(listed([1, 2]), '1, 2')
        many = listed(['Zone/%d' % number for number in range(100)])
        self.assertEqual(len(many), 100)
        self.assertTrue(many.endswith('\u2026'))
