"""Quota periods: calendar weeks (starting on Monday) and calendar months.

Pure Python (stdlib only). A period is the half-open range of dates
[start, end): ``end`` is the first day of the next period, so consecutive
periods never overlap and a day belongs to exactly one of them.
"""
import datetime

PERIODS = ('week', 'month')


def period_bounds(day, period):
    """(first day, first day of the next period) of the ``period`` ('week' or
    'month') that contains the date ``day``."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if period == 'week':
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=7)
    if period == 'month':
        start = day.replace(day=1)
        # Day 28 plus four days is always in the next month.
        return start, (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    raise ValueError('unknown quota period %r (expected one of %s)' % (period, ', '.join(PERIODS)))
