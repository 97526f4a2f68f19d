"""RFM scoring: quintile scores, named segments and a 0-100 value score.

Pure Python (stdlib only), so it runs and is tested without Odoo or a database.
The ORM layer aggregates recency / frequency / monetary in SQL and calls these.
"""
from bisect import bisect_left, bisect_right

SCORE_MIN = 1
SCORE_MAX = 5
NEUTRAL_SCORE = 3

SEGMENTS = [
    ('champions', 'Champions'),
    ('loyal', 'Loyal'),
    ('potential_loyalist', 'Potential loyalist'),
    ('new', 'New'),
    ('promising', 'Promising'),
    ('needs_attention', 'Needs attention'),
    ('about_to_sleep', 'About to sleep'),
    ('at_risk', 'At risk'),
    ('cant_lose', "Can't lose"),
    ('hibernating', 'Hibernating'),
    ('lost', 'Lost'),
]

# Rows are R = 1..5, columns FM = 1..5 (index 0 unused on both axes).
_SEGMENT_GRID = {
    5: ('new', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'),
    4: ('promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'loyal'),
    3: ('about_to_sleep', 'about_to_sleep', 'needs_attention', 'loyal', 'loyal'),
    2: ('hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose'),
    1: ('lost', 'lost', 'at_risk', 'at_risk', 'cant_lose'),
}


def quintile_scores(values, reverse=False):
    """Score each value 1..5 from its rank among the others; same order as ``values``.

    With n the number of values that are not None and ``lower`` the number of those
    strictly lower than the value, the score is ``1 + floor(5 * lower / n)``: higher
    value, higher score. With ``reverse=True`` it is mirrored (``lower`` becomes the count
    strictly *higher*), so a lower value scores higher; use it for recency in days.

    - Equal values get the same score (the count of strictly lower values is shared).
    - None (no data) scores 1, the worst, and is left out of n and of the ranking.
    - If all non-None values are equal, they all score 3 (neutral): nothing tells
      them apart, and 1 or 5 would claim a difference that is not there.
    - With fewer than 5 values not every score is used, e.g. [10, 20] -> [1, 3].
    - An empty list gives [].
    """
    ranked = sorted(value for value in values if value is not None)
    count = len(ranked)
    all_equal = count > 0 and ranked[0] == ranked[-1]
    scores = []
    for value in values:
        if value is None:
            scores.append(SCORE_MIN)
        elif all_equal:
            scores.append(NEUTRAL_SCORE)
        else:
            if reverse:
                beaten = count - bisect_right(ranked, value)
            else:
                beaten = bisect_left(ranked, value)
            # Integer arithmetic: no float rounding at the quintile edges.
            scores.append(SCORE_MIN + (5 * beaten) // count)
    return scores


def _check_score(name, score):
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise ValueError('%s score must be between 1 and 5, got %r' % (name, score))


def rfm_segment(r, f, m):
    """Return the segment key (see ``SEGMENTS``) for scores r, f, m in 1..5.

    F and M are combined into FM = (f + m) / 2 rounded half up (4 and 5 give 5), then
    looked up in the classic RFM grid of R against FM::

        R \\ FM |  1              2               3                4          5
        -------+---------------------------------------------------------------------
          5    |  New            Potential loy.  Potential loy.   Champions  Champions
          4    |  Promising      Potential loy.  Potential loy.   Loyal      Loyal
          3    |  About to sleep About to sleep  Needs attention  Loyal      Loyal
          2    |  Hibernating    Hibernating     At risk          At risk    Can't lose
          1    |  Lost           Lost            At risk          At risk    Can't lose

    Every (r, f, m) in 1..5 maps to exactly one of the 11 segments. Scores outside 1..5
    or not whole numbers raise ValueError.
    """
    for name, score in (('R', r), ('F', f), ('M', m)):
        _check_score(name, score)
        if score != int(score):
            raise ValueError('%s score must be a whole number, got %r' % (name, score))
    # Half up rather than Python's round(), which rounds 2.5 and 4.5 down to even.
    fm = int((f + m + 1) // 2)
    return _SEGMENT_GRID[int(r)][fm - 1]


def value_score(r, f, m, weights=(0.2, 0.3, 0.5)):
    """Return a 0..100 value score: the weighted mean of r, f, m mapped from 1..5 to 0..100.

    ``weights`` are the (R, F, M) weights; they need not sum to 1 (they are normalised)
    but must be three non-negative numbers with a positive sum, else ValueError.
    Scores outside 1..5 raise ValueError.
    """
    weights = tuple(weights)
    if len(weights) != 3:
        raise ValueError('value_score needs three weights (R, F, M), got %r' % (weights,))
    if any(weight < 0 for weight in weights):
        raise ValueError('value_score weights must not be negative, got %r' % (weights,))
    total_weight = sum(weights)
    if total_weight <= 0:
        raise ValueError('value_score weights must have a positive sum, got %r' % (weights,))
    for name, score in (('R', r), ('F', f), ('M', m)):
        _check_score(name, score)
    weighted = sum(
        weight * (score - SCORE_MIN) * 100.0 / (SCORE_MAX - SCORE_MIN)
        for weight, score in zip(weights, (r, f, m))
    )
    # min/max guard against float drift just outside 0..100.
    return min(100.0, max(0.0, weighted / total_weight))
