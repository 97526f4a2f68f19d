"""The demo ordering history as plain data, decided by a seeded random generator.

Nothing here touches the database: ``plan_customers`` and ``plan_orders`` turn
a seed and an anchor date into profiles and orders that the loaders write.
The same seed and anchor give the same history.
"""
import collections
import datetime
import random

SEED = 20261122
WEEKS = 52

# Shop sizes: share of the shops, weeks between orders, lines per order, and
# the quantity multiplier of a line.
SIZES = {
    'large': dict(share=0.15, every=(1, 1), lines=(5, 9), qty=(4, 12)),
    'medium': dict(share=0.35, every=(2, 2), lines=(4, 7), qty=(2, 6)),
    'small': dict(share=0.50, every=(2, 4), lines=(2, 5), qty=(1, 3)),
}
CHURN_SHARE = 0.08      # stop ordering part-way through the year
LATE_SHARE = 0.08       # start ordering part-way through the year
SLOW_PAYER_SHARE = 0.10
REFUND_SHARE = 0.012
# Deliveries are promised for the next day; about one in LATE_DELIVERY_EVERY comes a
# day late (chosen without the random generator, so the rest of the plan is unchanged).
LATE_DELIVERY_EVERY = 23

Customer = collections.namedtuple(
    'Customer', 'index size start_week stop_week slow_payer weekday assortment')
Order = collections.namedtuple(
    'Order', 'customer date_order lines delivered_at invoiced_on payments refund')
# The delivery is promised for the day after date_order.
# lines: [(product index, quantity)]; payments: [(date, share of the invoice)];
# refund: None or (date, [(product index, quantity)]).


def plan_customers(rng, count, product_count):
    """Profiles of ``count`` shops over ``product_count`` products."""
    sizes = list(SIZES)
    weights = [SIZES[s]['share'] for s in sizes]
    customers = []
    for index in range(count):
        size = rng.choices(sizes, weights)[0]
        start, stop = 0, WEEKS
        roll = rng.random()
        if roll < CHURN_SHARE:
            stop = rng.randint(14, 44)
        elif roll < CHURN_SHARE + LATE_SHARE:
            start = rng.randint(10, 44)
        assortment = rng.sample(range(product_count), k=min(product_count, rng.randint(8, 20)))
        customers.append(Customer(
            index=index, size=size, start_week=start, stop_week=stop,
            slow_payer=rng.random() < SLOW_PAYER_SHARE,
            weekday=rng.randint(0, 5), assortment=assortment))
    return customers


def _order_weeks(rng, customer):
    lo, hi = SIZES[customer.size]['every']
    week = customer.start_week + rng.randint(0, hi - 1)
    while week < customer.stop_week:
        yield week
        week += rng.randint(lo, hi)


def _payments(rng, customer, invoiced_on, today, due_days):
    """Cash on delivery for most shops; slow payers pay late, in parts or not yet."""
    if not customer.slow_payer:
        paid_on = invoiced_on + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 3, 7]))
        return [(paid_on, 1.0)] if paid_on <= today else []
    first = invoiced_on + datetime.timedelta(days=rng.randint(10, due_days + 40))
    if first > today:
        return []
    if rng.random() < 0.3:
        second = first + datetime.timedelta(days=rng.randint(7, 30))
        if second <= today:
            return [(first, 0.5), (second, 0.5)]
        return [(first, 0.5)]
    return [(first, 1.0)]


def plan_orders(rng, customers, today, due_days=30):
    """Orders of the ``WEEKS`` weeks before ``today`` (a date), oldest first."""
    monday = today - datetime.timedelta(days=today.weekday())
    first_monday = monday - datetime.timedelta(weeks=WEEKS - 1)
    orders = []
    for customer in customers:
        spec = SIZES[customer.size]
        for week in _order_weeks(rng, customer):
            day = first_monday + datetime.timedelta(weeks=week, days=customer.weekday)
            if day >= today:
                continue
            at = datetime.time(1 + rng.randint(0, 8), rng.randint(0, 59))
            moment = datetime.datetime.combine(day, at)
            n_lines = min(len(customer.assortment), rng.randint(*spec['lines']))
            products = sorted(rng.sample(customer.assortment, n_lines))
            lines = [(p, rng.randint(*spec['qty'])) for p in products]
            late = (customer.index * 7 + week) % LATE_DELIVERY_EVERY == 0
            delivered_at = moment + datetime.timedelta(days=2 if late else 1, hours=2)
            invoiced_on = delivered_at.date()
            refund = None
            if rng.random() < REFUND_SHARE:
                product, qty = rng.choice(lines)
                refund = (invoiced_on + datetime.timedelta(days=rng.randint(1, 5)),
                          [(product, max(1, qty // 2))])
            orders.append(Order(
                customer=customer.index, date_order=moment, lines=lines,
                delivered_at=delivered_at, invoiced_on=invoiced_on,
                payments=_payments(rng, customer, invoiced_on, today, due_days),
                refund=refund))
    orders.sort(key=lambda o: (o.date_order, o.customer))
    return orders


def split_recent(orders, today, days):
    """History older than ``days`` before ``today``, and the recent slice."""
    cut = datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time())
    return ([o for o in orders if o.date_order < cut], [o for o in orders if o.date_order >= cut])


def new_rng(seed=SEED):
    return random.Random(seed)
