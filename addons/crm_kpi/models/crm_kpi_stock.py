import datetime

import pytz
from psycopg2 import sql

from odoo import _, api, fields, models, tools

from ..lib.workbook import Figure, Sheet, column, share
from .crm_kpi_report import COMPANY_TZ

# Days of delivery history that the average daily outgoing quantity covers.
OUTGOING_DAYS = 90


def company_today(company):
    """Today in the company's time zone."""
    tz = pytz.timezone(company.partner_id.tz or 'UTC')
    return datetime.datetime.now(pytz.utc).astimezone(tz).date()


def days_of_stock(on_hand, daily_outgoing):
    """How many days ``on_hand`` lasts at ``daily_outgoing`` a day; None without outgoing."""
    if not daily_outgoing or daily_outgoing <= 0:
        return None
    return on_hand / daily_outgoing


class CrmKpiStock(models.Model):
    """Stock on hand against delivery pace and the supply quotas of the tiers:
    one row per company and stockable product, plus one per company, quota
    category and unit category for category quotas. A snapshot: as of today."""

    _name = 'crm.kpi.stock'
    _inherit = 'crm.kpi.report'
    _description = 'Stock and Quota KPI'
    _auto = False
    _kpi_snapshot = True
    _order = 'company_id, scope desc, shortfall desc, on_hand'
    _rec_name = 'product_id'

    date = fields.Date(string='As of', readonly=True,
                       help="Today in the company's time zone: the figures are a snapshot.")
    company_id = fields.Many2one('res.company', readonly=True)
    scope = fields.Selection(
        [('product', 'Product'), ('category', 'Category quota')], readonly=True,
        help="Product: one stockable product, its product quotas. Category quota: every "
             "product of a category that has a category quota, counted together in the "
             "reference unit of the quota's unit category, as the quota counts them.")
    product_id = fields.Many2one('product.product', string='Product', readonly=True)
    categ_id = fields.Many2one('product.category', string='Product Category', readonly=True,
                               help="Product rows: the product's category. Category quota "
                                    "rows: the quota's category (with its subcategories).")
    uom_id = fields.Many2one('product.uom', string='Unit of Measure', readonly=True,
                             help="The unit of the quantities of the row.")
    on_hand = fields.Float(readonly=True,
                           help="Quantity in stock today in the company's internal locations.")
    daily_outgoing = fields.Float(
        string='Average Daily Outgoing', readonly=True,
        help="Done deliveries from internal to customer locations over the last 90 days, "
             "minus returns from customers, divided by 90.")
    days_of_stock = fields.Float(
        string='Days of Stock', readonly=True, group_operator='min',
        help="On hand divided by the average daily outgoing quantity: how many days the "
             "stock lasts at the recent pace. Empty without deliveries in the last 90 days. "
             "Grouped: the lowest of the group.")
    quota_demand = fields.Float(
        string='Quota Demand Next Month', readonly=True,
        help="What the customers may order next calendar month under their tier quotas: for "
             "each quota, the maximum quantity times the active customers currently in a "
             "tier of its policy (primary scheme), each counted at its quota share (the "
             "restricted share where the policy restricts its compliance class, none where "
             "it blocks it). "
             "A weekly quota counts (days of next month / 7) times, a monthly one once; "
             "where a policy has several quotas on the same product or category, the "
             "tightest counts.")
    quota_customer_count = fields.Integer(
        string='Customers under Quota', readonly=True,
        help="Customers currently in a tier whose policy has a quota on the product or "
             "category (blocked customers excluded).")
    shortfall = fields.Float(
        readonly=True,
        help="Quota demand next month minus on hand, when on hand falls short; else 0.")
    covered = fields.Boolean(
        string='Stock Meets Quotas', readonly=True,
        help="On hand today is at least next month's quota demand.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(sql.SQL("""
            CREATE VIEW crm_kpi_stock AS (
            WITH company_tz AS ({company_tz}
            ), today AS (
                SELECT tz.id AS company_id, (now() AT TIME ZONE tz.tz)::date AS date,
                       extract(day FROM date_trunc('month', now() AT TIME ZONE tz.tz)
                                        + interval '2 month' - interval '1 day') AS next_days
                  FROM company_tz tz
            ), on_hand AS (
                SELECT l.company_id, q.product_id, sum(q.quantity) AS qty
                  FROM stock_quant q
                  JOIN stock_location l ON l.id = q.location_id
                 WHERE l.usage = 'internal' AND l.company_id IS NOT NULL
                 GROUP BY 1, 2
            ), outgoing AS (
                SELECT CASE WHEN src.usage = 'internal' THEN src.company_id
                            ELSE dst.company_id END AS company_id,
                       m.product_id,
                       sum(CASE WHEN src.usage = 'internal' THEN m.product_qty
                                ELSE -m.product_qty END) / {days} AS daily
                  FROM stock_move m
                  JOIN stock_location src ON src.id = m.location_id
                  JOIN stock_location dst ON dst.id = m.location_dest_id
                 WHERE m.state = 'done'
                   AND m.date >= (now() AT TIME ZONE 'UTC') - {days} * interval '1 day'
                   AND ((src.usage = 'internal' AND dst.usage = 'customer')
                        OR (src.usage = 'customer' AND dst.usage = 'internal'))
                 GROUP BY 1, 2
            ), policy_customers AS (
                -- Customers of each policy in the primary scheme, weighted by their
                -- quota share (crm.tier.policy._quota_share and _supply_mode).
                SELECT s.company_id, t.policy_id,
                       sum(CASE mode.mode WHEN 'block' THEN 0
                                          WHEN 'restrict' THEN pol.restricted_quota_percent / 100
                                          ELSE 1 END) AS weight,
                       count(*) FILTER (WHERE mode.mode <> 'block') AS customers
                  FROM crm_tier_member mb
                  JOIN crm_tier_scheme s ON s.id = mb.scheme_id AND s.is_primary AND s.active
                  JOIN crm_tier t ON t.id = mb.tier_id
                  JOIN crm_tier_policy pol ON pol.id = t.policy_id
                  JOIN res_partner p ON p.id = mb.partner_id
                  CROSS JOIN LATERAL (
                      SELECT CASE p.compliance_class WHEN 'C' THEN pol.compliance_c_mode
                                                     WHEN 'W' THEN pol.compliance_w_mode
                                                     ELSE 'allow' END AS mode) mode
                 WHERE p.active
                 GROUP BY 1, 2
            ), quota AS (
                -- Each quota's monthly quantity: product quotas in the product's unit,
                -- category quotas in the reference unit of the quota's unit category.
                SELECT pc.company_id, q.policy_id, q.product_id, q.categ_id,
                       qu.category_id AS uom_categ_id,
                       q.max_qty / qu.factor
                       * CASE WHEN q.product_id IS NOT NULL THEN pu.factor ELSE 1 END
                       * CASE q.period WHEN 'week' THEN td.next_days / 7.0 ELSE 1 END AS qty,
                       pc.weight, pc.customers
                  FROM crm_tier_quota q
                  JOIN product_uom qu ON qu.id = q.uom_id
                  JOIN policy_customers pc ON pc.policy_id = q.policy_id
                  JOIN today td ON td.company_id = pc.company_id
                  LEFT JOIN product_product pp ON pp.id = q.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN product_uom pu ON pu.id = pt.uom_id
            ), policy_quota AS (
                -- Several quotas of one policy on the same target: the tightest binds.
                SELECT company_id, policy_id, product_id, categ_id, uom_categ_id,
                       min(qty) AS qty, max(weight) AS weight, max(customers) AS customers
                  FROM quota
                 GROUP BY 1, 2, 3, 4, 5
            ), product_demand AS (
                SELECT company_id, product_id, sum(qty * weight) AS demand,
                       sum(customers) AS customers
                  FROM policy_quota
                 WHERE product_id IS NOT NULL
                 GROUP BY 1, 2
            ), products AS (
                SELECT company_id, product_id FROM on_hand
                UNION SELECT company_id, product_id FROM outgoing
                UNION SELECT company_id, product_id FROM product_demand
            ), product_rows AS (
                SELECT k.company_id, 'product'::varchar AS scope, k.product_id,
                       pt.categ_id, pt.uom_id,
                       coalesce(oh.qty, 0) AS on_hand, coalesce(og.daily, 0) AS daily_outgoing,
                       coalesce(d.demand, 0) AS quota_demand,
                       coalesce(d.customers, 0) AS quota_customer_count
                  FROM products k
                  JOIN product_product pp ON pp.id = k.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN on_hand oh ON oh.company_id = k.company_id
                                      AND oh.product_id = k.product_id
                  LEFT JOIN outgoing og ON og.company_id = k.company_id
                                       AND og.product_id = k.product_id
                  LEFT JOIN product_demand d ON d.company_id = k.company_id
                                            AND d.product_id = k.product_id
                 WHERE pt.type = 'product'
            ), category_demand AS (
                SELECT company_id, categ_id, uom_categ_id, sum(qty * weight) AS demand,
                       sum(customers) AS customers
                  FROM policy_quota
                 WHERE categ_id IS NOT NULL
                 GROUP BY 1, 2, 3
            ), category_stock AS (
                -- The stockable products a category quota counts (crm.tier.quota._limits):
                -- in the category or below it, with a unit of the quota's unit category.
                SELECT cd.company_id, cd.categ_id, cd.uom_categ_id,
                       sum(pr.on_hand / pu.factor) AS on_hand,
                       sum(pr.daily_outgoing / pu.factor) AS daily_outgoing
                  FROM category_demand cd
                  JOIN product_category qc ON qc.id = cd.categ_id
                  JOIN product_rows pr ON pr.company_id = cd.company_id
                  JOIN product_category pcg ON pcg.id = pr.categ_id
                  JOIN product_uom pu ON pu.id = pr.uom_id
                 WHERE pu.category_id = cd.uom_categ_id
                   AND pcg.parent_left >= qc.parent_left AND pcg.parent_left < qc.parent_right
                 GROUP BY 1, 2, 3
            ), category_rows AS (
                SELECT cd.company_id, 'category'::varchar AS scope, NULL::int AS product_id,
                       cd.categ_id, ref.id AS uom_id,
                       coalesce(cs.on_hand, 0) AS on_hand,
                       coalesce(cs.daily_outgoing, 0) AS daily_outgoing,
                       cd.demand AS quota_demand, cd.customers AS quota_customer_count
                  FROM category_demand cd
                  LEFT JOIN category_stock cs ON cs.company_id = cd.company_id
                                             AND cs.categ_id = cd.categ_id
                                             AND cs.uom_categ_id = cd.uom_categ_id
                  LEFT JOIN LATERAL (
                      SELECT min(u.id) AS id FROM product_uom u
                       WHERE u.category_id = cd.uom_categ_id AND u.uom_type = 'reference'
                  ) ref ON true
            ), facts AS (
                SELECT * FROM product_rows
                UNION ALL
                SELECT * FROM category_rows
            )
            SELECT row_number() OVER (ORDER BY f.company_id, f.scope DESC, f.product_id,
                                      f.categ_id, f.uom_id) AS id,
                   f.company_id, td.date, f.scope, f.product_id, f.categ_id, f.uom_id,
                   f.on_hand, f.daily_outgoing,
                   CASE WHEN f.daily_outgoing > 0 THEN f.on_hand / f.daily_outgoing
                        END AS days_of_stock,
                   f.quota_demand, f.quota_customer_count::int AS quota_customer_count,
                   greatest(f.quota_demand - f.on_hand, 0) AS shortfall,
                   f.on_hand >= f.quota_demand AS covered
              FROM facts f
              JOIN today td ON td.company_id = f.company_id
            )""").format(company_tz=sql.SQL(COMPANY_TZ), days=sql.Literal(OUTGOING_DAYS)))

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        today = company_today(period.company)
        product_sheet, short = self._kpi_product_sheet(domain, today)
        category_sheet, short_categories = self._kpi_category_sheet(domain, today)
        unreserved = self.env['crm.kpi.unreserved']
        unreserved_figures, unreserved_sheets = unreserved._kpi_sheets(period)
        section = _('Inventory')
        figures = [
            Figure(section, _('Products short of quota demand next month (as of %s)') % today,
                   short, 'int'),
            Figure(section, _('Quota categories short of quota demand next month (as of %s)')
                   % today, short_categories, 'int'),
        ] + unreserved_figures
        return figures, [product_sheet, category_sheet] + unreserved_sheets

    def _kpi_product_sheet(self, domain, today):
        data = self._kpi_rows(domain + [('scope', '=', 'product')], ['product_id', 'uom_id'], [
            'sum(on_hand)', 'sum(quota_demand)', 'sum(daily_outgoing)',
            'sum(quota_customer_count)'],
            order='sum(shortfall) DESC, sum(on_hand), "crm_kpi_stock"."product_id"')
        products = self._kpi_names('product.product', [row[0] for row in data])
        units = self._kpi_names('product.uom', [row[1] for row in data])
        rows, short = [], 0
        for product, uom, on_hand, demand, daily, customers in data:
            short += on_hand < demand
            rows.append((products[product], units[uom], on_hand, demand,
                         share(on_hand, demand) if demand else None,
                         _('Yes') if on_hand >= demand else _('No'),
                         max(demand - on_hand, 0.0), customers, daily,
                         days_of_stock(on_hand, daily)))
        return Sheet(_('Stock vs Quotas'), self._kpi_stock_columns(_('Product'), today),
                     rows, []), short

    def _kpi_category_sheet(self, domain, today):
        data = self._kpi_rows(
            domain + [('scope', '=', 'category')], ['categ_id', 'uom_id'], [
                'sum(on_hand)', 'sum(quota_demand)', 'sum(daily_outgoing)',
                'sum(quota_customer_count)'],
            order='sum(shortfall) DESC, "crm_kpi_stock"."categ_id"')
        categories = self._kpi_names('product.category', [row[0] for row in data])
        units = self._kpi_names('product.uom', [row[1] for row in data])
        rows, short = [], 0
        for categ, uom, on_hand, demand, daily, customers in data:
            short += on_hand < demand
            rows.append((categories[categ], units[uom], on_hand, demand,
                         share(on_hand, demand) if demand else None,
                         _('Yes') if on_hand >= demand else _('No'),
                         max(demand - on_hand, 0.0), customers, daily,
                         days_of_stock(on_hand, daily)))
        return Sheet(_('Category Quotas'), self._kpi_stock_columns(_('Category'), today),
                     rows, []), short

    def _kpi_stock_columns(self, label, today):
        return [column(label, width=36), column(_('Unit')),
                column(_('On Hand as of %s') % today, 'number'),
                column(_('Quota Demand Next Month'), 'number'),
                column(_('Coverage'), 'percent'), column(_('Stock Meets Quotas'), width=10),
                column(_('Shortfall'), 'number'), column(_('Customers under Quota'), 'int'),
                column(_('Average Daily Outgoing'), 'number'),
                column(_('Days of Stock'), 'number')]
