from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    lifecycle_risk_threshold = fields.Integer(related='company_id.lifecycle_risk_threshold')
    lifecycle_digest = fields.Boolean(related='company_id.lifecycle_digest')
