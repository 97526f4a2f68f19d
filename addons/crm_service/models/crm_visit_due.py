from odoo import fields, models, tools

from .crm_visit import DEFAULT_INTERVAL_DAYS


class CrmVisitDue(models.Model):
    """Route customers whose last visit is older than their visit interval."""

    _name = 'crm.visit.due'
    _description = 'Customers Due for a Visit'
    _auto = False
    _order = 'overdue_days desc, partner_id'

    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    tier_id = fields.Many2one('crm.tier', readonly=True)
    interval_days = fields.Integer(string='Visit Every (days)', readonly=True)
    last_visit_date = fields.Date(string='Last Visit', readonly=True)
    due_date = fields.Date(string='Due Since', readonly=True)
    overdue_days = fields.Integer(string='Days Overdue', readonly=True)
    next_visit_date = fields.Date(string='Next Planned Visit', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Today in each company's time zone; customers never visited are due since
        # the stop was added to the route.
        self.env.cr.execute("""
            CREATE VIEW crm_visit_due AS (
            WITH stop AS (
                SELECT s.id, s.partner_id, r.id AS route_id, r.user_id, r.company_id,
                       s.create_date::date AS added,
                       (now() AT TIME ZONE coalesce(cp.tz, 'UTC'))::date AS today
                  FROM crm_visit_route_stop s
                  JOIN crm_visit_route r ON r.id = s.route_id AND r.active
                  JOIN res_company c ON c.id = r.company_id
                  JOIN res_partner cp ON cp.id = c.partner_id
            ), due AS (
                SELECT stop.*, member.tier_id,
                       coalesce(policy.visit_interval_days, %s) AS interval_days,
                       (SELECT max(v.date) FROM crm_visit v
                         WHERE v.partner_id = stop.partner_id
                           AND v.company_id = stop.company_id AND v.state = 'done')
                           AS last_visit_date,
                       (SELECT min(v.date) FROM crm_visit v
                         WHERE v.partner_id = stop.partner_id
                           AND v.company_id = stop.company_id
                           AND v.state IN ('planned', 'in_progress') AND v.date >= stop.today)
                           AS next_visit_date
                  FROM stop
                  LEFT JOIN crm_tier_scheme scheme
                         ON scheme.company_id = stop.company_id AND scheme.is_primary
                        AND scheme.active
                  LEFT JOIN crm_tier_member member
                         ON member.scheme_id = scheme.id AND member.partner_id = stop.partner_id
                  LEFT JOIN crm_tier tier ON tier.id = member.tier_id
                  LEFT JOIN crm_tier_policy policy ON policy.id = tier.policy_id
            )
            SELECT id, partner_id, route_id, user_id, company_id, tier_id, interval_days,
                   last_visit_date, next_visit_date,
                   coalesce(last_visit_date, added) + interval_days AS due_date,
                   today - (coalesce(last_visit_date, added) + interval_days) AS overdue_days
              FROM due
             WHERE coalesce(last_visit_date, added) + interval_days <= today
            )""", [DEFAULT_INTERVAL_DAYS])
