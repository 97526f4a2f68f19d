"""Unit tests of crm_tiering.lib.cuts (no database)."""
import unittest

from odoo.addons.crm_tiering.lib import cuts

ABC = [80, 15, 5]
PYRAMID = [5, 15, 30, 30, 20]


class TestParetoCut(unittest.TestCase):

    def test_crossing_customer_stays_in_upper_class(self):
        # Shares before each: 0, 50, 75, 90, 97. 'c' crosses 80% and is still A.
        values = [('a', 50), ('b', 25), ('c', 15), ('d', 7), ('e', 3)]
        self.assertEqual(
            cuts.pareto_cut(values, ABC), {'a': 0, 'b': 0, 'c': 0, 'd': 1, 'e': 2})

    def test_exactly_on_bound_moves_down(self):
        # 'b' starts exactly at 80%: not below the A bound, so B.
        self.assertEqual(
            cuts.pareto_cut([('a', 80), ('b', 15), ('c', 5)], ABC), {'a': 0, 'b': 1, 'c': 2})

    def test_tie_group_goes_to_class_of_first_member(self):
        # c starts at 75% (A); d ties with c, so it is A too although alone (85%) it
        # would be B. e starts at 95%: C.
        values = [('d', 10), ('c', 10), ('b', 25), ('a', 50), ('e', 5)]
        self.assertEqual(
            cuts.pareto_cut(values, ABC), {'a': 0, 'b': 0, 'c': 0, 'd': 0, 'e': 2})
        # y starts at 80% (B); w ties with z (90%, B), so B although alone (95%) it is C.
        values = [('x', 80), ('y', 10), ('z', 5), ('w', 5)]
        self.assertEqual(
            cuts.pareto_cut(values, ABC), {'x': 0, 'y': 1, 'z': 1, 'w': 1})

    def test_tie_group_is_not_split_across_bound(self):
        # Ten equal customers: without grouping the ninth (80% before) would be B.
        values = [(index, 5) for index in range(10)]
        self.assertEqual(set(cuts.pareto_cut(values, ABC).values()), {0})

    def test_ties_sorted_by_key_deterministically(self):
        values = [(3, 1), (1, 1), (2, 1)]
        self.assertEqual(cuts.pareto_cut(values, ABC), cuts.pareto_cut(values[::-1], ABC))

    def test_zero_total_puts_everyone_in_last_class(self):
        self.assertEqual(
            cuts.pareto_cut([('a', 0), ('b', 0)], ABC), {'a': 2, 'b': 2})

    def test_empty(self):
        self.assertEqual(cuts.pareto_cut([], ABC), {})

    def test_shares_must_sum_to_100(self):
        for shares in ([80, 15], [80, 15, 10], [], [100, 0], [110, -10]):
            with self.assertRaises(ValueError):
                cuts.pareto_cut([('a', 1)], shares)

    def test_float_shares_summing_to_100(self):
        result = cuts.pareto_cut([('a', 1), ('b', 1), ('c', 1)], [33.3, 33.3, 33.4])
        self.assertEqual(set(result), {'a', 'b', 'c'})

    def test_negative_value_and_duplicate_key(self):
        with self.assertRaises(ValueError):
            cuts.pareto_cut([('a', -1)], ABC)
        with self.assertRaises(ValueError):
            cuts.pareto_cut([('a', 1), ('a', 2)], ABC)


class TestQuantileCut(unittest.TestCase):

    def test_one_to_four_customers_fill_classes_top_down(self):
        for count in range(1, 5):
            values = [('c%d' % index, 100 - index) for index in range(count)]
            expected = {'c%d' % index: index for index in range(count)}
            self.assertEqual(cuts.quantile_cut(values, PYRAMID), expected, count)

    def test_one_customer_with_three_classes(self):
        self.assertEqual(cuts.quantile_cut([('a', 3)], ABC), {'a': 0})

    def test_exact_percentiles(self):
        values = [(index, 100 - index) for index in range(100)]
        result = cuts.quantile_cut(values, PYRAMID)
        counts = [list(result.values()).count(index) for index in range(5)]
        self.assertEqual(counts, [5, 15, 30, 30, 20])
        # The best five are diamond, the worst twenty lead.
        self.assertEqual({result[index] for index in range(5)}, {0})
        self.assertEqual({result[index] for index in range(80, 100)}, {4})

    def test_rounding_favours_upper_class(self):
        values = [(index, 100 - index) for index in range(10)]
        result = cuts.quantile_cut(values, PYRAMID)
        counts = [list(result.values()).count(index) for index in range(5)]
        # 5% of 10 is 0.5: the best customer still gets diamond.
        self.assertEqual(counts, [1, 1, 3, 3, 2])

    def test_empty(self):
        self.assertEqual(cuts.quantile_cut([], PYRAMID), {})

    def test_all_equal_values_share_one_class(self):
        values = [(index, 7) for index in range(20)]
        self.assertEqual(set(cuts.quantile_cut(values, PYRAMID).values()), {0})

    def test_ties_share_class_of_first_member(self):
        # 10 customers: class ends 1, 2, 5, 8, 10. Positions 4..6 tie: the group
        # starts at position 4 (silver) and all three stay silver.
        values = [(index, 10 - index) for index in range(10)]
        values[5] = (5, 6)
        values[6] = (6, 6)
        result = cuts.quantile_cut(values, PYRAMID)
        self.assertEqual([result[index] for index in range(10)],
                         [0, 1, 2, 2, 2, 2, 2, 3, 4, 4])

    def test_percents_must_sum_to_100(self):
        with self.assertRaises(ValueError):
            cuts.quantile_cut([('a', 1)], [5, 15, 30, 30])
        with self.assertRaises(ValueError):
            cuts.quantile_cut([('a', 1)], [50, 50, 0])


class TestBands(unittest.TestCase):

    BOUNDS = [0, 100, 500]

    def test_value_on_bound_opens_that_band(self):
        self.assertEqual(cuts.band_index(0, self.BOUNDS), 0)
        self.assertEqual(cuts.band_index(100, self.BOUNDS), 1)
        self.assertEqual(cuts.band_index(500, self.BOUNDS), 2)

    def test_values_between_bounds(self):
        self.assertEqual(cuts.band_index(99.99, self.BOUNDS), 0)
        self.assertEqual(cuts.band_index(100.01, self.BOUNDS), 1)
        self.assertEqual(cuts.band_index(10 ** 9, self.BOUNDS), 2)

    def test_value_below_first_bound(self):
        self.assertEqual(cuts.band_index(-5, self.BOUNDS), 0)
        self.assertEqual(cuts.band_index(5, [10, 20]), 0)

    def test_unordered_or_empty_bounds(self):
        for bounds in ([0, 500, 100], [0, 100, 100], []):
            with self.assertRaises(ValueError):
                cuts.band_index(1, bounds)

    def test_grid_cut(self):
        volume_bounds = [0, 10, 20, 30]
        unit_bounds = [0, 50, 100]
        self.assertEqual(cuts.grid_cut(20, 49.9, volume_bounds, unit_bounds), (2, 0))
        self.assertEqual(cuts.grid_cut(9, 100, volume_bounds, unit_bounds), (0, 2))
        with self.assertRaises(ValueError):
            cuts.grid_cut(1, 1, volume_bounds, [100, 50])

    def test_grid_grade_numbering(self):
        # 10 volume bands x 3 unit bands = 30 grades, volume first.
        self.assertEqual(cuts.grid_grade(0, 0, 3), 0)
        self.assertEqual(cuts.grid_grade(0, 2, 3), 2)
        self.assertEqual(cuts.grid_grade(1, 0, 3), 3)
        self.assertEqual(cuts.grid_grade(9, 2, 3), 29)
        grades = {cuts.grid_grade(volume, unit, 3) for volume in range(10) for unit in range(3)}
        self.assertEqual(grades, set(range(30)))

    def test_grid_grade_out_of_range(self):
        for args in ((0, 3, 3), (0, -1, 3), (-1, 0, 3), (0, 0, 0)):
            with self.assertRaises(ValueError):
                cuts.grid_grade(*args)


class TestHysteresis(unittest.TestCase):

    def test_first_evaluation(self):
        self.assertEqual(cuts.apply_hysteresis(None, 3, 0, runs=3), (3, 0))

    def test_upgrade_is_immediate(self):
        self.assertEqual(cuts.apply_hysteresis(3, 1, 2, runs=3), (1, 0))

    def test_same_rank_resets_count(self):
        self.assertEqual(cuts.apply_hysteresis(2, 2, 1, runs=3), (2, 0))

    def test_downgrade_after_runs(self):
        rank, below = 1, 0
        history = []
        for _evaluation in range(3):
            rank, below = cuts.apply_hysteresis(rank, 2, below, runs=3)
            history.append((rank, below))
        self.assertEqual(history, [(1, 1), (1, 2), (2, 0)])

    def test_recovery_breaks_the_run(self):
        rank, below = cuts.apply_hysteresis(1, 2, 0, runs=2)
        self.assertEqual((rank, below), (1, 1))
        rank, below = cuts.apply_hysteresis(rank, 1, below, runs=2)
        self.assertEqual((rank, below), (1, 0))
        self.assertEqual(cuts.apply_hysteresis(rank, 2, below, runs=2), (1, 1))

    def test_default_runs_downgrades_at_once(self):
        self.assertEqual(cuts.apply_hysteresis(1, 3, 0), (3, 0))

    def test_margin_path(self):
        # Bound 1000, margin 10%: below 900 downgrades at once, 900..999 waits.
        self.assertEqual(
            cuts.apply_hysteresis(1, 2, 0, runs=3, margin=0.1, value=899, bound=1000), (2, 0))
        self.assertEqual(
            cuts.apply_hysteresis(1, 2, 0, runs=3, margin=0.1, value=900, bound=1000), (1, 1))
        # Without value/bound the margin cannot apply.
        self.assertEqual(cuts.apply_hysteresis(1, 2, 0, runs=3, margin=0.1), (1, 1))

    def test_bad_parameters(self):
        with self.assertRaises(ValueError):
            cuts.apply_hysteresis(1, 2, 0, runs=0)
        with self.assertRaises(ValueError):
            cuts.apply_hysteresis(1, 2, 0, margin=1.0)
        with self.assertRaises(ValueError):
            cuts.apply_hysteresis(1, 2, -1)
