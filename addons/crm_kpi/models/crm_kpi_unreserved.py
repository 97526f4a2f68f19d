from psycopg2 import sql

from odoo import _, api, fields, models, tools

from ..lib.workbook import Figure, Sheet, column
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_COLUMNS, CUSTOMER_JOINS
from .crm_kpi_stock import company_today

# Move states of a delivery that waits for stock.
WAITING_STATES = ('confirmed', 'partially_available', 'waiting')


class CrmKpiUnreserved(models.Model):
    """Confirmed sale order lines whose deliveries are not fully reserved:
    what the warehouse still lacks to ship them. A snapshot of today."""

    _name = 'crm.kpi.unreserved'
    _inherit = 'crm.kpi.report'
    _description = 'Unreserved Order Lines KPI'
    _auto = False
    _kpi_snapshot = True
    _order = 'date, order_name, id'
    _rec_name = 'order_name'

    date = fields.Date(string='Order Date', readonly=True,
                       help="The order date in the company's time zone.")
    company_id = fields.Many2one('res.company', readonly=True)
    order_id = fields.Many2one('sale.order', string='Sale Order', readonly=True)
    order_name = fields.Char(string='Order Reference', readonly=True)
    order_line_id = fields.Many2one('sale.order.line', string='Order Line', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    product_id = fields.Many2one('product.product', string='Product', readonly=True)
    uom_id = fields.Many2one('product.uom', string='Unit of Measure', readonly=True,
                             help="The product's unit: every quantity of the row is in it.")
    ordered_qty = fields.Float(string='Ordered', readonly=True,
                               help="The quantity of the order line, in the product's unit.")
    open_qty = fields.Float(
        string='To Deliver', readonly=True,
        help="The quantity of the line's deliveries to the customer that wait for stock "
             "(moves waiting, confirmed or partially available).")
    reserved_qty = fields.Float(string='Reserved', readonly=True,
                                help="The part of the quantity to deliver reserved in stock.")
    missing_qty = fields.Float(string='Missing', readonly=True,
                               help="To deliver minus reserved: what stock still lacks.")
    line_count = fields.Integer(string='Lines', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(sql.SQL("""
            CREATE VIEW crm_kpi_unreserved AS (
            WITH company_tz AS ({company_tz}
            ), waiting AS (
                SELECT m.id, m.sale_line_id, m.product_qty
                  FROM stock_move m
                  JOIN stock_location dst ON dst.id = m.location_dest_id
                 WHERE m.state IN {states} AND m.sale_line_id IS NOT NULL
                   AND dst.usage = 'customer'
            ), reserved AS (
                SELECT ml.move_id, sum(ml.product_qty) AS qty
                  FROM stock_move_line ml
                  JOIN waiting w ON w.id = ml.move_id
                 GROUP BY 1
            ), line AS (
                SELECT w.sale_line_id, sum(w.product_qty) AS open_qty,
                       sum(coalesce(r.qty, 0)) AS reserved_qty
                  FROM waiting w
                  LEFT JOIN reserved r ON r.move_id = w.id
                 GROUP BY 1
            ), facts AS (
                SELECT sol.id, so.company_id,
                       (so.date_order AT TIME ZONE 'UTC' AT TIME ZONE tz.tz)::date AS date,
                       so.id AS order_id, so.name AS order_name, sol.id AS order_line_id,
                       p.commercial_partner_id AS partner_id, sol.product_id,
                       pt.uom_id,
                       sol.product_uom_qty / lu.factor * pu.factor AS ordered_qty,
                       l.open_qty, l.reserved_qty, l.open_qty - l.reserved_qty AS missing_qty
                  FROM line l
                  JOIN sale_order_line sol ON sol.id = l.sale_line_id
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN company_tz tz ON tz.id = so.company_id
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN product_uom pu ON pu.id = pt.uom_id
                  JOIN product_uom lu ON lu.id = sol.product_uom
                 WHERE so.state IN ('sale', 'done')
                   AND round((l.open_qty - l.reserved_qty)::numeric, 6) > 0
            )
            SELECT f.id, f.company_id, f.date, f.order_id, f.order_name, f.order_line_id,
                   f.partner_id, f.product_id, f.uom_id, f.ordered_qty, f.open_qty,
                   f.reserved_qty, f.missing_qty, 1 AS line_count,
                   {customer_columns}
              FROM facts f
              {customer_joins}
            )""").format(
            company_tz=sql.SQL(COMPANY_TZ),
            states=sql.Literal(WAITING_STATES),
            customer_columns=sql.SQL(CUSTOMER_COLUMNS),
            customer_joins=sql.SQL(CUSTOMER_JOINS.format(partner='f.partner_id',
                                                         company='f.company_id')),
        ))

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        today = company_today(period.company)
        data = self._kpi_rows(domain, [
            'date', 'order_name', 'order_line_id', 'partner_id', 'tier_id', 'route_id',
            'user_id', 'product_id', 'uom_id'], [
            'sum(ordered_qty)', 'sum(open_qty)', 'sum(reserved_qty)', 'sum(missing_qty)',
            'sum(line_count)'],
            order='"crm_kpi_unreserved"."date", "crm_kpi_unreserved"."order_name", '
                  '"crm_kpi_unreserved"."order_line_id"')
        partners = self._kpi_names('res.partner', [row[3] for row in data])
        tiers = self._kpi_names('crm.tier', [row[4] for row in data])
        routes = self._kpi_names('crm.visit.route', [row[5] for row in data])
        users = self._kpi_names('res.users', [row[6] for row in data])
        products = self._kpi_names('product.product', [row[7] for row in data])
        units = self._kpi_names('product.uom', [row[8] for row in data])
        rows = [(date, order, partners[partner], tiers[tier], routes[route], users[user],
                 products[product], units[uom], ordered, open_qty, reserved, missing)
                for (date, order, _line, partner, tier, route, user, product, uom,
                     ordered, open_qty, reserved, missing, _count) in data]
        columns = [column(_('Order Date'), 'date'), column(_('Order'), width=16),
                   column(_('Customer'), width=36), column(_('Tier')), column(_('Route')),
                   column(_('Account Manager')), column(_('Product'), width=36),
                   column(_('Unit'), width=10), column(_('Ordered'), 'number'),
                   column(_('To Deliver'), 'number'), column(_('Reserved'), 'number'),
                   column(_('Missing as of %s') % today, 'number')]
        section = _('Inventory')
        figures = [
            Figure(section, _('Order lines not fully reserved (as of %s)') % today,
                   sum(row[-1] for row in data), 'int'),
            Figure(section, _('Missing quantity of unreserved lines'),
                   sum(row[-2] for row in data), 'number'),
        ]
        return figures, [Sheet(_('Unreserved Order Lines'), columns, rows, [])]
