import unittest

from ..lib import cuts, grading

ABC = [{'id': 'A', 'rank': 1, 'share': 80}, {'id': 'B', 'rank': 2, 'share': 15},
       {'id': 'C', 'rank': 3, 'share': 5}]


class TestGrade(unittest.TestCase):

    def test_pareto_maps_classes_to_tiers_by_rank(self):
        tiers = list(reversed(ABC))  # given in any order
        graded, lowest = grading.grade('pareto', {1: 80, 2: 15, 3: 5}, tiers)
        self.assertEqual(graded, {1: 'A', 2: 'B', 3: 'C'})
        self.assertEqual(lowest, {'A': 80, 'B': 15, 'C': 5})

    def test_quantile_pyramid(self):
        tiers = [{'id': name, 'rank': rank, 'share': share} for rank, (name, share) in
                 enumerate([('D', 5), ('G', 15), ('S', 30), ('I', 30), ('L', 20)], 1)]
        values = {key: key for key in range(1, 21)}
        graded, _lowest = grading.grade('quantile', values, tiers)
        counts = {name: list(graded.values()).count(name) for name in 'DGSIL'}
        self.assertEqual(counts, {'D': 1, 'G': 3, 'S': 6, 'I': 6, 'L': 4})
        self.assertEqual(graded[20], 'D')

    def test_threshold_bands_and_bound_edges(self):
        tiers = [{'id': 'hi', 'rank': 1, 'lower_bound': 70},
                 {'id': 'mid', 'rank': 2, 'lower_bound': 40},
                 {'id': 'lo', 'rank': 3, 'lower_bound': 0}]
        graded, lowest = grading.grade('threshold', {1: 70, 2: 69.99, 3: 40, 4: -5}, tiers)
        self.assertEqual(graded, {1: 'hi', 2: 'mid', 3: 'mid', 4: 'lo'})
        self.assertEqual(lowest, {'hi': 70, 'mid': 40, 'lo': 0})

    def test_grid_grades(self):
        tiers = [{'id': grade, 'rank': rank, 'volume_band': volume, 'unit_band': unit}
                 for rank, volume, unit, grade in grading.grid_cells(2, 3)]
        values = {1: (0, 0), 2: (100, 25), 3: (99.9, 100), 4: (500, 10)}
        graded, lowest = grading.grade('grid', values, tiers, [0, 100], [0, 10, 20])
        self.assertEqual(graded, {1: 1, 2: 6, 3: 3, 4: 5})
        self.assertEqual(lowest[6], 100)

    def test_grid_without_bands_or_cells(self):
        tiers = [{'id': 1, 'rank': 1, 'volume_band': 1, 'unit_band': 1}]
        with self.assertRaises(ValueError):
            grading.grade('grid', {1: (1, 1)}, tiers, [], [0])
        with self.assertRaises(ValueError):
            grading.grade('grid', {1: (5, 1)}, tiers, [0, 2], [0])

    def test_empty_and_misconfigured(self):
        self.assertEqual(grading.grade('pareto', {}, ABC), ({}, {}))
        with self.assertRaises(ValueError):
            grading.grade('pareto', {1: 1}, [])
        with self.assertRaises(ValueError):
            grading.grade('magic', {1: 1}, ABC)

    def test_grid_cells_best_first(self):
        cells = list(grading.grid_cells(10, 3))
        self.assertEqual(len(cells), 30)
        self.assertEqual(cells[0], (1, 10, 3, 30))
        self.assertEqual(cells[-1], (30, 1, 1, 1))

    def test_top_share(self):
        self.assertAlmostEqual(grading.top_share([80, 5, 5, 5, 5]), 80.0)
        self.assertEqual(grading.top_share([]), 0.0)
        self.assertEqual(grading.top_share([0, 0]), 0.0)


class TestBlendAndRanks(unittest.TestCase):

    def test_value_at_percentile(self):
        self.assertEqual(cuts.value_at_percentile([0, 10, 20], 50), 10)
        self.assertEqual(cuts.value_at_percentile([0, 10, 20], 75), 15)
        self.assertEqual(cuts.value_at_percentile([7], 30), 7)
        with self.assertRaises(ValueError):
            cuts.value_at_percentile([], 10)

    def test_blend(self):
        values = {1: 0.0, 2: 50.0, 3: 100.0}
        blended = cuts.blend_manager_scores(values, {1: 100, 3: None}, 0.2)
        self.assertAlmostEqual(blended[1], 20.0)   # 0.8 * 0 + 0.2 * 100
        self.assertEqual(blended[2], 50.0)          # no score: unchanged
        self.assertEqual(blended[3], 100.0)
        self.assertEqual(cuts.blend_manager_scores(values, {1: 100}, 0), values)

    def test_blend_rejects_bad_weight_and_score(self):
        with self.assertRaises(ValueError):
            cuts.blend_manager_scores({1: 1.0}, {}, 1.5)
        with self.assertRaises(ValueError):
            cuts.blend_manager_scores({1: 1.0}, {1: 120}, 0.5)

    def test_shares_before_and_positions(self):
        values = [(1, 50), (2, 30), (3, 20)]
        self.assertEqual(cuts.shares_before(values), {1: 0.0, 2: 50.0, 3: 80.0})
        self.assertEqual(cuts.positions(values), {1: 1, 2: 2, 3: 3})
        self.assertEqual(cuts.shares_before([(1, 0)]), {1: 0.0})
