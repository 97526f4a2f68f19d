import itertools
import unittest

from ..lib import tour

DEPOT = (30.25, 120.16)


class TestTour(unittest.TestCase):

    def test_distance(self):
        self.assertAlmostEqual(tour.distance_km(DEPOT, DEPOT), 0.0)
        # One degree of latitude is about 111.2 km.
        self.assertAlmostEqual(tour.distance_km((30.0, 120.0), (31.0, 120.0)), 111.19, 1)

    def test_empty_and_single(self):
        self.assertEqual(tour.optimise(DEPOT, {}), [])
        self.assertEqual(tour.optimise(DEPOT, {'a': (30.3, 120.2)}), ['a'])
        self.assertEqual(tour.tour_length(DEPOT, {}, []), 0.0)

    def test_two_opt_never_longer_and_finds_the_optimum_of_a_small_case(self):
        points = {i: (30.2 + 0.05 * ((i * 7) % 5), 120.1 + 0.04 * ((i * 3) % 7))
                  for i in range(7)}
        start = list(range(7))
        improved = tour.two_opt(DEPOT, points, start)
        self.assertEqual(sorted(improved), start)
        self.assertLessEqual(tour.tour_length(DEPOT, points, improved),
                             tour.tour_length(DEPOT, points, start) + 1e-9)
        best = min(tour.tour_length(DEPOT, points, list(p))
                   for p in itertools.permutations(range(7)))
        found = tour.tour_length(DEPOT, points, tour.optimise(DEPOT, points))
        self.assertLessEqual(found, best * 1.05)

    def test_crossing_tour_is_uncrossed(self):
        square = {'a': (30.0, 120.1), 'b': (30.1, 120.1), 'c': (30.1, 120.0)}
        depot = (30.0, 120.0)
        crossed = ['a', 'c', 'b']
        self.assertLess(tour.tour_length(depot, square, tour.two_opt(depot, square, crossed)),
                        tour.tour_length(depot, square, crossed))

    def test_nearest_neighbour_is_deterministic_on_ties(self):
        points = {'b': (30.0, 120.1), 'a': (30.0, 120.1)}
        self.assertEqual(tour.nearest_neighbour((30.0, 120.0), points), ['a', 'b'])
