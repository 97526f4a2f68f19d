from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = 'res.company'

    lifecycle_model_params = fields.Text(
        string='Lifecycle Model Parameters', readonly=True,
        help="The BG/BB parameters (alpha, beta, gamma, delta) of the last lifecycle "
             "recompute, with the number of customers they were fitted on, as JSON.")
    lifecycle_risk_threshold = fields.Integer(
        string='At Risk from Churn Risk', default=60,
        help="Customers with a churn risk at least this high are at risk (as are the "
             "customers in Decline).")
    lifecycle_digest = fields.Boolean(
        string='Daily At-Risk Digest',
        help="Mail each salesperson the list of their at-risk customers every day.")

    @api.constrains('lifecycle_risk_threshold')
    def _check_lifecycle_risk_threshold(self):
        for company in self:
            if not 0 <= company.lifecycle_risk_threshold <= 100:
                raise ValidationError(_("The at-risk churn risk is between 0 and 100."))
