from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = 'res.company'

    tier_metrics_window_days = fields.Integer(
        string='Value Metrics Window (days)', default=365,
        help="Customer value metrics (revenue, margin, orders...) count the invoices and "
             "orders of this many days back from today.")
    tier_check_quota = fields.Boolean(
        string='Enforce Supply Quotas', default=True,
        help="Confirming a sale order checks the quotas of the customer's tier policy.")
    tier_check_credit = fields.Boolean(
        string='Enforce Credit Limits', default=True,
        help="Confirming a sale order checks the credit limit of the customer's tier policy: "
             "open receivables, confirmed orders not invoiced yet and the order itself.")
    tier_check_weekday = fields.Boolean(
        string='Enforce Ordering Weekdays', default=True,
        help="Confirming a sale order checks that the order is dated on a weekday the "
             "customer's tier policy allows.")

    @api.constrains('tier_metrics_window_days')
    def _check_tier_metrics_window_days(self):
        for company in self:
            if company.tier_metrics_window_days <= 0:
                raise ValidationError(_("The value metrics window must be at least one day."))
