"""Visit routes of the demo company: one per district, visited by the district's
account manager on one weekday, the stops in an optimised tour from the depot;
then the visits of the last weeks and the coming ones."""
import datetime

from psycopg2.extras import execute_values

from odoo import fields
from odoo.exceptions import UserError

from . import master

DEPOT = (30.2741, 120.1551)  # the warehouse, central Hangzhou
WEEKDAYS = ['visit_mon', 'visit_tue', 'visit_wed', 'visit_thu', 'visit_fri']


def create_routes(env, partners, users):
    env.user.company_id.partner_id.write(
        {'partner_latitude': DEPOT[0], 'partner_longitude': DEPOT[1]})
    Route = env['crm.visit.route']
    for index, (district, _lat, _lng) in enumerate(master.DISTRICTS):
        shops = [p for p in partners if p.street2 == district]
        route = Route.create({
            'code': 'R%02d' % (index + 1), 'name': district,
            'user_id': users[master.ACCOUNT_MANAGERS[index // 2]].id,
            'driver_id': users['delivery'].id,
            WEEKDAYS[index % len(WEEKDAYS)]: True, 'delivery_offset_days': 1,
            'stop_ids': [(0, 0, {'partner_id': shop.id}) for shop in shops],
        })
        route.with_context(lang='en_US')._optimise_stops()


# Of the past visits: the share missed, and the outcomes of those without an order.
MISSED_SHARE = 0.08
NO_ORDER_OUTCOMES = [('no_order', 0.7), ('closed', 0.15), ('absent', 0.15)]
SATISFACTION = [('3', 0.2), ('4', 0.5), ('5', 0.3)]
HISTORY_WEEKS = 8

# The order a shop placed within a week after a visit was taken on the visit.
LINK_ORDERS = """
UPDATE sale_order so SET visit_id = link.visit_id
  FROM (SELECT DISTINCT ON (so.id) so.id AS order_id, v.id AS visit_id
          FROM crm_visit v
          JOIN sale_order so ON so.partner_id = v.partner_id
         WHERE v.date < %(today)s AND so.state IN ('sale', 'done')
           AND so.date_order >= v.date AND so.date_order < v.date + 7
         ORDER BY so.id, v.date DESC) link
 WHERE so.id = link.order_id
"""


def create_visits(env, rng, today):
    """Plan the routes from some weeks back, then play the past visits: most done
    (ordered when the shop ordered in the week after), a few missed."""
    Visit = env['crm.visit']
    routes = env['crm.visit.route'].search([])
    Visit._plan(routes, weeks=HISTORY_WEEKS + 2,
                start=today - datetime.timedelta(weeks=HISTORY_WEEKS))
    env.cr.execute(LINK_ORDERS, {'today': today})
    env.cr.execute("SELECT DISTINCT visit_id FROM sale_order WHERE visit_id IS NOT NULL")
    ordered = {row[0] for row in env.cr.fetchall()}
    values = []
    for visit in Visit.search([('date', '<', str(today))], order='id'):
        if rng.random() < MISSED_SHARE:
            values.append((visit.id, 'missed', None, None, None, '0'))
            continue
        start = datetime.datetime.combine(fields.Date.from_string(visit.date),
                                          datetime.time(1)) \
            + datetime.timedelta(minutes=15 * visit.sequence + rng.randint(0, 10))
        outcome = 'ordered' if visit.id in ordered else _pick(rng, NO_ORDER_OUTCOMES)
        values.append((visit.id, 'done', start,
                       start + datetime.timedelta(minutes=rng.randint(8, 30)), outcome,
                       _pick(rng, SATISFACTION) if outcome in ('ordered', 'no_order') else '0'))
    execute_values(env.cr, """
        UPDATE crm_visit v SET state = x.state, check_in = x.check_in,
               check_out = x.check_out, outcome = x.outcome, satisfaction = x.satisfaction
          FROM (VALUES %s) AS x(id, state, check_in, check_out, outcome, satisfaction)
         WHERE v.id = x.id""", values,
                   template='(%s, %s, %s::timestamp, %s::timestamp, %s, %s)')
    Visit.invalidate_cache()


def _pick(rng, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


# (type, subject, root cause, corrective action) of the demo service requests.
REQUESTS = [
    ('complaint', '送货晚了一天', '配送线路当天车辆超载', '超载时按客户等级优先配送'),
    ('complaint', '外包装破损', '装车时未加固', '易碎品单独装箱并加固'),
    ('quality', '啤酒有沉淀', '批次储存温度过高', '该批次下架并更换'),
    ('inquiry', '询问新品价格', '', ''),
    ('supply', '申请增加五粮液配额', '', ''),
    ('return', '退回临期商品', '', ''),
]
REQUEST_COUNT = 40
TODAY_VISITS = 8
PHONE_ORDERS = 6


def create_requests(env, rng, partners, users, now):
    """Service requests of the last two months: most resolved within or after their
    SLA and rated, the recent ones open; the overdue ones escalate."""
    env.user.company_id.service_escalation_user_id = users['sales_manager']
    Request = env['crm.service.request']
    stages = env['crm.service.request.stage'].search([])
    resolved = stages.filtered('is_closed')[:1]
    for _index in range(REQUEST_COUNT):
        kind, subject, cause, action = rng.choice(REQUESTS)
        received = now - datetime.timedelta(hours=rng.randint(2, 24 * 60))
        request = Request.create({
            'name': subject, 'request_type': kind, 'partner_id': rng.choice(partners).id,
            'channel': rng.choice(['phone', 'visit', 'email']), 'date_received': received,
            'user_id': users['service_desk'].id, 'priority': rng.choice(['0', '0', '1', '2'])})
        if received > now - datetime.timedelta(days=5) or rng.random() < 0.1:
            continue
        request.write({'stage_id': resolved.id, 'root_cause': cause or '客户咨询',
                       'corrective_action': action or '已答复客户',
                       'rating': rng.choice([3, 4, 4, 5, 5])})
        response = received + datetime.timedelta(
            hours=rng.uniform(0.2, 1.3) * request.sla_response_hours)
        request.write({'date_first_response': response, 'date_closed': response + (
            datetime.timedelta(hours=rng.uniform(0.2, 1.2) * request.sla_resolution_hours))})
    Request._cron_escalate(now=now)


def take_orders(env, rng, partners, users, today):
    """Today's first visits: checked in, the usual quantities ordered and confirmed
    when the tier policy allows, checked out; and a few phone orders."""
    for visit in env['crm.visit'].search([('date', '=', str(today)), ('state', '=', 'planned')],
                                         order='route_id, sequence', limit=TODAY_VISITS):
        visit = visit.sudo(visit.user_id)
        order = visit._take_order()
        _try_confirm(order)
        visit.write({'outcome': 'ordered' if order.state == 'sale' else 'no_order',
                     'satisfaction': _pick(rng, SATISFACTION)})
        visit._check_out()
    products = env['product.product'].search([('sale_ok', '=', True)])
    desk = env['sale.order'].sudo(users['order_desk'])
    for partner in rng.sample(partners, PHONE_ORDERS):
        _try_confirm(desk.create({'partner_id': partner.id, 'order_line': [
            (0, 0, {'product_id': product.id, 'product_uom_qty': rng.randint(1, 3)})
            for product in rng.sample(list(products), 2)]}))


def _try_confirm(order):
    """Confirm unless the tier policy refuses: the quotation then waits."""
    if not order.order_line:
        return
    try:
        with order.env.cr.savepoint():
            order.action_confirm()
    except UserError:
        order.invalidate_cache()


def plan_deliveries(env, today):
    """Tomorrow's batches from the orders not delivered yet."""
    routes = env['crm.visit.route'].search([])
    env['stock.picking.batch']._plan_route_deliveries(
        today + datetime.timedelta(days=1), routes)
