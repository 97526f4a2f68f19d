from odoo import api, fields, models

SERVICE_READERS = 'crm_service.group_service_user,crm_service.group_service_agent'


class ResPartner(models.Model):
    _inherit = 'res.partner'

    visit_ids = fields.One2many('crm.visit', 'partner_id', string='Visits', groups=SERVICE_READERS)
    visit_count = fields.Integer(compute='_compute_visit_count',
                                 groups=SERVICE_READERS)
    service_request_count = fields.Integer(
        string='Open Service Requests', compute='_compute_service_request_count',
        groups=SERVICE_READERS)

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

    def _compute_service_request_count(self):
        # One grouped count for the whole page of customers; contacts share their
        # company's requests.
        customers = self.mapped('commercial_partner_id')
        rows = self.env['crm.service.request'].read_group(
            [('commercial_partner_id', 'in', customers.ids), ('is_closed', '=', False)],
            ['commercial_partner_id'], ['commercial_partner_id'])
        counts = {row['commercial_partner_id'][0]: row['commercial_partner_id_count']
                  for row in rows}
        for partner in self:
            partner.service_request_count = counts.get(partner.commercial_partner_id.id, 0)

    @api.multi
    def action_view_service_requests(self):
        self.ensure_one()
        action = self.env.ref('crm_service.crm_service_request_action').read()[0]
        action['domain'] = [('commercial_partner_id', '=', self.commercial_partner_id.id)]
        action['context'] = {'default_partner_id': self.id, 'search_default_open': 1}
        return action
