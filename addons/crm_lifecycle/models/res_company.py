from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    lifecycle_model_params = fields.Text(
        string='Lifecycle Model Parameters', readonly=True,
        help="The BG/BB parameters (alpha, beta, gamma, delta) of the last lifecycle "
             "recompute, with the number of customers they were fitted on, as JSON.")
