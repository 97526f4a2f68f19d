"""Unit tests of crm_kpi.lib.relationship (no database)."""
import unittest

from odoo.addons.crm_kpi.lib import relationship


class TestRelationshipScore(unittest.TestCase):

    def test_perfect_customer_scores_100(self):
        self.assertEqual(relationship.score(5, 0, 0, 0), 100)

    def test_satisfaction_spans_0_to_50(self):
        self.assertEqual(relationship.score(1, 0, 0, 0), 50)
        self.assertEqual(relationship.score(3, 0, 0, 0), 75)
        self.assertAlmostEqual(relationship.score(4.5, 0, 0, 0), 93.75)

    def test_no_rating_is_neutral(self):
        self.assertEqual(relationship.score(None, 0, None, None),
                         relationship.score(3, 0, 0, 0))

    def test_complaints_cost_ten_points_down_to_zero(self):
        self.assertEqual([relationship.score(5, n, 0, 0) for n in range(5)],
                         [100, 90, 80, 75, 75])

    def test_payment_days_late_and_overdue(self):
        self.assertEqual(relationship.score(5, 0, 10, 0), 90)
        self.assertEqual(relationship.score(5, 0, 10, 250.0), 80)
        self.assertEqual(relationship.score(5, 0, 0, 0.01), 90)
        # The payment part does not go below 0.
        self.assertEqual(relationship.score(5, 0, 40, 100), 75)
        # A negative balance (a credit) is not overdue.
        self.assertEqual(relationship.score(5, 0, 0, -50), 100)

    def test_score_stays_within_0_and_100(self):
        self.assertEqual(relationship.score(1, 9, 90, 1000), 0)
        for sat in (None, 1, 2.5, 5):
            for complaints in (0, 1, 4):
                for late in (None, 0, 7.5, 60):
                    for overdue in (None, 0, 10):
                        value = relationship.score(sat, complaints, late, overdue)
                        self.assertTrue(0 <= value <= 100, value)


class TestRelationshipBand(unittest.TestCase):

    def test_bounds_belong_to_the_higher_band(self):
        self.assertEqual(relationship.band(100), 'high')
        self.assertEqual(relationship.band(relationship.HIGH_BOUND), 'high')
        self.assertEqual(relationship.band(relationship.HIGH_BOUND - 0.01), 'medium')
        self.assertEqual(relationship.band(relationship.MEDIUM_BOUND), 'medium')
        self.assertEqual(relationship.band(relationship.MEDIUM_BOUND - 0.01), 'low')
        self.assertEqual(relationship.band(0), 'low')

    def test_typical_customers(self):
        # Happy, no complaints, pays on time.
        self.assertEqual(relationship.band(relationship.score(4.5, 0, 0, 0)), 'high')
        # Nothing known: neutral, not high.
        self.assertEqual(relationship.band(relationship.score(None, 0, None, 0)), 'medium')
        # Complaints and late payment.
        self.assertEqual(relationship.band(relationship.score(3, 2, 20, 100)), 'low')

    def test_bands_are_the_selection_keys(self):
        self.assertEqual({key for key, label in relationship.BANDS},
                         {'low', 'medium', 'high'})


class TestRelationshipSql(unittest.TestCase):

    def test_sql_names_the_columns_and_constants(self):
        sql = relationship.score_sql('a.sat', 'a.n', 'a.late', 'a.due')
        for fragment in ('a.sat', 'a.n', 'a.late', 'a.due', 'greatest'):
            self.assertIn(fragment, sql)
        self.assertNotIn('{', sql)
        band = relationship.band_sql('x')
        self.assertIn("'high'", band)
        self.assertIn('>= %s' % relationship.HIGH_BOUND, band)
