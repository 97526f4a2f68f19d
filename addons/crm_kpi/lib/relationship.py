"""The relationship score of a customer: 0-100 from visit satisfaction,
complaints and payment behaviour, and its band (low / medium / high).

This module holds the formula once. ``score`` and ``band`` are the reference
(unit-tested without a database); ``score_sql`` and ``band_sql`` write the
same formula as SQL for the customer value view, which groups by the band.
The constants below are the only parameters of both forms.

- Satisfaction, up to 50 points: the average 1-5 star rating of the rated
  visits, 1 star = 0, 5 stars = 50. No rated visit counts as neutral (25).
- Complaints, up to 25 points: 25, minus 10 per complaint, not below 0.
- Payment, up to 25 points: 25, minus one point per day paid late on
  average, minus 10 while an invoice is overdue, not below 0.
"""

SATISFACTION_POINTS = 50
UNRATED_POINTS = 25
COMPLAINT_POINTS = 25
POINTS_PER_COMPLAINT = 10
PAYMENT_POINTS = 25
POINTS_PER_DAY_LATE = 1
OVERDUE_PENALTY = 10
# A score at or above the bound is in the band.
HIGH_BOUND = 80
MEDIUM_BOUND = 50
BANDS = [('low', 'Low'), ('medium', 'Medium'), ('high', 'High')]


def score(satisfaction, complaints, days_late, overdue):
    """The score of a customer.

    ``satisfaction``: average stars (1-5) of the rated visits, None if none;
    ``complaints``: number of complaints; ``days_late``: average days paid
    late, None if unknown; ``overdue``: amount overdue today (None: 0).
    """
    if satisfaction is None:
        points = UNRATED_POINTS
    else:
        points = SATISFACTION_POINTS * (satisfaction - 1) / 4.0
    points += max(0, COMPLAINT_POINTS - POINTS_PER_COMPLAINT * (complaints or 0))
    penalty = POINTS_PER_DAY_LATE * (days_late or 0)
    if (overdue or 0) > 0:
        penalty += OVERDUE_PENALTY
    points += max(0, PAYMENT_POINTS - penalty)
    return points


def band(value):
    """'high', 'medium' or 'low' for a score."""
    if value >= HIGH_BOUND:
        return 'high'
    if value >= MEDIUM_BOUND:
        return 'medium'
    return 'low'


def score_sql(satisfaction, complaints, days_late, overdue):
    """``score`` as a SQL expression over the four given (static) column
    expressions, with the same NULL meanings."""
    return """(
        CASE WHEN {sat} IS NULL THEN {unrated}
             ELSE {sat_points} * ({sat} - 1) / 4.0 END
        + greatest(0, {complaint_points} - {per_complaint} * coalesce({complaints}, 0))
        + greatest(0, {payment_points} - {per_day} * coalesce({late}, 0)
                      - CASE WHEN coalesce({overdue}, 0) > 0 THEN {overdue_penalty} ELSE 0 END)
    )""".format(
        sat=satisfaction, complaints=complaints, late=days_late, overdue=overdue,
        unrated=UNRATED_POINTS, sat_points=SATISFACTION_POINTS,
        complaint_points=COMPLAINT_POINTS, per_complaint=POINTS_PER_COMPLAINT,
        payment_points=PAYMENT_POINTS, per_day=POINTS_PER_DAY_LATE,
        overdue_penalty=OVERDUE_PENALTY)


def band_sql(value):
    """``band`` as a SQL expression over a score expression."""
    return """CASE WHEN {value} >= {high} THEN 'high'
                   WHEN {value} >= {medium} THEN 'medium'
                   ELSE 'low' END""".format(value=value, high=HIGH_BOUND,
                                            medium=MEDIUM_BOUND)
