from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    service_request_ids = fields.One2many(
        'crm.service.request', 'sale_order_id', string='Service Requests',
        groups='crm_service.group_service_user,crm_service.group_service_agent')
    service_request_count = fields.Integer(
        string='Service Requests', compute='_compute_service_request_count',
        groups='crm_service.group_service_user,crm_service.group_service_agent')

    @api.depends('service_request_ids')
    def _compute_service_request_count(self):
        for order in self:
            order.service_request_count = len(order.service_request_ids)

    @api.multi
    def action_view_service_requests(self):
        self.ensure_one()
        action = self.env.ref('crm_service.crm_service_request_action').read()[0]
        action['domain'] = [('sale_order_id', '=', self.id)]
        action['context'] = {'default_sale_order_id': self.id,
                             'default_partner_id': self.partner_id.id}
        return action
