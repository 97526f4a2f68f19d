"""Visit routes of the demo company: one per district, visited by the district's
account manager on one weekday, the stops in an optimised tour from the depot;
then the visits of the last weeks and the coming ones."""
import datetime

from psycopg2.extras import execute_values

from odoo import fields

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
