import calendar
import datetime
from collections import defaultdict

import pytz

from odoo import fields
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase, at_install, post_install

from ..models.crm_kpi_report import Period


@at_install(False)
@post_install(True)
class TestKpiInventory(SavepointCase):
    """Stock against tier quotas and unreserved order lines, reconciled with
    stock.quant, stock.move and the quotas themselves.

    Post-install: while modules install, Odoo defers the product category tree
    (parent_left/right) that category quotas rely on.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.company.partner_id.tz = 'Asia/Shanghai'
        cls.today = datetime.datetime.now(pytz.timezone('Asia/Shanghai')).date()
        cls.unit = env.ref('product.product_uom_unit')
        cls.dozen = env.ref('product.product_uom_dozen')
        cls.kg = env.ref('product.product_uom_kgm')
        cls.gram = env.ref('product.product_uom_gram')
        Category = env['product.category']
        cls.drinks = Category.create({'name': 'KPI Stock Drinks'})
        cls.tea_category = Category.create({'name': 'KPI Stock Tea',
                                            'parent_id': cls.drinks.id})
        other = Category.create({'name': 'KPI Stock Other'})

        def product(name, category, uom=cls.unit, kind='product'):
            return env['product.product'].create({
                'name': name, 'type': kind, 'categ_id': category.id, 'uom_id': uom.id,
                'uom_po_id': uom.id, 'list_price': 10, 'taxes_id': [(6, 0, [])]})
        cls.beer = product('KPI Stock Beer', other)
        cls.water = product('KPI Stock Water', other)
        cls.tea = product('KPI Stock Green Tea', cls.tea_category)
        cls.coffee = product('KPI Stock Coffee', cls.drinks)
        cls.sugar = product('KPI Stock Sugar', cls.tea_category, cls.kg)
        cls.salt = product('KPI Stock Salt', cls.drinks, cls.gram)
        cls.idle = product('KPI Stock Idle', other)
        cls.missing = product('KPI Stock Never In Stock', other)
        cls.cups = product('KPI Stock Cups', other, kind='consu')
        cls.products = (cls.beer | cls.water | cls.tea | cls.coffee | cls.sugar | cls.salt
                        | cls.idle | cls.missing | cls.cups)

        # Stock: two internal locations of the company, one of another company.
        warehouse = env['stock.warehouse'].search([('company_id', '=', cls.company.id)],
                                                  limit=1)
        cls.stock = warehouse.lot_stock_id
        cls.shelf = env['stock.location'].create({
            'name': 'KPI shelf', 'usage': 'internal', 'location_id': cls.stock.id})
        cls.customers = env.ref('stock.stock_location_customers')
        cls.other_company = env['res.company'].create({'name': 'KPI Stock Other Company'})
        cls.other_stock = env['stock.location'].create({
            'name': 'KPI other stock', 'usage': 'internal',
            'company_id': cls.other_company.id})
        Quant = env['stock.quant']
        for product_, location, qty in [
                (cls.beer, cls.stock, 100), (cls.beer, cls.shelf, 5),
                (cls.beer, cls.other_stock, 7), (cls.water, cls.stock, 30),
                (cls.tea, cls.stock, 4), (cls.coffee, cls.stock, 3),
                (cls.sugar, cls.stock, 2.5), (cls.salt, cls.shelf, 1500),
                (cls.idle, cls.stock, 9)]:
            Quant._update_available_quantity(product_, location, qty)

        # Delivery history: 90 days count, returns are taken back, older moves not.
        cls.move(cls.beer, cls.stock, cls.customers, 40)
        cls.move(cls.beer, cls.customers, cls.stock, 4)
        cls.move(cls.beer, cls.stock, cls.customers, 25, days_ago=100)
        cls.move(cls.water, cls.stock, cls.customers, 1, uom=cls.dozen)
        cls.move(cls.water, cls.stock, cls.customers, 6, days_ago=89)
        cls.move(cls.sugar, cls.stock, cls.customers, 0.5)
        cls.move(cls.beer, cls.other_stock, cls.customers, 2)

        # Quotas: three policies of one primary scheme.
        Policy = env['crm.tier.policy']
        cls.policy_a = Policy.create({
            'name': 'KPI stock A', 'company_id': cls.company.id, 'credit_limit': 0,
            'compliance_c_mode': 'restrict', 'compliance_w_mode': 'block',
            'restricted_quota_percent': 50,
            'quota_ids': [
                (0, 0, {'product_id': cls.beer.id, 'period': 'week', 'max_qty': 10,
                        'uom_id': cls.unit.id}),
                # The tighter of the two binds.
                (0, 0, {'product_id': cls.beer.id, 'period': 'month', 'max_qty': 30,
                        'uom_id': cls.unit.id}),
                (0, 0, {'product_id': cls.water.id, 'period': 'week', 'max_qty': 2,
                        'uom_id': cls.dozen.id}),
                (0, 0, {'categ_id': cls.drinks.id, 'period': 'month', 'max_qty': 5,
                        'uom_id': cls.unit.id}),
                (0, 0, {'categ_id': cls.drinks.id, 'period': 'week', 'max_qty': 1,
                        'uom_id': cls.kg.id}),
            ]})
        cls.policy_b = Policy.create({
            'name': 'KPI stock B', 'company_id': cls.company.id, 'credit_limit': 0,
            'quota_ids': [
                (0, 0, {'product_id': cls.beer.id, 'period': 'month', 'max_qty': 40,
                        'uom_id': cls.unit.id}),
                (0, 0, {'product_id': cls.idle.id, 'period': 'month', 'max_qty': 1,
                        'uom_id': cls.dozen.id}),
                (0, 0, {'product_id': cls.cups.id, 'period': 'month', 'max_qty': 100,
                        'uom_id': cls.unit.id}),
            ]})
        cls.policy_c = Policy.create({'name': 'KPI stock C', 'company_id': cls.company.id,
                                      'credit_limit': 0})
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'KPI stock scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': name, 'code': name, 'rank': rank,
                                 'lower_bound': bound, 'policy_id': policy.id})
                         for name, rank, bound, policy in [
                             ('KSA', 1, 100, cls.policy_a), ('KSB', 2, 50, cls.policy_b),
                             ('KSC', 3, 0, cls.policy_c)]]})
        cls.tier_a, cls.tier_b, cls.tier_c = cls.scheme.tier_ids.sorted('rank')
        officer = new_user(env, 'kpi_stock_officer', 'crm_tiering.group_tiering_compliance')
        Partner = env['res.partner']
        cls.partners = Partner.browse()
        for name, tier, compliance in [
                ('full', cls.tier_a, 'A'), ('restricted', cls.tier_a, 'C'),
                ('blocked', cls.tier_a, 'W'), ('b', cls.tier_b, 'A'),
                ('archived', cls.tier_b, 'A'), ('c', cls.tier_c, 'A')]:
            partner = Partner.create({'name': 'KPI stock shop %s' % name, 'customer': True,
                                      'is_company': True})
            if compliance != 'A':
                partner.sudo(officer).write({'compliance_class': compliance})
            cls.scheme._upsert_member(partner, tier, 'ranked')
            cls.partners |= partner
        cls.partners[4].active = False
        cls.shop = cls.partners[5]
        cls.manager = new_user(env, 'kpi_stock_am', 'sales_team.group_sale_salesman')
        cls.route = env['crm.visit.route'].create({
            'code': 'KSR', 'name': 'KPI stock route', 'user_id': cls.manager.id,
            'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': 1, 'partner_id': cls.shop.id})]})

        # Orders waiting for stock, and one fully reserved.
        cls.reserved_order = cls.order([(cls.beer, 3)], days_ago=2)
        cls.waiting_order = cls.order([(cls.tea, 10), (cls.missing, 2),
                                       (cls.water, 4, cls.dozen)], days_ago=1)
        (cls.reserved_order | cls.waiting_order).mapped('picking_ids').action_assign()

        cls.viewer = new_user(env, 'kpi_stock_viewer', 'crm_kpi.group_kpi_user')
        cls.other_viewer = new_user(env, 'kpi_stock_viewer_2', 'crm_kpi.group_kpi_user',
                                    company=cls.other_company)

    @classmethod
    def move(cls, product, source, destination, qty, days_ago=0, uom=None):
        """A done move of ``qty`` (in ``uom``) dated ``days_ago`` days back."""
        move = cls.env['stock.move'].create({
            'name': 'KPI stock move', 'product_id': product.id,
            'product_uom': (uom or product.uom_id).id, 'product_uom_qty': qty,
            'location_id': source.id, 'location_dest_id': destination.id,
            'company_id': (source.company_id or destination.company_id).id})
        move._action_confirm()
        move.quantity_done = qty
        move._action_done()
        assert move.state == 'done'
        if days_ago:
            cls.env.cr.execute("UPDATE stock_move SET date = now() at time zone 'UTC' - "
                               "%s * interval '1 day' WHERE id = %s", [days_ago, move.id])
        return move

    @classmethod
    def order(cls, lines, days_ago=0):
        order = cls.env['sale.order'].create({
            'partner_id': cls.shop.id,
            'date_order': fields.Datetime.to_string(
                datetime.datetime.utcnow() - datetime.timedelta(days=days_ago)),
            'order_line': [(0, 0, {
                'product_id': line[0].id, 'product_uom_qty': line[1],
                'product_uom': (line[2] if len(line) > 2 else line[0].uom_id).id,
                'price_unit': 10, 'tax_id': [(6, 0, [])]}) for line in lines]})
        order.action_confirm()
        return order

    def period(self, company=None):
        return Period(company or self.company, '2000-01-01', '2000-01-31')

    # -- independent computations ---------------------------------------------

    def expected_on_hand(self, product, company=None):
        quants = self.env['stock.quant'].search([
            ('product_id', '=', product.id), ('location_id.usage', '=', 'internal'),
            ('location_id.company_id', '=', (company or self.company).id)])
        return sum(quants.mapped('quantity'))

    def expected_daily_outgoing(self, product, company=None):
        since = fields.Datetime.to_string(datetime.datetime.utcnow()
                                          - datetime.timedelta(days=90))
        company = company or self.company
        total = 0.0
        for move in self.env['stock.move'].search([
                ('product_id', '=', product.id), ('state', '=', 'done'),
                ('date', '>=', since)]):
            source, destination = move.location_id, move.location_dest_id
            if source.usage == 'internal' and destination.usage == 'customer' \
                    and source.company_id == company:
                total += move.product_qty
            elif source.usage == 'customer' and destination.usage == 'internal' \
                    and destination.company_id == company:
                total -= move.product_qty
        return total / 90

    def expected_demand(self):
        """{product or (category, unit category): quantity next month}."""
        next_month = (self.today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        days = calendar.monthrange(next_month.year, next_month.month)[1]
        demand = defaultdict(float)
        for member in self.env['crm.tier.member'].search([('scheme_id', '=', self.scheme.id)]):
            partner = member.partner_id
            policy = member.tier_id.policy_id
            if not partner.active or policy._supply_mode(partner.compliance_class) == 'block':
                continue
            tightest = {}
            for quota in policy.quota_ids:
                monthly = quota.max_qty * (days / 7.0 if quota.period == 'week' else 1)
                if quota.product_id:
                    key, unit = quota.product_id, quota.product_id.uom_id
                else:
                    key = (quota.categ_id, quota.uom_id.category_id)
                    unit = self.env['product.uom'].search([
                        ('category_id', '=', quota.uom_id.category_id.id),
                        ('uom_type', '=', 'reference')])
                qty = quota.uom_id._compute_quantity(monthly, unit, round=False)
                tightest[key] = min(tightest.get(key, qty), qty)
            for key, qty in tightest.items():
                demand[key] += qty * policy._quota_share(partner.compliance_class)
        return demand, days

    # -- stock against quotas ------------------------------------------------------

    def stock_rows(self, user=None, company=None):
        """The product rows of this test's products (of ``company``: any)."""
        Stock = self.env['crm.kpi.stock'].sudo(user) if user else self.env['crm.kpi.stock']
        domain = [('product_id', 'in', self.products.ids)]
        if company:
            domain.append(('company_id', '=', company.id))
        return Stock.search(domain)

    def test_on_hand_outgoing_and_days_of_stock(self):
        rows = {row.product_id: row for row in self.stock_rows(company=self.company)}
        # Stockable products with stock, deliveries or a quota: not the consumable
        # cups, nor a product only ordered.
        self.assertEqual(set(rows), set(self.products - self.cups - self.missing))
        for product, row in rows.items():
            self.assertEqual(row.company_id, self.company)
            self.assertEqual(row.scope, 'product')
            self.assertEqual(row.uom_id, product.uom_id)
            self.assertEqual(row.date, fields.Date.to_string(self.today))
            self.assertAlmostEqual(row.on_hand, self.expected_on_hand(product), places=4)
            daily = self.expected_daily_outgoing(product)
            self.assertAlmostEqual(row.daily_outgoing, daily, places=6)
            if daily > 0:
                self.assertAlmostEqual(row.days_of_stock, row.on_hand / daily, places=4)
            else:
                self.assertFalse(row.days_of_stock)
        # By hand: 100 + 5 - 40 + 4 - 25 on hand (reserved stock is still on hand);
        # (40 - 4) / 90 a day, the move of 100 days ago left out.
        self.assertAlmostEqual(rows[self.beer].on_hand, 100 + 5 - 40 + 4 - 25, places=4)
        self.assertAlmostEqual(rows[self.beer].daily_outgoing, 36 / 90.0, places=6)
        self.assertAlmostEqual(rows[self.water].daily_outgoing, 18 / 90.0, places=6)
        self.assertFalse(rows[self.idle].daily_outgoing)
        self.assertFalse(rows[self.idle].days_of_stock)

    def test_quota_demand_next_month(self):
        demand, days = self.expected_demand()
        rows = {row.product_id: row for row in self.stock_rows(company=self.company)}
        for product, row in rows.items():
            self.assertAlmostEqual(row.quota_demand, demand.get(product, 0.0), places=4)
            self.assertEqual(row.covered, row.on_hand >= row.quota_demand)
            self.assertAlmostEqual(row.shortfall, max(row.quota_demand - row.on_hand, 0),
                                   places=4)
        # By hand: policy A beer min(10 a week, 30 a month), 1.5 customers (one at 50%,
        # one blocked); policy B 40 a month for one customer (one archived).
        beer = min(10 * days / 7.0, 30) * 1.5 + 40
        self.assertAlmostEqual(rows[self.beer].quota_demand, beer, places=4)
        self.assertEqual(rows[self.beer].quota_customer_count, 3)
        self.assertAlmostEqual(rows[self.water].quota_demand, 24 * days / 7.0 * 1.5, places=4)
        self.assertAlmostEqual(rows[self.idle].quota_demand, 12, places=4)
        self.assertFalse(rows[self.idle].covered)
        self.assertTrue(rows[self.coffee].covered)
        self.assertFalse(rows[self.coffee].quota_demand)

    def test_category_quotas(self):
        demand, days = self.expected_demand()
        rows = self.env['crm.kpi.stock'].search([
            ('scope', '=', 'category'), ('categ_id', '=', self.drinks.id)])
        self.assertEqual(len(rows), 2)
        by_unit = {row.uom_id.category_id: row for row in rows}
        units = by_unit[self.unit.category_id]
        weight = by_unit[self.kg.category_id]
        self.assertEqual(units.uom_id, self.unit)
        self.assertFalse(units.product_id)
        self.assertAlmostEqual(units.quota_demand,
                               demand[(self.drinks, self.unit.category_id)], places=4)
        self.assertAlmostEqual(units.quota_demand, 5 * 1.5, places=4)
        self.assertAlmostEqual(weight.quota_demand, 1 * days / 7.0 * 1.5, places=4)
        # The category and its subcategory, in the quota's unit category only:
        # tea and coffee in units; sugar (kg) and salt (g) in kg.
        self.assertAlmostEqual(units.on_hand, self.expected_on_hand(self.tea)
                               + self.expected_on_hand(self.coffee), places=4)
        self.assertAlmostEqual(weight.on_hand, self.expected_on_hand(self.sugar) + 1.5,
                               places=4)
        self.assertAlmostEqual(weight.daily_outgoing, 0.5 / 90, places=6)
        self.assertEqual(weight.covered, weight.on_hand >= weight.quota_demand)

    def test_other_company_stock_apart(self):
        Stock = self.env['crm.kpi.stock']
        row = Stock.search([('product_id', '=', self.beer.id),
                            ('company_id', '=', self.other_company.id)])
        self.assertAlmostEqual(row.on_hand, self.expected_on_hand(self.beer, self.other_company),
                               places=4)
        self.assertAlmostEqual(row.on_hand, 5, places=4)
        self.assertAlmostEqual(row.daily_outgoing, 2 / 90.0, places=6)
        self.assertFalse(row.quota_demand)

    # -- unreserved lines --------------------------------------------------------------

    def test_unreserved_lines_against_moves(self):
        rows = self.env['crm.kpi.unreserved'].search([('partner_id', 'in', self.partners.ids)])
        expected = {}
        for line in (self.reserved_order | self.waiting_order).mapped('order_line'):
            moves = line.move_ids.filtered(
                lambda m: m.state in ('confirmed', 'partially_available', 'waiting')
                and m.location_dest_id.usage == 'customer')
            unit = line.product_id.uom_id
            open_qty = sum(moves.mapped('product_qty'))
            reserved = sum(m.product_uom._compute_quantity(m.reserved_availability, unit)
                           for m in moves)
            if open_qty - reserved > 1e-6:
                expected[line] = (line.product_uom._compute_quantity(
                    line.product_uom_qty, unit), open_qty, reserved, open_qty - reserved)
        self.assertEqual(set(rows.mapped('order_line_id')), set(expected))
        self.assertEqual(len(rows), 3)
        local_date = fields.Datetime.context_timestamp(
            self.waiting_order.with_context(tz='Asia/Shanghai'),
            fields.Datetime.from_string(self.waiting_order.date_order)).date()
        for row in rows:
            for value, expected_value in zip(
                    (row.ordered_qty, row.open_qty, row.reserved_qty, row.missing_qty),
                    expected[row.order_line_id]):
                self.assertAlmostEqual(value, expected_value, places=6)
            self.assertEqual(row.order_id, self.waiting_order)
            self.assertEqual(row.order_name, self.waiting_order.name)
            self.assertEqual(row.date, fields.Date.to_string(local_date))
            self.assertEqual(row.partner_id, self.shop)
            self.assertEqual(row.tier_id, self.tier_c)
            self.assertEqual(row.route_id, self.route)
            self.assertEqual(row.user_id, self.manager)
        by_product = {row.product_id: row for row in rows}
        self.assertAlmostEqual(by_product[self.tea].reserved_qty, 4, places=6)
        self.assertAlmostEqual(by_product[self.tea].missing_qty, 6, places=6)
        self.assertAlmostEqual(by_product[self.missing].missing_qty, 2, places=6)
        # 4 dozen ordered of a product kept in units; the 12 on hand reserved.
        self.assertAlmostEqual(by_product[self.water].ordered_qty, 48, places=6)
        self.assertAlmostEqual(by_product[self.water].reserved_qty, 12, places=6)
        self.assertAlmostEqual(by_product[self.water].missing_qty, 36, places=6)

    # -- sheets, access ---------------------------------------------------------------

    def test_sheets(self):
        figures, sheets = self.env['crm.kpi.stock'].sudo(self.viewer)._kpi_sheets(
            self.period())
        self.assertEqual([sheet.title for sheet in sheets],
                         ['Stock vs Quotas', 'Category Quotas', 'Unreserved Order Lines'])
        stock, categories, unreserved = sheets
        today = fields.Date.to_string(self.today)
        self.assertEqual([c.label for c in stock.columns], [
            'Product', 'Unit', 'On Hand as of %s' % today, 'Quota Demand Next Month',
            'Coverage', 'Stock Meets Quotas', 'Shortfall', 'Customers under Quota',
            'Average Daily Outgoing', 'Days of Stock'])
        rows = {row[0]: row for row in stock.rows}
        beer = self.stock_rows(company=self.company).filtered(
            lambda r: r.product_id == self.beer)
        self.assertEqual(rows['KPI Stock Beer'][:3], ('KPI Stock Beer', 'Unit(s)', beer.on_hand))
        self.assertAlmostEqual(rows['KPI Stock Beer'][3], beer.quota_demand, places=4)
        self.assertAlmostEqual(rows['KPI Stock Beer'][4], beer.on_hand / beer.quota_demand,
                               places=6)
        self.assertEqual(rows['KPI Stock Beer'][5], 'Yes' if beer.covered else 'No')
        self.assertAlmostEqual(rows['KPI Stock Beer'][9], beer.days_of_stock, places=4)
        idle = rows['KPI Stock Idle']
        self.assertEqual((idle[5], idle[9]), ('No', None))
        self.assertAlmostEqual(idle[6], 3, places=6)
        self.assertIsNone(rows['KPI Stock Coffee'][4])
        self.assertNotIn('KPI Stock Cups', rows)
        drinks = [row for row in categories.rows if row[0] == self.drinks.display_name]
        self.assertEqual(sorted(row[1] for row in drinks), ['Unit(s)', 'kg'])
        lines = [row for row in unreserved.rows if row[1] == self.waiting_order.name]
        self.assertEqual(len(lines), 3)
        self.assertEqual(unreserved.columns[-1].label, 'Missing as of %s' % today)
        tea = [row for row in lines if row[6] == 'KPI Stock Green Tea'][0]
        self.assertEqual(tea[2:6], (self.shop.display_name, self.tier_c.display_name,
                                    self.route.display_name, self.manager.display_name))
        for value, expected in zip(tea[8:], (10, 10, 4, 6)):
            self.assertAlmostEqual(value, expected, places=6)
        figures = {figure.label: figure.value for figure in figures}
        short = [row for row in stock.rows if row[5] == 'No']
        self.assertEqual(figures['Products short of quota demand next month (as of %s)'
                                 % today], len(short))
        self.assertGreaterEqual(len(short), 2)
        self.assertEqual(figures['Order lines not fully reserved (as of %s)' % today],
                         len(unreserved.rows))
        self.assertAlmostEqual(figures['Missing quantity of unreserved lines'],
                               sum(row[-1] for row in unreserved.rows), places=4)

    def test_snapshot_ignores_the_period(self):
        Stock = self.env['crm.kpi.stock']
        self.assertEqual(Stock._kpi_domain(self.period()),
                         [('company_id', '=', self.company.id)])
        self.assertEqual(self.env['crm.kpi.unreserved']._kpi_domain(self.period()),
                         [('company_id', '=', self.company.id)])

    def test_viewer_reads_own_company_only(self):
        self.assertEqual(len(self.stock_rows(self.viewer)), len(self.stock_rows()) - 1)
        unreserved = self.env['crm.kpi.unreserved'].sudo(self.viewer).search(
            [('partner_id', 'in', self.partners.ids)])
        self.assertEqual(len(unreserved), 3)
        unreserved.read(['product_id', 'tier_id', 'missing_qty'])
        other = self.stock_rows(self.other_viewer)
        self.assertEqual(other.mapped('company_id'), self.other_company)
        self.assertEqual(other.product_id, self.beer)
        self.assertFalse(self.env['crm.kpi.unreserved'].sudo(self.other_viewer).search(
            [('partner_id', 'in', self.partners.ids)]))
        figures, sheets = self.env['crm.kpi.stock'].sudo(self.other_viewer)._kpi_sheets(
            self.period(self.company))
        self.assertFalse(sheets[0].rows)
        self.assertFalse(sheets[2].rows)
