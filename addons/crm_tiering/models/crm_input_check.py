from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..lib import input_types


class CrmInputCheck(models.AbstractModel):
    """Refuses a value of the wrong type for its field, with a message naming the
    field, before Odoo's own conversion fails with a raw error halfway through a
    create or write (see lib/input_types.py).

    Inherited first in ``_inherit``, so that it runs before the other parents'
    create and write. An override that reads the values before calling super()
    calls _check_input_types() itself, first."""

    _name = 'crm.input.check'
    _description = 'Input Type Check'

    @api.model
    def create(self, vals):
        self._check_input_types(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_input_types(vals)
        return super().write(vals)

    @api.model
    def _check_input_types(self, vals):
        for name, value in vals.items():
            field = self._fields.get(name)
            # Fields create and write ignore (unknown, computed only) are left alone,
            # and so are records, which only Python callers pass.
            if not field or not (field.store or field.inverse) \
                    or isinstance(value, models.BaseModel):
                continue
            choices = field.get_values(self.env) if field.type == 'selection' and value else ()
            problem = input_types.value_problem(field.type, value, choices)
            if problem:
                raise ValidationError(self._input_type_message(field, value, problem, choices))

    def _input_type_message(self, field, value, problem, choices):
        messages = {
            input_types.NOT_WHOLE: _("%(field)s: %(value)s is not a whole number."),
            input_types.OUT_OF_RANGE: _("%(field)s: %(value)s is out of range."),
            input_types.NOT_NUMBER: _("%(field)s: %(value)s is not a number."),
            input_types.NOT_CHOICE: _("%(field)s: %(value)s is not one of %(choices)s."),
            input_types.NOT_RECORD: _("%(field)s: %(value)s is not a record id."),
            input_types.NOT_DATE: _("%(field)s: %(value)s is not a date: give it as "
                                    "YYYY-MM-DD."),
            input_types.NOT_DATETIME: _("%(field)s: %(value)s is not a date and time: give "
                                        "it as YYYY-MM-DD HH:MM:SS."),
            input_types.NOT_TEXT: _("%(field)s: %(value)s is not text."),
        }
        return messages[problem] % {
            # The label in the user's language.
            'field': field.get_description(self.env)['string'],
            'value': input_types.shown(value), 'choices': input_types.listed(choices),
        }
