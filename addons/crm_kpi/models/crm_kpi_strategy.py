from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import relationship


class CrmKpiStrategy(models.Model):
    """How to treat the customers of one cell of the difference matrix: a value
    tier of the primary scheme against a relationship band."""

    _name = 'crm.kpi.strategy'
    _inherit = ['crm.input.check']
    _description = 'Customer Strategy'
    _order = 'company_id, tier_id, relationship_band'
    _rec_name = 'tier_id'

    company_id = fields.Many2one(
        'res.company', required=True, index=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.kpi.strategy'))
    tier_id = fields.Many2one('crm.tier', string='Value Tier', required=True,
                              ondelete='cascade', index=True,
                              domain="[('company_id', '=', company_id)]")
    relationship_band = fields.Selection(relationship.BANDS, string='Relationship',
                                         required=True)
    strategy = fields.Text(required=True,
                           help="What the account managers and the service desk do for "
                                "the customers of this tier and relationship.")

    _sql_constraints = [
        ('cell_unique', 'UNIQUE (company_id, tier_id, relationship_band)',
         'A tier and relationship band have one strategy per company.'),
    ]

    @api.constrains('company_id', 'tier_id')
    def _check_company(self):
        for strategy in self:
            # The tier may be another company's, which the user cannot read.
            if strategy.tier_id.sudo().scheme_id.company_id != strategy.company_id:
                raise ValidationError(
                    _("The tier of a customer strategy must belong to a tier scheme of the "
                      "strategy's company, %s.") % strategy.company_id.name)
