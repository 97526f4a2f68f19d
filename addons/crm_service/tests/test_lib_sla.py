import datetime
import unittest

from ..lib import sla

T0 = datetime.datetime(2025, 3, 3, 8, 0)


def at(hours):
    return T0 + datetime.timedelta(hours=hours)


class TestSla(unittest.TestCase):

    def test_policy_or_company_default(self):
        self.assertEqual(sla.policy_hours((4, 8), (24, 72)), (4, 8))
        self.assertEqual(sla.policy_hours(None, (24, 72)), (24, 72))
        # A policy with zero hours is a policy, not a missing one.
        self.assertEqual(sla.policy_hours((0, 0), (24, 72)), (0, 0))

    def test_deadline_counts_calendar_hours(self):
        # Friday 20:00 + 24 h is Saturday 20:00: weekends and nights count.
        friday = datetime.datetime(2025, 3, 7, 20, 0)
        self.assertEqual(sla.deadline(friday, 24), datetime.datetime(2025, 3, 8, 20, 0))
        self.assertEqual(sla.deadline(T0, 1.5), at(1.5))
        self.assertIsNone(sla.deadline(None, 4))

    def test_elapsed_and_on_time(self):
        self.assertAlmostEqual(sla.elapsed_hours(T0, at(30)), 30.0)
        self.assertIsNone(sla.elapsed_hours(T0, None))
        self.assertTrue(sla.on_time(at(4), at(4)))
        self.assertFalse(sla.on_time(at(4.01), at(4)))
        self.assertIsNone(sla.on_time(None, at(4)))

    def test_breached_only_after_the_deadline_and_while_not_done(self):
        self.assertFalse(sla.breached(at(4), None, at(3)))
        self.assertFalse(sla.breached(at(4), None, at(4)))
        self.assertTrue(sla.breached(at(4), None, at(5)))
        self.assertFalse(sla.breached(at(4), at(2), at(5)))
        self.assertFalse(sla.breached(None, None, at(5)))
