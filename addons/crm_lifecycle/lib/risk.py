"""Churn risk 0-100 from the behaviour metrics (no Odoo import).

Each factor is scored from 0 (no sign of churn) to 1 (a strong sign), then
weighted; the weights add up to 100, so the risk is the weighted sum, rounded:

=================  ======  ==============================================
factor             weight  score
=================  ======  ==============================================
p_alive              40    1 - P(alive)
gap_ratio            20    (ratio - 1) / 2: 0 on cadence, 1 at 3x the gap
revenue_trend        15    -trend / 50: 1 at a 50% drop or worse
missed_windows       10    missed / 4: 1 at four missed windows
product_trend         5    -trend / 50: 1 when the range halved
open_complaints       5    complaints / 2: 1 at two open complaints
overdue               5    overdue / a month of revenue, at most 1
=================  ======  ==============================================

A missing metric (None: no history to judge) scores 0, so a customer who never
ordered has no risk: it is a prospect, not a churner.
"""

WEIGHTS = [
    ('p_alive', 40),
    ('gap_ratio', 20),
    ('revenue_trend', 15),
    ('missed_windows', 10),
    ('product_trend', 5),
    ('open_complaints', 5),
    ('overdue', 5),
]
# A factor worth less than this many points is not named as a reason.
MIN_FACTOR_POINTS = 1.0


def _clamp(value):
    return max(0.0, min(1.0, value))


def factor_scores(p_alive=None, gap_ratio=None, revenue_trend=None, missed_windows=None,
                  product_trend=None, open_complaints=None, overdue_months=None):
    """{factor: score 0..1}. ``overdue_months`` is the overdue amount divided by
    a month of revenue (infinite when overdue without recent revenue)."""
    scores = {
        'p_alive': None if p_alive is None else 1.0 - p_alive,
        'gap_ratio': None if gap_ratio is None else (gap_ratio - 1.0) / 2.0,
        'revenue_trend': None if revenue_trend is None else -revenue_trend / 50.0,
        'missed_windows': None if missed_windows is None else missed_windows / 4.0,
        'product_trend': None if product_trend is None else -product_trend / 50.0,
        'open_complaints': None if open_complaints is None else open_complaints / 2.0,
        'overdue': overdue_months,
    }
    return {key: 0.0 if value is None else _clamp(value) for key, value in scores.items()}


def churn_risk(top=3, **metrics):
    """(risk 0-100 as an int, [(factor, points)] of the ``top`` largest
    contributions, largest first). See factor_scores for the metrics."""
    scores = factor_scores(**metrics)
    points = [(key, weight * scores[key]) for key, weight in WEIGHTS]
    risk = int(round(sum(value for _key, value in points)))
    named = sorted((p for p in points if p[1] >= MIN_FACTOR_POINTS),
                   key=lambda p: (-p[1], [k for k, _w in WEIGHTS].index(p[0])))
    return risk, named[:top]
