from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import ValidationError


class CrmTierQuota(models.Model):
    """The most a customer of a policy may order of a product or category per period."""

    _name = 'crm.tier.quota'
    _inherit = ['crm.input.check']
    _description = 'Tier Supply Quota'
    _order = 'policy_id, product_id, categ_id'

    policy_id = fields.Many2one('crm.tier.policy', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='policy_id.company_id', store=True, readonly=True)
    product_id = fields.Many2one(
        'product.product', index=True,
        help="The product the quota limits; leave empty to limit a whole category.")
    categ_id = fields.Many2one(
        'product.category', string='Product Category', index=True,
        help="Every product of this category and its subcategories counts together.")
    period = fields.Selection(
        [('week', 'Week'), ('month', 'Month')], required=True, default='week',
        help="Weeks start on Monday; months on the 1st, in the company's time zone.")
    max_qty = fields.Float(
        string='Maximum Quantity', required=True,
        digits=dp.get_precision('Product Unit of Measure'),
        help="Confirmed quantity per customer and period, in the quota's unit. Refunded "
             "quantities of the period are given back.")
    uom_id = fields.Many2one(
        'product.uom', string='Unit of Measure', required=True,
        help="Order lines in other units of the same category are converted.")

    @api.onchange('product_id')
    def _onchange_product_id(self):
        if self.product_id:
            self.uom_id = self.product_id.uom_id

    @api.constrains('product_id', 'categ_id', 'uom_id', 'max_qty')
    def _check_quota(self):
        for quota in self:
            if quota.max_qty < 0:
                raise ValidationError(_("A quota cannot be negative."))
            if bool(quota.product_id) == bool(quota.categ_id):
                raise ValidationError(_("A quota limits either one product or one product "
                                        "category."))
            product = quota.product_id
            if product and product.uom_id.category_id != quota.uom_id.category_id:
                raise ValidationError(
                    _("The quota unit %(unit)s cannot measure %(product)s.")
                    % {'unit': quota.uom_id.name, 'product': product.display_name})

    def _limits(self, product):
        """Whether the quota counts ``product`` (in a unit it can convert)."""
        self.ensure_one()
        if product.uom_id.category_id != self.uom_id.category_id:
            return False
        if self.product_id:
            return product == self.product_id
        categ = product.categ_id
        return self.categ_id.parent_left <= categ.parent_left < self.categ_id.parent_right

    @api.multi
    def name_get(self):
        periods = dict(self._fields['period']._description_selection(self.env))
        return [(quota.id, '%s / %s' % ((quota.product_id or quota.categ_id).display_name,
                                        periods[quota.period]))
                for quota in self]
