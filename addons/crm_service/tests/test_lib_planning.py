import datetime
import unittest

from ..lib.planning import next_visit_day, plan_visits

MON, TUE, WED, THU, FRI = range(5)


def day(text):
    return datetime.datetime.strptime(text, '%Y-%m-%d').date()


def days(*texts):
    return [day(text) for text in texts]


class TestPlanning(unittest.TestCase):
    # 2026-11-23 is a Monday.
    start, end = day('2026-11-23'), day('2027-01-31')

    def plan(self, last, interval, weekdays=(MON,), closed=(), existing=(), end=None):
        return plan_visits(last and day(last), interval, self.start, end or self.end,
                           set(weekdays), set(closed), existing)

    def test_weekly_fortnightly_monthly_on_a_monday_route(self):
        self.assertEqual(self.plan('2026-11-16', 7, end=day('2026-12-14')),
                         days('2026-11-23', '2026-11-30', '2026-12-07', '2026-12-14'))
        self.assertEqual(self.plan('2026-11-16', 14, end=day('2026-12-31')),
                         days('2026-11-30', '2026-12-14', '2026-12-28'))
        # Monthly on a weekly route: every four weeks, not every five.
        self.assertEqual(self.plan('2026-11-02', 28),
                         days('2026-11-30', '2026-12-28', '2027-01-25'))
        self.assertEqual(self.plan('2026-11-02', 30),
                         days('2026-11-30', '2026-12-28', '2027-01-25'))

    def test_never_visited_and_overdue_customers_come_first(self):
        self.assertEqual(self.plan(None, 14, end=day('2026-12-08'))[0], day('2026-11-23'))
        self.assertEqual(self.plan('2026-09-01', 14, end=day('2026-12-08'))[0],
                         day('2026-11-23'))

    def test_only_route_weekdays(self):
        planned = self.plan(None, 7, weekdays=(TUE, FRI), end=day('2026-12-13'))
        self.assertEqual(planned, days('2026-11-24', '2026-12-01', '2026-12-08'))
        twice = self.plan(None, 3, weekdays=(TUE, FRI), end=day('2026-12-06'))
        self.assertEqual(twice, days('2026-11-24', '2026-11-27', '2026-12-01', '2026-12-04'))
        self.assertEqual(self.plan(None, 7, weekdays=()), [])

    def test_holidays_move_the_visit_to_the_next_route_day(self):
        planned = self.plan('2026-11-16', 14, weekdays=(MON, THU),
                            closed=days('2026-11-30'), end=day('2026-12-20'))
        self.assertEqual(planned, days('2026-12-03', '2026-12-17'))
        self.assertEqual(next_visit_day(day('2026-11-30'), {MON}, set(days('2026-11-30'))),
                         day('2026-12-07'))

    def test_planning_again_adds_nothing(self):
        first = self.plan('2026-11-16', 7)
        self.assertEqual(self.plan('2026-11-16', 7, existing=first), [])
        # A longer horizon later continues the plan without duplicates.
        more = self.plan('2026-11-16', 7, existing=first, end=day('2027-02-14'))
        self.assertEqual(more, days('2027-02-01', '2027-02-08'))

    def test_existing_visits_count_as_visits(self):
        # A visit moved by hand to Wednesday: the plan continues from it.
        planned = self.plan('2026-11-16', 14, weekdays=(MON, WED),
                            existing=days('2026-11-25'), end=day('2026-12-27'))
        self.assertEqual(planned, days('2026-12-07', '2026-12-21'))

    def test_bad_interval(self):
        with self.assertRaises(ValueError):
            self.plan(None, 0)
