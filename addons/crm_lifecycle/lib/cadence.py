"""Ordering cadence and missed ordering windows (no Odoo import).

Weekly windows are counted back from today: window 0 is the last seven days
including today, window 1 the seven days before, and so on.
"""


def cadence_weeks(avg_gap_days):
    """The customer's own ordering cycle in whole weeks (at least one); None
    without an average gap (fewer than two order days)."""
    if not avg_gap_days:
        return None
    return max(1, int(round(avg_gap_days / 7.0)))


def missed_windows(order_weeks, birth_week, cadence, last_weeks):
    """Ordering windows of the customer's own cadence, in the last
    ``last_weeks`` weeks, without any order.

    The last ``last_weeks`` weeks are cut into blocks of ``cadence`` weeks,
    counted back from today; only whole blocks after the week of the first
    order (``birth_week``) count, because the cadence begins there. A weekly
    customer who skipped the last three weeks has missed 3; a fortnightly
    customer who skipped the last four weeks has missed 2. Without a cadence
    (None) nothing is missed: one order sets no rhythm yet.
    """
    if not cadence or birth_week is None:
        return 0
    ordered = {week // cadence for week in order_weeks if week >= 0}
    blocks = [block for block in range(last_weeks // cadence)
              if (block + 1) * cadence - 1 < birth_week]
    return sum(1 for block in blocks if block not in ordered)


def trend_percent(current, previous):
    """Change from ``previous`` to ``current`` in percent; None when there is
    nothing to compare with (previous is zero or missing)."""
    if not previous:
        return None
    return (float(current or 0) - float(previous)) / float(previous) * 100.0
