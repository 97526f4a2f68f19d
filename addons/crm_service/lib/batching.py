"""Which pickings fit a route batch of limited capacity (pure functions, no ORM)."""


def priority_key(priority, tier_rank, stop_sequence, picking_id):
    """Sort key of a candidate picking: most urgent first, then the better tier
    (rank 1 is the best, no tier last), then the route order."""
    return (-int(priority or 0), tier_rank if tier_rank else float('inf'),
            stop_sequence or 0, picking_id)


def fit_capacity(candidates, capacity, present=()):
    """Split ``candidates`` into those that fit a batch and those left out.

    ``candidates``: (picking id, customer id) in priority order, best first.
    ``capacity``: the most stops (distinct customers) a batch takes; 0 is unlimited.
    ``present``: customers already in the batch. A customer's further pickings
    join its stop without taking another one. Return (kept ids, left-out ids),
    both in the order given.
    """
    stops = set(present)
    kept, left = [], []
    for picking_id, customer_id in candidates:
        if not capacity or customer_id in stops or len(stops) < capacity:
            stops.add(customer_id)
            kept.append(picking_id)
        else:
            left.append(picking_id)
    return kept, left
