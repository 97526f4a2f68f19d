"""Unit tests of crm_lifecycle.lib.rules (no database)."""
import unittest

from odoo.addons.crm_lifecycle.lib import rules

DEVELOPMENT, STABLE, DECLINE = 2, 3, 4


def facts(stage=DEVELOPMENT, days_in_stage=30, **metrics):
    values = {'stage_id': stage, 'days_in_stage': days_in_stage, 'last_order_days': 3,
              'gap_ratio': 0.5, 'order_count': 10, 'revenue_trend': 0.0, 'churn_risk': 10}
    values.update(metrics)
    return values


def rule(rule_id, to_stage, from_stages=(), **values):
    return dict(values, id=rule_id, to_stage_id=to_stage, from_stage_ids=set(from_stages))


def no_domain(_rule, ids):
    return ids


class TestThresholds(unittest.TestCase):

    def test_no_threshold_matches(self):
        self.assertTrue(rules.thresholds_match(facts(), rule(1, DECLINE)))

    def test_each_threshold(self):
        self.assertTrue(rules.thresholds_match(facts(gap_ratio=2.5),
                                               rule(1, DECLINE, min_gap_ratio=2)))
        self.assertFalse(rules.thresholds_match(facts(gap_ratio=1.5),
                                                rule(1, DECLINE, min_gap_ratio=2)))
        self.assertFalse(rules.thresholds_match(facts(gap_ratio=1.6),
                                                rule(1, STABLE, max_gap_ratio=1.5)))
        self.assertTrue(rules.thresholds_match(facts(revenue_trend=-40),
                                               rule(1, DECLINE, min_revenue_drop=30)))
        self.assertFalse(rules.thresholds_match(facts(revenue_trend=-20),
                                                rule(1, DECLINE, min_revenue_drop=30)))
        self.assertFalse(rules.thresholds_match(facts(order_count=5),
                                                rule(1, STABLE, min_order_count=6)))
        self.assertTrue(rules.thresholds_match(facts(churn_risk=60),
                                               rule(1, DECLINE, min_churn_risk=60)))
        self.assertTrue(rules.thresholds_match(facts(last_order_days=90),
                                               rule(1, DECLINE, min_last_order_days=90)))

    def test_unknown_metric_fails_a_set_threshold(self):
        self.assertFalse(rules.thresholds_match(facts(last_order_days=None),
                                                rule(1, DECLINE, min_last_order_days=90)))
        self.assertFalse(rules.thresholds_match(facts(revenue_trend=None),
                                                rule(1, DECLINE, min_revenue_drop=30)))

    def test_ordered_in_stage(self):
        check = rule(1, STABLE, ordered_in_stage=True)
        self.assertTrue(rules.thresholds_match(facts(days_in_stage=10, last_order_days=2), check))
        self.assertFalse(rules.thresholds_match(facts(days_in_stage=10, last_order_days=12),
                                                check))
        self.assertFalse(rules.thresholds_match(facts(days_in_stage=0, last_order_days=0), check))
        self.assertFalse(rules.thresholds_match(facts(last_order_days=None), check))


class TestMatching(unittest.TestCase):

    def test_from_stages_dwell_and_target(self):
        customers = {1: facts(), 2: facts(stage=STABLE), 3: facts(days_in_stage=5),
                     4: facts(stage=DECLINE)}
        check = rule(1, DECLINE, [DEVELOPMENT, STABLE], min_days_in_stage=10)
        self.assertEqual(rules.candidates(customers, check, {}), [1, 2])
        # Empty from-stages: any stage but the target.
        self.assertEqual(rules.candidates(customers, rule(2, DECLINE), {1: 9}), [2, 3])

    def test_first_rule_by_priority_wins(self):
        customers = {1: facts(gap_ratio=3), 2: facts(gap_ratio=1)}
        first = rule(1, DECLINE, min_gap_ratio=2)
        second = rule(2, STABLE)
        self.assertEqual(rules.first_matches(customers, [first, second], no_domain),
                         {1: 1, 2: 2})
        self.assertEqual(rules.first_matches(customers, [second, first], no_domain),
                         {1: 2, 2: 2})

    def test_domain_filter_once_per_rule_on_candidates(self):
        calls = []

        def domain_filter(check, ids):
            calls.append((check['id'], ids))
            return [pid for pid in ids if pid != 2]
        customers = {1: facts(), 2: facts(), 3: facts(stage=STABLE)}
        chosen = rules.first_matches(
            customers, [rule(1, DECLINE, [DEVELOPMENT]), rule(2, DECLINE)], domain_filter)
        self.assertEqual(chosen, {1: 1, 3: 2})
        self.assertEqual(calls, [(1, [1, 2]), (2, [2, 3])])
