"""Visit dates for one customer: pure functions, tested without Odoo.

A customer is due ``interval`` days after its last visit. A visit falls on
the first route weekday from the due day on, skipping holidays, and may come
up to ``slack(interval)`` days early so that a monthly customer on a weekly
route is visited about every four weeks, not every five.
"""
import datetime

ONE_DAY = datetime.timedelta(days=1)


def slack(interval):
    """Days a visit may come before its due day: a seventh of the interval."""
    return interval // 7


def next_visit_day(cursor, weekdays, closed):
    """The first day on or after ``cursor`` that is a route weekday (0 is
    Monday) and not in ``closed``; None when ``weekdays`` is empty."""
    if not weekdays:
        return None
    day = cursor
    while day.weekday() not in weekdays or day in closed:
        day += ONE_DAY
    return day


def plan_visits(last, interval, start, end, weekdays, closed=frozenset(), existing=()):
    """New visit days in [start, end] for a customer visited every ``interval`` days.

    ``last``: the day of the last visit before ``start`` (None if never visited);
    ``existing``: days already holding a visit in the horizon, which count as
    visits; ``closed``: holidays and days whose visit was cancelled.
    Planning again with the result added to ``existing`` returns nothing new.
    """
    if interval < 1:
        raise ValueError('interval must be at least one day')
    upcoming = sorted(day for day in existing if start <= day <= end)
    planned = []
    while True:
        cursor = start if last is None else max(
            start, last + datetime.timedelta(days=interval - slack(interval)))
        day = next_visit_day(cursor, weekdays, closed)
        if day is None or day > end:
            return planned
        while upcoming and (last is not None and upcoming[0] <= last):
            upcoming.pop(0)
        if upcoming and upcoming[0] <= day:
            last = upcoming.pop(0)
            continue
        planned.append(day)
        last = day
