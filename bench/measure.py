"""What is measured, inside Odoo. Each measurement is a ``setup(env)`` that
prepares (not timed) and returns a state, and a ``run(env, state)`` that does
the measured work and may return a figure of its own (seconds) that replaces
the wall time, e.g. a per-order latency. ``bench.probe`` runs one of them in
its own process and rolls back, so every run starts from the same data."""
import collections
import datetime
import random
import time

from odoo import fields
from odoo.addons.crm_kpi.models.crm_kpi_report import Period
from odoo.addons.crm_tiering.lib.pg import jit_off
from odoo.addons.crm_tiering.models.res_partner import METRICS_QUERY

Measurement = collections.namedtuple('Measurement', 'setup run')
CONFIRM_ORDERS = 12
NAIVE_STATES = ['open', 'paid']


def company_today(env):
    company = env.user.company_id
    tz = company.partner_id.tz or 'UTC'
    return company, tz, fields.Date.from_string(fields.Date.context_today(
        env.user.with_context(tz=tz)))


def manager_env(env):
    user = env['res.users'].search([('login', '=', 'sales_manager')])
    return env(user=user.id)


# -- tiering ---------------------------------------------------------------------

def setup_recompute(env):
    return manager_env(env)['crm.tier.scheme'].search([])


def run_recompute(env, schemes):
    schemes.action_recompute()


def setup_raw_sql(env):
    """The parameters of the scoring aggregate, as ``_read_value_metrics`` builds them
    (and runs it: without JIT)."""
    jit_off(env.cr)
    company, tz, today = company_today(env)
    env.cr.execute("SELECT DISTINCT product_id FROM account_invoice_line "
                   "WHERE company_id = %s AND product_id IS NOT NULL", [company.id])
    products = env['product.product'].with_context(force_company=company.id).browse(
        [r[0] for r in env.cr.fetchall()])
    window = datetime.timedelta(days=company.tier_metrics_window_days)
    return {'company': company.id, 'today': today, 'date_from': today - window, 'tz': tz,
            'product_ids': products.ids, 'costs': products.mapped('standard_price')}


def run_raw_sql(env, params):
    env.cr.execute(METRICS_QUERY, params)
    env.cr.fetchall()


def setup_naive(env):
    scheme = env.ref('crm_tiering.scheme_abc')
    company, _tz, today = company_today(env)
    since = today - datetime.timedelta(days=scheme.window_days or
                                       company.tier_metrics_window_days)
    return scheme, fields.Date.to_string(since)


def run_naive(env, state):
    """Tier scoring as a first ORM version would do it: one query per customer
    for its revenue, then the Pareto cut in Python (nothing written)."""
    scheme, since = state
    Invoice = env['account.invoice']
    revenue = {}
    for partner in env['res.partner'].search([('customer', '=', True),
                                              ('is_company', '=', True)]):
        rows = Invoice.search_read([
            ('commercial_partner_id', '=', partner.id), ('state', 'in', NAIVE_STATES),
            ('type', 'in', ['out_invoice', 'out_refund']), ('date_invoice', '>', since)],
            ['amount_untaxed_signed'])
        revenue[partner.id] = sum(r['amount_untaxed_signed'] for r in rows)
    total = sum(revenue.values()) or 1.0
    bounds = [(tier.id, tier.share) for tier in scheme.tier_ids.sorted('rank')]
    running, tiers = 0.0, {}
    for pid in sorted(revenue, key=revenue.get, reverse=True):
        share = 0.0
        for tier_id, tier_share in bounds:
            share += tier_share
            if running * 100.0 / total < share:
                tiers[pid] = tier_id
                break
        running += revenue[pid]
    return None


# -- lifecycle, visits, deliveries -------------------------------------------------

def setup_lifecycle(env):
    return env.user.company_id


def run_lifecycle(env, company):
    env['crm.lifecycle.engine']._run_company(company)


def rule_events(env):
    env.cr.execute("SELECT count(*) FROM crm_lifecycle_event WHERE origin = 'rule'")
    return env.cr.fetchone()[0]


def setup_lifecycle_week(env):
    company, _tz, today = company_today(env)
    return company, today + datetime.timedelta(days=7), rule_events(env)


def run_lifecycle_week(env, state):
    """The night a week on: the metrics age a week, so customers cross the rules'
    thresholds, move and their rules' actions run, as on an ordinary night."""
    company, day, before = state
    env['crm.lifecycle.engine']._run_company(company, today=day)
    return {'moved': rule_events(env) - before}


def setup_lifecycle_replay(env):
    """Today's evaluation replayed from scratch: no stages, no transitions yet,
    as on the generator's first run (the customers move and their rules' actions run)."""
    env.cr.execute("DELETE FROM crm_lifecycle_event")
    env.cr.execute("UPDATE res_partner SET lifecycle_stage_id = NULL, "
                   "lifecycle_stage_date = NULL")
    env.cache.invalidate()
    return env.user.company_id


def run_lifecycle_replay(env, company):
    env['crm.lifecycle.engine']._run_company(company)
    return {'moved': rule_events(env)}


def setup_visit_plan(env):
    """The week after the planned ones (the generator planned two weeks ahead)."""
    _company, _tz, today = company_today(env)
    env.cr.execute("SELECT max(date) FROM crm_visit")
    last = env.cr.fetchone()[0]
    start = fields.Date.from_string(last) if last else today
    return env['crm.visit.route'].search([]), start + datetime.timedelta(days=1)


def run_visit_plan(env, state):
    routes, start = state
    return {'visits': len(env['crm.visit']._plan(routes, 1, start=start))}


def setup_batching(env):
    _company, _tz, today = company_today(env)
    return env['crm.visit.route'].search([]), today + datetime.timedelta(days=1)


def run_batching(env, state):
    routes, day = state
    batches = env['stock.picking.batch']._plan_route_deliveries(day, routes)
    return {'batches': len(batches), 'pickings': len(batches.mapped('picking_ids'))}


# -- KPI ------------------------------------------------------------------------

def kpi_models(env):
    """The KPI views: the models built on crm.kpi.report."""
    base = type(env['crm.kpi.report'])
    return sorted(name for name, cls in env.registry.items()
                  if cls is not base and issubclass(cls, base) and not cls._abstract)


def year_period(env):
    company, _tz, today = company_today(env)
    return Period(company, fields.Date.to_string(today - datetime.timedelta(days=364)),
                  fields.Date.to_string(today))


def setup_kpi(model_name):
    def setup(env):
        model = env[model_name]
        numeric = [name for name, field in model._fields.items()
                   if field.type in ('integer', 'float', 'monetary') and field.store
                   and name != 'id']
        return model, model._kpi_domain(year_period(env)), numeric
    return setup


def run_kpi(env, state):
    """The pivot view's query: every measure over the year, by month."""
    model, domain, numeric = state
    date = model._kpi_date_field
    model.read_group(domain, [date] + numeric, ['%s:month' % date], lazy=False)


def setup_workbook(env):
    period = year_period(env)
    return period, env['crm.kpi.section'].search([])


def run_workbook(env, state):
    period, sections = state
    content = env['crm.kpi.workbook']._workbook(period.company, period.date_from,
                                                period.date_to, sections)
    return {'bytes': len(content)}


# -- sale order confirmation -----------------------------------------------------

def setup_confirm(checks):
    def setup(env):
        """Quotations of customers with a tier policy, two or three lines each, that
        the policy lets through (checked here, in both modes, so caches are alike)."""
        rng = random.Random(7)
        partners = env['res.partner'].search([('customer', '=', True), ('is_company', '=', True),
                                              ('tier_id', '!=', False)], order='id')
        products = env['product.product'].search([('sale_ok', '=', True)], order='id')
        orders = []
        for partner in rng.sample(list(partners), CONFIRM_ORDERS * 3):
            order = env['sale.order'].create({'partner_id': partner.id, 'order_line': [
                (0, 0, {'product_id': p.id, 'product_uom_qty': rng.randint(1, 3)})
                for p in rng.sample(list(products), rng.randint(2, 3))]})
            if not order._check_tier_policy():
                orders.append(order)
        if not checks:
            # The project's checks off: the addon has no company switch for them.
            type(env['sale.order'])._enforce_tier_policy = lambda self: {}
        return orders[:CONFIRM_ORDERS]
    return setup


def run_confirm(env, orders):
    """The median latency of one confirmation (orders the policy refuses are skipped)."""
    latencies, refused = [], 0
    for order in orders:
        start = time.perf_counter()
        try:
            with env.cr.savepoint():
                order.action_confirm()
        except Exception:  # the tier policy's UserError: counted, not timed
            refused += 1
            continue
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    return {'value': latencies[len(latencies) // 2] if latencies else None,
            'refused': refused}


def run_checks(env, orders):
    """The median time of the tier checks alone (``_check_tier_policy``) per order."""
    latencies = []
    for order in orders:
        start = time.perf_counter()
        order._check_tier_policy()
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    return {'value': latencies[len(latencies) // 2] if latencies else None}


MEASUREMENTS = {
    'tier_recompute': Measurement(setup_recompute, run_recompute),
    'raw_sql': Measurement(setup_raw_sql, run_raw_sql),
    'naive_tiering': Measurement(setup_naive, run_naive),
    'lifecycle': Measurement(setup_lifecycle, run_lifecycle),
    'lifecycle_week': Measurement(setup_lifecycle_week, run_lifecycle_week),
    'lifecycle_replay': Measurement(setup_lifecycle_replay, run_lifecycle_replay),
    'visit_plan': Measurement(setup_visit_plan, run_visit_plan),
    'batching': Measurement(setup_batching, run_batching),
    'workbook': Measurement(setup_workbook, run_workbook),
    'confirm_checks': Measurement(setup_confirm(True), run_confirm),
    'confirm_nochecks': Measurement(setup_confirm(False), run_confirm),
    'tier_checks': Measurement(setup_confirm(True), run_checks),
}


def get(name):
    if name.startswith('kpi:'):
        return Measurement(setup_kpi(name[4:]), run_kpi)
    return MEASUREMENTS[name]
