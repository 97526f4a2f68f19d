from odoo import api, fields, models

VISIT_READERS = 'crm_service.group_service_user,crm_service.group_service_agent'


class ResPartner(models.Model):
    _inherit = 'res.partner'

    visit_ids = fields.One2many('crm.visit', 'partner_id', string='Visits', groups=VISIT_READERS)
    visit_count = fields.Integer(compute='_compute_visit_count', string='Visit Count',
                                 groups=VISIT_READERS)

    def _compute_visit_count(self):
        rows = self.env['crm.visit'].read_group(
            [('partner_id', 'in', self.ids), ('state', '=', 'done')],
            ['partner_id'], ['partner_id'])
        counts = {row['partner_id'][0]: row['partner_id_count'] for row in rows}
        for partner in self:
            partner.visit_count = counts.get(partner.id, 0)

    @api.model
    def _visit_planning_excluded(self, partner_ids, company):
        """Ids among ``partner_ids`` that visit planning leaves out in ``company``.
        Other addons extend it (the lifecycle leaves out churned customers)."""
        return set()
