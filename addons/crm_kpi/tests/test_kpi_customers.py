import datetime
from collections import Counter

from psycopg2 import IntegrityError

from odoo import fields
from odoo.addons.crm_tiering.tests.common import SalesDataMixin, new_user
from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import SavepointCase
from odoo.tools import mute_logger

from ..lib import relationship
from ..models.crm_kpi_report import Period

# Revenue (10.00 products) of the fixture customers beyond the three below.
OTHER_REVENUES = [50, 20, 10]


class TestKpiCustomers(SalesDataMixin, SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.from_string(fields.Date.context_today(env.user))
        cls.company = env.user.company_id
        env['crm.tier.scheme'].search([('company_id', '=', cls.company.id)]).write(
            {'is_primary': False, 'active': False})
        cls.income = env['account.account'].search(
            [('company_id', '=', cls.company.id), ('internal_type', '=', 'other'),
             ('user_type_id.type', '=', 'other')], limit=1)
        cls.product = env['product.product'].create({
            'name': 'Value tea', 'type': 'consu', 'list_price': 10, 'standard_price': 6,
            'taxes_id': []})
        Partner = env['res.partner']

        def shop(name, **vals):
            return Partner.create(dict(vals, name=name, customer=True, is_company=True))
        cls.manager_user = new_user(env, 'kpi_value_am', 'sales_team.group_sale_salesman')
        cls.salesperson = new_user(env, 'kpi_value_sp', 'sales_team.group_sale_salesman')
        # Satisfied, no complaints, pays on time.
        cls.happy = shop('Value happy shop')
        cls.pay(cls.invoice(cls.happy, 30, [(cls.product, 50)]), 30)
        # Unhappy, complains, pays late and owes an overdue invoice.
        cls.unhappy = shop('Value unhappy shop', user_id=cls.salesperson.id)
        cls.pay(cls.invoice(cls.unhappy, 90, [(cls.product, 20)]), 60)
        cls.invoice(cls.unhappy, 40, [(cls.product, 10)])
        # Nothing known but an invoice due today.
        cls.quiet = shop('Value quiet shop')
        cls.invoice(cls.quiet, 0, [(cls.product, 10)])
        cls.others = Partner.browse()
        for index, revenue in enumerate(OTHER_REVENUES):
            other = shop('Value shop %d' % index)
            cls.invoice(other, 5 + index, [(cls.product, revenue / 10)])
            cls.others |= other
        cls.partners = cls.happy | cls.unhappy | cls.quiet | cls.others

        route = env['crm.visit.route'].create({
            'code': 'KV1', 'name': 'Value route', 'user_id': cls.manager_user.id,
            'visit_mon': True})
        env['crm.visit.route.stop'].create({'route_id': route.id, 'partner_id': cls.happy.id})
        cls.route = route

        def visit(partner, days, satisfaction, state='done'):
            env['crm.visit'].create({
                'partner_id': partner.id, 'date': cls.days_ago(days), 'state': state,
                'satisfaction': satisfaction, 'outcome': 'no_order'})
        visit(cls.happy, 20, '5')
        visit(cls.happy, 50, '4')
        visit(cls.happy, 100, '0')              # done, not rated
        visit(cls.happy, 400, '1')              # before the last 365 days
        visit(cls.happy, 3, '1', state='missed')
        visit(cls.unhappy, 10, '2')

        contact = Partner.create({'name': 'Value unhappy owner', 'parent_id': cls.unhappy.id})

        def request(partner, days, kind='complaint', active=True):
            received = datetime.datetime.utcnow() - datetime.timedelta(days=days)
            env['crm.service.request'].create({
                'name': 'Value %s' % kind, 'partner_id': partner.id, 'request_type': kind,
                'date_received': fields.Datetime.to_string(received), 'active': active})
        request(cls.happy, 400)                 # before the last 365 days
        request(cls.happy, 10, kind='inquiry')
        request(cls.happy, 5, active=False)     # archived
        request(cls.unhappy, 30)
        request(contact, 2)                     # counts for its company

        Partner._compute_value_metrics(cls.company)

        cls.abc = env['crm.tier.scheme'].create({
            'name': 'Value ABC', 'method': 'pareto', 'metric': 'revenue', 'is_primary': True,
            'tier_ids': [(0, 0, {'rank': 1, 'code': 'A', 'name': 'A', 'share': 80}),
                         (0, 0, {'rank': 2, 'code': 'B', 'name': 'B', 'share': 15}),
                         (0, 0, {'rank': 3, 'code': 'C', 'name': 'C', 'share': 5})]})
        cls.pyramid = env['crm.tier.scheme'].create({
            'name': 'Value pyramid', 'method': 'quantile', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'rank': 1, 'code': 'P1', 'name': 'Top', 'share': 20}),
                         (0, 0, {'rank': 2, 'code': 'P2', 'name': 'Middle', 'share': 30}),
                         (0, 0, {'rank': 3, 'code': 'P3', 'name': 'Base', 'share': 50})]})
        cls.abc._recompute()
        cls.pyramid._recompute()

        cls.viewer = new_user(env, 'kpi_value_viewer', 'crm_kpi.group_kpi_user')
        cls.kpi_manager = new_user(env, 'kpi_value_manager', 'crm_kpi.group_kpi_manager')
        cls.company2 = env['res.company'].create({'name': 'Value KPI Other Co'})
        cls.viewer2 = new_user(env, 'kpi_value_viewer2', 'crm_kpi.group_kpi_user',
                               company=cls.company2)
        cls.scheme2 = env['crm.tier.scheme'].create({
            'name': 'Other ABC', 'method': 'pareto', 'company_id': cls.company2.id,
            'tier_ids': [(0, 0, {'rank': 1, 'code': 'X', 'name': 'X', 'share': 100})]})
        cls.View = env['crm.kpi.customer']

    def rows(self, user=None, domain=()):
        View = self.View.sudo(user or self.viewer)
        return View.search([('partner_id', 'in', self.partners.ids)] + list(domain))

    def members(self, scheme):
        return self.env['crm.tier.member'].search(
            [('scheme_id', '=', scheme.id), ('partner_id', 'in', self.partners.ids)])

    def primary_row(self, partner):
        row = self.rows(domain=[('partner_id', '=', partner.id), ('is_primary', '=', True)])
        self.assertEqual(len(row), 1)
        return row

    # -- reconciliation ----------------------------------------------------------

    def test_one_row_per_membership(self):
        expected = {(m.partner_id.id, m.scheme_id.id): m.tier_id
                    for m in self.members(self.abc) | self.members(self.pyramid)}
        self.assertEqual(len(expected), 2 * len(self.partners))
        rows = self.rows()
        self.assertEqual({(r.partner_id.id, r.scheme_id.id): r.tier_id for r in rows}, expected)
        for row in rows:
            self.assertEqual(row.is_primary, row.scheme_id == self.abc)
            self.assertEqual(row.scheme_method, row.scheme_id.method)
            self.assertEqual(row.primary_tier_id, expected[(row.partner_id.id, self.abc.id)])
            self.assertEqual(row.customer_count, 1)
            self.assertEqual(row.company_id, self.company)

    def test_segment_distribution(self):
        graded = self.members(self.abc).mapped('partner_id')
        expected = Counter(partner.rfm_segment for partner in graded)
        groups = self.View.sudo(self.viewer).read_group(
            [('partner_id', 'in', self.partners.ids), ('is_primary', '=', True)],
            ['rfm_segment', 'customer_count', 'rfm_monetary'], ['rfm_segment'])
        self.assertEqual({g['rfm_segment']: g['customer_count'] for g in groups}, expected)
        revenue = Counter()
        for partner in graded:
            revenue[partner.rfm_segment] += partner.rfm_monetary
        for group in groups:
            self.assertAlmostEqual(group['rfm_monetary'], revenue[group['rfm_segment']])

    def test_value_pyramid(self):
        expected = Counter(member.tier_id.id for member in self.members(self.pyramid))
        self.assertEqual(sum(expected.values()), len(self.partners))
        groups = self.View.sudo(self.viewer).read_group(
            [('partner_id', 'in', self.partners.ids), ('scheme_method', '=', 'quantile')],
            ['tier_id', 'customer_count'], ['tier_id'])
        self.assertEqual({g['tier_id'][0]: g['customer_count'] for g in groups}, expected)

    def test_customer_figures(self):
        window_start = self.days_ago(365)
        received_after = fields.Datetime.to_string(
            datetime.datetime.utcnow() - datetime.timedelta(days=365))
        for partner in self.partners:
            row = self.primary_row(partner)
            self.assertEqual(row.date, partner.value_metrics_date)
            self.assertEqual(row.rfm_segment, partner.rfm_segment)
            for name, source in [('value_score', 'value_score'),
                                 ('rfm_monetary', 'rfm_monetary'),
                                 ('value_margin', 'value_margin'),
                                 ('lifetime_profit', 'lifetime_profit'),
                                 ('days_late', 'value_days_late'),
                                 ('overdue_amount', 'value_overdue_amount')]:
                self.assertAlmostEqual(row[name], partner[source], msg=name)
            visits = self.env['crm.visit'].search([
                ('partner_id', '=', partner.id), ('state', '=', 'done'),
                ('date', '>', window_start)])
            rated = [int(v.satisfaction) for v in visits if v.satisfaction != '0']
            self.assertEqual(row.visit_count, len(visits))
            self.assertEqual(row.rated_visit_count, len(rated))
            self.assertAlmostEqual(row.avg_satisfaction,
                                   sum(rated) / len(rated) if rated else 0.0)
            complaints = self.env['crm.service.request'].search_count([
                ('commercial_partner_id', '=', partner.id), ('request_type', '=', 'complaint'),
                ('date_received', '>', received_after)])
            self.assertEqual(row.complaint_count, complaints)
        self.assertEqual(self.primary_row(self.happy).route_id, self.route)
        self.assertEqual(self.primary_row(self.happy).user_id, self.manager_user)
        self.assertFalse(self.primary_row(self.unhappy).route_id)
        self.assertEqual(self.primary_row(self.unhappy).user_id, self.salesperson)

    def test_relationship_of_fixture_customers(self):
        happy, unhappy, quiet = (self.primary_row(partner)
                                 for partner in (self.happy, self.unhappy, self.quiet))
        self.assertEqual((happy.avg_satisfaction, happy.rated_visit_count, happy.visit_count,
                          happy.complaint_count, happy.days_late, happy.overdue_amount),
                         (4.5, 2, 3, 0, 0, 0))
        self.assertEqual((unhappy.avg_satisfaction, unhappy.complaint_count, unhappy.days_late),
                         (2, 2, 30))
        self.assertGreater(unhappy.overdue_amount, 0)
        self.assertEqual((quiet.visit_count, quiet.complaint_count, quiet.overdue_amount),
                         (0, 0, 0))
        self.assertAlmostEqual(happy.relationship_score, 93.75)
        self.assertEqual(happy.relationship_band, 'high')
        self.assertAlmostEqual(unhappy.relationship_score, 17.5)
        self.assertEqual(unhappy.relationship_band, 'low')
        self.assertAlmostEqual(quiet.relationship_score, 75)
        self.assertEqual(quiet.relationship_band, 'medium')

    def test_sql_score_matches_the_formula(self):
        for row in self.rows():
            expected = relationship.score(
                row.avg_satisfaction if row.rated_visit_count else None, row.complaint_count,
                row.days_late, row.overdue_amount)
            self.assertAlmostEqual(row.relationship_score, expected)
            self.assertEqual(row.relationship_band, relationship.band(expected))

    # -- strategies --------------------------------------------------------------

    def test_strategy_tier_of_another_company(self):
        Strategy = self.env['crm.kpi.strategy'].sudo(self.kpi_manager)
        with self.assertRaisesRegex(ValidationError, 'must belong to a tier scheme of'), \
                self.env.cr.savepoint():
            Strategy.create({'tier_id': self.scheme2.tier_ids.id, 'relationship_band': 'high',
                             'strategy': 'Visit weekly'})
        strategy = Strategy.create({'tier_id': self.abc.tier_ids[0].id,
                                    'relationship_band': 'high', 'strategy': 'Visit weekly'})
        self.assertEqual(strategy.company_id, self.company)
        with self.assertRaisesRegex(ValidationError, 'must belong to a tier scheme of'), \
                self.env.cr.savepoint():
            strategy.write({'tier_id': self.scheme2.tier_ids.id})

    def test_strategy_unique_per_cell(self):
        Strategy = self.env['crm.kpi.strategy'].sudo(self.kpi_manager)
        vals = {'tier_id': self.abc.tier_ids[0].id, 'relationship_band': 'low',
                'strategy': 'Call the owner'}
        Strategy.create(vals)
        Strategy.create(dict(vals, relationship_band='medium'))
        with self.assertRaises(IntegrityError), mute_logger('odoo.sql_db'), \
                self.env.cr.savepoint():
            Strategy.create(vals)

    def test_strategy_access(self):
        strategy = self.env['crm.kpi.strategy'].sudo(self.kpi_manager).create({
            'tier_id': self.abc.tier_ids[0].id, 'relationship_band': 'high',
            'strategy': 'Keep close'})
        self.assertEqual(strategy.sudo(self.viewer).strategy, 'Keep close')
        with self.assertRaises(AccessError):
            strategy.sudo(self.viewer).write({'strategy': 'Changed'})
        with self.assertRaises(AccessError):
            self.env['crm.kpi.strategy'].sudo(self.viewer).create({
                'tier_id': self.abc.tier_ids[1].id, 'relationship_band': 'high',
                'strategy': 'New'})
        self.assertFalse(self.env['crm.kpi.strategy'].sudo(self.viewer2).search(
            [('id', '=', strategy.id)]))

    # -- sheets ------------------------------------------------------------------

    def test_sheets(self):
        # Only the fixture customers stay graded in the company.
        (self.env['crm.tier.member'].search([('scheme_id', 'in', (self.abc | self.pyramid).ids)])
         - self.members(self.abc) - self.members(self.pyramid)).unlink()
        tier_a = self.abc.tier_ids.filtered(lambda t: t.code == 'A')
        self.env['crm.kpi.strategy'].sudo(self.kpi_manager).create({
            'tier_id': tier_a.id, 'relationship_band': 'high', 'strategy': '=Keep close'})
        # A period long ago: the snapshot ignores it.
        period = Period(self.company, '2000-01-01', '2000-01-31')
        figures, sheets = self.View.sudo(self.viewer)._kpi_sheets(period)
        self.assertEqual([s.title for s in sheets],
                         ['RFM Segments', 'Value Pyramid', 'Customer Difference Matrix'])
        segments, pyramid, matrix = sheets
        graded = self.members(self.abc).mapped('partner_id')
        total_revenue = sum(graded.mapped('rfm_monetary'))
        figure = {f.label: f.value for f in figures}
        self.assertEqual(figure['Customers graded in the primary scheme'], len(self.partners))
        self.assertAlmostEqual(figure['Revenue of graded customers'], total_revenue)
        self.assertAlmostEqual(figure['High relationship, share of customers'],
                               1 / len(self.partners))
        self.assertAlmostEqual(figure['Low relationship, share of customers'],
                               1 / len(self.partners))
        self.assertEqual(figure['Customers with complaints (365 days)'], 1)
        self.assertAlmostEqual(figure['Average visit satisfaction (365 days, 1-5)'], 11 / 3)
        self.assertEqual(figure['Value pyramid scheme'], 'Value pyramid')
        self.assertEqual(figure['Value metrics as of'], self.happy.value_metrics_date)

        self.assertEqual([c.label for c in segments.columns],
                         ['RFM Segment', 'Customers', 'Revenue', 'Share of Customers',
                          'Share of Revenue'])
        labels = dict(self.env['res.partner']._fields['rfm_segment'].selection)
        counts = Counter(p.rfm_segment for p in graded)
        self.assertEqual({row[0]: row[1] for row in segments.rows},
                         {labels[key]: count for key, count in counts.items()})
        for row in segments.rows:
            self.assertAlmostEqual(row[3], row[1] / len(graded))
            self.assertAlmostEqual(row[4], row[2] / total_revenue)
        self.assertEqual(segments.charts[0].kind, 'pie')

        self.assertEqual([c.label for c in pyramid.columns],
                         ['Tier', 'Customers', 'Share of Customers', 'Revenue',
                          'Share of Revenue'])
        by_tier = Counter(m.tier_id for m in self.members(self.pyramid))
        self.assertEqual([(row[0], row[1]) for row in pyramid.rows],
                         [(tier.display_name, by_tier[tier])
                          for tier in self.pyramid.tier_ids.sorted('rank')])
        self.assertEqual(pyramid.charts[0].kind, 'column')

        self.assertEqual([c.label for c in matrix.columns],
                         ['Value Tier', 'Relationship', 'Customers', 'Share of Customers',
                          'Revenue', 'Share of Revenue', 'Strategy'])
        self.assertEqual(len(matrix.rows), 3 * 3)
        expected = Counter()
        for member in self.members(self.abc):
            row = self.primary_row(member.partner_id)
            expected[(member.tier_id.display_name, row.relationship_band)] += 1
        bands = dict(relationship.BANDS)
        self.assertEqual(
            {(row[0], row[1]): row[2] for row in matrix.rows if row[2]},
            {(tier, bands[band]): count for (tier, band), count in expected.items()})
        cell = [row for row in matrix.rows if row[:2] == (tier_a.display_name, 'High')]
        self.assertEqual(cell[0][6], '=Keep close')
        self.assertEqual([row[1] for row in matrix.rows[:3]], ['High', 'Medium', 'Low'])

        section = self.env.ref('crm_kpi.section_customers')
        content = self.env['crm.kpi.workbook'].sudo(self.viewer)._workbook(
            self.company, '2000-01-01', '2000-01-31', section)
        self.assertTrue(content.startswith(b'PK'))

    def test_pyramid_falls_back_to_the_primary_scheme(self):
        self.pyramid.active = False
        figures, sheets = self.View.sudo(self.viewer)._kpi_sheets(
            Period(self.company, '2000-01-01', '2000-01-31'))
        self.assertEqual({f.label: f.value for f in figures}['Value pyramid scheme'],
                         'Value ABC')
        self.assertEqual([row[0] for row in sheets[1].rows],
                         self.abc.tier_ids.sorted('rank').mapped('display_name'))

    # -- access ------------------------------------------------------------------

    def test_viewer_of_another_company_sees_nothing(self):
        self.assertTrue(self.rows())
        self.assertFalse(self.rows(user=self.viewer2))
        View = self.View.sudo(self.viewer2)
        self.assertEqual(View._kpi_rows([('company_id', '=', self.company.id)], [],
                                        ['count(*)'])[0][0], 0)
        figures, sheets = View._kpi_sheets(Period(self.company2, '2000-01-01', '2000-01-31'))
        self.assertEqual({f.label: f.value for f in figures}[
            'Customers graded in the primary scheme'], 0)
        self.assertFalse(sheets[0].rows)

    def test_viewer_opens_the_reports(self):
        for xmlid in ('crm_kpi_customer_segment_action', 'crm_kpi_customer_pyramid_action',
                      'crm_kpi_customer_matrix_action', 'crm_kpi_strategy_action'):
            action = self.env.ref('crm_kpi.' + xmlid)
            model = self.env[action.res_model].sudo(self.viewer)
            views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
            views += [(False, mode) for mode in action.view_mode.split(',')
                      if mode not in {mode for view_id, mode in views}]
            result = model.load_views(views + [(False, 'search')])
            self.assertEqual(set(result['fields_views']),
                             set(action.view_mode.split(',')) | {'search'})
            model.search_read([], limit=1)
        matrix = self.env.ref('crm_kpi.crm_kpi_customer_view_pivot_matrix')
        arch = self.View.sudo(self.viewer).fields_view_get(matrix.id, 'pivot')['arch']
        self.assertIn('relationship_band', arch)

    def test_employee_without_kpi_group_cannot_read(self):
        employee = new_user(self.env, 'kpi_value_employee', 'base.group_user')
        with self.assertRaises(AccessError):
            self.View.sudo(employee).search([])
