import unittest

from ..lib import batching


class TestBatching(unittest.TestCase):

    def test_unlimited_keeps_everything(self):
        self.assertEqual(batching.fit_capacity([(1, 10), (2, 11)], 0), ([1, 2], []))

    def test_capacity_counts_customers_not_pickings(self):
        candidates = [(1, 10), (2, 11), (3, 10), (4, 12)]
        self.assertEqual(batching.fit_capacity(candidates, 2), ([1, 2, 3], [4]))

    def test_customers_already_in_the_batch(self):
        candidates = [(1, 10), (2, 11), (3, 12)]
        self.assertEqual(batching.fit_capacity(candidates, 2, present={12, 13}), ([3], [1, 2]))

    def test_priority_key(self):
        rows = [(5, '1', 2, 1), (6, '3', 3, 9), (7, '1', None, 0), (8, '1', 2, 0), (9, None, 1, 5)]
        ordered = sorted(rows, key=lambda row: batching.priority_key(*row[1:], row[0]))
        self.assertEqual([row[0] for row in ordered], [6, 8, 5, 7, 9])
