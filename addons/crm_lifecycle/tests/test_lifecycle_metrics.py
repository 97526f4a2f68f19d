import json

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.addons.crm_tiering.tests.common import SalesDataMixin, new_user
from odoo.tests.common import SavepointCase

NO_TRACKING = {'tracking_disable': True, 'mail_notrack': True, 'mail_create_nolog': True}


class TestLifecycleMetrics(SalesDataMixin, SavepointCase):
    """The set-based recompute on crafted order histories, worked out by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **NO_TRACKING))
        cls.company = cls.env.user.company_id
        # The risk factors are written in the company's language.
        cls.company.partner_id.lang = 'en_US'
        Partner = cls.env['res.partner']
        cls.today = Partner._lifecycle_today(cls.company)
        cls.income = cls.env['account.account'].search(
            [('company_id', '=', cls.company.id), ('user_type_id.type', '=', 'other'),
             ('internal_type', '=', 'other')], limit=1)
        Product = cls.env['product.product']
        cls.p1 = Product.create({'name': 'LC P1', 'type': 'consu', 'list_price': 100,
                                 'taxes_id': []})
        cls.p2 = Product.create({'name': 'LC P2', 'type': 'consu', 'list_price': 50,
                                 'taxes_id': []})

        def shop(name):
            return Partner.create({'name': name, 'customer': True, 'is_company': True})
        cls.regular = shop('LC regular shop')
        cls.lapsed = shop('LC lapsed shop')
        cls.new = shop('LC brand new shop')
        cls.declining = shop('LC declining shop')
        cls.prospect = shop('LC prospect')
        cls.buyer = Partner.create({'name': 'LC buyer', 'parent_id': cls.regular.id})

        # Weekly for 12 weeks, up to yesterday; the latest order by a contact.
        for days in range(78, 1, -7):
            cls.order(cls.regular, days, [cls.p1])
        cls.order(cls.buyer, 1, [cls.p1])
        # Weekly from 179 to 130 days ago, silent since.
        for days in range(179, 129, -7):
            cls.order(cls.lapsed, days, [cls.p1])
        cls.order(cls.new, 3, [cls.p1])
        # Fortnightly for 24 weeks; both products before, only the cheap one lately.
        for days in range(175, 90, -14):
            cls.order(cls.declining, days, [cls.p1, cls.p2])
        for days in range(77, 6, -14):
            cls.order(cls.declining, days, [cls.p2])
        cls.invoice(cls.declining, 60, [(cls.p2, 2)])     # immediate term: overdue
        cls.env['crm.service.request'].create({
            'name': 'Damaged cartons', 'partner_id': cls.declining.id,
            'request_type': 'complaint'})
        cls.env['crm.service.request'].create({
            'name': 'Opening hours', 'partner_id': cls.declining.id,
            'request_type': 'inquiry'})

        cls.manager = new_user(cls.env, 'lc_metrics_manager',
                               'crm_lifecycle.group_lifecycle_manager')
        cls.user = new_user(cls.env, 'lc_metrics_user', 'crm_lifecycle.group_lifecycle_user')
        cls.env['res.partner'].sudo(cls.manager).action_compute_lifecycle()
        cls.stage = {code: cls.env['crm.lifecycle.stage']._by_code(code)
                     for code in ('exploration', 'development', 'churned')}

    def test_regular_orderer(self):
        shop = self.regular
        self.assertEqual(shop.lifecycle_last_order_days, 1)
        self.assertAlmostEqual(shop.lifecycle_avg_gap_days, 7.0)
        self.assertAlmostEqual(shop.lifecycle_gap_ratio, 1 / 7.0, places=2)
        self.assertEqual(shop.lifecycle_order_count, 12)
        self.assertEqual(shop.lifecycle_missed_windows, 0)
        self.assertAlmostEqual(shop.lifecycle_revenue_trend, 0.0)
        self.assertGreater(shop.lifecycle_p_alive, 0.8)
        self.assertLess(shop.churn_risk, 20)
        self.assertEqual(shop.lifecycle_metrics_date, fields.Date.to_string(self.today))

    def test_lapsed_orderer(self):
        shop = self.lapsed
        self.assertEqual(shop.lifecycle_last_order_days, 130)
        self.assertAlmostEqual(shop.lifecycle_gap_ratio, 130 / 7.0, places=2)
        self.assertEqual(shop.lifecycle_order_count, 8)
        # 8 orders between 91 and 180 days ago, none since.
        self.assertAlmostEqual(shop.lifecycle_revenue_trend, -100.0)
        self.assertAlmostEqual(shop.lifecycle_product_trend, -100.0)
        # Weekly cadence, born 25 weeks ago: all of the last 12 weeks are missed.
        self.assertEqual(shop.lifecycle_missed_windows, 12)
        self.assertLess(shop.lifecycle_p_alive, 0.2)
        self.assertGreater(shop.churn_risk, 70)
        factors = shop.churn_risk_factors.splitlines()
        self.assertEqual(len(factors), 3)
        self.assertIn('P(alive)', factors[0])
        self.assertIn('times the usual gap', factors[1])
        self.assertIn('Revenue -100%', factors[2])

    def test_brand_new_customer(self):
        shop = self.new
        self.assertEqual(shop.lifecycle_last_order_days, 3)
        self.assertFalse(shop.lifecycle_avg_gap_days)
        self.assertFalse(shop.lifecycle_gap_ratio)
        self.assertEqual(shop.lifecycle_missed_windows, 0)
        self.assertTrue(0 < shop.lifecycle_p_alive < 1)
        self.assertLess(shop.churn_risk, 40)
        self.assertGreater(shop.lifecycle_p_alive, self.lapsed.lifecycle_p_alive)

    def test_declining_revenue_and_service_signals(self):
        shop = self.declining
        # 7 orders of 150 in the 90 days before, 6 of 50 in the last 90.
        self.assertAlmostEqual(shop.lifecycle_revenue_trend, (300 - 1050) / 1050.0 * 100, 1)
        self.assertAlmostEqual(shop.lifecycle_product_trend, -50.0)
        self.assertAlmostEqual(shop.lifecycle_avg_gap_days, 14.0)
        self.assertEqual(shop.lifecycle_missed_windows, 0)
        self.assertEqual(shop.lifecycle_open_complaints, 1)
        self.assertAlmostEqual(shop.lifecycle_overdue_amount, 100.0)
        self.assertIn('Revenue -71%', shop.churn_risk_factors)
        self.assertGreater(shop.churn_risk, self.regular.churn_risk)

    def test_prospect_has_no_metrics_and_no_risk(self):
        shop = self.prospect
        self.assertEqual(shop.churn_risk, 0)
        self.assertFalse(shop.churn_risk_factors)
        self.assertFalse(shop.lifecycle_order_count)
        self.assertEqual(shop.lifecycle_metrics_date, fields.Date.to_string(self.today))

    def test_contacts_are_not_customers_of_their_own(self):
        self.assertFalse(self.buyer.lifecycle_metrics_date)
        self.assertFalse(self.buyer.lifecycle_stage_id)

    def test_initial_stages_with_one_event_each(self):
        self.assertEqual(self.prospect.lifecycle_stage_id, self.stage['exploration'])
        self.assertEqual(self.regular.lifecycle_stage_id, self.stage['development'])
        self.assertEqual(self.new.lifecycle_stage_id, self.stage['development'])
        self.assertEqual(self.declining.lifecycle_stage_id, self.stage['development'])
        self.assertEqual(self.lapsed.lifecycle_stage_id, self.stage['churned'])
        self.assertEqual(self.lapsed.lifecycle_stage_date, fields.Date.to_string(self.today))
        event = self.lapsed.lifecycle_event_ids
        self.assertEqual(len(event), 1)
        self.assertEqual((event.origin, event.from_stage_id, event.to_stage_id,
                          event.company_id, event.duration_days),
                         ('initial', self.env['crm.lifecycle.stage'], self.stage['churned'],
                          self.company, 0))
        snapshot = json.loads(event.metrics_snapshot)
        self.assertEqual(snapshot['lifecycle_last_order_days'], 130)
        self.assertIn('Days Since Last Order: 130', event.metrics_summary)

    def test_recompute_is_idempotent(self):
        before = self.env['crm.lifecycle.event'].search_count([])
        risk = self.lapsed.churn_risk
        self.env['res.partner']._cron_compute_lifecycle()
        self.assertEqual(self.env['crm.lifecycle.event'].search_count([]), before)
        self.assertEqual(self.lapsed.churn_risk, risk)
        self.assertEqual(self.lapsed.lifecycle_stage_id, self.stage['churned'])

    def test_stage_is_kept_on_recompute(self):
        stable = self.env['crm.lifecycle.stage']._by_code('stable')
        self.regular.with_context(lifecycle_reason='Key account').write(
            {'lifecycle_stage_id': stable.id})
        self.env['res.partner']._compute_lifecycle(self.company)
        self.assertEqual(self.regular.lifecycle_stage_id, stable)

    def test_the_fit_is_kept_on_the_company(self):
        params = json.loads(self.company.lifecycle_model_params)
        self.assertEqual(set(params), {'alpha', 'beta', 'gamma', 'delta', 'customers',
                                       'fitted_on'})
        self.assertGreaterEqual(params['customers'], 4)

    def test_shared_customer_belongs_to_the_company_of_its_last_order(self):
        other = self.env['res.company'].create({'name': 'LC other company'})
        shared = self.env['res.partner'].create({'name': 'LC shared shop', 'customer': True,
                                                 'is_company': True, 'company_id': False})
        self.order(shared, 20, [self.p1])
        later = self.order(shared, 5, [self.p1])
        # Moved to the other company after its confirmation (no warehouse there).
        self.env.cr.execute("UPDATE sale_order SET company_id = %s WHERE id = %s",
                            [other.id, later.id])
        Partner = self.env['res.partner']
        self.assertNotIn(shared.id, Partner._compute_lifecycle(self.company))
        self.assertIn(shared.id, Partner._compute_lifecycle(other))
        self.assertEqual(shared.lifecycle_order_count, 1)  # the other company's orders
        self.assertNotIn(self.regular.id, Partner._compute_lifecycle(other))

    def test_archived_customer_loses_its_metrics(self):
        self.new.active = False
        self.env['res.partner']._compute_lifecycle(self.company)
        self.assertFalse(self.new.lifecycle_metrics_date)
        self.assertEqual(self.new.churn_risk, 0)

    def test_metrics_are_not_entered(self):
        with self.assertRaisesRegex(UserError, 'computed, not entered: churn_risk'):
            self.regular.write({'churn_risk': 5})
        with self.assertRaisesRegex(UserError, 'computed, not entered'):
            self.env['res.partner'].create({'name': 'LC forged', 'lifecycle_p_alive': 1.0})

    def test_only_managers_recompute(self):
        with self.assertRaisesRegex(AccessError, 'Only lifecycle managers'):
            self.env['res.partner'].sudo(self.user).action_compute_lifecycle()

    def test_users_see_the_metrics(self):
        shop = self.lapsed.sudo(self.user)
        self.assertEqual(shop.lifecycle_last_order_days, 130)
        self.assertTrue(shop.churn_risk_factors)
        employee = new_user(self.env, 'lc_metrics_employee', 'base.group_user')
        with self.assertRaises(AccessError):
            self.lapsed.sudo(employee).read(['churn_risk'])

    def test_views_load_for_each_role(self):
        salesman = new_user(self.env, 'lc_metrics_salesman', 'sales_team.group_sale_salesman')
        Partner = self.env['res.partner']
        for user in (salesman, self.user):
            form = Partner.sudo(user).fields_view_get(view_type='form')
            self.assertIn('lifecycle_stage_id', form['fields'])
            self.assertEqual('churn_risk' in form['fields'], user == self.user)
            Partner.sudo(user).fields_view_get(view_type='kanban')
            Partner.sudo(user).fields_view_get(view_type='search')
        for view_type in ('tree', 'form', 'search', 'pivot'):
            self.env['crm.lifecycle.event'].sudo(self.user).fields_view_get(view_type=view_type)
        action = self.env.ref('crm_lifecycle.action_customers_by_stage')
        self.assertIn('lifecycle_stage_id', action.context)
