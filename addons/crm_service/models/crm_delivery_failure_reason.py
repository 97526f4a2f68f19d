from odoo import fields, models


class CrmDeliveryFailureReason(models.Model):
    """Why a delivery stop failed (shop closed, refused, ...): configurable, so that
    the KPI reports can count failures by cause."""

    _name = 'crm.delivery.failure.reason'
    _inherit = ['crm.input.check']
    _description = 'Delivery Failure Reason'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    code = fields.Char(help="Short code for reports and integrations.")
