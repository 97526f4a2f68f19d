from odoo import api, fields, models


class CrmTierBand(models.Model):
    """A lower bound on one axis of a grid scheme: volume, or value per unit."""

    _name = 'crm.tier.band'
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

    # Bands edited on their own are checked with their scheme (see crm.tier).
    @api.model
    def create(self, vals):
        band = super().create(vals)
        band.scheme_id._check_tiers_edited_alone()
        return band

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        self.mapped('scheme_id')._check_tiers_edited_alone()
        return result

    @api.multi
    def unlink(self):
        schemes = self.mapped('scheme_id')
        result = super().unlink()
        schemes._check_tiers_edited_alone()
        return result
