from odoo import api, fields, models


class CrmDeliveryFail(models.TransientModel):
    """Asks why a delivery stop failed."""

    _name = 'crm.delivery.fail'
    _inherit = ['crm.input.check']
    _description = 'Failed Delivery'

    picking_ids = fields.Many2many('stock.picking', string='Delivery Orders', required=True)
    reason_id = fields.Many2one('crm.delivery.failure.reason', string='Reason', required=True)
    note = fields.Text()

    @api.multi
    def action_confirm(self):
        self._action_confirm()
        return {'type': 'ir.actions.act_window_close'}

    def _action_confirm(self):
        self.ensure_one()
        self.picking_ids._action_delivery_failed(self.reason_id, self.note)
