from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmKpiSection(models.Model):
    """A part of the KPI workbook, produced by one report model."""

    _name = 'crm.kpi.section'
    _inherit = ['crm.input.check']
    _description = 'KPI Workbook Section'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True)
    model = fields.Char(string='Report Model', required=True, readonly=True,
                        help="The KPI view whose sheets make up this section.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [('code_unique', 'unique (code)', 'The section code must be unique.')]

    @api.constrains('model')
    def _check_model(self):
        # Readonly in the form only: the workbook calls the model's _kpi_sheets.
        report = self.env.registry['crm.kpi.report']
        for section in self:
            if section.model == report._name or section.model not in self.env \
                    or not isinstance(self.env[section.model], report):
                raise ValidationError(_("%s is not a KPI report: a workbook section is made "
                                        "of one of the KPI views.") % section.model)
