"""Service-level arithmetic for service requests, in calendar hours.

Pure Python (stdlib only), so it runs and is tested without Odoo. Times are
naive UTC ``datetime`` objects, as Odoo stores them.
"""
import datetime


def policy_hours(policy_hours_pair, default_pair):
    """(response, resolution) hours: the tier policy's when there is one, else the
    company default. ``policy_hours_pair`` is None for a customer without policy."""
    return tuple(policy_hours_pair) if policy_hours_pair is not None else tuple(default_pair)


def deadline(start, hours):
    """``start`` plus ``hours`` calendar hours (nights and weekends count)."""
    if start is None:
        return None
    return start + datetime.timedelta(hours=hours)


def elapsed_hours(start, end):
    """Hours from ``start`` to ``end``, or None when either is missing."""
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600.0


def on_time(done, due):
    """True when ``done`` is at or before ``due``; None while not done or no due."""
    if done is None or due is None:
        return None
    return done <= due


def breached(due, done, now):
    """True when ``due`` has passed at ``now`` and nothing was done by then."""
    return due is not None and done is None and due < now
