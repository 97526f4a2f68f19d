from odoo import fields, models


class CrmServiceRequestStage(models.Model):
    """A step of the service desk's pipeline. Reaching a closed stage resolves the
    request (resolution time, SLA outcome); the first stage means "not answered yet"."""

    _name = 'crm.service.request.stage'
    _inherit = ['crm.input.check']
    _description = 'Service Request Stage'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string='Folded in Kanban')
    is_closed = fields.Boolean(
        string='Closing Stage',
        help="Requests in this stage are resolved: the resolution time is recorded, and "
             "complaints and quality requests need a root cause and a corrective action.")
    description = fields.Text(translate=True)
