from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    kpi_mail_group_id = fields.Many2one(related='company_id.kpi_mail_group_id')
