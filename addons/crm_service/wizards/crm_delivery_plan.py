from odoo import _, api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = 'crm_service.group_service_manager'


class CrmDeliveryPlan(models.TransientModel):
    """Plan the route delivery batches of one day by hand (the cron plans tomorrow)."""

    _name = 'crm.delivery.plan'
    _inherit = ['crm.input.check']
    _description = 'Plan Route Deliveries'

    delivery_date = fields.Date(required=True, default=lambda self: self._default_date())
    route_ids = fields.Many2many('crm.visit.route', string='Routes',
                                 help="Leave empty to plan every route.")

    @api.model
    def _default_date(self):
        return fields.Date.to_string(self.env['stock.picking.batch']._company_tomorrow(
            self.env.user.company_id))

    @api.multi
    def action_plan(self):
        batches = self._action_plan()
        action = self.env.ref('crm_service.stock_picking_batch_delivery_action').read()[0]
        action['domain'] = [('id', 'in', batches.ids)]
        action['context'] = {}
        return action

    def _action_plan(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only delivery managers can plan route deliveries."))
        routes = self.route_ids or self.env['crm.visit.route'].search([])
        return self.env['stock.picking.batch']._plan_route_deliveries(
            self.delivery_date, routes)
