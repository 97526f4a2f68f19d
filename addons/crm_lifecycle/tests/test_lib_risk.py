"""Unit tests of crm_lifecycle.lib.risk and lib.cadence (no database)."""
import unittest

from odoo.addons.crm_lifecycle.lib import bgbb, cadence, risk

PARAMS = (1.2, 0.75, 0.66, 2.8)


class TestChurnRisk(unittest.TestCase):

    def test_weights_add_up_to_one_hundred(self):
        self.assertEqual(sum(weight for _key, weight in risk.WEIGHTS), 100)

    def test_regular_orderer_has_a_low_risk(self):
        value, factors = risk.churn_risk(
            p_alive=bgbb.p_alive(PARAMS, 26, 26, 26), gap_ratio=0.5, revenue_trend=5.0,
            missed_windows=0, product_trend=0.0, open_complaints=0, overdue_months=0.0)
        self.assertLess(value, 5)
        self.assertLessEqual(len(factors), 1)

    def test_lapsed_orderer_has_a_high_risk_and_says_why(self):
        value, factors = risk.churn_risk(
            p_alive=bgbb.p_alive(PARAMS, 20, 20, 40), gap_ratio=20.0, revenue_trend=-100.0,
            missed_windows=12, product_trend=-100.0, open_complaints=0, overdue_months=0.0)
        self.assertEqual(value, 90)
        self.assertEqual([key for key, _points in factors],
                         ['p_alive', 'gap_ratio', 'revenue_trend'])
        self.assertAlmostEqual(factors[1][1], 20)

    def test_brand_new_customer_is_judged_on_p_alive_only(self):
        p_alive = bgbb.p_alive(PARAMS, 0, 0, 0)
        value, factors = risk.churn_risk(p_alive=p_alive)
        self.assertEqual(value, round(40 * (1 - p_alive)))
        self.assertEqual([key for key, _points in factors], ['p_alive'])

    def test_never_ordered_has_no_risk(self):
        self.assertEqual(risk.churn_risk(), (0, []))

    def test_scores_are_bounded(self):
        scores = risk.factor_scores(p_alive=0.0, gap_ratio=100, revenue_trend=-500,
                                    missed_windows=50, product_trend=-300, open_complaints=9,
                                    overdue_months=float('inf'))
        self.assertEqual(set(scores.values()), {1.0})
        self.assertEqual(risk.churn_risk(p_alive=0.0, gap_ratio=100, revenue_trend=-500,
                                         missed_windows=50, product_trend=-300,
                                         open_complaints=9, overdue_months=float('inf'))[0],
                         100)
        scores = risk.factor_scores(p_alive=1.0, gap_ratio=0.2, revenue_trend=80,
                                    missed_windows=0, product_trend=30, open_complaints=0,
                                    overdue_months=0)
        self.assertEqual(set(scores.values()), {0.0})

    def test_small_contributions_are_not_named(self):
        _value, factors = risk.churn_risk(p_alive=0.99, open_complaints=1)
        self.assertEqual([key for key, _points in factors], ['open_complaints'])

    def test_top_limits_the_factors(self):
        _value, factors = risk.churn_risk(top=2, p_alive=0.5, gap_ratio=2, open_complaints=2)
        self.assertEqual(factors, [('p_alive', 20.0), ('gap_ratio', 10.0)])


class TestCadence(unittest.TestCase):

    def test_cadence_in_whole_weeks(self):
        self.assertIsNone(cadence.cadence_weeks(None))
        self.assertEqual(cadence.cadence_weeks(3), 1)
        self.assertEqual(cadence.cadence_weeks(7), 1)
        self.assertEqual(cadence.cadence_weeks(14.5), 2)

    def test_weekly_customer_who_stopped(self):
        # Weekly from 20 weeks ago up to 3 weeks ago: windows 0, 1, 2 missed.
        self.assertEqual(cadence.missed_windows(range(3, 21), 20, 1, 12), 3)

    def test_fortnightly_customer_on_cadence_misses_nothing(self):
        self.assertEqual(cadence.missed_windows([1, 3, 5, 7, 9, 11, 13], 13, 2, 12), 0)

    def test_fortnightly_customer_who_stopped(self):
        # Orders in weeks 13, 11, 9, 7, then nothing: blocks {0,1} {2,3} {4,5} missed.
        self.assertEqual(cadence.missed_windows([7, 9, 11, 13], 13, 2, 12), 3)

    def test_windows_before_the_first_order_do_not_count(self):
        # First order 4 weeks ago, weekly cadence, last 12 weeks: only weeks 0-3.
        self.assertEqual(cadence.missed_windows([4, 3], 4, 1, 12), 3)

    def test_no_cadence_misses_nothing(self):
        self.assertEqual(cadence.missed_windows([8], 8, None, 12), 0)

    def test_trend(self):
        self.assertAlmostEqual(cadence.trend_percent(50, 100), -50.0)
        self.assertAlmostEqual(cadence.trend_percent(0, 100), -100.0)
        self.assertAlmostEqual(cadence.trend_percent(150, 100), 50.0)
        self.assertIsNone(cadence.trend_percent(100, 0))
        self.assertIsNone(cadence.trend_percent(100, None))
