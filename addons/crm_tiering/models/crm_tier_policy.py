from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

WEEKDAY_FIELDS = ['order_mon', 'order_tue', 'order_wed', 'order_thu', 'order_fri',
                  'order_sat', 'order_sun']
COMPLIANCE_MODES = [
    ('allow', 'Allow'),
    ('restrict', 'Restrict quotas'),
    ('block', 'Block supply'),
]


class CrmTierPolicy(models.Model):
    """How a tier is served: supply quotas, delivery, visits, SLA, credit and ordering days."""

    _name = 'crm.tier.policy'
    _inherit = ['crm.input.check']
    _description = 'Tier Service Policy'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.tier.policy'))
    tier_ids = fields.One2many('crm.tier', 'policy_id', string='Tiers', readonly=True)
    delivery_priority = fields.Selection(
        [('0', 'Not urgent'), ('1', 'Normal'), ('2', 'Urgent'), ('3', 'Very Urgent')],
        default='1', required=True,
        help="Copied to the delivery orders of confirmed sale orders, so that warehouse "
             "and route delivery serve better tiers first.")
    visit_interval_days = fields.Integer(
        string='Visit Every (days)', default=14, required=True,
        help="How often an account manager visits the shop; visit planning uses it.")
    sla_response_hours = fields.Float(
        string='SLA Response (hours)', default=24,
        help="Hours within which a service request of the customer must get a first answer.")
    sla_resolution_hours = fields.Float(
        string='SLA Resolution (hours)', default=72,
        help="Hours within which a service request of the customer must be resolved.")
    credit_limit = fields.Monetary(
        currency_field='currency_id',
        help="Open receivables plus confirmed orders not yet invoiced plus the new order "
             "may not exceed this. 0 means no limit.")
    currency_id = fields.Many2one(related='company_id.currency_id', readonly=True)
    pricelist_id = fields.Many2one(
        'product.pricelist', string='Default Pricelist',
        help="Proposed on new sale orders of the tier's customers.")
    payment_term_id = fields.Many2one(
        'account.payment.term', string='Default Payment Terms',
        help="Proposed on new sale orders of the tier's customers.")
    order_mon = fields.Boolean(string='Monday', default=True)
    order_tue = fields.Boolean(string='Tuesday', default=True)
    order_wed = fields.Boolean(string='Wednesday', default=True)
    order_thu = fields.Boolean(string='Thursday', default=True)
    order_fri = fields.Boolean(string='Friday', default=True)
    order_sat = fields.Boolean(string='Saturday', default=True)
    order_sun = fields.Boolean(string='Sunday', default=True)
    quota_ids = fields.One2many('crm.tier.quota', 'policy_id', string='Quotas', copy=True)
    compliance_c_mode = fields.Selection(
        COMPLIANCE_MODES, string='Compliance Class C', default='restrict', required=True,
        help="Supply for customers in compliance class C: as usual, with quotas cut to "
             "the restricted share, or blocked.")
    compliance_w_mode = fields.Selection(
        COMPLIANCE_MODES, string='Compliance Class W', default='block', required=True,
        help="Supply for customers in compliance class W (warned).")
    restricted_quota_percent = fields.Float(
        string='Restricted Quota (%)', default=50,
        help="Share of each quota left to customers whose supply is restricted.")

    @api.constrains('visit_interval_days', 'credit_limit', 'restricted_quota_percent')
    def _check_values(self):
        for policy in self:
            if policy.visit_interval_days <= 0:
                raise ValidationError(_("Policy %s: the visit interval must be at least one "
                                        "day.") % policy.name)
            if policy.credit_limit < 0:
                raise ValidationError(_("Policy %s: the credit limit cannot be negative "
                                        "(0 means no limit).") % policy.name)
            if not 0 <= policy.restricted_quota_percent <= 100:
                raise ValidationError(_("Policy %s: the restricted quota share must be "
                                        "between 0 and 100%%.") % policy.name)

    @api.constrains(*WEEKDAY_FIELDS)
    def _check_weekdays(self):
        for policy in self:
            if not any(policy[name] for name in WEEKDAY_FIELDS):
                raise ValidationError(
                    _("Policy %s must allow ordering on at least one weekday.") % policy.name)

    @api.constrains('sla_response_hours', 'sla_resolution_hours')
    def _check_sla(self):
        for policy in self:
            if policy.sla_response_hours < 0:
                raise ValidationError(_("Policy %s: SLA hours cannot be negative.")
                                      % policy.name)
            if policy.sla_resolution_hours < policy.sla_response_hours:
                raise ValidationError(
                    _("Policy %s: the resolution time cannot be shorter than the response "
                      "time.") % policy.name)

    def allows_weekday(self, weekday):
        """``weekday`` as date.weekday(): 0 is Monday."""
        self.ensure_one()
        return self[WEEKDAY_FIELDS[weekday]]

    def _supply_mode(self, compliance_class):
        """'allow', 'restrict' or 'block' for a customer of ``compliance_class``."""
        self.ensure_one()
        return {'C': self.compliance_c_mode, 'W': self.compliance_w_mode}.get(
            compliance_class, 'allow')

    def _quota_share(self, compliance_class):
        """The share of each quota left to a customer of ``compliance_class``."""
        self.ensure_one()
        if self._supply_mode(compliance_class) == 'restrict':
            return self.restricted_quota_percent / 100.0
        return 1.0
