from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    visit_plan_weeks = fields.Integer(related='company_id.visit_plan_weeks')
    service_response_hours = fields.Float(related='company_id.service_response_hours')
    service_resolution_hours = fields.Float(related='company_id.service_resolution_hours')
    service_escalation_user_id = fields.Many2one(related='company_id.service_escalation_user_id')
