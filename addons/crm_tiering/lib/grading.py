"""Grade customers into the tiers of a scheme, by the scheme's method.

Pure Python over plain data, so it runs and is tested without Odoo. The ORM layer
reads the values in SQL, calls ``grade`` and writes the result back in bulk.
"""
from . import cuts

METHODS = ('pareto', 'quantile', 'threshold', 'grid')


def grade(method, values, tiers, volume_bounds=(), unit_bounds=()):
    """Return ({key: tier id}, {tier id: lowest value graded into it}).

    ``tiers`` are dicts with ``id`` and ``rank`` (1 is best) plus, by method, ``share``
    (pareto, quantile), ``lower_bound`` (threshold) or ``volume_band`` and ``unit_band``
    (grid, 1-based). ``values`` maps key -> value; for grid key -> (volume, value per
    unit), and the bound reported is on volume. Empty ``values`` gives ({}, {}).
    Misconfigured tiers raise ValueError.
    """
    if method not in METHODS:
        raise ValueError('unknown method %r' % (method,))
    tiers = sorted(tiers, key=lambda tier: tier['rank'])
    if not tiers:
        raise ValueError('a scheme needs at least one tier')
    if method == 'pareto':
        classes = cuts.pareto_cut(values.items(), [tier['share'] for tier in tiers])
        graded = {key: tiers[index]['id'] for key, index in classes.items()}
    elif method == 'quantile':
        classes = cuts.quantile_cut(values.items(), [tier['share'] for tier in tiers])
        graded = {key: tiers[index]['id'] for key, index in classes.items()}
    elif method == 'threshold':
        ascending = tiers[::-1]
        bounds = [tier['lower_bound'] for tier in ascending]
        graded = {key: ascending[cuts.band_index(value, bounds)]['id']
                  for key, value in values.items()}
    else:
        graded = _grade_grid(values, tiers, volume_bounds, unit_bounds)
    lowest = {}
    for key, tier_id in graded.items():
        value = values[key][0] if method == 'grid' else values[key]
        if tier_id not in lowest or value < lowest[tier_id]:
            lowest[tier_id] = value
    if method == 'threshold':
        lowest = {tier['id']: tier['lower_bound'] for tier in tiers}
    return graded, lowest


def _grade_grid(values, tiers, volume_bounds, unit_bounds):
    volume_bounds = sorted(volume_bounds)
    unit_bounds = sorted(unit_bounds)
    if not volume_bounds or not unit_bounds:
        raise ValueError('a grid needs at least one volume band and one value band')
    by_cell = {(tier['volume_band'], tier['unit_band']): tier['id'] for tier in tiers}
    graded = {}
    for key, (volume, unit_value) in values.items():
        volume_band, unit_band = cuts.grid_cut(volume, unit_value, volume_bounds, unit_bounds)
        cell = (volume_band + 1, unit_band + 1)
        if cell not in by_cell:
            raise ValueError('no tier for volume band %d and value band %d' % cell)
        graded[key] = by_cell[cell]
    return graded


def grid_cells(volume_band_count, unit_band_count):
    """Yield (rank, volume band, unit band, grade) for every cell of a grid, best first.

    Bands are 1-based; the grade is 1-based too (1 is the lowest cell), so a 10 x 3 grid
    has grades 30 (rank 1) down to 1 (rank 30).
    """
    cells = [
        (cuts.grid_grade(volume - 1, unit - 1, unit_band_count) + 1, volume, unit)
        for volume in range(1, volume_band_count + 1)
        for unit in range(1, unit_band_count + 1)
    ]
    cells.sort(reverse=True)
    for rank, (grade_number, volume, unit) in enumerate(cells, start=1):
        yield rank, volume, unit, grade_number


def top_share(values, percent=20):
    """Percent of the total value held by the top ``percent`` of customers (80/20 check).

    Zero total or no customers gives 0.
    """
    ordered = sorted(values, reverse=True)
    total = sum(ordered)
    if not ordered or total <= 0:
        return 0.0
    count = max(1, int(round(len(ordered) * percent / 100.0)))
    return sum(ordered[:count]) * 100.0 / total
