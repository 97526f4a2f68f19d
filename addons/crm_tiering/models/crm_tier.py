from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmTier(models.Model):
    """One level of a scheme. Rank 1 is the best tier."""

    _name = 'crm.tier'
    _inherit = ['crm.input.check', 'crm.tier.scheme.part']
    _description = 'Customer Tier'
    _order = 'scheme_id, rank'

    scheme_id = fields.Many2one('crm.tier.scheme', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='scheme_id.company_id', store=True, readonly=True)
    method = fields.Selection(related='scheme_id.method', readonly=True)
    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code shown on badges, e.g. A or G12.")
    rank = fields.Integer(
        required=True, default=1,
        help="1 is the best tier. Upgrades and downgrades are judged by rank.")
    color = fields.Integer(string='Color Index')
    share = fields.Float(
        string='Share (%)',
        help="Pareto: the share of total value the tier covers, e.g. 80 / 15 / 5. "
             "Quantile: the share of customers, e.g. 5 / 15 / 30 / 30 / 20. Top-down; "
             "the tiers' shares sum to 100.")
    lower_bound = fields.Float(
        help="Threshold: the lowest value that reaches this tier. Better tiers need "
             "higher bounds.")
    grid_volume_band = fields.Integer(
        string='Volume Band', help="Grid: the volume band (1 is the lowest) of this grade.")
    grid_unit_band = fields.Integer(
        string='Value Band', help="Grid: the value-per-unit band (1 is the lowest).")
    policy_id = fields.Many2one(
        'crm.tier.policy', string='Service Policy', ondelete='restrict',
        help="The supply, delivery, visit, SLA and credit rules for the tier's customers.")
    member_ids = fields.One2many('crm.tier.member', 'tier_id', string='Customers', readonly=True)
    partner_count = fields.Integer(string='Customers', compute='_compute_partner_count')

    _sql_constraints = [
        ('code_unique', 'UNIQUE (scheme_id, code)', 'Tier codes must be unique in a scheme.'),
        ('rank_unique', 'UNIQUE (scheme_id, rank)', 'Tier ranks must be unique in a scheme.'),
        ('rank_positive', 'CHECK (rank > 0)', 'The tier rank starts at 1.'),
        ('share_range', 'CHECK (share >= 0 AND share <= 100)',
         'A tier share is a percentage between 0 and 100.'),
    ]

    def _compute_partner_count(self):
        groups = self.env['crm.tier.member'].read_group(
            [('tier_id', 'in', self.ids)], ['tier_id'], ['tier_id'])
        counts = {group['tier_id'][0]: group['tier_id_count'] for group in groups}
        for tier in self:
            tier.partner_count = counts.get(tier.id, 0)

    @api.constrains('policy_id', 'scheme_id')
    def _check_policy_company(self):
        for tier in self:
            if tier.policy_id and tier.policy_id.company_id != tier.company_id:
                raise ValidationError(
                    _("Tier %s and its policy belong to different companies.") % tier.name)

    @api.model
    def _name_search(self, name='', args=None, operator='ilike', limit=100, name_get_uid=None):
        """A tier is found by its code in any case, as its badge shows it (e.g. in an
        import), as well as by its name."""
        if not name or operator not in ('=', 'ilike', '=ilike', 'like', '=like'):
            return super()._name_search(name, args, operator, limit, name_get_uid)
        domain = ['|', ('code', '=ilike', name), ('name', operator, name)]
        ids = self._search(domain + list(args or []), limit=limit,
                           access_rights_uid=name_get_uid or self._uid)
        return self.browse(ids).sudo(name_get_uid or self._uid).name_get()

    @api.multi
    def name_get(self):
        return [(tier.id, '%s - %s' % (tier.code, tier.name) if tier.code != tier.name
                 else tier.name) for tier in self]

    @api.multi
    def action_view_partners(self):
        self.ensure_one()
        action = self.env.ref('crm_tiering.crm_tier_member_action').read()[0]
        action['domain'] = [('tier_id', '=', self.id)]
        action['context'] = {}
        return action
