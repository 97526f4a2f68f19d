from collections import defaultdict

from odoo import fields
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.exceptions import AccessError
from odoo.tests.common import SavepointCase

from .common import KpiSalesFixture


class TestKpiSales(KpiSalesFixture, SavepointCase):

    def invoices(self, date_from, date_to, partners=None):
        domain = [('company_id', '=', self.company.id), ('state', 'in', ('open', 'paid')),
                  ('type', 'in', ('out_invoice', 'out_refund')),
                  ('date_invoice', '>=', date_from), ('date_invoice', '<=', date_to)]
        if partners is not None:
            domain.append(('commercial_partner_id', 'in', partners.ids))
        return self.env['account.invoice'].search(domain)

    def rows(self, user, groupby, domain=()):
        Sales = self.env['crm.kpi.sales'].sudo(user)
        return Sales._kpi_rows(
            [('partner_id', 'in', self.shops.ids)] + list(domain), groupby,
            ['sum(revenue)', 'sum(margin)', 'sum(quantity)', 'sum(order_count)'])

    def test_revenue_by_tier_reconciles_with_posted_invoices_minus_refunds(self):
        tier_of = {m.partner_id: m.tier_id.id for m in self.env['crm.tier.member'].search(
            [('scheme_id', '=', self.scheme.id), ('partner_id', 'in', self.shops.ids)])}
        expected = defaultdict(float)
        for invoice in self.invoices('2000-01-01', '2999-12-31', self.shops):
            expected[tier_of.get(invoice.commercial_partner_id)] += invoice.amount_untaxed_signed
        got = {tier: revenue for tier, revenue, _m, _q, _o in self.rows(self.viewer, ['tier_id'])}
        self.assertEqual(set(got), set(expected))
        for tier, revenue in expected.items():
            self.assertAlmostEqual(got[tier], revenue, places=2)
        self.assertAlmostEqual(sum(got.values()), 1000 + 300 + 40 + 550 + 120 + 70 + 150, 2)

    def test_month_figures_against_invoice_lines_and_orders(self):
        expected = {}
        for invoice in self.invoices('2000-01-01', '2999-12-31', self.shops):
            sign = -1 if invoice.type == 'out_refund' else 1
            key = (invoice.date_invoice[:8] + '01', invoice.commercial_partner_id.id)
            revenue, margin, qty, orders = expected.get(key, (0, 0, 0, 0))
            for line in invoice.invoice_line_ids:
                cost = line.product_id.standard_price
                revenue += line.price_subtotal_signed
                qty += sign * line.quantity
                margin += line.price_subtotal_signed - sign * line.quantity * cost
            expected[key] = (revenue, margin, qty, orders)
        for order in self.env['sale.order'].search([('partner_id', 'child_of', self.shops.ids),
                                                    ('state', 'in', ('sale', 'done'))]):
            key = (order.date_order[:8] + '01', order.partner_id.commercial_partner_id.id)
            revenue, margin, qty, orders = expected.get(key, (0, 0, 0, 0))
            expected[key] = (revenue, margin, qty, orders + 1)
        got = {(date, partner): values
               for date, partner, *values in self.rows(self.viewer, ['date', 'partner_id'])}
        self.assertEqual(set(got), set(expected))
        for key, values in expected.items():
            for value, got_value in zip(values, got[key]):
                self.assertAlmostEqual(got_value, value, places=2, msg=key)
        this_month = fields.Date.to_string(self.this_month)
        # The draft invoice and the quotation count for nothing.
        self.assertEqual(got[(this_month, self.shop_small.id)][0], 150)
        self.assertEqual(got[(this_month, self.shop_small.id)][3], 1)
        self.assertEqual(got[(this_month, self.shop_big.id)][:3], [550, 550 - 45 * 6 - 60, 47])

    def test_quantity_agrees_with_the_delivered_stock_moves(self):
        moves = self.env['stock.move'].search([
            ('product_id', '=', self.wine.id), ('state', '=', 'done'),
            ('location_dest_id.usage', '=', 'customer')])
        self.assertEqual(sum(moves.mapped('product_qty')), 3)
        [(quantity,)] = self.env['crm.kpi.sales'].sudo(self.viewer)._kpi_rows(
            [('partner_id', '=', self.shop_small.id),
             ('date', '=', fields.Date.to_string(self.this_month))], [], ['sum(quantity)'])
        self.assertEqual(quantity, sum(moves.mapped('product_qty')))

    def test_top_twenty_percent_is_the_largest_customer_of_each_month(self):
        tops = self.env['crm.kpi.sales'].sudo(self.viewer).search(
            [('partner_id', 'in', self.shops.ids), ('top_customer', '=', True)])
        # Company-wide months hold other customers too: only check ours are ranked
        # by revenue, the biggest first.
        for row in tops:
            others = self.env['crm.kpi.sales'].search([
                ('company_id', '=', row.company_id.id), ('date', '=', row.date),
                ('revenue', '>', row.revenue)])
            self.assertTrue(all(other.top_customer for other in others))
        self.assertNotIn(self.shop_injection, tops.mapped('partner_id'))

    def test_sheets_reconcile_with_company_invoice_totals(self):
        period = self.month_period(date_from=fields.Date.to_string(self.last_month.replace(
            day=10)))
        figures, sheets = self.env['crm.kpi.sales'].sudo(self.viewer)._kpi_sheets(period)
        invoices = self.invoices(fields.Date.to_string(self.last_month), period.date_to)
        revenue = sum(invoices.mapped('amount_untaxed_signed'))
        by_label = {figure.label: figure.value for figure in figures}
        self.assertAlmostEqual(by_label['Revenue'], revenue, places=2)
        self.assertEqual([sheet.title for sheet in sheets],
                         ['Sales by Month', 'Sales by Tier', 'Sales by Customer'])
        months, tiers, customers = sheets
        self.assertAlmostEqual(sum(row[1] for row in months.rows), revenue, places=2)
        self.assertAlmostEqual(sum(row[1] for row in tiers.rows), revenue, places=2)
        self.assertAlmostEqual(sum(row[2] for row in tiers.rows), 1.0, places=6)
        names = [row[0] for row in customers.rows]
        self.assertIn('华联超市（测试店）', names)
        self.assertNotIn('KPI Quiet Shop', names)

    def test_other_company_viewer_sees_no_rows(self):
        Sales = self.env['crm.kpi.sales']
        mine = [('partner_id', 'in', self.shops.ids)]
        self.assertTrue(Sales.sudo(self.viewer).search_count(mine))
        self.assertEqual(Sales.sudo(self.other_viewer).search_count([]), 0)
        self.assertEqual(self.rows(self.other_viewer, ['partner_id']), [])

    def test_groupings_in_one_query_give_the_rows_of_separate_queries(self):
        Sales = self.env['crm.kpi.sales'].sudo(self.viewer)
        domain = [('partner_id', 'in', self.shops.ids)]
        aggregates = ['sum(revenue)', 'count(DISTINCT partner_id)', 'count(*)']
        # Fields in another order than in the first grouping: each grouping is
        # still ordered by its own fields.
        groupings = [['date', 'tier_id'], [], ['tier_id', 'partner_id', 'date'],
                     ['partner_id']]
        got = Sales._kpi_groupings(domain, groupings, aggregates)
        self.assertEqual(got, [Sales._kpi_rows(domain, grouping, aggregates)
                               for grouping in groupings])
        self.assertEqual(len(got[1]), 1)
        self.assertTrue(all(got))
        by_revenue = 'sum(revenue) DESC, "crm_kpi_sales"."partner_id"'
        by_customer = [['partner_id'], ['partner_id', 'tier_id']]
        self.assertEqual(Sales._kpi_groupings(domain, by_customer, aggregates, by_revenue),
                         [Sales._kpi_rows(domain, grouping, aggregates, by_revenue)
                          for grouping in by_customer])
        # Nothing matches: the totals are still one row.
        self.assertEqual(Sales._kpi_groupings([('id', '=', 0)], [[], ['date']], ['count(*)']),
                         [[(0,)], []])

    def test_groupings_apply_access_rights_and_rules(self):
        Sales = self.env['crm.kpi.sales']
        groupings = [[], ['company_id'], ['partner_id']]
        self.assertEqual(Sales.sudo(self.other_viewer)._kpi_groupings([], groupings, ['count(*)']),
                         [[(0,)], [], []])
        [companies] = Sales.sudo(self.viewer)._kpi_groupings([], [['company_id']], ['count(*)'])
        self.assertEqual([row[0] for row in companies], [self.company.id])
        employee = new_user(self.env, 'kpi_grouping_employee', 'base.group_user')
        with self.assertRaises(AccessError):
            Sales.sudo(employee)._kpi_groupings([], groupings, ['count(*)'])
        with self.assertRaises(ValueError):
            Sales._kpi_groupings([], [['date', 'tier_id'], ['tier_id', 'date']], ['count(*)'])
        with self.assertRaises(ValueError):
            Sales._kpi_groupings([], [['date'], ['no_such_field']], ['count(*)'])

    def test_views_are_read_without_jit(self):
        Sales = self.env['crm.kpi.sales']
        for read in (lambda: Sales.read_group([], ['date', 'revenue'], ['date']),
                     lambda: Sales.search([], limit=1),
                     lambda: Sales._kpi_rows([], ['date'], ['sum(revenue)'])):
            self.env.cr.execute('SET LOCAL jit = on')
            read()
            self.env.cr.execute('SHOW jit')
            self.assertEqual(self.env.cr.fetchone()[0], 'off')
