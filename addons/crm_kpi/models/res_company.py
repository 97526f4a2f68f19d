from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    kpi_mail_group_id = fields.Many2one(
        'res.groups', string='KPI Workbook Recipients',
        help="Members of this group receive the KPI workbook of the past month, mailed on "
             "the first of each month by the scheduled action 'KPI: mail the monthly "
             "workbook' (off until you activate it).")
