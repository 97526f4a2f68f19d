from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLifecycleStageChange(models.TransientModel):
    """Move a customer to another lifecycle stage by hand, with a reason that
    goes into its lifecycle history."""

    _name = 'crm.lifecycle.stage.change'
    _inherit = ['crm.input.check']
    _description = 'Change Lifecycle Stage'

    partner_id = fields.Many2one('res.partner', string='Customer', required=True,
                                 ondelete='cascade')
    current_stage_id = fields.Many2one(related='partner_id.lifecycle_stage_id',
                                       string='Current Stage', readonly=True)
    stage_id = fields.Many2one('crm.lifecycle.stage', string='New Stage', required=True,
                               ondelete='cascade')
    reason = fields.Char(required=True)

    @api.multi
    def action_apply(self):
        self._action_apply()
        return {'type': 'ir.actions.act_window_close'}

    def _action_apply(self):
        self.ensure_one()
        if not (self.reason or '').strip():
            raise UserError(_("Give the reason for the change."))
        if self.stage_id == self.partner_id.lifecycle_stage_id:
            raise UserError(_("%(customer)s is already in stage %(stage)s.")
                            % {'customer': self.partner_id.display_name,
                               'stage': self.stage_id.name})
        self.partner_id.with_context(lifecycle_reason=self.reason.strip()).write(
            {'lifecycle_stage_id': self.stage_id.id})
