from odoo import fields, models


class CrmTierBand(models.Model):
    """A lower bound on one axis of a grid scheme: volume, or value per unit."""

    _name = 'crm.tier.band'
    _inherit = ['crm.input.check', 'crm.tier.scheme.part']
    _description = 'Grid Band'
    _order = 'scheme_id, axis, lower_bound'

    scheme_id = fields.Many2one('crm.tier.scheme', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='scheme_id.company_id', store=True, readonly=True)
    axis = fields.Selection(
        [('volume', 'Volume'), ('unit', 'Value per Unit')], required=True, default='volume')
    lower_bound = fields.Float(
        required=True, help="The band starts at this value; it ends where the next one starts.")

    _sql_constraints = [
        ('bound_unique', 'UNIQUE (scheme_id, axis, lower_bound)',
         'Two bands of one axis cannot start at the same value.'),
    ]
