from odoo import _, api, fields, models

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_COLUMNS, CUSTOMER_JOINS, largest_first

TOP_SHARE = 0.2
# The aggregates of the sales sheets, in this order: revenue, margin, quantity,
# orders, customers, customer months, revenue of the months' top customers.
SALES_AGGREGATES = [
    'coalesce(sum(revenue), 0)', 'coalesce(sum(margin), 0)', 'coalesce(sum(quantity), 0)',
    'coalesce(sum(order_count), 0)', 'count(DISTINCT partner_id)', 'sum(customer_count)',
    'coalesce(sum(revenue) FILTER (WHERE top_customer), 0)',
]
# Static fragments only: the view takes no user input.
SALES_VIEW = """
CREATE VIEW crm_kpi_sales AS (
WITH company_tz AS (%(company_tz)s
), cost AS (
    SELECT ip.company_id, substr(ip.res_id, 17)::int AS product_id,
           ip.value_float AS unit_cost
      FROM ir_property ip
      JOIN ir_model_fields f ON f.id = ip.fields_id
     WHERE f.model = 'product.product' AND f.name = 'standard_price'
       AND ip.res_id LIKE 'product.product,%%'
), invoiced AS (
    SELECT i.company_id, date_trunc('month', i.date_invoice)::date AS date,
           i.commercial_partner_id AS partner_id,
           sum(il.price_subtotal_signed) AS revenue,
           sum(q.qty) AS quantity,
           sum(il.price_subtotal_signed - q.qty * coalesce(cost.unit_cost, 0))
               AS margin
      FROM account_invoice_line il
      JOIN account_invoice i ON i.id = il.invoice_id
      LEFT JOIN product_uom lu ON lu.id = il.uom_id
      LEFT JOIN product_product pp ON pp.id = il.product_id
      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
      LEFT JOIN product_uom pu ON pu.id = pt.uom_id
      LEFT JOIN cost ON cost.product_id = il.product_id
                    AND cost.company_id = i.company_id
      CROSS JOIN LATERAL (
          SELECT CASE WHEN i.type = 'out_refund' THEN -1 ELSE 1 END
                 * il.quantity / coalesce(lu.factor, 1) * coalesce(pu.factor, 1)
                 AS qty) q
     WHERE i.type IN ('out_invoice', 'out_refund') AND i.state IN ('open', 'paid')
     GROUP BY 1, 2, 3
), ordered AS (
    SELECT so.company_id,
           date_trunc('month', so.date_order AT TIME ZONE 'UTC'
                               AT TIME ZONE tz.tz)::date AS date,
           p.commercial_partner_id AS partner_id, count(*) AS order_count
      FROM sale_order so
      JOIN res_partner p ON p.id = so.partner_id
      JOIN company_tz tz ON tz.id = so.company_id
     WHERE so.state IN ('sale', 'done')
     GROUP BY 1, 2, 3
), facts AS (
    SELECT coalesce(inv.company_id, o.company_id) AS company_id,
           coalesce(inv.date, o.date) AS date,
           coalesce(inv.partner_id, o.partner_id) AS partner_id,
           coalesce(inv.revenue, 0) AS revenue, coalesce(inv.margin, 0) AS margin,
           coalesce(inv.quantity, 0) AS quantity,
           coalesce(o.order_count, 0) AS order_count
      FROM invoiced inv
      FULL JOIN ordered o ON o.company_id = inv.company_id AND o.date = inv.date
                         AND o.partner_id = inv.partner_id
)
SELECT row_number() OVER (ORDER BY f.company_id, f.date, f.partner_id) AS id,
       f.company_id, f.date, f.partner_id, f.revenue, f.margin, f.quantity,
       f.order_count, 1 AS customer_count,
       f.revenue > 0 AND row_number() OVER month_by_revenue <= ceil(
           %(top_share)s * count(*) FILTER (WHERE f.revenue > 0) OVER month)
           AS top_customer,
       %(customer_columns)s
  FROM facts f
  %(customer_joins)s
WINDOW month AS (PARTITION BY f.company_id, f.date),
       month_by_revenue AS (month ORDER BY f.revenue DESC, f.partner_id)
)
""" % {
    'company_tz': COMPANY_TZ,
    'top_share': TOP_SHARE,
    'customer_columns': CUSTOMER_COLUMNS,
    'customer_joins': CUSTOMER_JOINS.format(partner='f.partner_id',
                                            company='f.company_id'),
}


class CrmKpiSales(models.Model):
    """Sales per customer and month: posted invoices minus refunds (revenue,
    margin, quantity) and confirmed orders."""

    _name = 'crm.kpi.sales'
    _inherit = 'crm.kpi.report'
    _description = 'Sales KPI'
    _auto = False
    _kpi_view_sql = SALES_VIEW
    _order = 'date desc, revenue desc'
    _rec_name = 'partner_id'
    _kpi_monthly = True

    date = fields.Date(string='Month', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    revenue = fields.Float(readonly=True, help="Posted customer invoices minus refunds, "
                                               "untaxed, in the company's currency.")
    margin = fields.Float(readonly=True, help="Revenue minus the products' cost.")
    quantity = fields.Float(readonly=True, help="Invoiced quantity minus refunded quantity, "
                                                "in the products' units.")
    order_count = fields.Integer(string='Orders', readonly=True,
                                 help="Sale orders confirmed in the month.")
    customer_count = fields.Integer(string='Active Customers', readonly=True,
                                    help="Customers with an order or an invoice in the month.")
    top_customer = fields.Boolean(
        string='Top 20% Customer', readonly=True,
        help="Among the first 20% of the month's customers by revenue (the 80/20 check).")

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        totals, by_month, by_tier, by_customer = self._kpi_groupings(
            domain, [[], ['date'], ['tier_id'], ['partner_id', 'tier_id', 'route_id', 'user_id']],
            SALES_AGGREGATES)
        revenue, margin, quantity, orders, customers, _months, top_revenue = totals[0]
        section = _('Sales')
        figures = [
            Figure(section, _('Revenue'), revenue, 'money'),
            Figure(section, _('Margin'), margin, 'money'),
            Figure(section, _('Margin %'), share(margin, revenue), 'percent'),
            Figure(section, _('Quantity'), quantity, 'number'),
            Figure(section, _('Orders'), orders, 'int'),
            Figure(section, _('Active customers'), customers, 'int'),
            Figure(section, _('Average order value'), share(revenue, orders), 'money'),
            Figure(section, _('Top 20%: share of monthly revenue'),
                   share(top_revenue, revenue), 'percent'),
        ]
        return figures, [self._kpi_month_sheet(by_month), self._kpi_tier_sheet(by_tier),
                         self._kpi_customer_sheet(by_customer)]

    def _kpi_month_sheet(self, by_month):
        rows = [
            (month, revenue, margin, share(margin, revenue), quantity, orders, customers,
             share(revenue, orders), share(top_revenue, revenue))
            for month, revenue, margin, quantity, orders, _distinct, customers, top_revenue
            in by_month
        ]
        columns = [column(_('Month'), 'date'), column(_('Revenue'), 'money'),
                   column(_('Margin'), 'money'), column(_('Margin %'), 'percent'),
                   column(_('Quantity'), 'number'), column(_('Orders'), 'int'),
                   column(_('Active Customers'), 'int'),
                   column(_('Average Order Value'), 'money'),
                   column(_('Top 20% Share of Revenue'), 'percent')]
        charts = [Chart('line', _('Revenue and margin by month'), 0, [1, 2]),
                  Chart('column', _('Active customers by month'), 0, [6])]
        return Sheet(_('Sales by Month'), columns, rows, charts)

    def _kpi_tier_sheet(self, by_tier):
        data = largest_first(by_tier, 1)  # most revenue first
        names = self._kpi_names('crm.tier', [row[0] for row in data])
        total_revenue = sum(row[1] for row in data)
        total_quantity = sum(row[3] for row in data)
        rows = [(names[tier], revenue, share(revenue, total_revenue), quantity,
                 share(quantity, total_quantity), margin, orders, customers,
                 share(revenue, orders))
                for tier, revenue, margin, quantity, orders, customers, *_rest in data]
        columns = [column(_('Tier')), column(_('Revenue'), 'money'),
                   column(_('Share of Revenue'), 'percent'), column(_('Quantity'), 'number'),
                   column(_('Share of Supply'), 'percent'), column(_('Margin'), 'money'),
                   column(_('Orders'), 'int'), column(_('Customers'), 'int'),
                   column(_('Average Order Value'), 'money')]
        charts = [Chart('pie', _('Share of revenue by tier'), 0, [1]),
                  Chart('column', _('Share of revenue and supply by tier'), 0, [2, 4])]
        return Sheet(_('Sales by Tier'), columns, rows, charts)

    def _kpi_customer_sheet(self, by_customer):
        data = largest_first(by_customer, 4)  # most revenue first, then by customer
        partners = self._kpi_names('res.partner', [row[0] for row in data])
        tiers = self._kpi_names('crm.tier', [row[1] for row in data])
        routes = self._kpi_names('crm.visit.route', [row[2] for row in data])
        users = self._kpi_names('res.users', [row[3] for row in data])
        rows = ((partners[partner], tiers[tier], routes[route], users[user], revenue, margin,
                 quantity, orders, share(revenue, orders))
                for partner, tier, route, user, revenue, margin, quantity, orders, *_rest
                in data)
        columns = [column(_('Customer'), width=36), column(_('Tier')), column(_('Route')),
                   column(_('Account Manager')), column(_('Revenue'), 'money'),
                   column(_('Margin'), 'money'), column(_('Quantity'), 'number'),
                   column(_('Orders'), 'int'), column(_('Average Order Value'), 'money')]
        return Sheet(_('Sales by Customer'), columns, rows, [])
