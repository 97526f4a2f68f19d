from odoo import api, models


class CrmTierSchemePart(models.AbstractModel):
    """A tier or a grid band of a scheme. The scheme's form checks its parts
    together; one created, written or deleted on its own (a list, an import,
    RPC) is checked with its scheme here."""

    _name = 'crm.tier.scheme.part'
    _description = 'Tier Scheme Part'

    @api.model
    def create(self, vals):
        part = super().create(vals)
        part.scheme_id._check_tiers_edited_alone()
        return part

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
