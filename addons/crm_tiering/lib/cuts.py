"""Tier cuts: Pareto (ABC), quantile pyramid, bands, grid grades and hysteresis.

Pure Python (stdlib only), so it runs and is tested without Odoo or a database.
Class indexes returned by the cuts are top-down: 0 is the best class.
"""
from bisect import bisect_right
from math import ceil

# Tolerance for percentages computed in floats (e.g. 0.1 + 0.2 of a total).
_EPSILON = 1e-9


def _cumulative_percents(percents, name):
    """Validate top-down class percentages and return their running sums (last is 100)."""
    percents = list(percents)
    if not percents:
        raise ValueError('%s must list at least one class' % name)
    if any(percent <= 0 for percent in percents):
        raise ValueError('%s must all be positive, got %r' % (name, percents))
    if abs(sum(percents) - 100) > 1e-6:
        raise ValueError('%s must sum to 100, got %r (sum %s)' % (name, percents, sum(percents)))
    bounds = []
    running = 0
    for percent in percents:
        running += percent
        bounds.append(running)
    bounds[-1] = 100  # absorb float drift, e.g. 33.3 + 33.3 + 33.4
    return bounds


def _sorted_desc(values):
    """Return (key, value) pairs by value descending, ties by key (deterministic)."""
    pairs = list(values)
    keys = [key for key, _value in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError('each key may appear only once')
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


def pareto_cut(values, shares):
    """ABC cut by cumulative share of value. Return {key: class index}, 0 = top class.

    ``values`` is an iterable of (key, value) with value >= 0; ``shares`` the percentage
    of total value per class, top-down (e.g. [80, 15, 5]): positive, summing to 100.

    Customers are sorted by value descending (ties by key). A customer belongs to the
    first class whose cumulative share bound is above the cumulative share held by the
    customers *before* it, so the customer that crosses 80% is still A. Equal values
    land in the same class: a tie group goes wholly to the class of its first member.
    If the total is zero, everyone goes to the last class (no value to rank). Customers
    with value 0 after the total is reached also land in the last class.
    """
    bounds = _cumulative_percents(shares, 'Pareto shares')
    last_class = len(bounds) - 1
    ordered = _sorted_desc(values)
    if any(value < 0 for _key, value in ordered):
        raise ValueError('Pareto values must not be negative')
    total = sum(value for _key, value in ordered)
    if total <= 0:
        return {key: last_class for key, _value in ordered}
    result = {}
    cumulative = 0
    previous_value = group_class = None
    for key, value in ordered:
        if group_class is None or value != previous_value:
            share_before = cumulative * 100.0 / total
            group_class = next(
                (index for index, bound in enumerate(bounds)
                 if share_before < bound - _EPSILON),
                last_class,
            )
            previous_value = value
        result[key] = group_class
        cumulative += value
    return result


def quantile_cut(values, percents):
    """Percentile cut by customer count. Return {key: class index}, 0 = top class.

    ``values`` is an iterable of (key, value); ``percents`` the percentage of customers
    per class, top-down (e.g. the pyramid [5, 15, 30, 30, 20]): positive, summing to 100.

    Customers are sorted by value descending (ties by key). With n customers, class c
    ends after ``max(c + 1, ceil(n * cumulative percent / 100))`` positions (capped at n):
    the exact percentiles for large n, rounded up in favour of the better class.
    The ``c + 1`` floor means that with fewer customers than classes (1 to 4 in the
    pyramid) the top customers fill the classes top-down, one each: the best gets
    class 0, the next class 1, and so on; lower classes stay empty.
    Equal values land in the same class: a tie group goes wholly to the class of its
    first member, so if all values are equal everyone is in class 0. Callers should
    leave out customers without history (they get an initial tier by rule).
    Empty input gives {}.
    """
    bounds = _cumulative_percents(percents, 'Quantile percents')
    ordered = _sorted_desc(values)
    count = len(ordered)
    class_ends = [
        min(count, max(index + 1, int(ceil(count * bound / 100.0 - _EPSILON))))
        for index, bound in enumerate(bounds)
    ]
    result = {}
    previous_value = group_class = None
    for position, (key, value) in enumerate(ordered):
        if group_class is None or value != previous_value:
            # The last end is always count, so every position finds a class.
            group_class = next(index for index, end in enumerate(class_ends) if position < end)
            previous_value = value
        result[key] = group_class
    return result


def _check_bounds(bounds):
    bounds = list(bounds)
    if not bounds:
        raise ValueError('bounds must list at least one lower bound')
    for lower, upper in zip(bounds, bounds[1:]):
        if not lower < upper:
            raise ValueError('bounds must be strictly ascending, got %r' % (bounds,))
    return bounds


def band_index(value, bounds):
    """Return the index of the band containing ``value``; 0 is the lowest band.

    ``bounds`` are the ascending lower bounds of the bands (the first usually 0); a value
    exactly on a bound belongs to the band that bound opens. A value below the first
    bound is put in band 0. Bounds that are empty or not strictly ascending raise
    ValueError.
    """
    bounds = _check_bounds(bounds)
    return max(0, bisect_right(bounds, value) - 1)


def grid_cut(volume, value_per_unit, volume_bounds, unit_bounds):
    """Return (volume band, value-per-unit band), each as ``band_index`` computes it."""
    return band_index(volume, volume_bounds), band_index(value_per_unit, unit_bounds)


def grid_grade(volume_band, unit_band, unit_band_count):
    """Return one integer grade for a grid cell: ``volume_band * unit_band_count + unit_band``.

    Volume dominates and value per unit breaks ties, so 10 volume bands x 3 unit bands
    give grades 0 (lowest) to 29 (highest). Note grades grow with value, while tier ranks
    (as in ``apply_hysteresis``) shrink with it. Out-of-range bands raise ValueError.
    """
    if unit_band_count < 1:
        raise ValueError('unit_band_count must be at least 1, got %r' % (unit_band_count,))
    if not 0 <= unit_band < unit_band_count:
        raise ValueError('unit_band must be in 0..%d, got %r' % (unit_band_count - 1, unit_band))
    if volume_band < 0:
        raise ValueError('volume_band must not be negative, got %r' % (volume_band,))
    return volume_band * unit_band_count + unit_band


def apply_hysteresis(current_rank, new_rank, below_count, runs=1, margin=0.0,
                     value=None, bound=None):
    """Damp downgrades. Return (rank to keep, new below_count).

    Ranks: smaller is a better tier. ``below_count`` is how many consecutive previous
    evaluations computed a worse rank than ``current_rank`` without applying it.

    - First evaluation (``current_rank`` None): (new_rank, 0).
    - Upgrade or same rank: applied at once, (new_rank, 0).
    - Downgrade: applied, (new_rank, 0), when this is the ``runs``-th consecutive
      evaluation below (``below_count + 1 >= runs``), or, when ``margin`` > 0 and
      ``value`` and ``bound`` are given, when the value is clearly below the current
      tier's lower bound: ``value < bound * (1 - margin)``. Otherwise the current rank
      is kept and the count grows: (current_rank, below_count + 1).

    ``runs`` must be >= 1, ``margin`` in [0, 1) and ``below_count`` >= 0 (ValueError).
    """
    if runs < 1:
        raise ValueError('runs must be at least 1, got %r' % (runs,))
    if not 0 <= margin < 1:
        raise ValueError('margin must be in [0, 1), got %r' % (margin,))
    if below_count < 0:
        raise ValueError('below_count must not be negative, got %r' % (below_count,))
    if current_rank is None or new_rank <= current_rank:
        return new_rank, 0
    if below_count + 1 >= runs:
        return new_rank, 0
    if margin > 0 and value is not None and bound is not None:
        if value < bound * (1 - margin):
            return new_rank, 0
    return current_rank, below_count + 1


def value_at_percentile(sorted_values, percentile):
    """Return the value at ``percentile`` (0..100) of ascending ``sorted_values``,
    interpolating linearly between neighbours. Empty input raises ValueError."""
    if not sorted_values:
        raise ValueError('value_at_percentile needs at least one value')
    if not 0 <= percentile <= 100:
        raise ValueError('percentile must be in 0..100, got %r' % (percentile,))
    position = (len(sorted_values) - 1) * percentile / 100.0
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def blend_manager_scores(values, manager_scores, weight):
    """Blend account managers' 0-100 scores into metric values. Return {key: value}.

    ``values`` maps key -> metric value; ``manager_scores`` maps key -> score 0..100 (keys
    without a score keep their value). A score of s counts as the metric value found at
    the s-th percentile of all values, so the blend stays in the metric's own unit and
    Pareto shares or threshold bounds keep their meaning::

        blended = (1 - weight) * value + weight * value_at_percentile(values, s)

    ``weight`` must be in 0..1 and scores in 0..100, else ValueError.
    """
    if not 0 <= weight <= 1:
        raise ValueError('weight must be in 0..1, got %r' % (weight,))
    ordered = sorted(values.values())
    blended = dict(values)
    if weight == 0 or not ordered:
        return blended
    for key, score in manager_scores.items():
        if key not in values or score is None:
            continue
        if not 0 <= score <= 100:
            raise ValueError('manager scores must be in 0..100, got %r' % (score,))
        blended[key] = (1 - weight) * values[key] + weight * value_at_percentile(ordered, score)
    return blended


def shares_before(values):
    """Return {key: percent of the total value held by the customers ranked above it}.

    Same order as ``pareto_cut`` (value descending, ties by key); a zero total gives 0
    for everyone. This is the number a Pareto cut compares with the class bounds.
    """
    ordered = _sorted_desc(values)
    total = sum(value for _key, value in ordered)
    result = {}
    cumulative = 0
    for key, value in ordered:
        result[key] = cumulative * 100.0 / total if total > 0 else 0.0
        cumulative += value
    return result


def positions(values):
    """Return {key: 1-based position by value descending, ties by key}."""
    return {key: index + 1 for index, (key, _value) in enumerate(_sorted_desc(values))}
