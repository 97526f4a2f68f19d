import datetime
import threading

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import bulk, pg, scoring
from .crm_tier_assignment import COMPLIANCE_CLASSES
from .crm_tier_initial_rule import SHOP_SIZES

# One aggregate over invoices, orders and payments of one company. Revenue,
# margin and quantity come from posted customer invoices minus refunds;
# orders, gaps and products from confirmed sale orders; recency from the last
# order or invoice; days late from the last payment of each paid invoice.
# The window is the last N days including today; days in an excluded period
# do not count.
METRICS_QUERY = """
WITH excluded AS (
    -- Every excluded day in one array: one cheap <> ALL per row, no subplan.
    SELECT coalesce(array_agg(day::date), '{}') AS days
      FROM crm_tier_excluded_period e,
           generate_series(e.date_from, e.date_to, interval '1 day') AS day
     WHERE e.company_id = %(company)s AND e.active
), cost AS (
    -- Per product: its unit cost and its unit's factor, to count quantities in product units.
    SELECT c.product_id, c.unit_cost, pu.factor AS product_factor
      FROM unnest(%(product_ids)s::int[], %(costs)s::numeric[]) AS c(product_id, unit_cost)
      JOIN product_product pp ON pp.id = c.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN product_uom pu ON pu.id = pt.uom_id
), invoice_lines AS (
    SELECT i.commercial_partner_id AS partner_id, i.date_invoice AS day, i.type AS kind,
           il.price_subtotal_signed AS amount,
           CASE WHEN i.type = 'out_refund' THEN -1 ELSE 1 END
               * il.quantity / coalesce(lu.factor, 1) * coalesce(c.product_factor, 1) AS qty,
           coalesce(c.unit_cost, 0) AS unit_cost
      FROM account_invoice_line il
      JOIN account_invoice i ON i.id = il.invoice_id
      LEFT JOIN product_uom lu ON lu.id = il.uom_id
      LEFT JOIN cost c ON c.product_id = il.product_id
     WHERE i.company_id = %(company)s AND i.type IN ('out_invoice', 'out_refund')
       AND i.state IN ('open', 'paid')
), invoiced AS (
    SELECT l.partner_id,
           max(l.day) FILTER (WHERE l.kind = 'out_invoice') AS last_invoice_day,
           sum(l.amount) FILTER (WHERE l.in_window) AS revenue,
           sum(l.amount - l.qty * l.unit_cost) FILTER (WHERE l.in_window) AS margin,
           sum(l.qty) FILTER (WHERE l.in_window) AS quantity,
           sum(l.amount - l.qty * l.unit_cost) AS lifetime_profit
      FROM (SELECT il.*, il.day > %(date_from)s
                       AND il.day <> ALL((SELECT days FROM excluded)::date[]) AS in_window
              FROM invoice_lines il) l
     GROUP BY l.partner_id
), orders AS (
    SELECT o.*, o.day > %(date_from)s
               AND o.day <> ALL((SELECT days FROM excluded)::date[]) AS in_window
      FROM (SELECT p.commercial_partner_id AS partner_id, so.id,
                   (so.date_order AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
              FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
             WHERE so.company_id = %(company)s AND so.state IN ('sale', 'done')) o
), ordered AS (
    SELECT partner_id, max(day) AS last_day,
           count(*) FILTER (WHERE in_window) AS order_count,
           (max(day) FILTER (WHERE in_window) - min(day) FILTER (WHERE in_window))::float
               / nullif(count(*) FILTER (WHERE in_window) - 1, 0) AS avg_gap
      FROM orders GROUP BY partner_id
), assortment AS (
    -- Distinct pairs first: hashed, where count(DISTINCT) sorts every line.
    SELECT partner_id, count(*) AS product_count
      FROM (SELECT DISTINCT o.partner_id, sol.product_id
              FROM orders o JOIN sale_order_line sol ON sol.order_id = o.id
             WHERE o.in_window AND sol.product_id IS NOT NULL) pairs
     GROUP BY partner_id
), paid_day AS (
    -- The last payment linked to each invoice: Odoo links a payment to the invoices
    -- it is reconciled with (account_invoice_payment_rel), so the journal items are
    -- not read (millions of rows at city scale).
    SELECT rel.invoice_id, max(ap.payment_date) AS day
      FROM account_invoice_payment_rel rel
      JOIN account_payment ap ON ap.id = rel.payment_id
     WHERE ap.company_id = %(company)s AND ap.state IN ('posted', 'sent', 'reconciled')
     GROUP BY rel.invoice_id
), payment AS (
    SELECT i.commercial_partner_id AS partner_id,
           avg(greatest(0, pd.day - i.date_due)) FILTER (
               WHERE i.state = 'paid' AND i.date_invoice > %(date_from)s) AS days_late,
           sum(i.residual_company_signed) FILTER (
               WHERE i.state = 'open' AND i.date_due < %(today)s) AS overdue
      FROM account_invoice i LEFT JOIN paid_day pd ON pd.invoice_id = i.id
     WHERE i.company_id = %(company)s AND i.type = 'out_invoice' AND i.state IN ('open', 'paid')
     GROUP BY i.commercial_partner_id
)
SELECT p.id, coalesce(inv.revenue, 0), coalesce(inv.margin, 0), coalesce(inv.quantity, 0),
       coalesce(inv.lifetime_profit, 0), coalesce(o.order_count, 0),
       coalesce(a.product_count, 0),
       %(today)s - greatest(o.last_day, inv.last_invoice_day), o.avg_gap,
       pay.days_late, coalesce(pay.overdue, 0)
  FROM res_partner p
  LEFT JOIN invoiced inv ON inv.partner_id = p.id
  LEFT JOIN ordered o ON o.partner_id = p.id
  LEFT JOIN assortment a ON a.partner_id = p.id
  LEFT JOIN payment pay ON pay.partner_id = p.id
 WHERE (inv.partner_id IS NOT NULL OR o.partner_id IS NOT NULL)
 ORDER BY p.id
"""

METRIC_FIELDS = [
    'rfm_monetary', 'value_margin', 'value_quantity', 'lifetime_profit', 'rfm_frequency',
    'value_product_count', 'rfm_recency_days', 'value_avg_gap_days', 'value_days_late',
    'value_overdue_amount', 'rfm_r_score', 'rfm_f_score', 'rfm_m_score', 'rfm_segment',
    'value_score', 'value_metrics_date',
]
# Rows of (partner id, *METRIC_FIELDS), copied into a temporary table (lib.bulk).
METRIC_ROWS = 'crm_value_metric_rows'
METRIC_ROW_COLUMNS = """
    id int, rfm_monetary numeric, value_margin numeric, value_quantity numeric,
    lifetime_profit numeric, rfm_frequency int, value_product_count int,
    rfm_recency_days int, value_avg_gap_days float, value_days_late float,
    value_overdue_amount numeric, rfm_r_score int, rfm_f_score int, rfm_m_score int,
    rfm_segment varchar, value_score float, value_metrics_date date"""
UPDATE_QUERY = """
UPDATE res_partner p
   SET rfm_monetary = v.rfm_monetary, value_margin = v.value_margin,
       value_quantity = v.value_quantity, lifetime_profit = v.lifetime_profit,
       rfm_frequency = v.rfm_frequency, value_product_count = v.value_product_count,
       rfm_recency_days = v.rfm_recency_days, value_avg_gap_days = v.value_avg_gap_days,
       value_days_late = v.value_days_late, value_overdue_amount = v.value_overdue_amount,
       rfm_r_score = v.rfm_r_score, rfm_f_score = v.rfm_f_score, rfm_m_score = v.rfm_m_score,
       rfm_segment = v.rfm_segment, value_score = v.value_score,
       value_metrics_date = v.value_metrics_date
  FROM crm_value_metric_rows v
 WHERE p.id = v.id
"""
# Customers of the company whose history is gone lose their metrics.
RESET_QUERY = """
UPDATE res_partner
   SET rfm_monetary = NULL, value_margin = NULL, value_quantity = NULL, lifetime_profit = NULL,
       rfm_frequency = NULL, value_product_count = NULL, rfm_recency_days = NULL,
       value_avg_gap_days = NULL, value_days_late = NULL, value_overdue_amount = NULL,
       rfm_r_score = NULL, rfm_f_score = NULL, rfm_m_score = NULL, rfm_segment = NULL,
       value_score = NULL, value_metrics_date = NULL
 WHERE value_metrics_date IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM crm_value_metric_rows v WHERE v.id = res_partner.id)
   AND (company_id = %s OR company_id IS NULL)
"""


class ResPartner(models.Model):
    _name = 'res.partner'
    # The type check first: before Odoo's own overrides read the values.
    _inherit = ['crm.input.check', 'res.partner']

    rfm_monetary = fields.Float(
        string='Revenue', digits=(16, 2), readonly=True, copy=False,
        help="Invoiced revenue without tax, minus refunds, in the metrics window.")
    value_margin = fields.Float(
        string='Gross Margin', digits=(16, 2), readonly=True, copy=False,
        help="Revenue minus the current cost of the products invoiced, in the window.")
    value_quantity = fields.Float(
        string='Quantity', digits=(16, 2), readonly=True, copy=False,
        help="Quantity invoiced minus refunded, in the products' units, in the window.")
    lifetime_profit = fields.Float(
        digits=(16, 2), readonly=True, copy=False,
        help="Gross margin over the customer's whole history.")
    rfm_frequency = fields.Integer(
        string='Orders', readonly=True, copy=False,
        help="Confirmed sale orders in the metrics window.")
    value_product_count = fields.Integer(
        string='Distinct Products', readonly=True, copy=False,
        help="Products ordered at least once in the metrics window.")
    rfm_recency_days = fields.Integer(
        string='Days Since Last Order or Invoice', readonly=True, copy=False,
        group_operator='avg')
    value_avg_gap_days = fields.Float(
        string='Average Days Between Orders', digits=(16, 1), readonly=True, copy=False,
        group_operator='avg')
    value_days_late = fields.Float(
        string='Average Days Paid Late', digits=(16, 1), readonly=True, copy=False,
        group_operator='avg',
        help="For the invoices of the window that are paid: days from due date to payment.")
    value_overdue_amount = fields.Float(
        string='Overdue Amount', digits=(16, 2), readonly=True, copy=False,
        help="Open customer invoices past their due date, today.")
    rfm_r_score = fields.Integer(string='R Score', readonly=True, copy=False, group_operator='avg')
    rfm_f_score = fields.Integer(string='F Score', readonly=True, copy=False, group_operator='avg')
    rfm_m_score = fields.Integer(string='M Score', readonly=True, copy=False, group_operator='avg')
    rfm_segment = fields.Selection(
        scoring.SEGMENTS, string='RFM Segment', readonly=True, copy=False, index=True,
        help="From the recency, frequency and monetary scores (quintiles 1-5 within the "
             "company).")
    value_score = fields.Float(
        digits=(16, 1), readonly=True, copy=False, group_operator='avg',
        help="0-100, the weighted R, F and M scores.")
    value_metrics_date = fields.Date(string='Value Metrics Computed On', readonly=True, copy=False)
    tier_id = fields.Many2one(
        'crm.tier', string='Tier', readonly=True, copy=False, index=True, ondelete='set null',
        help="The customer's tier in the primary scheme of its company.")
    tier_policy_id = fields.Many2one(related='tier_id.policy_id', string='Service Policy',
                                     readonly=True)
    tier_color = fields.Integer(related='tier_id.color', readonly=True)
    tier_explanation = fields.Text(string='Why This Tier', compute='_compute_tier_explanation',
                                   groups='sales_team.group_sale_salesman')
    tier_member_ids = fields.One2many('crm.tier.member', 'partner_id', string='Tiers',
                                      readonly=True, groups='sales_team.group_sale_salesman')
    tier_assignment_ids = fields.One2many(
        'crm.tier.assignment', 'partner_id', string='Tier History', readonly=True,
        groups='crm_tiering.group_tiering_user,crm_tiering.group_tiering_compliance')
    compliance_class = fields.Selection(
        COMPLIANCE_CLASSES, default='A', required=True, copy=False, index=True,
        track_visibility='onchange',
        help="Set by compliance officers, apart from value. The tier policy may restrict "
             "or block supply for classes C and W.")
    manager_score = fields.Integer(
        copy=False, track_visibility='onchange',
        help="The account manager's judgement, 1-100 (0: none). Schemes with a manager "
             "weight blend it with the system's ranking.")
    shop_size = fields.Selection(
        SHOP_SIZES, track_visibility='onchange',
        help="Initial tier rules use it for customers without history.")

    @api.constrains('manager_score')
    def _check_manager_score(self):
        if any(not 0 <= partner.manager_score <= 100 for partner in self):
            raise ValidationError(_("The manager score is between 1 and 100, or 0 for none."))

    @api.depends('tier_id')
    def _compute_tier_explanation(self):
        for partner in self:
            member = partner.tier_member_ids.filtered(lambda m: m.tier_id == partner.tier_id)
            partner.tier_explanation = member[:1].explanation

    @api.model
    def create(self, vals):
        self._check_no_metrics(vals)
        if vals.get('compliance_class', 'A') != 'A':
            self._check_compliance_officer()
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_no_metrics(vals)
        self._check_input_types(vals)  # before the class goes into the history
        if 'compliance_class' not in vals:
            return super().write(vals)
        self._check_compliance_officer()
        History = self.env['crm.tier.assignment']
        for partner in self.filtered(lambda p: p.compliance_class != vals['compliance_class']):
            History.create({
                'partner_id': partner.id, 'kind': 'compliance',
                'company_id': (partner.company_id or self.env.user.company_id).id,
                'compliance_class': vals['compliance_class'],
            })
        return super().write(vals)

    @api.model
    def _check_no_metrics(self, vals):
        # Only the recompute (raw SQL) sets them; RPC callers cannot forge a segment.
        forged = set(vals) & (set(METRIC_FIELDS) | {'tier_id'})
        if forged:
            raise UserError(_("Customer value metrics and tiers are computed, not entered: "
                              "%s.") % ', '.join(sorted(forged)))

    @api.model
    def _check_compliance_officer(self):
        if not self.env.user.has_group('crm_tiering.group_tiering_compliance'):
            raise AccessError(_("Only compliance officers set the compliance class."))

    @api.multi
    def _get_tier_policy(self, company):
        """The service policy of the customer's tier in ``company``'s primary scheme."""
        self.ensure_one()
        member = self.env['crm.tier.member'].search([
            ('partner_id', '=', self.commercial_partner_id.id),
            ('company_id', '=', company.id), ('scheme_id.is_primary', '=', True)], limit=1)
        return member.tier_id.policy_id

    @api.model
    def action_compute_value_metrics(self):
        if not self.env.user.has_group('crm_tiering.group_tiering_manager'):
            raise AccessError(_("Only tiering managers can recompute customer value."))
        self._compute_value_metrics(self.env.user.company_id)
        return True

    @api.model
    def _cron_compute_value_metrics(self):
        for company in self.env['res.company'].search([]):
            self._compute_value_metrics(company)
            if not getattr(threading.currentThread(), 'testing', False):
                # One company per transaction: a failure keeps the companies done.
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _compute_value_metrics(self, company):
        """Recompute every customer's value metrics for ``company`` in one
        aggregate query, score them, and write them back in bulk."""
        tz = company.partner_id.tz or 'UTC'
        today = fields.Date.from_string(fields.Date.context_today(self.with_context(tz=tz)))
        rows = self._read_value_metrics(company, today, tz)
        recency = [row[7] for row in rows]
        r_scores = scoring.quintile_scores(recency, reverse=True)
        f_scores = scoring.quintile_scores([row[5] for row in rows])
        m_scores = scoring.quintile_scores([row[1] for row in rows])
        values = []
        for row, r, f, m in zip(rows, r_scores, f_scores, m_scores):
            values.append(row + (r, f, m, scoring.rfm_segment(r, f, m),
                                 scoring.value_score(r, f, m), today))
        self._write_value_metrics(company, values)

    def _read_value_metrics(self, company, today, tz, window_days=None):
        window = datetime.timedelta(days=window_days or company.tier_metrics_window_days)
        self.env.cr.execute("""
            SELECT DISTINCT il.product_id FROM account_invoice_line il
             WHERE il.company_id = %s AND il.product_id IS NOT NULL""", [company.id])
        products = self.env['product.product'].with_context(
            force_company=company.id, active_test=False).browse(
                [r[0] for r in self.env.cr.fetchall()])
        pg.jit_off(self.env.cr)
        self.env.cr.execute(METRICS_QUERY, {
            'company': company.id, 'today': today, 'date_from': today - window,
            'tz': tz,
            'product_ids': products.ids, 'costs': products.mapped('standard_price'),
        })
        return self.env.cr.fetchall()

    def _write_value_metrics(self, company, values):
        bulk.copy_rows(self.env.cr, METRIC_ROWS, METRIC_ROW_COLUMNS, values)
        self.env.cr.execute(UPDATE_QUERY)
        self.env.cr.execute(RESET_QUERY, [company.id])
        self.invalidate_cache(METRIC_FIELDS)
