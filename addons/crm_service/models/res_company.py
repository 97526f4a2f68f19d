from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = 'res.company'

    service_response_hours = fields.Float(
        string='Default SLA Response (hours)', default=24,
        help="First answer to a service request of a customer without a tier policy.")
    service_resolution_hours = fields.Float(
        string='Default SLA Resolution (hours)', default=72,
        help="Resolution of a service request of a customer without a tier policy.")
    service_escalation_user_id = fields.Many2one(
        'res.users', string='Service Escalation Manager',
        help="Gets the service requests that miss their SLA. When empty: the leader of the "
             "request's sales team if a service manager, else the company's first service "
             "manager.")

    visit_plan_weeks = fields.Integer(
        string='Visit Planning Horizon (weeks)', default=2,
        help="The daily planning creates the visits due in this many weeks ahead.")

    @api.constrains('service_response_hours', 'service_resolution_hours')
    def _check_service_hours(self):
        for company in self:
            if company.service_response_hours < 0:
                raise ValidationError(_("Default SLA hours cannot be negative."))
            if company.service_resolution_hours < company.service_response_hours:
                raise ValidationError(_("The default resolution time cannot be shorter than "
                                        "the response time."))

    @api.constrains('visit_plan_weeks')
    def _check_visit_plan_weeks(self):
        for company in self:
            if not 1 <= company.visit_plan_weeks <= 26:
                raise ValidationError(_("Visits are planned 1 to 26 weeks ahead."))
