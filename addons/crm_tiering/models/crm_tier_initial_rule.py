from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SHOP_SIZES = [('small', 'Small'), ('medium', 'Medium'), ('large', 'Large')]


class CrmTierInitialRule(models.Model):
    """The tier of a customer without history: the first matching rule, else the
    scheme's default tier."""

    _name = 'crm.tier.initial.rule'
    _inherit = ['crm.input.check']
    _description = 'Initial Tier Rule'
    _order = 'scheme_id, sequence, id'

    scheme_id = fields.Many2one('crm.tier.scheme', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='scheme_id.company_id', store=True, readonly=True)
    sequence = fields.Integer(default=10)
    category_id = fields.Many2one(
        'res.partner.category', string='Customer Tag',
        help="Matches customers with this tag; leave empty to match any tag.")
    shop_size = fields.Selection(
        SHOP_SIZES, help="Matches customers of this shop size; leave empty to match any size.")
    tier_id = fields.Many2one(
        'crm.tier', required=True, ondelete='cascade',
        domain="[('scheme_id', '=', scheme_id)]")

    @api.constrains('tier_id', 'scheme_id')
    def _check_tier(self):
        for rule in self:
            if rule.tier_id.scheme_id != rule.scheme_id:
                raise ValidationError(
                    _("The initial tier %(tier)s is not a tier of scheme %(scheme)s.")
                    % {'tier': rule.tier_id.name, 'scheme': rule.scheme_id.name})

    # The tier too: a new rule without a tag or a size sets neither of them.
    @api.constrains('category_id', 'shop_size', 'tier_id')
    def _check_condition(self):
        for rule in self:
            if not rule.category_id and not rule.shop_size:
                raise ValidationError(
                    _("An initial tier rule needs a customer tag or a shop size; use the "
                      "scheme's default tier for everyone else."))

    def matches(self, category_ids, shop_size):
        self.ensure_one()
        return ((not self.category_id or self.category_id.id in category_ids)
                and (not self.shop_size or self.shop_size == shop_size))
