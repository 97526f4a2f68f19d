from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = 'res.company'

    visit_plan_weeks = fields.Integer(
        string='Visit Planning Horizon (weeks)', default=2,
        help="The daily planning creates the visits due in this many weeks ahead.")

    @api.constrains('visit_plan_weeks')
    def _check_visit_plan_weeks(self):
        for company in self:
            if not 1 <= company.visit_plan_weeks <= 26:
                raise ValidationError(_("Visits are planned 1 to 26 weeks ahead."))
