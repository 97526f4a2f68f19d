from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Technical codes of the seeded stages: code finds them whatever users rename
# them to.
STAGE_CODES = [
    ('exploration', 'Exploration'),
    ('development', 'Development'),
    ('stable', 'Stable'),
    ('decline', 'Decline'),
    ('churned', 'Churned'),
    ('won_back', 'Won Back'),
]


class CrmLifecycleStage(models.Model):
    """A stage of the customer lifecycle (考察期 / 发展期 / 稳定期 / 衰退期, churn, win-back)."""

    _name = 'crm.lifecycle.stage'
    _inherit = ['crm.input.check']
    _description = 'Lifecycle Stage'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string='Folded in Kanban')
    description = fields.Text(translate=True)
    color = fields.Integer(string='Color Index')
    code = fields.Selection(
        STAGE_CODES, string='Technical Role', copy=False,
        help="Marks the stages the engine looks for (e.g. the stage of new customers). "
             "Each role belongs to one stage at most.")
    is_churned = fields.Boolean(
        string='Churned', help="Customers in this stage are left out of visit planning.")
    partner_count = fields.Integer(compute='_compute_partner_count', string='Customers')

    _sql_constraints = [
        ('code_unique', 'unique(code)', "Each technical role belongs to one stage at most."),
    ]

    def _compute_partner_count(self):
        rows = self.env['res.partner'].read_group(
            [('lifecycle_stage_id', 'in', self.ids)], ['lifecycle_stage_id'],
            ['lifecycle_stage_id'])
        counts = {row['lifecycle_stage_id'][0]: row['lifecycle_stage_id_count'] for row in rows}
        for stage in self:
            stage.partner_count = counts.get(stage.id, 0)

    @api.multi
    def unlink(self):
        # Archived customers count too: their history must keep its stage.
        self.env.cr.execute("""
            SELECT s.id, count(p.id) FROM crm_lifecycle_stage s
              JOIN res_partner p ON p.lifecycle_stage_id = s.id
             WHERE s.id = ANY(%s) GROUP BY s.id""", [self.ids])
        used = dict(self.env.cr.fetchall())
        if used:
            stage = self.browse(next(iter(used)))
            raise UserError(_("Stage %(stage)s cannot be deleted: %(count)d customers are in "
                              "it. Move them to another stage first.")
                            % {'stage': stage.name, 'count': used[stage.id]})
        self.env.cr.execute("""
            SELECT s.id FROM crm_lifecycle_stage s
             WHERE s.id = ANY(%s) AND EXISTS (
                   SELECT 1 FROM crm_lifecycle_event e
                    WHERE e.to_stage_id = s.id OR e.from_stage_id = s.id)
             LIMIT 1""", [self.ids])
        row = self.env.cr.fetchone()
        if row:
            raise UserError(_("Stage %s cannot be deleted: the lifecycle history refers to "
                              "it. Rename it instead.") % self.browse(row[0]).name)
        return super().unlink()

    @api.model
    def _by_code(self, code):
        """The stage that plays the technical role ``code`` (may be empty)."""
        return self.search([('code', '=', code)], limit=1)
