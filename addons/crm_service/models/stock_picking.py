from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from .crm_delivery_attempt import OUTCOME_FIELDS, OUTCOMES, RECORDING, RECORDING_KEY

OPEN_BATCH_STATES = ('draft', 'in_progress')


class StockPicking(models.Model):
    """A route stop's outcome on the customer's delivery order."""

    _inherit = 'stock.picking'

    route_sequence = fields.Integer(
        string='Stop', copy=False, readonly=True,
        help="The customer's stop sequence on the route when the picking was batched.")
    delivery_route_id = fields.Many2one(related='batch_id.route_id', string='Route',
                                        readonly=True)
    delivery_tier_id = fields.Many2one(related='partner_id.commercial_partner_id.tier_id',
                                       string='Tier', readonly=True)
    delivery_outcome = fields.Selection(
        OUTCOMES, copy=False, readonly=True,
        track_visibility='onchange')
    delivery_failure_reason_id = fields.Many2one(
        'crm.delivery.failure.reason', string='Failure Reason', copy=False, readonly=True,
        ondelete='restrict')
    delivery_note = fields.Text(copy=False)
    delivery_last_date = fields.Date(
        string='Last Delivery Day', copy=False, readonly=True,
        help="Delivery day of the last attempt; planning takes the picking again only "
             "for a later day.")
    delivery_attempt_ids = fields.One2many(
        'crm.delivery.attempt', 'picking_id', string='Delivery Attempts', readonly=True,
        groups='crm_service.group_service_delivery')
    delivery_attempts = fields.Integer(
        string='Attempts', compute='_compute_delivery_attempts', store=True, compute_sudo=True)
    first_attempt_success = fields.Boolean(
        string='First Attempt Succeeded', compute='_compute_delivery_attempts', store=True,
        compute_sudo=True,
        help="Delivered, fully or partially, on the first attempt.")

    @api.depends('delivery_attempt_ids.outcome', 'delivery_attempt_ids.attempt')
    def _compute_delivery_attempts(self):
        for picking in self:
            attempts = picking.delivery_attempt_ids
            first = attempts.filtered(lambda attempt: attempt.attempt == 1)[:1]
            picking.delivery_attempts = len(attempts)
            picking.first_attempt_success = bool(first) and first.outcome != 'failed'

    @api.multi
    def write(self, vals):
        if OUTCOME_FIELDS & set(vals):
            self.env['crm.delivery.attempt']._check_recording()
        return super().write(vals)

    def _recording(self):
        """This recordset, allowed to record outcomes (see
        crm.delivery.attempt._check_recording)."""
        return self.with_context(**{RECORDING_KEY: RECORDING})

    # -- actions -------------------------------------------------------------

    @api.multi
    def action_delivery_delivered(self):
        self._action_delivery_delivered()
        return True

    @api.multi
    def action_delivery_partial(self):
        self._action_delivery_partial()
        return True

    @api.multi
    def action_delivery_failed(self):
        """Ask for the reason in a small wizard."""
        self._check_deliverable()
        return {
            'name': _("Failed Delivery"),
            'type': 'ir.actions.act_window',
            'res_model': 'crm.delivery.fail',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_picking_ids': [(6, 0, self.ids)]},
        }

    @api.multi
    def action_delivery_replan(self):
        self._action_delivery_replan()
        return True

    @api.multi
    def action_open_delivery(self):
        """The full delivery order, where the delivered quantities are entered."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'stock.picking',
            'res_id': self.id,
            'view_mode': 'form',
            'views': [(False, 'form')],
            'target': 'current',
        }

    # -- implementation --------------------------------------------------------

    def _check_open(self):
        for picking in self:
            if picking.state == 'cancel':
                raise UserError(_("Delivery order %s is cancelled: it cannot be delivered "
                                  "or planned.") % picking.name)
            if picking.state == 'done':
                raise UserError(_("Delivery order %s is already done.") % picking.name)

    def _check_deliverable(self):
        self._check_open()
        for picking in self:
            if not picking.batch_id.route_id:
                raise UserError(_("Delivery order %s is not in a route delivery batch: plan "
                                  "the deliveries first.") % picking.name)
            if picking.batch_id.state not in OPEN_BATCH_STATES:
                raise UserError(_("Delivery batch %s is closed.") % picking.batch_id.name)

    def _action_delivery_delivered(self):
        """Deliver what was ordered: the reserved quantities, in full."""
        self._check_deliverable()
        for picking in self:
            if picking.state != 'assigned':
                picking.action_assign()
            for line in picking.move_line_ids:
                line.qty_done = line.product_uom_qty
            if picking.state != 'assigned' or picking._check_backorder():
                raise UserError(_("Not all goods of %s are reserved. Check availability, or "
                                  "enter the delivered quantities and record a partial "
                                  "delivery.") % picking.name)
        batches = self.mapped('batch_id')
        self._record_delivery('delivered')
        self.action_done()
        batches._close_if_finished()

    def _action_delivery_partial(self):
        """Deliver the done quantities the user entered; the rest goes to a backorder
        outside the batch, to be planned for a later day."""
        self._check_deliverable()
        digits = self.env['decimal.precision'].precision_get('Product Unit of Measure')
        for picking in self:
            if all(float_is_zero(line.qty_done, precision_digits=digits)
                   for line in picking.move_line_ids):
                raise UserError(_("Enter the delivered quantities of %s first.")
                                % picking.name)
        partial = self.filtered(lambda picking: picking._check_backorder())
        batches = self.mapped('batch_id')
        last_dates = {picking.id: picking.batch_id.delivery_date for picking in partial}
        partial._record_delivery('partial')
        (self - partial)._record_delivery('delivered')
        # One by one: Odoo 11 makes the backorder of the first picking of a call only.
        for picking in self:
            picking.action_done()
        backorders = self.search([('backorder_id', 'in', partial.ids),
                                  ('state', 'not in', ('done', 'cancel'))])
        for backorder in backorders:
            backorder._recording().delivery_last_date = last_dates[backorder.backorder_id.id]
        batches._close_if_finished()
        return backorders

    def _action_delivery_failed(self, reason, note=False):
        """The stop failed: the picking stays open, leaves its batch and waits for
        "Plan Again"."""
        self._check_deliverable()
        if not reason:
            raise UserError(_("Give the reason of the failed delivery."))
        batches = self.mapped('batch_id')
        self._record_delivery('failed', reason, note)
        self._recording().write({'batch_id': False, 'route_sequence': 0})
        batches._close_if_finished()

    def _action_delivery_replan(self):
        self._check_open()
        for picking in self:
            if picking.delivery_outcome != 'failed':
                raise UserError(_("Only failed deliveries can be planned again; %s is not "
                                  "one.") % picking.name)
        # The next planning of a later day takes them (see delivery_last_date).
        self._recording().write({'delivery_outcome': False, 'delivery_failure_reason_id': False,
                                 'batch_id': False, 'route_sequence': 0})

    def _record_delivery(self, outcome, reason=None, note=False):
        """Log one attempt per picking and keep the outcome on the picking."""
        Attempt = self.env['crm.delivery.attempt'].with_context(**{RECORDING_KEY: RECORDING})
        for picking in self:
            batch = picking.batch_id
            Attempt.create({
                'picking_id': picking.id, 'batch_id': batch.id,
                'route_id': batch.route_id.id,
                'partner_id': picking.partner_id.commercial_partner_id.id,
                'company_id': picking.company_id.id, 'delivery_date': batch.delivery_date,
                'attempt': picking.delivery_attempts + 1, 'outcome': outcome,
                'reason_id': reason and reason.id, 'note': note or picking.delivery_note})
        for batch in self.mapped('batch_id'):
            values = {'delivery_outcome': outcome,
                      'delivery_failure_reason_id': reason and reason.id,
                      'delivery_last_date': batch.delivery_date}
            if note:
                values['delivery_note'] = note
            self.filtered(lambda picking: picking.batch_id == batch)._recording().write(values)
