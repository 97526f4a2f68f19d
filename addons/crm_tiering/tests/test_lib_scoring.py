"""Unit tests of crm_tiering.lib.scoring (no database)."""
import itertools
import unittest

from odoo.addons.crm_tiering.lib import scoring


class TestQuintileScores(unittest.TestCase):

    def test_ten_distinct_values_use_every_score(self):
        values = [50, 10, 100, 20, 90, 30, 80, 40, 70, 60]
        self.assertEqual(
            scoring.quintile_scores(values), [3, 1, 5, 1, 5, 2, 4, 2, 4, 3])

    def test_order_of_input_is_kept(self):
        self.assertEqual(scoring.quintile_scores([30, 10, 20]), [4, 1, 2])

    def test_ties_share_a_score(self):
        # Three 10s have nothing strictly below them; 20 has 3 of 5 below it.
        self.assertEqual(scoring.quintile_scores([10, 10, 10, 20, 30]), [1, 1, 1, 4, 5])
        self.assertEqual(scoring.quintile_scores([5, 9, 9, 1]), [2, 3, 3, 1])

    def test_reverse_scores_low_values_high(self):
        # Recency in days: the most recent customer (fewest days) is the best.
        self.assertEqual(scoring.quintile_scores([1, 30, 365], reverse=True), [4, 2, 1])
        self.assertEqual(
            scoring.quintile_scores([10, 10, 10, 20, 30], reverse=True), [3, 3, 3, 2, 1])

    def test_reverse_mirrors_forward(self):
        values = [3, 8, 1, 9, 4, 7, 2]
        forward = scoring.quintile_scores(values)
        backward = scoring.quintile_scores([-value for value in values], reverse=True)
        self.assertEqual(forward, backward)

    def test_none_scores_worst_and_is_not_ranked(self):
        # Without the None, [10, 20] would score [1, 3]; None must not shift them.
        self.assertEqual(scoring.quintile_scores([None, 10, 20]), [1, 1, 3])
        self.assertEqual(scoring.quintile_scores([None, 10, 20], reverse=True), [1, 3, 1])

    def test_only_none(self):
        self.assertEqual(scoring.quintile_scores([None, None]), [1, 1])

    def test_empty(self):
        self.assertEqual(scoring.quintile_scores([]), [])

    def test_all_equal_is_neutral(self):
        self.assertEqual(scoring.quintile_scores([7, 7, 7, 7]), [3, 3, 3, 3])
        self.assertEqual(scoring.quintile_scores([7, 7], reverse=True), [3, 3])
        self.assertEqual(scoring.quintile_scores([None, 4, 4]), [1, 3, 3])

    def test_fewer_than_five_values(self):
        self.assertEqual(scoring.quintile_scores([42]), [3])
        self.assertEqual(scoring.quintile_scores([10, 20]), [1, 3])
        self.assertEqual(scoring.quintile_scores([10, 20, 30]), [1, 2, 4])
        self.assertEqual(scoring.quintile_scores([10, 20, 30, 40]), [1, 2, 3, 4])

    def test_scores_stay_within_one_to_five(self):
        for count in range(1, 40):
            scores = scoring.quintile_scores(list(range(count)))
            self.assertTrue(all(1 <= score <= 5 for score in scores), count)

    def test_floats(self):
        self.assertEqual(scoring.quintile_scores([0.1, 0.3, 0.2]), [1, 4, 2])


class TestRfmSegment(unittest.TestCase):

    def test_segments_list(self):
        keys = [key for key, _label in scoring.SEGMENTS]
        self.assertEqual(len(keys), 11)
        self.assertEqual(len(set(keys)), 11)
        self.assertEqual(keys[0], 'champions')
        self.assertEqual(dict(scoring.SEGMENTS)['cant_lose'], "Can't lose")

    def test_every_combination_maps_and_all_segments_are_reachable(self):
        keys = {key for key, _label in scoring.SEGMENTS}
        reached = set()
        for r, f, m in itertools.product(range(1, 6), repeat=3):
            segment = scoring.rfm_segment(r, f, m)
            self.assertIn(segment, keys, (r, f, m))
            reached.add(segment)
        self.assertEqual(reached, keys)

    def test_known_cells(self):
        self.assertEqual(scoring.rfm_segment(5, 5, 5), 'champions')
        self.assertEqual(scoring.rfm_segment(5, 1, 1), 'new')
        self.assertEqual(scoring.rfm_segment(4, 1, 1), 'promising')
        self.assertEqual(scoring.rfm_segment(3, 3, 3), 'needs_attention')
        self.assertEqual(scoring.rfm_segment(1, 5, 5), 'cant_lose')
        self.assertEqual(scoring.rfm_segment(1, 1, 1), 'lost')
        self.assertEqual(scoring.rfm_segment(2, 1, 2), 'hibernating')

    def test_fm_rounds_half_up(self):
        # (4 + 5) / 2 = 4.5 -> 5: a champion, not merely loyal.
        self.assertEqual(scoring.rfm_segment(5, 4, 5), 'champions')
        # (2 + 3) / 2 = 2.5 -> 3 (Python's round() would give 2).
        self.assertEqual(scoring.rfm_segment(3, 2, 3), 'needs_attention')
        self.assertEqual(scoring.rfm_segment(3, 2, 2), 'about_to_sleep')

    def test_out_of_range_scores(self):
        for bad in ((0, 3, 3), (3, 6, 3), (3, 3, 0), (3, 2.5, 3)):
            with self.assertRaises(ValueError):
                scoring.rfm_segment(*bad)


class TestValueScore(unittest.TestCase):

    def test_bounds(self):
        self.assertEqual(scoring.value_score(1, 1, 1), 0.0)
        self.assertEqual(scoring.value_score(5, 5, 5), 100.0)
        self.assertAlmostEqual(scoring.value_score(3, 3, 3), 50.0)

    def test_default_weights(self):
        # R=5 (100), F=1 (0), M=3 (50): 0.2 * 100 + 0.3 * 0 + 0.5 * 50 = 45.
        self.assertAlmostEqual(scoring.value_score(5, 1, 3), 45.0)

    def test_weights_are_normalised(self):
        self.assertAlmostEqual(
            scoring.value_score(5, 1, 3, weights=(2, 3, 5)), scoring.value_score(5, 1, 3))
        self.assertAlmostEqual(scoring.value_score(2, 5, 1, weights=(0, 1, 0)), 100.0)

    def test_stays_within_bounds(self):
        for r, f, m in itertools.product(range(1, 6), repeat=3):
            self.assertTrue(0.0 <= scoring.value_score(r, f, m) <= 100.0)

    def test_bad_weights(self):
        for weights in ((-0.1, 0.6, 0.5), (0, 0, 0), (0.5, 0.5)):
            with self.assertRaises(ValueError):
                scoring.value_score(3, 3, 3, weights=weights)

    def test_bad_scores(self):
        with self.assertRaises(ValueError):
            scoring.value_score(0, 3, 3)
        with self.assertRaises(ValueError):
            scoring.value_score(3, 3, 6)
