from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError

# Only the stop outcome buttons put this object in the context (an RPC caller
# can send any JSON value, never this object): attempts and outcomes are
# recorded by the buttons, not written by hand.
RECORDING_KEY = 'crm_delivery_recording'
RECORDING = object()
# The outcome fields of a picking that only the buttons set.
OUTCOME_FIELDS = {'delivery_outcome', 'delivery_failure_reason_id', 'delivery_last_date',
                  'route_sequence'}

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

    @api.model
    def create(self, vals):
        self._check_recording()
        return super().create(vals)

    @api.model
    def _check_recording(self):
        """Refuse a write of delivery outcomes that does not come from the buttons.
        A method, so that _() finds the caller's language on self."""
        if self.env.context.get(RECORDING_KEY) is not RECORDING and self.env.uid != SUPERUSER_ID:
            raise AccessError(_("Delivery outcomes are recorded with the stop's buttons, not "
                                "by hand."))
