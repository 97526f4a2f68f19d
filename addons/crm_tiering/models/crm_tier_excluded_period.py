from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmTierExcludedPeriod(models.Model):
    """A date range left out of the customer value metrics, e.g. a festival peak
    that would otherwise inflate every shop's volume."""

    _name = 'crm.tier.excluded.period'
    _inherit = ['crm.input.check']
    _description = 'Period Excluded from Value Metrics'
    _order = 'date_from desc'

    name = fields.Char(required=True, translate=True)
    date_from = fields.Date(string='From', required=True)
    date_to = fields.Date(string='To', required=True)
    company_id = fields.Many2one(
        'res.company', required=True,
        default=lambda self: self.env['res.company']._company_default_get(
            'crm.tier.excluded.period'))
    active = fields.Boolean(default=True)

    @api.constrains('date_from', 'date_to')
    def _check_dates(self):
        for period in self:
            if period.date_from > period.date_to:
                raise ValidationError(
                    _("The excluded period %s ends before it starts.") % period.name)
