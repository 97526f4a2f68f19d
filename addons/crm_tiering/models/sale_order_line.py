from odoo import api, models

# Changing these on a confirmed order changes what the customer is supplied.
TIER_FIELDS = {'product_id', 'product_uom_qty', 'product_uom', 'price_unit'}


class SaleOrderLine(models.Model):
    _inherit = 'sale.order.line'

    @api.model
    def create(self, vals):
        line = super().create(vals)
        line.order_id._recheck_tier_policy()
        return line

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if TIER_FIELDS & set(vals):
            self.mapped('order_id')._recheck_tier_policy()
        return result

    def _prepare_procurement_values(self, group_id=False):
        """The tier policy's delivery priority goes on the moves: the delivery
        orders are created with it, not rewritten after the confirmation."""
        values = super()._prepare_procurement_values(group_id)
        order = self.order_id
        policy = order.partner_id._get_tier_policy(order.company_id)
        if policy.delivery_priority:
            values['priority'] = policy.delivery_priority
        return values
