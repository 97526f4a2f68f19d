from odoo import fields, models


class CrmKpiSection(models.Model):
    """A part of the KPI workbook, produced by one report model."""

    _name = 'crm.kpi.section'
    _description = 'KPI Workbook Section'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True)
    model = fields.Char(string='Report Model', required=True, readonly=True,
                        help="The KPI view whose sheets make up this section.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [('code_unique', 'unique (code)', 'The section code must be unique.')]
