"""Build the benchmark company's data at one scale (run inside Odoo through
``scripts/odoo_exec.py``; ``bench.db`` does that).

The demo generator's parts, scaled: master data through the ORM, a year of
orders, deliveries, invoices and payments through ``demodata.loader`` (bulk
INSERTs of exactly what Odoo writes), the demo's tier schemes, one route per
``per_route`` shops, visits, some confirmed orders waiting for delivery, the
nightly jobs. Then ``bench.check`` reads samples back through the ORM. The
time of each phase and the rows written are kept in ``scales.STATS_PARAM``.
"""
import datetime
import json
import logging

import pytz

from odoo.tools import convert_file

from demodata import generate as demo, kpi, loader, master, plan, service, tiering

from bench import check, scales
from bench import master as bench_master
from bench.timer import Timer

_logger = logging.getLogger(__name__)

# Tables whose rows the generator's speed is counted in.
COUNTED = ['res_partner', 'sale_order', 'sale_order_line', 'stock_picking', 'stock_move',
           'account_invoice', 'account_invoice_line', 'account_invoice_tax', 'account_move',
           'account_move_line', 'account_payment', 'account_partial_reconcile',
           'account_full_reconcile', 'crm_visit', 'crm_tier_assignment']


def lighten(orders, max_lines):
    """The planned orders with at most ``max_lines`` lines each (spread over the
    customer's assortment); a refund of a line left out goes too."""
    kept = []
    for order in orders:
        lines = order.lines
        if len(lines) > max_lines:
            start = (order.customer * 31 + order.date_order.toordinal()) % len(lines)
            lines = sorted((lines + lines)[start:start + max_lines])
        refund = order.refund
        if refund and refund[1][0][0] not in {p for p, _q in lines}:
            refund = None
        kept.append(order._replace(lines=lines, refund=refund))
    return kept


def load_tier_schemes(env):
    """The demo's policies and schemes (ABC, pyramid, 30-grade grid): the project
    addons are installed without demo data, so their demo file is loaded alone."""
    convert_file(env.cr, 'crm_tiering', 'demo/crm_tiering_demo.xml', {}, mode='init',
                 noupdate=True, kind='demo')
    env.cache.invalidate()


def configure_tiers(env, rng, partners, users):
    """``demodata.tiering.configure`` without its write per shop (the shop sizes
    come with the rows): managers' scores, compliance classes, quotas, the
    nightly recompute, an override in each state."""
    for partner in rng.sample(partners, max(20, len(partners) // 100)):
        partner.sudo(partner.user_id).write({'manager_score': rng.randint(40, 95)})
    for partner in rng.sample(partners, max(8, len(partners) // 250)):
        partner.sudo(users['compliance']).write({'compliance_class': rng.choice('BBBCCCW')})
    for name, period, limits in tiering.QUOTAS:
        product = env['product.product'].search([('name', '=', name)], limit=1)
        for policy, limit in zip(tiering.POLICIES, limits):
            env['crm.tier.quota'].create({
                'policy_id': env.ref(policy).id, 'product_id': product.id, 'period': period,
                'max_qty': limit, 'uom_id': product.uom_id.id})
    env['crm.tier.scheme']._cron_recompute()
    tiering._overrides(env, partners, users)


def confirm_pending(env, rng, partners, products, customers, count):
    """``count`` orders confirmed today and not delivered: tomorrow's deliveries."""
    step = max(1, len(partners) // count)
    confirmed = 0
    Order = env['sale.order'].with_context(tracking_disable=True, mail_notrack=True,
                                           mail_create_nolog=True)
    for partner, customer in list(zip(partners, customers))[::step][:count]:
        picks = rng.sample(customer.assortment, 2)
        order = Order.create({'partner_id': partner.id, 'order_line': [
            (0, 0, {'product_id': products[p].id, 'product_uom_qty': rng.randint(1, 3)})
            for p in picks]})
        service._try_confirm(order)
        confirmed += order.state == 'sale'
    return confirmed


def count_rows(env):
    counts = {}
    for table in COUNTED:
        env.cr.execute('SELECT count(*) FROM %s' % table)  # table names: constants above
        counts[table] = env.cr.fetchone()[0]
    return counts


def generate(env, scale_name):
    scale = scales.get(scale_name)
    timer = Timer()
    rng = plan.new_rng(plan.SEED)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    today = pytz.utc.localize(now).astimezone(pytz.timezone(demo.TIMEZONE)).date()
    env['ir.config_parameter'].set_param(demo.ANCHOR_PARAM, str(today))
    route_count = max(1, scale.customers // scale.per_route)
    with timer('master data (ORM)'):
        load_tier_schemes(env)
        users = master.create_users(env)
        products = bench_master.create_products(env, scale.products)
        customers = plan.plan_customers(rng, scale.customers, len(products))
        partners = bench_master.create_partners(env, rng, customers, users, route_count)
    with timer('order plan (Python)'):
        orders = lighten(plan.plan_orders(rng, customers, today), scale.max_lines)
        history, _recent = plan.split_recent(orders, today, demo.RECENT_DAYS)
        targets = demo.stock_targets(orders, len(products))
    before = sum(count_rows(env).values())
    with timer('history (bulk loader)'):
        loader.load_history(env, history, partners, products, targets, now=now)
    loaded = sum(count_rows(env).values()) - before
    with timer('value metrics, tiers (project code)'):
        env['res.partner']._cron_compute_value_metrics()
        configure_tiers(env, rng, partners, users)
    with timer('routes, visits, requests (ORM)'):
        bench_master.create_routes(env, partners, users, route_count)
        service.create_visits(env, rng, today)
        service.create_requests(env, rng, partners, users, now)
    with timer('pending orders (ORM)'):
        pending = confirm_pending(env, rng, partners, products, customers, scale.pending)
    with timer('lifecycle, KPI set-up (project code)'):
        env['crm.lifecycle.engine']._cron_run()
        kpi.configure(env)
    with timer('checks (SQL and ORM samples)'):
        env.cr.execute('ANALYZE')
        check.verify(env)
    stats = {'scale': scale.name, 'orders': len(history), 'pending': pending,
             'loaded_rows': loaded,
             'lines': sum(len(o.lines) for o in history), 'phases': timer.phases,
             'rows': count_rows(env)}
    env['ir.config_parameter'].set_param(scales.STATS_PARAM, json.dumps(stats))
    _logger.info('bench: generated scale %s: %s', scale.name, json.dumps(stats))
