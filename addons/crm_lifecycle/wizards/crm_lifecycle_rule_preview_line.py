from odoo import fields, models


class CrmLifecycleRulePreviewLine(models.TransientModel):
    _name = 'crm.lifecycle.rule.preview.line'
    _description = 'Lifecycle Rule Preview Line'
    _order = 'churn_risk desc, id'

    preview_id = fields.Many2one('crm.lifecycle.rule.preview', required=True,
                                 ondelete='cascade')
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    stage_id = fields.Many2one('crm.lifecycle.stage', string='Current Stage', readonly=True)
    to_stage_id = fields.Many2one(related='preview_id.rule_id.to_stage_id',
                                  string='Target Stage', readonly=True)
    days_in_stage = fields.Integer(readonly=True)
    churn_risk = fields.Integer(readonly=True)
