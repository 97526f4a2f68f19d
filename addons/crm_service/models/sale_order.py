from odoo import api, fields, models
from odoo.tools import float_round


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    visit_id = fields.Many2one('crm.visit', string='Visit', index=True, readonly=True,
                               copy=False, help="The visit on which the order was taken.")
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

    @api.multi
    def _capped_to_quotas(self, proposal):
        """``proposal`` [(product, quantity in its unit)] cut down, in order, to what
        the tier quotas still allow this order (whole units, rounded down)."""
        self.ensure_one()
        remaining = self._tier_quota_remaining()
        capped = []
        for product, qty in proposal:
            quotas = [quota for quota in remaining if quota._limits(product)]
            for quota in quotas:
                allowed = quota.uom_id._compute_quantity(
                    remaining[quota], product.uom_id, round=False)
                qty = min(qty, float_round(allowed, precision_digits=0,
                                           rounding_method='DOWN'))
            for quota in quotas:
                remaining[quota] -= product.uom_id._compute_quantity(
                    qty, quota.uom_id, round=False)
            capped.append((product, qty))
        return capped

    @api.multi
    def _visit_line_values(self, product, qty):
        """Values of an order line as the order form's onchanges would fill them."""
        self.ensure_one()
        line = self.env['sale.order.line'].new({'order_id': self.id, 'product_id': product.id})
        line.product_id_change()
        line.product_uom_qty = qty
        line.product_uom_change()
        line._onchange_discount()
        return line._convert_to_write(line._cache)
