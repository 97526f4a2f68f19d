"""Short closed tours for visit routes: nearest neighbour, then 2-opt.

Pure Python (stdlib only), so it runs and is tested without Odoo. Points are
(latitude, longitude) in degrees; distances are great-circle kilometres.
"""
from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0


def distance_km(a, b):
    """Great-circle (haversine) distance between two (lat, lon) points, in km."""
    lat1, lon1, lat2, lon2 = map(radians, (a[0], a[1], b[0], b[1]))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def tour_length(depot, points, order):
    """Length of the closed tour depot -> points[order[0]] -> ... -> depot, in km."""
    path = [depot] + [points[key] for key in order] + [depot]
    return sum(distance_km(a, b) for a, b in zip(path, path[1:]))


def nearest_neighbour(depot, points):
    """Keys of ``points`` ({key: (lat, lon)}) visited always going to the nearest one
    not yet visited, from the depot. Ties go to the smaller key (deterministic)."""
    left = dict(points)
    here, order = depot, []
    while left:
        key = min(left, key=lambda k: (distance_km(here, left[k]), k))
        order.append(key)
        here = left.pop(key)
    return order


def two_opt(depot, points, order, max_rounds=50):
    """Improve a closed tour by reversing segments while that shortens it.

    Returns a new order whose tour is never longer than the given one. Stops when a
    full round finds no improvement, or after ``max_rounds`` rounds.
    """
    keys = [None] + list(order)  # position 0 is the depot
    coords = {None: depot}
    coords.update(points)

    def d(i, j):
        return distance_km(coords[keys[i]], coords[keys[j % len(keys)]])
    for _round in range(max_rounds):
        improved = False
        for i in range(1, len(keys) - 1):
            for j in range(i + 1, len(keys)):
                # Replace edges (i-1, i) and (j, j+1) by (i-1, j) and (i, j+1).
                delta = d(i - 1, j) + d(i, j + 1) - d(i - 1, i) - d(j, j + 1)
                if delta < -1e-9:
                    keys[i:j + 1] = reversed(keys[i:j + 1])
                    improved = True
        if not improved:
            break
    return keys[1:]


def optimise(depot, points):
    """The stop order for ``points`` ({key: (lat, lon)}): nearest neighbour, then 2-opt."""
    return two_opt(depot, points, nearest_neighbour(depot, points))
