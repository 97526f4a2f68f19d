import datetime
import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html_escape

from .crm_tier_member import BASES

COMPLIANCE_CLASSES = [
    ('A', 'A - Compliant'),
    ('B', 'B - Minor issues'),
    ('C', 'C - Restricted'),
    ('W', 'W - Warned'),
]
# Metrics snapshot keys, in display order.
SNAPSHOT_KEYS = ['value', 'blended_value', 'unit_value', 'revenue', 'margin', 'quantity',
                 'orders', 'recency_days', 'position', 'population']
EDITABLE_WHILE_PENDING = {'reason', 'expiry_date'}
# What an override request cannot be without.
REQUEST_FIELDS = ('partner_id', 'tier_id', 'reason', 'expiry_date')
# Set by the engine and the approval only, never taken from a caller.
PROTECTED = {'user_id', 'date', 'approval_state', 'approver_id', 'decided_on', 'basis',
             'metrics_snapshot', 'previous_tier_id', 'previous_compliance'}


def _blank(value):
    """Missing, or text of spaces only."""
    return not value or (isinstance(value, str) and not value.strip())


class CrmTierAssignment(models.Model):
    """History of a customer's tier and compliance class, and override requests.

    Computed entries are written in bulk by the recompute. An override is requested
    by an account manager, then approved or rejected by a tiering manager who is not
    the requester; once approved it holds over recomputes until it expires.
    """

    _name = 'crm.tier.assignment'
    _inherit = ['crm.input.check']
    _description = 'Tier Assignment'
    _order = 'date desc, id desc'
    _rec_name = 'partner_id'

    partner_id = fields.Many2one('res.partner', string='Customer', required=True,
                                 ondelete='cascade', index=True)
    company_id = fields.Many2one(
        'res.company', required=True, index=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.tier.assignment'))
    kind = fields.Selection([('tier', 'Tier'), ('compliance', 'Compliance Class')],
                            required=True, default='tier')
    scheme_id = fields.Many2one('crm.tier.scheme', ondelete='cascade', index=True)
    previous_tier_id = fields.Many2one('crm.tier', string='Previous Tier', ondelete='restrict')
    tier_id = fields.Many2one('crm.tier', string='New Tier', ondelete='restrict',
                              domain="[('scheme_id', '=', scheme_id)]")
    previous_compliance = fields.Selection(COMPLIANCE_CLASSES, string='Previous Class')
    compliance_class = fields.Selection(COMPLIANCE_CLASSES, string='New Class')
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    source = fields.Selection(
        [('computed', 'Computed'), ('manual', 'Manual'), ('override', 'Override')],
        required=True, default='override')
    basis = fields.Selection(BASES, readonly=True)
    metrics_snapshot = fields.Text(readonly=True, help="The figures at the time, as JSON.")
    snapshot_text = fields.Text(string='Metrics', compute='_compute_snapshot_text')
    reason = fields.Text()
    user_id = fields.Many2one('res.users', string='By', required=True, readonly=True,
                              default=lambda self: self.env.user)
    approval_state = fields.Selection(
        [('pending', 'Waiting for Approval'), ('approved', 'Approved'),
         ('rejected', 'Rejected'), ('expired', 'Expired')], readonly=True, index=True)
    expiry_date = fields.Date(help="The override holds over recomputes until this day.")
    approver_id = fields.Many2one('res.users', string='Decided By', readonly=True)
    decided_on = fields.Datetime(readonly=True)

    @api.depends('metrics_snapshot')
    def _compute_snapshot_text(self):
        labels = {
            'value': _("Value"), 'blended_value': _("Ranked value"),
            'unit_value': _("Value per unit"), 'revenue': _("Revenue"),
            'margin': _("Gross margin"), 'quantity': _("Quantity"), 'orders': _("Orders"),
            'recency_days': _("Days since last order"), 'position': _("Position"),
            'population': _("Customers ranked"),
        }
        for entry in self:
            figures = json.loads(entry.metrics_snapshot or '{}')
            entry.snapshot_text = '\n'.join(
                '%s: %s' % (labels[key], figures[key]) for key in SNAPSHOT_KEYS
                if figures.get(key) is not None)

    @api.model
    def create(self, vals):
        vals = {key: value for key, value in vals.items() if key not in PROTECTED}
        self._check_input_types(vals)  # before the customer and the tier are read
        vals['user_id'] = self.env.uid
        if vals.get('kind', 'tier') == 'compliance':
            if not self.env.user.has_group('crm_tiering.group_tiering_compliance'):
                raise AccessError(_("Only compliance officers change compliance classes."))
            # Written before the customer's class changes: the class now is the previous.
            vals.update(source='manual', previous_compliance=self.env['res.partner'].browse(
                vals.get('partner_id')).compliance_class)
        elif vals.get('source', 'override') == 'override':
            vals.update(self._override_request_vals(vals))
        elif not self.env.user.has_group('crm_tiering.group_tiering_manager'):
            raise AccessError(_("Only tiering managers set tiers directly; request an "
                                "override instead."))
        return super().create(vals)

    @api.model
    def _override_request_vals(self, vals):
        if any(_blank(vals.get(name)) for name in REQUEST_FIELDS):
            raise ValidationError(_("An override request needs the customer, the new tier, a "
                                    "reason and an expiry date."))
        tier = self.env['crm.tier'].browse(vals['tier_id'])
        expiry = self._future_expiry(vals['expiry_date'])
        partner = self.env['res.partner'].browse(vals['partner_id']).commercial_partner_id
        member = self.env['crm.tier.member'].search(
            [('partner_id', '=', partner.id), ('scheme_id', '=', tier.scheme_id.id)])
        if member.tier_id == tier:
            raise ValidationError(_("%(customer)s is already in tier %(tier)s.") % {
                'customer': partner.display_name, 'tier': tier.display_name})
        return {
            'partner_id': partner.id, 'scheme_id': tier.scheme_id.id,
            'company_id': tier.company_id.id, 'previous_tier_id': member.tier_id.id,
            'approval_state': 'pending', 'kind': 'tier', 'expiry_date': expiry,
        }

    @api.multi
    def write(self, vals):
        if set(vals) - EDITABLE_WHILE_PENDING or any(
                entry.approval_state != 'pending' for entry in self):
            raise UserError(_("Tier history cannot be changed. Only the reason and expiry "
                              "date of a pending override request can."))
        if any(_blank(vals[name]) for name in EDITABLE_WHILE_PENDING & set(vals)):
            raise ValidationError(_("An override request needs the customer, the new tier, a "
                                    "reason and an expiry date."))
        self._check_input_types(vals)  # before the expiry date is read
        if 'expiry_date' in vals:
            vals = dict(vals, expiry_date=self._future_expiry(vals['expiry_date']))
        return super().write(vals)

    @api.model
    def _future_expiry(self, value):
        """The expiry date a client sent (a date, checked by _check_input_types), as
        the ORM stores it; it must be after today. Parsed, not compared as text:
        '2026-9-1' comes after '2026-12-01' as text."""
        if isinstance(value, datetime.date):
            value = fields.Date.to_string(value)
        expiry = fields.Date.from_string(value)
        if expiry <= fields.Date.from_string(fields.Date.context_today(self)):
            raise ValidationError(_("An override must expire after today."))
        return fields.Date.to_string(expiry)

    @api.multi
    def action_approve(self):
        self._decide('approved')
        for entry in self:
            entry._apply_override()
        return True

    @api.multi
    def action_reject(self):
        return self._decide('rejected')

    def _decide(self, state):
        if not self.env.user.has_group('crm_tiering.group_tiering_manager'):
            raise AccessError(_("Only tiering managers approve or reject overrides."))
        for entry in self:
            if entry.approval_state != 'pending':
                raise UserError(_("The override request for %s is not waiting for approval.")
                                % entry.partner_id.display_name)
            if entry.user_id == self.env.user:
                raise AccessError(_("You cannot decide on your own override request."))
            if state == 'approved' and entry.expiry_date <= fields.Date.context_today(self):
                raise UserError(_("The override request for %s has expired.")
                                % entry.partner_id.display_name)
        # The history is otherwise read-only (see write()).
        return super(CrmTierAssignment, self).write({
            'approval_state': state, 'approver_id': self.env.uid,
            'decided_on': fields.Datetime.now()})

    def _apply_override(self):
        member = self.env['crm.tier.member'].search(
            [('partner_id', '=', self.partner_id.id), ('scheme_id', '=', self.scheme_id.id)])
        member.override_id._set_expired()
        self.scheme_id._upsert_member(self.partner_id, self.tier_id, 'override', self)
        self.partner_id.message_post(body=_(
            "Tier override approved by %(approver)s: %(old)s → %(new)s in %(scheme)s until "
            "%(expiry)s. Reason: %(reason)s") % {key: html_escape(value) for key, value in {
                'approver': self.env.user.name, 'old': self.previous_tier_id.display_name or '-',
                'new': self.tier_id.display_name, 'scheme': self.scheme_id.name,
                'expiry': self.expiry_date, 'reason': self.reason}.items()})

    def _set_expired(self):
        return super(CrmTierAssignment, self).write({'approval_state': 'expired'})
