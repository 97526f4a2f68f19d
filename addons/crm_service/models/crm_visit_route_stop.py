from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmVisitRouteStop(models.Model):
    _name = 'crm.visit.route.stop'
    _inherit = ['crm.input.check']
    _description = 'Visit Route Stop'
    _order = 'route_id, sequence, id'

    route_id = fields.Many2one('crm.visit.route', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='route_id.company_id', store=True, readonly=True)
    sequence = fields.Integer(default=100)
    partner_id = fields.Many2one(
        'res.partner', string='Customer', required=True, ondelete='cascade', index=True,
        domain="[('customer', '=', True), ('parent_id', '=', False)]")
    partner_latitude = fields.Float(related='partner_id.partner_latitude', readonly=True)
    partner_longitude = fields.Float(related='partner_id.partner_longitude', readonly=True)
    tier_id = fields.Many2one(related='partner_id.tier_id', readonly=True)

    _sql_constraints = [
        # Also across account managers, who see only their own routes' stops.
        ('partner_company_unique', 'UNIQUE (partner_id, company_id)',
         'A customer is on one route per company.'),
    ]

    @api.model
    def create(self, vals):
        stop = super().create(vals)
        stop.route_id._sync_visit_sequences()
        return stop

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if {'sequence', 'partner_id', 'route_id'} & set(vals):
            self.mapped('route_id')._sync_visit_sequences()
        return result

    @api.constrains('partner_id', 'route_id')
    def _check_one_route(self):
        for stop in self:
            other = self.search([('partner_id', '=', stop.partner_id.id),
                                 ('company_id', '=', stop.company_id.id),
                                 ('id', '!=', stop.id)], limit=1)
            if other:
                raise ValidationError(_("%(customer)s is already on route %(route)s.") % {
                    'customer': stop.partner_id.display_name,
                    'route': other.route_id.display_name})

    def _point(self):
        """(lat, lon) of the shop, or None when it has no coordinates."""
        point = (self.partner_latitude, self.partner_longitude)
        return None if point == (0.0, 0.0) else point
