import datetime

from odoo import fields

from odoo.addons.crm_tiering.tests.common import SalesDataMixin, new_user

from ..models.crm_kpi_report import Period

INJECTION_NAME = '=HYPERLINK("http://x","y")'


class KpiSalesFixture(SalesDataMixin):
    """Two months of invoices, a refund, a delivered order and quotations for
    five shops in an ABC primary scheme; amounts chosen so that each figure
    differs from its neighbours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        today = fields.Date.from_string(fields.Date.context_today(env.user))
        # Mid-month, so that "days ago" stays within the two months tested.
        cls.today = today.replace(day=15)
        cls.this_month = cls.today.replace(day=1)
        cls.last_month = (cls.this_month - datetime.timedelta(days=1)).replace(day=1)
        cls.income = env['account.account'].search(
            [('company_id', '=', cls.company.id), ('internal_type', '=', 'other'),
             ('user_type_id.type', '=', 'other')], limit=1)
        Product = env['product.product']
        cls.tea = Product.create({'name': 'KPI tea', 'type': 'consu', 'list_price': 10,
                                  'standard_price': 6, 'taxes_id': []})
        cls.wine = Product.create({'name': 'KPI wine', 'type': 'product', 'list_price': 50,
                                   'standard_price': 30, 'taxes_id': [],
                                   'invoice_policy': 'delivery'})
        Partner = env['res.partner']

        def shop(name):
            return Partner.create({'name': name, 'customer': True, 'is_company': True})
        cls.shop_big = shop('KPI Big Shop')
        cls.shop_cn = shop('华联超市（测试店）')
        cls.shop_injection = shop(INJECTION_NAME)
        cls.shop_small = shop('KPI Small Shop')
        cls.shop_quiet = shop('KPI Quiet Shop')
        cls.buyer = Partner.create({'name': 'KPI Big Shop buyer', 'parent_id': cls.shop_big.id})
        cls.shops = cls.shop_big | cls.shop_cn | cls.shop_injection | cls.shop_small \
            | cls.shop_quiet

        # Last month: 3 shops; this month: 4 shops, a refund and a delivered order.
        cls.invoice(cls.buyer, 20, [(cls.tea, 100)])
        cls.invoice(cls.shop_cn, 25, [(cls.tea, 30)])
        cls.invoice(cls.shop_small, 18, [(cls.tea, 4)])
        cls.invoice(cls.shop_big, 1, [(cls.tea, 50), (cls.wine, 2)])
        cls.invoice(cls.shop_cn, 2, [(cls.tea, 12)])
        cls.invoice(cls.shop_injection, 3, [(cls.tea, 7)])
        cls.invoice(cls.shop_big, 0, [(cls.tea, 5)], kind='out_refund')
        draft = env['account.invoice'].create({
            'partner_id': cls.shop_small.id, 'date_invoice': cls.days_ago(1),
            'invoice_line_ids': [(0, 0, {'product_id': cls.tea.id, 'name': 'draft',
                                         'quantity': 99, 'price_unit': 10,
                                         'account_id': cls.income.id})]})
        cls.draft = draft
        cls.quotation = env['sale.order'].create({
            'partner_id': cls.shop_small.id, 'date_order': cls.days_ago(1) + ' 02:00:00',
            'order_line': [(0, 0, {'product_id': cls.tea.id, 'product_uom_qty': 3})]})
        cls.order(cls.shop_cn, 2, [cls.tea])
        cls.order(cls.shop_cn, 25, [cls.tea])
        cls.delivered = cls._deliver_and_invoice(cls.shop_small, cls.wine, 3, days=1)

        cls.policy = env['crm.tier.policy'].create({'name': 'KPI policy'})
        env['crm.tier.scheme'].search([('company_id', '=', cls.company.id)]).write(
            {'is_primary': False})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'KPI ABC', 'method': 'pareto', 'metric': 'revenue', 'is_primary': True,
            'tier_ids': [(0, 0, {'rank': 1, 'code': 'A', 'name': 'A', 'share': 80}),
                         (0, 0, {'rank': 2, 'code': 'B', 'name': 'B', 'share': 15}),
                         (0, 0, {'rank': 3, 'code': 'C', 'name': 'C', 'share': 5})]})
        cls.tier = {tier.code: tier for tier in cls.scheme.tier_ids}
        cls.scheme.default_tier_id = cls.tier['C']
        cls.scheme.action_recompute()

        cls.viewer = new_user(env, 'kpi_fixture_viewer', 'crm_kpi.group_kpi_user')
        cls.other_company = env['res.company'].create({'name': 'KPI Other Company'})
        cls.other_viewer = new_user(env, 'kpi_fixture_other_viewer', 'crm_kpi.group_kpi_user',
                                    company=cls.other_company)

    @classmethod
    def _deliver_and_invoice(cls, partner, product, qty, days):
        env = cls.env
        warehouse = env['stock.warehouse'].search([('company_id', '=', cls.company.id)],
                                                  limit=1)
        env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, qty)
        order = env['sale.order'].create({
            'partner_id': partner.id, 'date_order': cls.days_ago(days) + ' 02:00:00',
            'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': qty})]})
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        for move in picking.move_lines:
            move.quantity_done = move.product_uom_qty
        picking.action_done()
        invoice = env['account.invoice'].browse(order.action_invoice_create())
        invoice.write({'date_invoice': cls.days_ago(days)})
        invoice.action_invoice_open()
        return order

    def month_period(self, date_from=None, date_to=None, company=None):
        return Period(company or self.company, date_from or fields.Date.to_string(
            self.last_month), date_to or fields.Date.to_string(self.today))
