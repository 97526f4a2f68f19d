from odoo import fields, models

OUTCOMES = [('delivered', 'Delivered'), ('partial', 'Partially Delivered'),
            ('failed', 'Failed')]


class CrmDeliveryAttempt(models.Model):
    """One delivery attempt of a picking at a route stop. A failed picking leaves its
    batch; this log keeps the failure with the batch, so that batches and the KPI
    reports count failures and first attempts."""

    _name = 'crm.delivery.attempt'
    _description = 'Delivery Attempt'
    _order = 'date desc, id desc'

    picking_id = fields.Many2one('stock.picking', required=True, ondelete='cascade',
                                 index=True, readonly=True)
    batch_id = fields.Many2one('stock.picking.batch', string='Delivery Batch',
                               ondelete='set null', index=True, readonly=True)
    route_id = fields.Many2one('crm.visit.route', readonly=True, index=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True, index=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    user_id = fields.Many2one('res.users', string='Recorded By', readonly=True,
                              default=lambda self: self.env.user)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    delivery_date = fields.Date(readonly=True, help="The delivery day of the batch.")
    attempt = fields.Integer(readonly=True,
                             help="1 for the picking's first attempt, 2 for the next...")
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True)
    reason_id = fields.Many2one('crm.delivery.failure.reason', string='Failure Reason',
                                readonly=True, ondelete='restrict')
    note = fields.Text(readonly=True)
