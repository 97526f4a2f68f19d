import json
import logging
import threading

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.addons.crm_tiering.lib import bulk, pg

from ..lib import bgbb, cadence, risk

_logger = logging.getLogger(__name__)

LIFECYCLE_USER = 'crm_lifecycle.group_lifecycle_user'
LIFECYCLE_MANAGER = 'crm_lifecycle.group_lifecycle_manager'
# Orders counted in "orders in the window", and the span the cadence is read from.
WINDOW_DAYS = 365
# Revenue and product trends compare the last TREND_DAYS with the TREND_DAYS before.
TREND_DAYS = 90
# BG/BB sees the last HORIZON_WEEKS weekly windows; missed windows look at fewer.
HORIZON_WEEKS = 52
MISSED_WEEKS = 12
# Initial assignment: no order for this many days means churned.
CHURN_DAYS = 90

# One aggregate over the confirmed sale orders of one company (plus open
# complaints and overdue invoices), one row per customer in scope. Days are
# the company's days (its time zone). A customer shared by companies (no
# company of its own) belongs to the company of its last order, else to the
# main company, so that two companies never overwrite each other's metrics.
METRICS_QUERY = """
WITH orders AS (
    SELECT p.commercial_partner_id AS partner_id, so.id, so.amount_untaxed,
           (so.date_order AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
      FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
     WHERE so.company_id = %(company)s AND so.state IN ('sale', 'done')
), bounds AS (
    SELECT partner_id, min(day) AS first_day, max(day) AS last_day
      FROM orders GROUP BY partner_id
), ordered AS (
    SELECT o.partner_id,
           -- the cadence: order days in the year up to the last order
           (b.last_day - min(o.day) FILTER (WHERE o.day > b.last_day - %(window)s))::float
               / nullif(count(DISTINCT o.day) FILTER (
                            WHERE o.day > b.last_day - %(window)s) - 1, 0) AS avg_gap,
           count(*) FILTER (WHERE o.day > %(today)s - %(window)s) AS order_count,
           sum(o.amount_untaxed) FILTER (WHERE o.day > %(today)s - %(trend)s) AS revenue,
           sum(o.amount_untaxed) FILTER (
               WHERE o.day > %(today)s - 2 * %(trend)s
                 AND o.day <= %(today)s - %(trend)s) AS revenue_before,
           array_agg(DISTINCT (%(today)s - o.day) / 7) FILTER (
               WHERE o.day > %(today)s - 7 * %(horizon)s AND o.day <= %(today)s) AS weeks
      FROM orders o JOIN bounds b ON b.partner_id = o.partner_id
     GROUP BY o.partner_id, b.last_day
), assortment AS (
    SELECT o.partner_id,
           count(DISTINCT sol.product_id) FILTER (
               WHERE o.day > %(today)s - %(trend)s) AS products,
           count(DISTINCT sol.product_id) FILTER (
               WHERE o.day <= %(today)s - %(trend)s) AS products_before
      FROM orders o JOIN sale_order_line sol ON sol.order_id = o.id
     WHERE o.day > %(today)s - 2 * %(trend)s AND sol.product_id IS NOT NULL
     GROUP BY o.partner_id
), complaints AS (
    SELECT r.commercial_partner_id AS partner_id, count(*) AS open_count
      FROM crm_service_request r
     WHERE r.company_id = %(company)s AND r.active AND r.is_closed IS NOT TRUE
       AND r.request_type IN ('complaint', 'quality')
     GROUP BY r.commercial_partner_id
), overdue AS (
    SELECT i.commercial_partner_id AS partner_id, sum(i.residual_company_signed) AS amount
      FROM account_invoice i
     WHERE i.company_id = %(company)s AND i.type = 'out_invoice' AND i.state = 'open'
       AND i.date_due < %(today)s
     GROUP BY i.commercial_partner_id
), last_company AS (
    -- Only for the customers without a company: not a sort of every order.
    SELECT DISTINCT ON (p.commercial_partner_id)
           p.commercial_partner_id AS partner_id, so.company_id
      FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
      JOIN res_partner cp ON cp.id = p.commercial_partner_id
     WHERE so.state IN ('sale', 'done') AND cp.company_id IS NULL
     ORDER BY p.commercial_partner_id, so.date_order DESC, so.id DESC
)
SELECT p.id, p.lifecycle_stage_id, %(today)s - b.last_day, o.avg_gap,
       coalesce(o.order_count, 0), coalesce(o.revenue, 0), o.revenue_before,
       coalesce(a.products, 0), a.products_before, coalesce(c.open_count, 0),
       coalesce(ov.amount, 0), (%(today)s - b.first_day) / 7, o.weeks
  FROM res_partner p
  LEFT JOIN last_company lc ON lc.partner_id = p.id
  LEFT JOIN bounds b ON b.partner_id = p.id
  LEFT JOIN ordered o ON o.partner_id = p.id
  LEFT JOIN assortment a ON a.partner_id = p.id
  LEFT JOIN complaints c ON c.partner_id = p.id
  LEFT JOIN overdue ov ON ov.partner_id = p.id
 WHERE p.active AND p.customer AND p.id = p.commercial_partner_id
   AND coalesce(p.company_id, lc.company_id, %(main_company)s) = %(company)s
 ORDER BY p.id
"""

METRIC_FIELDS = [
    'lifecycle_last_order_days', 'lifecycle_avg_gap_days', 'lifecycle_gap_ratio',
    'lifecycle_order_count', 'lifecycle_revenue_trend', 'lifecycle_product_trend',
    'lifecycle_missed_windows', 'lifecycle_open_complaints', 'lifecycle_overdue_amount',
    'lifecycle_p_alive', 'churn_risk', 'churn_risk_factors', 'lifecycle_metrics_date',
]
# Rows of (partner id, *METRIC_FIELDS), copied into a temporary table (bulk.copy_rows).
METRIC_ROWS = 'crm_lifecycle_metric_rows'
# The last column: the first stage of a customer without one (else NULL).
METRIC_ROW_COLUMNS = """
    id int, last_order_days int, avg_gap float, gap_ratio float, order_count int,
    revenue_trend float, product_trend float, missed int, complaints int, overdue numeric,
    p_alive float, risk int, factors text, day date, first_stage int"""
# The first stages in the same statement: a second rewrite of every customer
# row in the transaction would run each of its foreign key checks again.
UPDATE_QUERY = """
UPDATE res_partner p
   SET lifecycle_last_order_days = v.last_order_days, lifecycle_avg_gap_days = v.avg_gap,
       lifecycle_gap_ratio = v.gap_ratio, lifecycle_order_count = v.order_count,
       lifecycle_revenue_trend = v.revenue_trend, lifecycle_product_trend = v.product_trend,
       lifecycle_missed_windows = v.missed, lifecycle_open_complaints = v.complaints,
       lifecycle_overdue_amount = v.overdue, lifecycle_p_alive = v.p_alive,
       churn_risk = v.risk, churn_risk_factors = v.factors, lifecycle_metrics_date = v.day,
       lifecycle_stage_id = coalesce(p.lifecycle_stage_id, v.first_stage),
       lifecycle_stage_date = CASE WHEN p.lifecycle_stage_id IS NULL AND v.first_stage IS NOT NULL
                                   THEN v.day ELSE p.lifecycle_stage_date END
  FROM crm_lifecycle_metric_rows v
 WHERE p.id = v.id
RETURNING p.id, v.first_stage
"""
# Customers of the company who left the scope (archived, no longer customers)
# lose their metrics rather than keep stale ones.
RESET_QUERY = """
UPDATE res_partner p
   SET {}
 WHERE p.lifecycle_metrics_date IS NOT NULL AND p.company_id = %s
   AND NOT EXISTS (SELECT 1 FROM crm_lifecycle_metric_rows v WHERE v.id = p.id)
""".format(', '.join('%s = NULL' % name for name in METRIC_FIELDS))
# Stage moves in bulk, rows (partner id, stage seen, new stage) in a temporary
# table: only customers still in the stage seen move (a change in between wins).
MOVE_ROWS = 'crm_lifecycle_move_rows'
MOVE_ROW_COLUMNS = 'id int, from_stage int, to_stage int'
MOVE_QUERY = """
UPDATE res_partner p SET lifecycle_stage_id = v.to_stage, lifecycle_stage_date = %s
  FROM crm_lifecycle_move_rows v
 WHERE p.id = v.id AND p.lifecycle_stage_id IS NOT DISTINCT FROM v.from_stage
RETURNING p.id
"""


class ResPartner(models.Model):
    _inherit = 'res.partner'

    lifecycle_stage_id = fields.Many2one(
        'crm.lifecycle.stage', string='Lifecycle Stage', index=True, copy=False,
        ondelete='restrict', track_visibility='onchange',
        group_expand='_read_group_lifecycle_stage_ids',
        help="Changed by the lifecycle engine, or by hand with a reason (Change Stage).")
    lifecycle_stage_date = fields.Date(
        string='In Stage Since', readonly=True, copy=False)
    lifecycle_last_order_days = fields.Integer(
        string='Days Since Last Order', readonly=True, copy=False, group_operator='avg',
        groups=LIFECYCLE_USER)
    lifecycle_avg_gap_days = fields.Float(
        string='Average Days Between Orders', digits=(16, 1), readonly=True, copy=False,
        group_operator='avg', groups=LIFECYCLE_USER,
        help="Between the order days of the year up to the last order.")
    lifecycle_gap_ratio = fields.Float(
        string='Gap Ratio', digits=(16, 2), readonly=True, copy=False, group_operator='avg',
        groups=LIFECYCLE_USER,
        help="Days since the last order divided by the average gap: above 1, the customer "
             "is later than usual.")
    lifecycle_order_count = fields.Integer(
        string='Orders in the Last Year', readonly=True, copy=False, groups=LIFECYCLE_USER)
    lifecycle_revenue_trend = fields.Float(
        string='Revenue Trend (%)', digits=(16, 1), readonly=True, copy=False,
        group_operator='avg', groups=LIFECYCLE_USER,
        help="Ordered amount (untaxed) of the last 90 days against the 90 days before.")
    lifecycle_product_trend = fields.Float(
        string='Product Range Trend (%)', digits=(16, 1), readonly=True, copy=False,
        group_operator='avg', groups=LIFECYCLE_USER,
        help="Distinct products ordered in the last 90 days against the 90 days before.")
    lifecycle_missed_windows = fields.Integer(
        string='Missed Ordering Windows', readonly=True, copy=False, groups=LIFECYCLE_USER,
        help="Windows of the customer's own cadence (rounded to weeks) in the last 12 weeks "
             "without an order, counted from its first order.")
    lifecycle_open_complaints = fields.Integer(
        string='Open Complaints', readonly=True, copy=False, groups=LIFECYCLE_USER)
    lifecycle_overdue_amount = fields.Float(
        string='Overdue Receivables', digits=(16, 2), readonly=True, copy=False,
        groups=LIFECYCLE_USER, help="Open customer invoices past their due date.")
    lifecycle_p_alive = fields.Float(
        string='P(alive)', digits=(16, 3), readonly=True, copy=False, group_operator='avg',
        groups=LIFECYCLE_USER,
        help="Probability that the customer still orders, from the BG/BB model fitted on the "
             "weekly ordering windows of the company's customers.")
    churn_risk = fields.Integer(
        readonly=True, copy=False, index=True, group_operator='avg', groups=LIFECYCLE_USER,
        help="0-100: P(alive), gap ratio, trends, missed windows, complaints and overdue "
             "receivables, weighted.")
    churn_risk_factors = fields.Text(
        string='Main Risk Factors', readonly=True, copy=False, groups=LIFECYCLE_USER)
    lifecycle_metrics_date = fields.Date(
        string='Lifecycle Metrics Computed On', readonly=True, copy=False,
        groups=LIFECYCLE_USER)
    lifecycle_event_ids = fields.One2many(
        'crm.lifecycle.event', 'partner_id', string='Lifecycle History', readonly=True,
        groups=LIFECYCLE_USER)

    @api.model
    def _read_group_lifecycle_stage_ids(self, stages, domain, order):
        # Every stage is a kanban column, empty or not.
        return stages.search([], order=order)

    # -- manual changes --------------------------------------------------------

    @api.model
    def create(self, vals):
        self._check_no_lifecycle_metrics(vals)
        stage_id = vals.pop('lifecycle_stage_id', False)
        partner = super().create(vals)
        if stage_id:
            partner.with_context(
                lifecycle_reason=self.env.context.get('lifecycle_reason')
                or _("Set when the customer was created")).write({'lifecycle_stage_id': stage_id})
        return partner

    @api.multi
    def write(self, vals):
        self._check_no_lifecycle_metrics(vals)
        self._check_input_types(vals)  # before the stage goes into the history
        if 'lifecycle_stage_id' in vals:
            self._log_manual_lifecycle_change(vals.get('lifecycle_stage_id'))
            vals = dict(vals, lifecycle_stage_date=fields.Date.context_today(self))
        return super().write(vals)

    @api.model
    def _check_no_lifecycle_metrics(self, vals):
        # Only the recompute (raw SQL) sets them.
        forged = set(vals) & (set(METRIC_FIELDS) | {'lifecycle_stage_date'})
        if forged:
            raise UserError(_("Lifecycle metrics are computed, not entered: %s.")
                            % ', '.join(sorted(forged)))

    def _log_manual_lifecycle_change(self, stage_id):
        """An event per customer that really moves, with the user and the reason
        (context key ``lifecycle_reason``)."""
        if not self.env.user.has_group(LIFECYCLE_USER):
            raise AccessError(_("Only lifecycle users change a customer's lifecycle stage."))
        reason = (self.env.context.get('lifecycle_reason') or '').strip()
        if not reason:
            raise UserError(_("A manual lifecycle stage change needs a reason: use Change "
                              "Stage on the customer."))
        if not stage_id:
            raise UserError(_("A customer cannot leave the lifecycle: choose another stage."))
        today = fields.Date.from_string(fields.Date.context_today(self))
        Event = self.env['crm.lifecycle.event']
        for partner in self.filtered(lambda p: p.lifecycle_stage_id.id != stage_id):
            Event.create({
                'partner_id': partner.id,
                'company_id': (partner.company_id or self.env.user.company_id).id,
                'from_stage_id': partner.lifecycle_stage_id.id, 'to_stage_id': stage_id,
                'origin': 'manual', 'reason': reason,
                'metrics_snapshot': json.dumps(partner._lifecycle_snapshot(), sort_keys=True,
                                               default=str),
                'duration_days': partner._days_in_stage(today),
            })

    def _days_in_stage(self, today):
        if not self.lifecycle_stage_date:
            return 0
        return (today - fields.Date.from_string(self.lifecycle_stage_date)).days

    def _lifecycle_snapshot(self):
        partner = self.sudo()   # only read, for the event of a permitted change
        return {name: partner[name] for name in METRIC_FIELDS if name != 'churn_risk_factors'}

    @api.multi
    def action_change_lifecycle_stage(self):
        self.ensure_one()
        action = self.env.ref('crm_lifecycle.action_lifecycle_stage_change').read()[0]
        action['context'] = {'default_partner_id': self.id}
        return action

    # -- visit planning --------------------------------------------------------

    @api.model
    def _visit_planning_excluded(self, partner_ids, company):
        """Also leave out customers whose company is in a churned stage."""
        excluded = super()._visit_planning_excluded(partner_ids, company)
        self.env.cr.execute("""
            SELECT p.id FROM res_partner p
              JOIN res_partner c ON c.id = p.commercial_partner_id
              JOIN crm_lifecycle_stage s ON s.id = c.lifecycle_stage_id
             WHERE p.id = ANY(%s) AND s.is_churned""", [list(partner_ids)])
        return set(excluded) | {row[0] for row in self.env.cr.fetchall()}

    # -- the recompute ---------------------------------------------------------

    @api.model
    def action_compute_lifecycle(self):
        if not self.env.user.has_group(LIFECYCLE_MANAGER):
            raise AccessError(_("Only lifecycle managers recompute lifecycle metrics."))
        self._compute_lifecycle(self.env.user.company_id)
        return True

    @api.model
    def _cron_compute_lifecycle(self):
        """Every company in its own transaction: a failure keeps the companies done,
        and a re-run recomputes from scratch (the metrics are idempotent)."""
        testing = getattr(threading.currentThread(), 'testing', False)
        for company in self.env['res.company'].search([]):
            try:
                with self.env.cr.savepoint():
                    self._compute_lifecycle(company)
            except (UserError, ValueError) as error:
                _logger.warning("Lifecycle metrics of company %s not recomputed: %s",
                                company.name, error)
                continue
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _lifecycle_today(self, company):
        tz = company.partner_id.tz or 'UTC'
        return fields.Date.from_string(fields.Date.context_today(self.with_context(tz=tz)))

    @api.model
    def _compute_lifecycle(self, company, today=None):
        """Recompute the behaviour metrics and churn risk of every customer of
        ``company`` (one aggregate, one BG/BB fit, one bulk write), then give the
        customers without a stage their initial stage. Returns the ids of the
        customers in scope."""
        today = today or self._lifecycle_today(company)
        rows = self._read_lifecycle_metrics(company, today)
        values = self._lifecycle_values(company, rows, today)
        first = self._first_stages(rows, values)
        bulk.copy_rows(self.env.cr, METRIC_ROWS, METRIC_ROW_COLUMNS,
                       [value + (first.get(value[0]),) for value in values])
        self.env.cr.execute(UPDATE_QUERY)
        staged = [(pid, stage_id) for pid, stage_id in self.env.cr.fetchall() if stage_id]
        self.env.cr.execute(RESET_QUERY, [company.id])
        self.invalidate_cache(METRIC_FIELDS + ['lifecycle_stage_id', 'lifecycle_stage_date'])
        self._log_first_stages(company, values, staged)
        return [value[0] for value in values]

    def _read_lifecycle_metrics(self, company, today):
        # The planner guesses a hundred customers whatever their number and then
        # rescans the per-customer aggregates once per customer: 42 s instead of
        # 3 s at 20,000 customers.
        pg.jit_off(self.env.cr)
        with pg.hash_joins(self.env.cr):
            self.env.cr.execute(METRICS_QUERY, {
                'company': company.id, 'today': today, 'tz': company.partner_id.tz or 'UTC',
                'window': WINDOW_DAYS, 'trend': TREND_DAYS, 'horizon': HORIZON_WEEKS,
                'main_company': self.env.ref('base.main_company').id,
            })
            return self.env.cr.fetchall()

    def _lifecycle_values(self, company, rows, today):
        """Rows for UPDATE_QUERY: the SQL metrics, plus P(alive) from one BG/BB fit
        over the company's customers and the churn risk with its factors."""
        summaries, counts = {}, {}
        for row in rows:
            if row[2] is not None:
                summary = bgbb.summarise(row[12] or [], row[11], HORIZON_WEEKS)
                summaries[row[0]] = summary
                counts[summary] = counts.get(summary, 0) + 1
        params = bgbb.fit(counts)
        alive = bgbb.p_alive_many(params, counts)
        # Kept on the company so that the fit can be read and explained.
        self.env.cr.execute(
            "UPDATE res_company SET lifecycle_model_params = %s WHERE id = %s",
            [json.dumps({'alpha': round(params[0], 4), 'beta': round(params[1], 4),
                         'gamma': round(params[2], 4), 'delta': round(params[3], 4),
                         'customers': len(summaries),
                         'fitted_on': fields.Date.to_string(today)}, sort_keys=True),
             company.id])
        company.invalidate_cache(['lifecycle_model_params'], company.ids)
        _logger.info("Lifecycle: BG/BB for company %d on %d customers: alpha=%.3f beta=%.3f "
                     "gamma=%.3f delta=%.3f", company.id, len(summaries), *params)
        templates = self.with_context(
            lang=company.partner_id.lang or self.env.lang)._risk_factor_templates()
        values = []
        for (pid, _stage, days, avg_gap, orders, revenue, revenue_before, products,
             products_before, complaints, overdue, birth, weeks) in rows:
            metrics = {'open_complaints': complaints}
            gap_ratio = revenue_trend = product_trend = p_alive = None
            missed = 0
            if days is not None:
                # Orders dated in the future count as today's.
                days, birth = max(0, days), max(0, birth)
                gap_ratio = days / avg_gap if avg_gap else None
                revenue_trend = cadence.trend_percent(revenue, revenue_before)
                product_trend = cadence.trend_percent(products, products_before)
                missed = cadence.missed_windows(weeks or [], birth,
                                                cadence.cadence_weeks(avg_gap), MISSED_WEEKS)
                p_alive = alive[summaries[pid]]
                monthly = float(revenue) / 3.0
                metrics.update(
                    p_alive=p_alive, gap_ratio=gap_ratio, revenue_trend=revenue_trend,
                    product_trend=product_trend, missed_windows=missed,
                    overdue_months=(float(overdue) / monthly if monthly > 0
                                    else (float('inf') if overdue > 0 else 0.0)))
            churn_risk, factors = risk.churn_risk(**metrics)
            text = self._risk_factors_text(templates, factors, metrics, overdue)
            values.append((pid, days, avg_gap, gap_ratio, orders, revenue_trend, product_trend,
                           missed, complaints, overdue, p_alive, churn_risk, text or None,
                           today))
        return values

    def _risk_factor_templates(self):
        """The lines of the risk factors, translated into the language of ``self``'s
        context once per run, not once per customer."""
        return {
            'p_alive': _("Low chance of still ordering (P(alive) %d%%)"),
            'gap_ratio': _("Late: %.1f times the usual gap since the last order"),
            'revenue_trend': _("Revenue %+d%% against the previous 90 days"),
            'product_trend': _("Product range %+d%% against the previous 90 days"),
            'missed_windows': _("%d ordering windows missed"),
            'open_complaints': _("%d open complaints"),
            'overdue': _("Overdue receivables: %.2f"),
            'line': _("%(factor)s (+%(points)d)"),
        }

    @staticmethod
    def _risk_factors_text(templates, factors, metrics, overdue):
        """One readable line per factor (keys of lib/risk.py's weights)."""
        shown = dict(metrics, overdue=overdue,
                     p_alive=round(100 * (metrics.get('p_alive') or 0)),
                     revenue_trend=round(metrics.get('revenue_trend') or 0),
                     product_trend=round(metrics.get('product_trend') or 0))
        return '\n'.join(
            templates['line'] % {'factor': templates[key] % shown[key], 'points': round(points)}
            for key, points in factors)

    def _first_stages(self, rows, values):
        """{customer id: stage id} for the customers without a stage: never
        ordered: Exploration; no order for CHURN_DAYS days: Churned; otherwise
        Development. (The rule engine takes over from there.)"""
        Stage = self.env['crm.lifecycle.stage']
        stages = {code: Stage._by_code(code).id
                  for code in ('exploration', 'development', 'churned')}
        first = {}
        for row, value in zip(rows, values):
            if row[1]:
                continue
            days = value[1]
            code = ('exploration' if days is None else
                    'churned' if days >= CHURN_DAYS else 'development')
            if stages[code]:
                first[row[0]] = stages[code]
        return first

    def _log_first_stages(self, company, values, staged):
        """An 'initial' event for each customer given its first stage."""
        if not staged:
            return
        metrics = {value[0]: value for value in values}
        reason = self.with_context(lang=company.partner_id.lang or self.env.lang)\
            ._initial_reason()
        events = []
        for pid, stage_id in staged:
            snapshot = dict(zip(METRIC_FIELDS, metrics[pid][1:]))
            snapshot.pop('churn_risk_factors')
            events.append((pid, None, stage_id, None, reason,
                           json.dumps(snapshot, sort_keys=True, default=str), 0))
        self.env['crm.lifecycle.event']._insert_bulk(company, 'initial', events)

    def _move_stages(self, moves, day):
        """Move customers in bulk: ``moves`` are (partner id, stage seen, new stage).
        Returns the ids moved."""
        if not moves:
            return set()
        bulk.copy_rows(self.env.cr, MOVE_ROWS, MOVE_ROW_COLUMNS, moves)
        self.env.cr.execute(MOVE_QUERY, [day])
        moved = {row[0] for row in self.env.cr.fetchall()}
        self.invalidate_cache(['lifecycle_stage_id', 'lifecycle_stage_date',
                               'lifecycle_event_ids'], list(moved))
        return moved

    def _initial_reason(self):
        return _("Initial stage from the order history")

    # -- early warning ---------------------------------------------------------

    @api.model
    def _at_risk_domain(self, company):
        """Customers of ``company`` in a Decline stage or with a churn risk at least
        the company's threshold."""
        return [('customer', '=', True), ('parent_id', '=', False),
                '|', ('company_id', '=', False), ('company_id', '=', company.id),
                '|', ('lifecycle_stage_id.code', '=', 'decline'),
                ('churn_risk', '>=', company.lifecycle_risk_threshold)]

    @api.model
    def action_at_risk(self):
        action = self.env.ref('crm_lifecycle.action_at_risk_customers').read()[0]
        action['domain'] = self._at_risk_domain(self.env.user.company_id)
        return action

    @api.model
    def _cron_lifecycle_digest(self):
        """Mail each salesperson their at-risk customers, for the companies that
        switched the digest on. Mails are queued; one per salesperson and day."""
        template = self.env.ref('crm_lifecycle.mail_template_at_risk_digest')
        for company in self.env['res.company'].search([('lifecycle_digest', '=', True)]):
            customers = self.search(self._at_risk_domain(company) + [('user_id', '!=', False)],
                                    order='churn_risk desc, id')
            for user in customers.mapped('user_id'):
                lang = user.lang or company.partner_id.lang or self.env.lang
                rows = [{
                    'name': partner.display_name,
                    'stage': partner.with_context(lang=lang).lifecycle_stage_id.name or '',
                    'risk': partner.churn_risk,
                    'days': partner.lifecycle_last_order_days,
                    'factors': (partner.churn_risk_factors or '').replace('\n', '; '),
                } for partner in customers if partner.user_id == user]
                template.with_context(lang=lang, lifecycle_customers=rows).send_mail(user.id)
