from odoo import _, api, fields, models

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_lifecycle_transition import STAGE_FLAGS
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_COLUMNS, CUSTOMER_JOINS


# The view: static fragments only, it takes no user input.
VIEW_SQL = """
    CREATE VIEW crm_kpi_lifecycle_stage AS (
    WITH company_tz AS (%(company_tz)s
    ), stage_flags AS (%(stage_flags)s
    ), events AS (
        SELECT e.id, e.company_id, e.partner_id, e.from_stage_id, e.to_stage_id,
               e.date,
               date_trunc('month', e.date AT TIME ZONE 'UTC' AT TIME ZONE tz.tz)::date
                   AS month,
               date_trunc('month', now() AT TIME ZONE tz.tz)::date AS current_month
          FROM crm_lifecycle_event e
          JOIN company_tz tz ON tz.id = e.company_id
    ), monthly AS (
        -- a customer's last stage of each month with a move, and whether it
        -- moved into a churned stage that month
        SELECT e.company_id, e.partner_id, e.month, min(e.current_month) AS current_month,
               (array_agg(e.to_stage_id ORDER BY e.date DESC, e.id DESC))[1] AS stage_id,
               bool_or(e.from_stage_id IS NOT NULL AND NOT fs.churned AND ts.churned)
                   AS churned
          FROM events e
          JOIN stage_flags ts ON ts.id = e.to_stage_id
          LEFT JOIN stage_flags fs ON fs.id = e.from_stage_id
         WHERE e.month <= e.current_month
         GROUP BY e.company_id, e.partner_id, e.month
    ), spans AS (
        -- in force until the month before the next move, else to this month
        SELECT m.*, coalesce((lead(m.month) OVER (
                   PARTITION BY m.company_id, m.partner_id ORDER BY m.month)
                   - interval '1 month')::date, m.current_month) AS until
          FROM monthly m
    ), months AS (
        SELECT s.company_id, s.partner_id, g.month::date AS date, s.stage_id,
               g.month::date = s.current_month AS is_current,
               g.month::date = s.month AND s.churned AS churned_in_month
          FROM spans s
         CROSS JOIN LATERAL generate_series(s.month::timestamp, s.until::timestamp,
                                            interval '1 month') g(month)
    ), facts AS (
        SELECT m.*, lag(m.stage_id) OVER (
                   PARTITION BY m.company_id, m.partner_id ORDER BY m.date)
                   AS start_stage_id
          FROM months m
    )
    SELECT row_number() OVER (ORDER BY f.company_id, f.date, f.partner_id) AS id,
           f.company_id, f.date, f.partner_id, f.stage_id, f.is_current,
           st.churned AS is_churned, 1 AS customer_count,
           (f.start_stage_id IS NOT NULL AND NOT ss.churned)::int
               AS active_start_count,
           (f.start_stage_id IS NOT NULL AND NOT ss.churned
            AND f.churned_in_month)::int AS churned_count,
           f.is_current AND NOT st.churned AND kpi_customer.active
               AND kpi_customer.churn_risk >= kpi_company.lifecycle_risk_threshold
               AS at_risk,
           %(customer_columns)s
      FROM facts f
      JOIN stage_flags st ON st.id = f.stage_id
      LEFT JOIN stage_flags ss ON ss.id = f.start_stage_id
      JOIN res_company kpi_company ON kpi_company.id = f.company_id
      %(customer_joins)s
    )""" % {
    'company_tz': COMPANY_TZ,
    'stage_flags': STAGE_FLAGS,
    'customer_columns': CUSTOMER_COLUMNS,
    'customer_joins': CUSTOMER_JOINS.format(partner='f.partner_id',
                                            company='f.company_id'),
}


class CrmKpiLifecycleStage(models.Model):
    """Customers per lifecycle stage and month: for each customer of a company
    and each month from its first lifecycle event to the current month, the
    stage in force at the month's end (its last event on or before it)."""

    _name = 'crm.kpi.lifecycle.stage'
    _inherit = 'crm.kpi.report'
    _description = 'Lifecycle Stage KPI'
    _auto = False
    _kpi_monthly = True
    _kpi_view_sql = VIEW_SQL
    _order = 'date desc, partner_id'
    _rec_name = 'partner_id'

    date = fields.Date(string='Month', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    stage_id = fields.Many2one('crm.lifecycle.stage', string='Stage', readonly=True,
                               help="The customer's stage at the end of the month.")
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's current tier in the primary scheme.")
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    is_churned = fields.Boolean(string='Churned at Month End', readonly=True)
    is_current = fields.Boolean(string='Current Month', readonly=True)
    customer_count = fields.Integer(string='Customers', readonly=True)
    active_start_count = fields.Integer(
        string='Active at Month Start', readonly=True,
        help="The customer was in a stage that is not churned at the end of the previous "
             "month: the base of the churn rate.")
    churned_count = fields.Integer(
        string='Churned in Month', readonly=True,
        help="Active at the month's start and moved into a churned stage during the month "
             "(even if won back before its end).")
    at_risk = fields.Boolean(
        readonly=True,
        help="Current month only: an active customer not churned, with a churn risk at "
             "least the company's at-risk threshold.")

    # -- workbook ------------------------------------------------------------

    @api.model
    def _kpi_sheets(self, period):
        Transition = self.env['crm.kpi.lifecycle.transition']
        domain = self._kpi_domain(period)
        moves_domain = Transition._kpi_domain(period)
        # One pass over the view (it replays the whole history): split in Python.
        counts = self._kpi_rows(domain, ['date', 'stage_id'], [
            'sum(customer_count)', 'sum(active_start_count)', 'sum(churned_count)'])
        stage_rows = [row[:3] for row in counts]
        churn = {}
        for month, _stage, customers, active, churned in counts:
            totals = churn.setdefault(month, [0, 0, 0])
            totals[0] += customers
            totals[1] += active
            totals[2] += churned
        churn_rows = [(month,) + tuple(totals) for month, totals in sorted(churn.items())]
        move_rows = Transition._kpi_rows(moves_domain, ['month'], [
            'sum(transition_count)', 'sum(churned_count)', 'sum(won_back_count)'])
        stages = self.env['crm.lifecycle.stage'].search([])
        used = {row[1] for row in stage_rows}
        shown = stages.filtered(lambda stage: stage.id in used)
        names = self._kpi_names('crm.lifecycle.stage', shown.ids)

        # Customers per stage at the period's last month.
        last_month = max((row[0] for row in stage_rows), default=None)
        now = {stage: count for month, stage, count in stage_rows if month == last_month}
        # Today's at-risk customers, whatever the period.
        at_risk = self._kpi_rows([('company_id', '=', period.company.id),
                                  ('is_current', '=', True), ('at_risk', '=', True)],
                                 [], ['count(*)'])[0][0]
        active = sum(row[2] for row in churn_rows)
        churned_customers = sum(row[3] for row in churn_rows)
        moves, churned, won_back = [sum(row[i] for row in move_rows) for i in (1, 2, 3)]

        section = _('Lifecycle')
        figures = [Figure(section, _('Customers in %s at the end of the period') % names[stage],
                          now.get(stage, 0), 'int')
                   for stage in shown.ids]
        figures += [
            Figure(section, _('Stage moves'), moves, 'int'),
            Figure(section, _('Churned'), churned, 'int'),
            Figure(section, _('Won back'), won_back, 'int'),
            Figure(section, _('Churn rate (per month)'), share(churned_customers, active),
                   'percent'),
            Figure(section, _('At-risk customers now'), at_risk, 'int'),
        ]
        sheets = [self._kpi_stage_sheet(stage_rows, shown.ids, names),
                  self._kpi_move_sheet(moves_domain),
                  self._kpi_churn_sheet(churn_rows, move_rows)]
        return figures, sheets

    def _kpi_stage_sheet(self, stage_rows, stage_ids, names):
        counts = {}
        for month, stage, count in stage_rows:
            counts.setdefault(month, {})[stage] = count
        rows = [(month,) + tuple(counts[month].get(stage, 0) for stage in stage_ids)
                + (sum(counts[month].values()),)
                for month in sorted(counts)]
        columns = ([column(_('Month'), 'date')]
                   + [column(names[stage], 'int') for stage in stage_ids]
                   + [column(_('Customers'), 'int')])
        charts = [Chart('column:stacked', _('Customers per stage by month'), 0,
                        list(range(1, len(stage_ids) + 1)))] if stage_ids else []
        return Sheet(_('Customers per Stage by Month'), columns, rows, charts)

    def _kpi_move_sheet(self, domain):
        Transition = self.env['crm.kpi.lifecycle.transition']
        data = Transition._kpi_rows(
            domain, ['from_stage_id', 'to_stage_id'],
            ['sum(transition_count)', 'avg(duration_days)'],
            order='sum(transition_count) DESC, 1, 2')
        names = self._kpi_names('crm.lifecycle.stage',
                                [row[0] for row in data] + [row[1] for row in data])
        names[None] = _('(New customer)')
        total = sum(row[2] for row in data)
        rows = [(names[source], names[target], count, share(count, total),
                 float(days or 0.0))
                for source, target, count, days in data]
        columns = [column(_('From Stage')), column(_('To Stage')), column(_('Moves'), 'int'),
                   column(_('Share of Moves'), 'percent'),
                   column(_('Average Days in Previous Stage'), 'number')]
        return Sheet(_('Lifecycle Moves'), columns, rows, [])

    def _kpi_churn_sheet(self, churn_rows, move_rows):
        moves = {row[0]: row[1:] for row in move_rows}
        stocks = {row[0]: row[1:] for row in churn_rows}
        rows = []
        for month in sorted(set(moves) | set(stocks)):
            customers, active, churned = stocks.get(month, (0, 0, 0))
            _count, churn_moves, won_back = moves.get(month, (0, 0, 0))
            rows.append((month, customers, active, churned, share(churned, active),
                         churn_moves, won_back))
        columns = [column(_('Month'), 'date'), column(_('Customers at Month End'), 'int'),
                   column(_('Active at Month Start'), 'int'),
                   column(_('Churned Customers'), 'int'), column(_('Churn Rate'), 'percent'),
                   column(_('Moves into Churned'), 'int'), column(_('Won Back'), 'int')]
        charts = [Chart('column', _('Churned and won back by month'), 0, [3, 6]),
                  Chart('line', _('Churn rate by month'), 0, [4])]
        return Sheet(_('Churn by Month'), columns, rows, charts)
