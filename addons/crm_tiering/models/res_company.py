from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = 'res.company'

    tier_metrics_window_days = fields.Integer(
        string='Value Metrics Window (days)', default=365,
        help="Customer value metrics (revenue, margin, orders...) count the invoices and "
             "orders of this many days back from today.")

    @api.constrains('tier_metrics_window_days')
    def _check_tier_metrics_window_days(self):
        for company in self:
            if company.tier_metrics_window_days <= 0:
                raise ValidationError(_("The value metrics window must be at least one day."))
