"""Unit tests of crm_tiering.lib.periods (no database)."""
import datetime
import unittest

from odoo.addons.crm_tiering.lib.periods import period_bounds

D = datetime.date


class TestPeriodBounds(unittest.TestCase):

    def test_week_starts_on_monday(self):
        # 2025-03-03 is a Monday.
        for day in range(3, 10):
            self.assertEqual(period_bounds(D(2025, 3, day), 'week'),
                             (D(2025, 3, 3), D(2025, 3, 10)))

    def test_sunday_and_next_monday_are_in_different_weeks(self):
        self.assertEqual(period_bounds(D(2025, 3, 9), 'week')[1],
                         period_bounds(D(2025, 3, 10), 'week')[0])
        self.assertNotEqual(period_bounds(D(2025, 3, 9), 'week'),
                            period_bounds(D(2025, 3, 10), 'week'))

    def test_week_across_new_year(self):
        # Thursday 2026-01-01: the week began on Monday 2025-12-29.
        self.assertEqual(period_bounds(D(2026, 1, 1), 'week'), (D(2025, 12, 29), D(2026, 1, 5)))

    def test_month(self):
        self.assertEqual(period_bounds(D(2025, 3, 1), 'month'), (D(2025, 3, 1), D(2025, 4, 1)))
        self.assertEqual(period_bounds(D(2025, 3, 31), 'month'), (D(2025, 3, 1), D(2025, 4, 1)))

    def test_month_lengths_and_year_end(self):
        self.assertEqual(period_bounds(D(2024, 2, 29), 'month'), (D(2024, 2, 1), D(2024, 3, 1)))
        self.assertEqual(period_bounds(D(2025, 2, 14), 'month'), (D(2025, 2, 1), D(2025, 3, 1)))
        self.assertEqual(period_bounds(D(2025, 12, 31), 'month'), (D(2025, 12, 1), D(2026, 1, 1)))

    def test_datetime_uses_its_date(self):
        self.assertEqual(period_bounds(datetime.datetime(2025, 3, 9, 23, 59), 'week'),
                         (D(2025, 3, 3), D(2025, 3, 10)))

    def test_unknown_period_is_refused(self):
        with self.assertRaises(ValueError):
            period_bounds(D(2025, 3, 3), 'year')
