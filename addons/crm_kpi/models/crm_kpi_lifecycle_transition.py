from odoo import api, fields, models
from odoo.addons.crm_lifecycle.models.crm_lifecycle_event import ORIGINS

from .crm_kpi_report import COMPANY_TZ, CUSTOMER_COLUMNS, CUSTOMER_JOINS

# Static SQL: each lifecycle stage with whether it counts as churned (the
# Churned role, or any stage marked churned) and as the Won Back role.
STAGE_FLAGS = """
  SELECT s.id, coalesce(s.code = 'churned', FALSE) OR coalesce(s.is_churned, FALSE) AS churned,
         coalesce(s.code = 'won_back', FALSE) AS won_back
    FROM crm_lifecycle_stage s
"""


# The view: static fragments only, it takes no user input.
VIEW_SQL = """
    CREATE VIEW crm_kpi_lifecycle_transition AS (
    WITH company_tz AS (%(company_tz)s
    ), stage_flags AS (%(stage_flags)s
    ), events AS (
        SELECT e.id, e.company_id, e.partner_id, e.from_stage_id, e.to_stage_id,
               e.origin, e.rule_id, e.duration_days,
               (e.date AT TIME ZONE 'UTC' AT TIME ZONE tz.tz)::date AS date,
               e.from_stage_id IS NOT NULL AND NOT fs.churned AND ts.churned
                   AS churned,
               e.from_stage_id IS NOT NULL AND (
                   (ts.won_back AND NOT fs.won_back) OR (fs.churned AND NOT ts.churned))
                   AS won_back
          FROM crm_lifecycle_event e
          JOIN company_tz tz ON tz.id = e.company_id
          JOIN stage_flags ts ON ts.id = e.to_stage_id
          LEFT JOIN stage_flags fs ON fs.id = e.from_stage_id
    )
    SELECT f.id, f.company_id, f.date, date_trunc('month', f.date)::date AS month,
           f.partner_id, f.from_stage_id, f.to_stage_id, f.origin, f.rule_id,
           f.duration_days, 1 AS transition_count,
           f.churned::int AS churned_count, f.won_back::int AS won_back_count,
           %(customer_columns)s
      FROM events f
      %(customer_joins)s
    )""" % {
    'company_tz': COMPANY_TZ,
    'stage_flags': STAGE_FLAGS,
    'customer_columns': CUSTOMER_COLUMNS,
    'customer_joins': CUSTOMER_JOINS.format(partner='f.partner_id',
                                            company='f.company_id'),
}


class CrmKpiLifecycleTransition(models.Model):
    """Lifecycle moves, one row per event, dated by the company's day: who moved
    from which stage to which, churn and win-back."""

    _name = 'crm.kpi.lifecycle.transition'
    _inherit = 'crm.kpi.report'
    _description = 'Lifecycle Transition KPI'
    _auto = False
    _kpi_view_sql = VIEW_SQL
    _order = 'date desc, id desc'
    _rec_name = 'partner_id'

    date = fields.Date(string='Day', readonly=True,
                       help="The day of the move, in the company's time zone.")
    month = fields.Date(readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    from_stage_id = fields.Many2one('crm.lifecycle.stage', string='From Stage', readonly=True)
    to_stage_id = fields.Many2one('crm.lifecycle.stage', string='To Stage', readonly=True)
    origin = fields.Selection(ORIGINS, readonly=True,
                              help="Initial: the first stage from the order history; Rule: "
                                   "moved by a lifecycle rule; Manual: changed by a user.")
    rule_id = fields.Many2one('crm.lifecycle.rule', string='Rule', readonly=True)
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's current tier in the primary scheme.")
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    transition_count = fields.Integer(string='Moves', readonly=True)
    churned_count = fields.Integer(
        string='Churned', readonly=True,
        help="Moves from a stage that is not churned into a churned stage (initial "
             "assignments are not counted).")
    won_back_count = fields.Integer(
        string='Won Back', readonly=True,
        help="Moves into the Won Back stage, or from a churned stage to an active one.")
    duration_days = fields.Integer(string='Days in Previous Stage', readonly=True,
                                   group_operator='avg')

    @api.model
    def _kpi_sheets(self, period):
        # The lifecycle section's sheets (stages, moves, churn) come together.
        return self.env['crm.kpi.lifecycle.stage']._kpi_sheets(period)
