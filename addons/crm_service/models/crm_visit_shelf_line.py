from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import ValidationError


class CrmVisitShelfLine(models.Model):
    """What a shop had on its shelf when it was visited."""

    _name = 'crm.visit.shelf.line'
    _inherit = ['crm.input.check']
    _description = 'Visit Shelf Stock'
    _order = 'visit_id, id'

    visit_id = fields.Many2one('crm.visit', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='visit_id.company_id', store=True, readonly=True)
    product_id = fields.Many2one('product.product', required=True,
                                 domain=[('sale_ok', '=', True)])
    quantity = fields.Float(string='On Shelf', required=True, default=0.0,
                            digits=dp.get_precision('Product Unit of Measure'),
                            help="Units on the shop's shelf, in the product's unit.")
    uom_id = fields.Many2one(related='product_id.uom_id', readonly=True)

    @api.constrains('quantity')
    def _check_quantity(self):
        for line in self:
            if line.quantity < 0:
                raise ValidationError(_("The shelf stock of %s cannot be negative.")
                                      % line.product_id.display_name)
