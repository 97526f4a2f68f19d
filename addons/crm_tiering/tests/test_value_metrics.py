from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase

from ..lib import scoring
from .common import SalesDataMixin


class TestValueMetrics(SalesDataMixin, SavepointCase):
    """The set-based recompute against values worked out by hand below."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.from_string(fields.Date.context_today(cls.env.user))
        cls.company = cls.env.user.company_id
        cls.company.tier_metrics_window_days = 365
        category = cls.env['product.category'].create({'name': 'Value test'})
        cls.income = cls.env['account.account'].search(
            [('company_id', '=', cls.company.id), ('user_type_id.type', '=', 'other'),
             ('internal_type', '=', 'other')], limit=1)
        Product = cls.env['product.product']
        cls.p1 = Product.create({'name': 'P1', 'type': 'consu', 'categ_id': category.id,
                                 'list_price': 100, 'standard_price': 60, 'taxes_id': []})
        cls.p2 = Product.create({'name': 'P2', 'type': 'consu', 'categ_id': category.id,
                                 'list_price': 50, 'standard_price': 20, 'taxes_id': []})
        Partner = cls.env['res.partner']
        cls.shop_a = Partner.create({'name': 'Shop A', 'customer': True, 'is_company': True})
        cls.shop_b = Partner.create({'name': 'Shop B', 'customer': True, 'is_company': True})
        cls.shop_c = Partner.create({'name': 'Shop C', 'customer': True, 'is_company': True})
        cls.shop_d = Partner.create({'name': 'Shop D', 'customer': True, 'is_company': True})

        cls.invoice(cls.shop_a, 10, [(cls.p1, 3)])
        paid_late = cls.invoice(cls.shop_a, 40, [(cls.p2, 2)])
        cls.pay(paid_late, 25)                                # 15 days after it was due
        cls.invoice(cls.shop_a, 5, [(cls.p1, 1)], kind='out_refund')
        cls.invoice(cls.shop_a, 500, [(cls.p1, 1)])          # before the window
        cls.order(cls.shop_a, 10, [cls.p1])
        cls.order(cls.shop_a, 40, [cls.p2])
        cls.order(cls.shop_a, 70, [cls.p1, cls.p2])

        cls.invoice(cls.shop_b, 200, [(cls.p2, 1)])           # unpaid, overdue
        cls.order(cls.shop_b, 200, [cls.p2])
        cls.invoice(cls.shop_d, 30, [(cls.p1, 1)])           # invoiced without an order
        cls.env['crm.tier.excluded.period'].create({
            'name': 'Spring festival', 'date_from': cls.days_ago(205),
            'date_to': cls.days_ago(195)})

        users = cls.env['res.users'].with_context(no_reset_password=True)
        cls.manager = users.create({
            'name': 'Tier manager', 'login': 'tier_manager_value',
            'groups_id': [(6, 0, [cls.env.ref('crm_tiering.group_tiering_manager').id])]})
        cls.salesman = users.create({
            'name': 'Tier user', 'login': 'tier_user_value',
            'groups_id': [(6, 0, [cls.env.ref('crm_tiering.group_tiering_user').id])]})

    def test_metrics_of_an_active_shop(self):
        self.env['res.partner'].sudo(self.manager).action_compute_value_metrics()
        shop = self.shop_a
        self.assertAlmostEqual(shop.rfm_monetary, 300 + 100 - 100)
        self.assertAlmostEqual(shop.value_quantity, 3 + 2 - 1)
        # margin: (300 - 3*60) + (100 - 2*20) - (100 - 60)
        self.assertAlmostEqual(shop.value_margin, 140)
        self.assertAlmostEqual(shop.lifetime_profit, 140 + (100 - 60))
        self.assertEqual(shop.rfm_frequency, 3)
        self.assertEqual(shop.rfm_recency_days, 10)
        self.assertAlmostEqual(shop.value_avg_gap_days, (70 - 10) / 2)
        self.assertEqual(shop.value_product_count, 2)
        # Open and past due (immediate payment term): the invoices of 10 and 500 days ago.
        self.assertAlmostEqual(shop.value_overdue_amount, 300 + 100)
        self.assertAlmostEqual(shop.value_days_late, 15)
        self.assertEqual(shop.value_metrics_date, fields.Date.to_string(self.today))

    def test_days_late_of_a_credit_assigned_later(self):
        """A payment received first and set against the invoice afterwards (the
        invoice's outstanding credits) dates the payment like a registered one."""
        shop = self.env['res.partner'].create({'name': 'Shop E', 'customer': True,
                                               'is_company': True})
        invoice = self.invoice(shop, 50, [(self.p2, 1)])
        payment = self.env['account.payment'].create({
            'payment_type': 'inbound', 'partner_type': 'customer', 'partner_id': shop.id,
            'amount': invoice.amount_total,
            'journal_id': self.env['account.journal'].search([('type', '=', 'bank')],
                                                             limit=1).id,
            'payment_method_id': self.env.ref('account.account_payment_method_manual_in').id,
            'payment_date': self.days_ago(20)})
        payment.post()
        credit = payment.move_line_ids.filtered(
            lambda line: line.account_id == invoice.account_id)
        invoice.assign_outstanding_credit(credit.id)
        self.assertEqual(invoice.state, 'paid')
        self.env['res.partner'].sudo(self.manager).action_compute_value_metrics()
        self.assertAlmostEqual(shop.value_days_late, 30)

    def test_excluded_period_and_overdue(self):
        self.env['res.partner'].sudo(self.manager).action_compute_value_metrics()
        shop = self.shop_b
        # Its only order and invoice fall in the excluded festival.
        self.assertAlmostEqual(shop.rfm_monetary, 0)
        self.assertEqual(shop.rfm_frequency, 0)
        self.assertEqual(shop.rfm_recency_days, 200)
        self.assertAlmostEqual(shop.lifetime_profit, 50 - 20)
        self.assertAlmostEqual(shop.value_overdue_amount, 50)

    def test_scores_rank_the_shops(self):
        self.env['res.partner'].sudo(self.manager).action_compute_value_metrics()
        a, b = self.shop_a, self.shop_b
        self.assertGreater(a.rfm_r_score, b.rfm_r_score)
        self.assertGreater(a.rfm_m_score, b.rfm_m_score)
        self.assertGreater(a.value_score, b.value_score)
        self.assertIn(a.rfm_segment, dict(scoring.SEGMENTS))
        self.assertFalse(self.shop_c.value_metrics_date)
        self.assertFalse(self.shop_c.rfm_segment)

    def test_recompute_is_idempotent(self):
        Partner = self.env['res.partner'].sudo(self.manager)
        Partner.action_compute_value_metrics()
        first = self.shop_a.read(['rfm_monetary', 'value_margin', 'rfm_segment', 'value_score'])
        Partner.action_compute_value_metrics()
        self.assertEqual(
            self.shop_a.read(['rfm_monetary', 'value_margin', 'rfm_segment', 'value_score']),
            first)

    def test_recency_counts_invoices_without_orders(self):
        self.env['res.partner'].sudo(self.manager).action_compute_value_metrics()
        self.assertEqual(self.shop_d.rfm_recency_days, 30)
        self.assertEqual(self.shop_d.rfm_frequency, 0)
        self.assertAlmostEqual(self.shop_d.rfm_monetary, 100)

    def test_nightly_cron_computes_every_company(self):
        self.env['res.partner']._cron_compute_value_metrics()
        self.assertAlmostEqual(self.shop_a.rfm_monetary, 300)
        self.assertTrue(self.shop_b.value_metrics_date)

    def test_metrics_cannot_be_entered(self):
        shop = self.shop_a.sudo(self.salesman)
        with self.assertRaises(UserError):
            shop.write({'rfm_segment': 'champions'})
        with self.assertRaises(UserError):
            shop.create({'name': 'Forged', 'value_score': 100})
        self.assertFalse(self.shop_a.rfm_segment)
        self.env['res.partner'].sudo(self.manager).action_compute_value_metrics()
        self.assertTrue(self.shop_a.copy().id, 'a copy does not carry the metrics over')

    def test_only_managers_recompute(self):
        with self.assertRaises(AccessError):
            self.env['res.partner'].sudo(self.salesman).action_compute_value_metrics()

    def test_window_must_be_positive(self):
        for days in (0, -30):
            with self.assertRaises(ValidationError):
                self.company.tier_metrics_window_days = days

    def test_excluded_period_must_be_ordered(self):
        with self.assertRaises(ValidationError):
            self.env['crm.tier.excluded.period'].create({
                'name': 'Backwards', 'date_from': self.days_ago(1), 'date_to': self.days_ago(9)})
