"""Master data at benchmark scale, through the ORM like the demo's
(``demodata.master``): the demo's products repeated in more pack sizes, shops
spread over the demo's districts, one visit route per ``per_route`` shops."""
from psycopg2.extras import execute_values

from demodata import master, service

ROUTE_DAYS = service.WEEKDAYS
PAGE = 2000


def product_specs(count):
    """(category, name, list price, cost) of ``count`` products: the demo's
    catalogue first, then the same goods again as further pack sizes."""
    catalogue = [(categ, item) for categ, items in master.PRODUCTS.items() for item in items]
    specs = []
    for index in range(count):
        categ, (name, price, cost) = catalogue[index % len(catalogue)]
        size = index // len(catalogue)
        if size:
            name, price, cost = '%s 规格%d' % (name, size + 1), price * (1 + size), cost * (1 + size)
        specs.append((categ, name, round(price, 2), round(cost, 2)))
    return specs


def create_products(env, count):
    Product = env['product.product'].with_context(tracking_disable=True)
    parent = env.ref('product.product_category_all')
    categories = {name: env['product.category'].create({'name': name, 'parent_id': parent.id})
                  for name in master.PRODUCTS}
    products = []
    for index, (categ, name, price, cost) in enumerate(product_specs(count)):
        products.append(Product.create({
            'name': name, 'type': 'product', 'categ_id': categories[categ].id,
            'default_code': 'B%04d' % (index + 1), 'barcode': '68%011d' % (index + 1),
            'list_price': price, 'standard_price': cost,
            'sale_ok': True, 'purchase_ok': True, 'invoice_policy': 'delivery',
        }))
    return products


def route_of(index, route_count):
    """Route and district of the shop of plan index ``index``."""
    route = index % route_count
    return route, route % len(master.DISTRICTS)


# Columns in which one shop's row differs from another's of the same payment term
# (the stored computed ones included: a company is its own commercial partner).
VARYING = ['name', 'display_name', 'commercial_company_name', 'ref', 'street', 'street2',
           'zip', 'partner_latitude', 'partner_longitude', 'user_id', 'shop_size']
# Stored computed columns of a company without parent, and the value they copy.
DERIVED = {'display_name': 'name', 'commercial_company_name': 'name'}
COPY_ROWS = """
INSERT INTO res_partner (id, commercial_partner_id, {varying}, {same})
SELECT v.id, v.id, {v_varying}, {p_same}
  FROM (VALUES %s) AS v(id, proto, {varying})
  JOIN res_partner p ON p.id = v.proto
"""
COPY_TAGS = """
INSERT INTO res_partner_res_partner_category_rel (partner_id, category_id)
SELECT v.id, v.tag FROM (VALUES %s) AS v(id, tag)
"""
COPY_PROPERTIES = """
INSERT INTO ir_property (res_id, {same})
SELECT 'res.partner,' || v.id, {p_same}
  FROM (VALUES %s) AS v(id, proto)
  JOIN ir_property p ON p.res_id = 'res.partner,' || v.proto
"""


def shop_values(rng, customer, users, route_count, refs):
    """The values of a shop as the ORM would be given them."""
    route, d_index = route_of(customer.index, route_count)
    district, lat, lng = master.DISTRICTS[d_index]
    manager = users[master.ACCOUNT_MANAGERS[route % len(master.ACCOUNT_MANAGERS)]]
    shop = rng.choice(master.SHOP_WORDS) + rng.choice(master.SHOP_FORMATS)
    street = rng.choice(master.STREETS)
    return {
        'name': '%s%d号店' % (shop, customer.index + 1), 'shop_size': customer.size,
        'is_company': True, 'customer': True, 'ref': 'B%06d' % (customer.index + 1),
        'lang': 'zh_CN', 'street': '%s%d号' % (street, rng.randint(1, 999)),
        'street2': district, 'city': '杭州市', 'zip': '3100%02d' % (d_index + 10),
        'state_id': refs['state'], 'country_id': refs['country'],
        'partner_latitude': round(lat + rng.gauss(0, 0.015), 6),
        'partner_longitude': round(lng + rng.gauss(0, 0.015), 6),
        'user_id': manager.id, 'team_id': refs['team'],
        'category_id': [(6, 0, [refs['tags'][d_index]])],
        'property_payment_term_id': refs['terms'][customer.slow_payer],
    }


def _references(env):
    Tag = env['res.partner.category']
    parent_tag = Tag.create({'name': '片区'})
    china = env.ref('base.cn')
    return {
        'tags': [Tag.create({'name': d[0], 'parent_id': parent_tag.id}).id
                 for d in master.DISTRICTS],
        'terms': {True: env.ref('account.account_payment_term_net').id,
                  False: env.ref('account.account_payment_term_immediate').id},
        'country': china.id, 'team': env.ref('sales_team.team_sales_department').id,
        'state': env['res.country.state'].search(
            [('country_id', '=', china.id), ('name', 'like', '浙江')], limit=1).id,
    }


def _columns(cr, table, left_out):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
               "ORDER BY ordinal_position", [table])
    return [row[0] for row in cr.fetchall() if row[0] not in left_out]


def copy_partners(cr, copies):
    """Write ``copies`` [(id, prototype id, values)] as copies of their prototype's
    row, tags and company-dependent properties, with their own ``VARYING`` values."""
    same = _columns(cr, 'res_partner', set(VARYING) | {'id', 'commercial_partner_id'})
    query = COPY_ROWS.format(varying=', '.join(VARYING), same=', '.join(same),
                             v_varying=', '.join('v.' + c for c in VARYING),
                             p_same=', '.join('p.' + c for c in same))
    execute_values(cr, query, [(pid, proto) + tuple(vals[DERIVED.get(c, c)] for c in VARYING)
                               for pid, proto, vals in copies], page_size=PAGE)
    execute_values(cr, COPY_TAGS, [(pid, vals['category_id'][0][2][0])
                                   for pid, _proto, vals in copies], page_size=PAGE)
    same = _columns(cr, 'ir_property', {'id', 'res_id'})
    execute_values(cr, COPY_PROPERTIES.format(same=', '.join(same),
                                              p_same=', '.join('p.' + c for c in same)),
                   [(pid, proto) for pid, proto, _vals in copies], page_size=PAGE)


def create_partners(env, rng, customers, users, route_count):
    """One shop per planned customer; slow payers get 30-day terms. The first
    shop of each payment term is created through the ORM, the others are
    copies of its rows (bulk INSERTs) with their own name, address, manager."""
    Partner = env['res.partner'].with_context(tracking_disable=True, mail_create_nolog=True)
    refs = _references(env)
    values = [shop_values(rng, customer, users, route_count, refs) for customer in customers]
    prototypes, ids, copies = {}, [], []
    env.cr.execute("SELECT nextval('res_partner_id_seq') FROM generate_series(1, %s)",
                   [len(values)])
    new_ids = [row[0] for row in env.cr.fetchall()]
    for vals, new_id in zip(values, new_ids):
        term = vals['property_payment_term_id']
        if term not in prototypes:
            prototypes[term] = Partner.create(vals).id
            ids.append(prototypes[term])
        else:
            copies.append((new_id, prototypes[term], vals))
            ids.append(new_id)
    copy_partners(env.cr, copies)
    env.cache.invalidate()
    return list(env['res.partner'].browse(ids))


def create_routes(env, partners, users, route_count):
    """Route r visits the shops of plan index r, r + route_count, ..., on one weekday."""
    env.user.company_id.partner_id.write(
        {'partner_latitude': service.DEPOT[0], 'partner_longitude': service.DEPOT[1]})
    Route = env['crm.visit.route']
    for route in range(route_count):
        _r, d_index = route_of(route, route_count)
        district = master.DISTRICTS[d_index][0]
        created = Route.create({
            'code': 'B%03d' % (route + 1), 'name': '%s %d' % (district, route + 1),
            'user_id': users[master.ACCOUNT_MANAGERS[route % len(master.ACCOUNT_MANAGERS)]].id,
            'driver_id': users['delivery'].id,
            ROUTE_DAYS[route % len(ROUTE_DAYS)]: True, 'delivery_offset_days': 1,
            'stop_ids': [(0, 0, {'partner_id': shop.id})
                         for shop in partners[route::route_count]],
        })
        created.with_context(lang='en_US')._optimise_stops()
