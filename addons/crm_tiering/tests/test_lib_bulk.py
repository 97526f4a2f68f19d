"""Tests of crm_tiering.lib.bulk: COPY's text format, and a round trip through
PostgreSQL."""
import datetime
import unittest

from odoo.tests.common import TransactionCase

from odoo.addons.crm_tiering.lib.bulk import copy_rows, copy_text, copy_value


class TestCopyText(unittest.TestCase):

    def test_values(self):
        self.assertEqual(copy_value(None), '\\N')
        self.assertEqual(copy_value(True), 't')
        self.assertEqual(copy_value(False), 'f')
        self.assertEqual(copy_value(0), '0')
        self.assertEqual(copy_value(0.1), '0.1')
        self.assertEqual(copy_value(float('inf')), 'Infinity')
        self.assertEqual(copy_value(float('-inf')), '-Infinity')
        self.assertEqual(copy_value(float('nan')), 'NaN')
        self.assertEqual(copy_value(datetime.date(2026, 3, 1)), '2026-03-01')
        self.assertEqual(copy_value('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re')

    def test_rows(self):
        self.assertEqual(copy_text([(1, 'x'), (2, None)]), '1\tx\n2\t\\N\n')
        self.assertEqual(copy_text([]), '')


class TestCopyRows(TransactionCase):

    def test_round_trip(self):
        rows = [
            (1, '门店\t"甲"\n第二行 \\N', 1.25, datetime.date(2026, 2, 28), True),
            (2, None, None, None, False),
            (3, '=SUM(A1)', -0.000123, datetime.date(2026, 12, 31), None),
        ]
        columns = 'id int, label varchar, amount numeric, day date, flag boolean'
        copy_rows(self.env.cr, 'crm_bulk_test_rows', columns, rows)
        # A second call in the same transaction starts from an empty table.
        copy_rows(self.env.cr, 'crm_bulk_test_rows', columns, rows)
        self.env.cr.execute('SELECT id, label, amount, day, flag FROM crm_bulk_test_rows '
                            'ORDER BY id')
        # Odoo's cursor returns dates as strings and numerics as floats.
        expected = [(i, label, amount, day and str(day), flag)
                    for i, label, amount, day, flag in rows]
        self.assertEqual(self.env.cr.fetchall(), expected)
