from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class CrmVisitPlan(models.TransientModel):
    """Plan the visits of some routes now, as the daily planning does for all."""

    _name = 'crm.visit.plan'
    _inherit = ['crm.input.check']
    _description = 'Plan Visits'

    weeks = fields.Integer(
        string='Weeks Ahead', required=True,
        default=lambda self: self.env.user.company_id.visit_plan_weeks,
        help="Visits due from today until this many weeks ahead are created.")
    route_ids = fields.Many2many(
        'crm.visit.route', string='Routes',
        default=lambda self: self._default_routes(),
        help="Leave empty to plan every route you can see.")

    @api.model
    def _default_routes(self):
        if self.env.context.get('active_model') == 'crm.visit.route':
            return self.env.context.get('active_ids')
        return False

    @api.multi
    def action_plan(self):
        self.ensure_one()
        if not 1 <= self.weeks <= 26:
            raise UserError(_("Visits are planned 1 to 26 weeks ahead."))
        # The routes chosen, read from the table: the field would drop those the user
        # cannot read, and an empty choice means every route.
        field = self._fields['route_ids']
        self.env.cr.execute(sql.SQL('SELECT {} FROM {} WHERE {} = %s').format(
            sql.Identifier(field.column2), sql.Identifier(field.relation),
            sql.Identifier(field.column1)), [self.id])
        routes = self.env['crm.visit.route'].browse([row[0] for row in self.env.cr.fetchall()])
        routes = routes or routes.search([])
        routes.check_access_rule('read')
        self.env['crm.visit'].check_access_rights('create')
        # Planning writes in bulk SQL: an account manager plans only own routes.
        if not self.env.user.has_group('crm_service.group_service_manager') \
                and routes.filtered(lambda route: route.user_id != self.env.user):
            raise AccessError(_("Account managers plan the visits of their own routes only."))
        visits = self.env['crm.visit']._plan(routes, self.weeks)
        action = self.env.ref('crm_service.crm_visit_action').read()[0]
        action.update({
            'domain': [('id', 'in', visits.ids)],
            'context': {},
            'name': _("%d Visits Planned") % len(visits),
        })
        return action
