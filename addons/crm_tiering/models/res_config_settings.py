from odoo import api, fields, models


# Odoo 11 needs _name beside two parents; the linter takes that for a new wizard.
class ResConfigSettings(models.TransientModel):  # pylint: disable=no-wizard-in-models
    _name = 'res.config.settings'
    # The type check first: before Odoo's own overrides read the values.
    _inherit = ['crm.input.check', 'res.config.settings']

    tier_primary_scheme_id = fields.Many2one(
        'crm.tier.scheme', string='Primary Tier Scheme',
        domain="[('company_id', '=', company_id)]",
        help="The scheme that sets each customer's tier and, with it, the service policy "
             "applied to orders, visits, deliveries and service requests.")
    tier_metrics_window_days = fields.Integer(related='company_id.tier_metrics_window_days')
    tier_check_quota = fields.Boolean(related='company_id.tier_check_quota')
    tier_check_credit = fields.Boolean(related='company_id.tier_check_credit')
    tier_check_weekday = fields.Boolean(related='company_id.tier_check_weekday')

    @api.model
    def get_values(self):
        values = super().get_values()
        values['tier_primary_scheme_id'] = self.env['crm.tier.scheme'].search([
            ('company_id', '=', self.env.user.company_id.id),
            ('is_primary', '=', True)], limit=1).id
        return values

    @api.multi
    def set_values(self):
        result = super().set_values()
        scheme = self.tier_primary_scheme_id
        if scheme and not scheme.is_primary:
            scheme.write({'is_primary': True})
        return result
