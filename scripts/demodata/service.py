"""Visit routes of the demo company: one per district, visited by the district's
account manager on one weekday, the stops in an optimised tour from the depot."""
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
