"""Build the demo company's data: master data through the ORM, a year of
ordering history through the bulk loader, the last days through the real
ORM flow, then prove it consistent.

Deterministic: the seed is fixed and dates are counted back from the day the
generator runs (in the company's time zone, kept as the ``ANCHOR_PARAM``
parameter), so the same day gives the same business data; only random access
tokens differ.
"""
import collections
import datetime
import logging

import pytz

from . import checks, flow, kpi, loader, master, plan, service, tiering

_logger = logging.getLogger(__name__)

CUSTOMERS = 200
RECENT_DAYS = 7
# Stock left on hand after the history, in weeks of average demand.
COVER_WEEKS = 3
TIMEZONE = 'Asia/Shanghai'
ANCHOR_PARAM = 'crm_demo.anchor_date'


def stock_targets(orders, product_count):
    """On-hand quantity per product once the history is loaded: enough for the
    recent orders plus some weeks of average demand."""
    demand = collections.Counter()
    for order in orders:
        for product, qty in order.lines:
            demand[product] += qty
    weekly = {p: demand[p] / plan.WEEKS for p in range(product_count)}
    return {p: int(weekly[p] * COVER_WEEKS) + 20 for p in range(product_count)}


def generate(env, seed=plan.SEED):
    rng = plan.new_rng(int(seed))
    now = datetime.datetime.utcnow().replace(microsecond=0)
    today = pytz.utc.localize(now).astimezone(pytz.timezone(TIMEZONE)).date()
    env['ir.config_parameter'].set_param(ANCHOR_PARAM, str(today))
    users = master.create_users(env)
    products = master.create_products(env)
    customers = plan.plan_customers(rng, CUSTOMERS, len(products))
    partners = master.create_partners(env, rng, CUSTOMERS, users, customers)
    orders = plan.plan_orders(rng, customers, today)
    history, recent = plan.split_recent(orders, today, RECENT_DAYS)
    _logger.info('demo: %d orders (%d bulk-loaded, %d through the ORM)',
                 len(orders), len(history), len(recent))

    targets = stock_targets(orders, len(products))
    for order in recent:
        for product, qty in order.lines:
            targets[product] += qty
    loader.load_history(env, history, partners, products, targets, now=now)
    for order in recent:
        flow.run_order(env, order, partners[order.customer], products, now)

    verify(env, orm=False)  # the tests also run the slower ORM recomputation
    # What the nightly crons would have computed on this history.
    env['res.partner']._cron_compute_value_metrics()
    tiering.configure(env, rng, customers, partners, users)
    service.create_routes(env, partners, users)
    service.create_visits(env, rng, today)
    service.take_orders(env, rng, partners, users, today)
    service.plan_deliveries(env, today)
    service.create_requests(env, rng, partners, users, now)
    env['crm.lifecycle.engine']._cron_run()
    kpi.configure(env)
    kpi.delivery_failures(env, today)
    kpi.short_stock_order(env, today)
    _logger.info('demo: done, the consistency checks pass')


def verify(env, orm=True):
    """Raise if the consistency checks find anything."""
    found = checks.problems(env, orm=orm)
    if found:
        raise RuntimeError('demo data is inconsistent:\n' + '\n'.join(found[:20]))
