from collections import defaultdict

from odoo.addons.crm_kpi.models.crm_kpi_report import Period
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase

# Far from the demo data's dates: the company-wide sheets hold only these visits.
JAN, FEB = '2031-01-01', '2031-02-01'


class TestKpiVisits(SavepointCase):
    """The visit KPI against the visits and orders it reports on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        policy = env['crm.tier.policy'].create({
            'name': 'KPI visit policy', 'company_id': cls.company.id, 'credit_limit': 0})
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        scheme = env['crm.tier.scheme'].create({
            'name': 'KPI visit scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': name, 'code': name, 'rank': rank,
                                 'lower_bound': bound, 'policy_id': policy.id})
                         for name, rank, bound in [('KVA', 1, 100), ('KVB', 2, 0)]]})
        cls.tier_a, cls.tier_b = scheme.tier_ids.sorted('rank')
        Partner = env['res.partner']
        cls.shop_a, cls.shop_b, cls.shop_c = (
            Partner.create({'name': 'KPI visit shop %s' % name, 'customer': True,
                            'is_company': True}) for name in 'ABC')
        cls.partners = cls.shop_a | cls.shop_b | cls.shop_c
        scheme._upsert_member(cls.shop_a, cls.tier_a, 'ranked')
        scheme._upsert_member(cls.shop_b, cls.tier_b, 'ranked')
        cls.am = new_user(env, 'kpi_visit_am', 'crm_service.group_service_user')
        cls.other_am = new_user(env, 'kpi_visit_am2', 'crm_service.group_service_user')
        Route = env['crm.visit.route']
        cls.route = Route.create({
            'code': 'KV1', 'name': 'KPI visits north', 'user_id': cls.am.id, 'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': i, 'partner_id': p.id})
                         for i, p in enumerate(cls.shop_a | cls.shop_b, start=1)]})
        cls.route2 = Route.create({
            'code': 'KV2', 'name': 'KPI visits south', 'user_id': cls.other_am.id,
            'visit_tue': True, 'stop_ids': [(0, 0, {'partner_id': cls.shop_c.id})]})
        cls.product = env['product.product'].create({
            'name': 'KPI visit tea', 'type': 'consu', 'list_price': 10,
            'taxes_id': [(6, 0, [])]})

        def visit(shop, date, state, satisfaction='0', route=None, user=None):
            if route is None:
                route = cls.route2 if shop == cls.shop_c else cls.route
            return env['crm.visit'].create({
                'partner_id': shop.id, 'date': date, 'state': state,
                'satisfaction': satisfaction, 'route_id': route.id,
                'user_id': (user or route.user_id).id})

        # January: 3 done (one rated 4 with two orders, one unrated, one rated 2 with an
        # order), 1 missed, 1 cancelled (its rating does not count).
        cls.v_a1 = visit(cls.shop_a, '2031-01-06', 'done', '4')
        cls.v_b1 = visit(cls.shop_b, '2031-01-06', 'done')
        visit(cls.shop_c, '2031-01-07', 'missed')
        visit(cls.shop_a, '2031-01-13', 'cancel', '5')
        cls.v_b2 = visit(cls.shop_b, '2031-01-13', 'done', '2')
        # February: planned, checked in (rated 5), missed, and a done visit off any route.
        visit(cls.shop_a, '2031-02-03', 'planned')
        visit(cls.shop_c, '2031-02-04', 'in_progress', '5')
        visit(cls.shop_b, '2031-02-03', 'missed')
        visit(cls.shop_c, '2031-02-05', 'done', route=env['crm.visit.route'],
              user=cls.other_am)
        # Orders: confirmed ones count, a cancelled order and a quotation do not.
        cls.order(cls.v_a1, 3)
        cls.order(cls.v_a1, 2)
        cls.order(cls.v_a1, 7).action_cancel()
        cls.order(cls.v_a1, 1, confirm=False)
        cls.order(cls.v_b2, 5)

    @classmethod
    def order(cls, visit, qty, confirm=True):
        order = cls.env['sale.order'].create({
            'partner_id': visit.partner_id.id, 'visit_id': visit.id,
            'order_line': [(0, 0, {'product_id': cls.product.id, 'product_uom_qty': qty,
                                   'price_unit': 10, 'tax_id': [(6, 0, [])]})]})
        if confirm:
            order.action_confirm()
        return order

    def expected(self, key):
        """Independent figures per ``key(visit)`` from crm.visit and sale.order."""
        figures = defaultdict(lambda: defaultdict(float))
        for visit in self.env['crm.visit'].search([('partner_id', 'in', self.partners.ids)]):
            row = figures[key(visit)]
            row['planned'] += visit.state in ('planned', 'in_progress')
            row['done'] += visit.state == 'done'
            row['missed'] += visit.state == 'missed'
            row['cancelled'] += visit.state == 'cancel'
            orders = visit.order_ids.filtered(lambda o: o.state in ('sale', 'done'))
            row['orders'] += len(orders)
            row['amount'] += sum(orders.mapped('amount_untaxed'))
            if visit.state != 'cancel' and visit.satisfaction != '0':
                row['rated'] += 1
                row['rating'] += int(visit.satisfaction)
        return figures

    def actual(self, groupby):
        rows = self.env['crm.kpi.visit'].read_group(
            [('partner_id', 'in', self.partners.ids)],
            [groupby, 'planned_count', 'done_count', 'missed_count', 'cancelled_count',
             'order_count', 'order_amount', 'rated_count'], [groupby], lazy=False)
        Visit = self.env['crm.kpi.visit']
        result = {}
        for row in rows:
            key = row[groupby][0] if isinstance(row[groupby], tuple) else row[groupby]
            records = Visit.search(row['__domain'])
            result[key] = {
                'planned': row['planned_count'], 'done': row['done_count'],
                'missed': row['missed_count'], 'cancelled': row['cancelled_count'],
                'orders': row['order_count'], 'amount': row['order_amount'],
                'rated': row['rated_count'],
                'rating': sum(records.filtered('rated_count').mapped('satisfaction'))}
        return result

    def assertFiguresEqual(self, actual, expected):
        self.assertEqual(set(actual), set(expected))
        for key, row in expected.items():
            for name, value in row.items():
                self.assertAlmostEqual(actual[key][name], value, places=2,
                                       msg='%s of %s' % (name, key))

    # -- reconciliation ----------------------------------------------------------

    def test_reconciles_by_route_manager_tier_and_month(self):
        self.assertFiguresEqual(self.actual('route_id'),
                                self.expected(lambda v: v.route_id.id or False))
        self.assertFiguresEqual(self.actual('user_id'), self.expected(lambda v: v.user_id.id))
        self.assertFiguresEqual(self.actual('tier_id'),
                                self.expected(lambda v: v.partner_id.tier_id.id or False))
        self.assertFiguresEqual(self.actual('partner_id'),
                                self.expected(lambda v: v.partner_id.id))

    def test_one_row_per_visit(self):
        visits = self.env['crm.visit'].search([('partner_id', 'in', self.partners.ids)])
        rows = self.env['crm.kpi.visit'].search([('partner_id', 'in', self.partners.ids)])
        self.assertEqual(sorted(rows.ids), sorted(visits.ids))
        row = rows.browse(self.v_a1.id)
        self.assertEqual((row.date, row.month, row.route_id, row.user_id, row.tier_id,
                          row.state), ('2031-01-06', '2031-01-01', self.route, self.am,
                                       self.tier_a, 'done'))
        self.assertEqual((row.order_count, row.order_amount, row.satisfaction,
                          row.rated_count), (2, 50.0, 4.0, 1))
        unrated = rows.browse(self.v_b1.id)
        self.assertEqual((unrated.satisfaction, unrated.rated_count), (0.0, 0))
        # The pivot's average counts rated visits only: (4 + 2) / 2 in January.
        january = self.env['crm.kpi.visit'].read_group(
            [('partner_id', 'in', self.partners.ids), ('month', '=', JAN)],
            ['month', 'satisfaction'], ['month'])
        self.assertAlmostEqual(january[0]['satisfaction'], 3.0)

    # -- sheets ------------------------------------------------------------------

    def test_sheets(self):
        period = Period(self.company, '2031-01-01', '2031-02-28')
        figures, sheets = self.env['crm.kpi.visit']._kpi_sheets(period)
        values = {figure.label: figure.value for figure in figures}
        self.assertEqual(values['Visits planned'], 2)
        self.assertEqual(values['Visits done'], 4)
        self.assertEqual(values['Visits missed'], 2)
        self.assertEqual(values['Visits cancelled'], 1)
        self.assertAlmostEqual(values['Visit compliance %'], 4 / 6)
        self.assertEqual(values['Orders taken on visits'], 3)
        self.assertAlmostEqual(values['Amount ordered on visits'], 100)
        self.assertAlmostEqual(values['Orders per done visit'], 3 / 4)
        self.assertAlmostEqual(values['Average satisfaction (1-5)'], (4 + 2 + 5) / 3)

        self.assertEqual([sheet.title for sheet in sheets],
                         ['Visits by Month', 'Visits by Route', 'Visits by Account Manager',
                          'Visits by Tier'])
        month = sheets[0]
        self.assertEqual([c.label for c in month.columns], [
            'Month', 'Planned', 'Done', 'Missed', 'Cancelled', 'Compliance %', 'Orders',
            'Order Amount', 'Orders per Done Visit', 'Rated', 'Average Satisfaction'])
        self.assertEqual([chart.kind for chart in month.charts], ['column', 'line'])
        self.assertEqual(len(month.rows), 2)
        self.assertEqual(month.rows[0][0], JAN)
        self.assertEqual(month.rows[0][1:5], (0, 3, 1, 1))
        self.assertAlmostEqual(month.rows[0][5], 0.75)
        self.assertEqual(month.rows[0][6], 3)
        self.assertAlmostEqual(month.rows[0][7], 100)
        self.assertAlmostEqual(month.rows[0][8], 1.0)
        self.assertEqual(month.rows[0][9], 2)
        self.assertAlmostEqual(month.rows[0][10], 3.0)
        self.assertEqual(month.rows[1][0], FEB)
        self.assertEqual(month.rows[1][1:5], (2, 1, 1, 0))
        self.assertAlmostEqual(month.rows[1][5], 0.5)
        self.assertEqual(month.rows[1][6:8], (0, 0))
        self.assertAlmostEqual(month.rows[1][10], 5.0)

        routes = {row[0]: row for row in sheets[1].rows}
        self.assertEqual(set(routes), {'[KV1] KPI visits north', '[KV2] KPI visits south',
                                       'None'})
        north = routes['[KV1] KPI visits north']
        self.assertEqual(north[1:5], (1, 3, 1, 1))
        self.assertAlmostEqual(north[5], 0.75)
        south = routes['[KV2] KPI visits south']
        self.assertEqual(south[1:5], (1, 0, 1, 0))
        self.assertEqual(south[5], 0.0)
        self.assertIsNone(routes['None'][10])   # not rated: no average, not 0
        managers = {row[0]: row for row in sheets[2].rows}
        self.assertEqual(managers['kpi_visit_am2'][2:4], (1, 1))
        tiers = {row[0]: row for row in sheets[3].rows}
        self.assertEqual(set(tiers), {'KVA', 'KVB', 'None'})
        self.assertEqual(tiers['KVB'][1:5], (0, 2, 1, 0))
        self.assertAlmostEqual(tiers['KVB'][5], 2 / 3)
        self.assertEqual(len(sheets[3].charts), 1)

    # -- access ------------------------------------------------------------------

    def test_viewer_reads_own_company_only(self):
        viewer = new_user(self.env, 'kpi_visit_viewer', 'crm_kpi.group_kpi_user')
        Visit = self.env['crm.kpi.visit'].sudo(viewer)
        rows = Visit.search([('partner_id', 'in', self.partners.ids)])
        self.assertEqual(len(rows), 9)
        rows.read(['route_id', 'user_id', 'tier_id', 'satisfaction'])
        figures, sheets = Visit._kpi_sheets(Period(self.company, '2031-01-01', '2031-02-28'))
        self.assertEqual({row[0] for row in sheets[1].rows},
                         {'[KV1] KPI visits north', '[KV2] KPI visits south', 'None'})

        other = self.env['res.company'].create({'name': 'KPI visits other company'})
        foreign = new_user(self.env, 'kpi_visit_foreign', 'crm_kpi.group_kpi_user',
                           company=other)
        Foreign = self.env['crm.kpi.visit'].sudo(foreign)
        self.assertFalse(Foreign.search([('partner_id', 'in', self.partners.ids)]))
        self.assertFalse(Foreign.search([('company_id', '=', self.company.id)]))
        figures, sheets = Foreign._kpi_sheets(Period(self.company, '2031-01-01', '2031-02-28'))
        self.assertFalse(sheets[0].rows)
        self.assertEqual({f.label: f.value for f in figures}['Visits done'], 0)
