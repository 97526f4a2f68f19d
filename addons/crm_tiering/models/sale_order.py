import datetime

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round, html_escape

from ..lib.periods import period_bounds
from .crm_tier_policy import WEEKDAY_FIELDS

MANAGER_GROUP = 'crm_tiering.group_tiering_manager'
OVERRIDE_KEY = 'crm_tier_override'
# Only action_confirm_override puts this object in the context. An RPC caller
# can send any JSON or XML-RPC value as a context key, but never this very
# object, and action_confirm compares it with ``is`` (and checks the group).
_OVERRIDE = object()
# Marks the state write of action_confirm, which has checked the orders already;
# any other write of a confirmed state is checked there (see write()).
CONFIRMING_KEY = 'crm_tier_confirming'
_CONFIRMING = object()

# One row per customer and company, touched by every confirmation of the
# customer: see _lock_tier_customer.
LOCK_QUERY = """
INSERT INTO crm_tier_order_lock (partner_id, company_id, seq) VALUES (%s, %s, 1)
ON CONFLICT (partner_id, company_id) DO UPDATE SET seq = crm_tier_order_lock.seq + 1
"""

# Rows of (currency id, amount): the open receivables of the customer in the
# company's currency, then per currency what its other confirmed orders (and
# the other orders confirmed in the same call) have not invoiced yet.
CREDIT_QUERY = """
SELECT %(company_currency)s, coalesce(sum(aml.amount_residual), 0)
  FROM account_move_line aml
  JOIN account_account aa ON aa.id = aml.account_id
  JOIN res_partner p ON p.id = aml.partner_id
 WHERE p.commercial_partner_id = %(partner)s AND aml.company_id = %(company)s
   AND aa.internal_type = 'receivable' AND NOT aml.reconciled
UNION ALL
SELECT sol.currency_id,
       sum(sol.price_total * greatest(sol.product_uom_qty - sol.qty_invoiced, 0)
           / sol.product_uom_qty)
  FROM sale_order_line sol
  JOIN sale_order so ON so.id = sol.order_id
  JOIN res_partner p ON p.id = so.partner_id
 WHERE p.commercial_partner_id = %(partner)s AND so.company_id = %(company)s
   AND so.id != %(order)s AND (so.state IN ('sale', 'done') OR so.id = ANY(%(batch)s))
   AND sol.product_uom_qty > 0
 GROUP BY sol.currency_id
"""

# Per quota: (id, quantity used in its period, quantity requested by the order,
# products whose unit cannot be converted into the quota's unit). Quantities
# are in the quota's unit. Used: the customer's confirmed orders of the period
# (and the other orders confirmed in the same call) minus its posted refunds
# of the period, never below zero; lines in another unit category cannot be
# counted. Category quotas take the subcategories (parent_left/right).
QUOTA_USAGE_QUERY = """
WITH quota AS (
    SELECT q.id, q.product_id, c.parent_left, c.parent_right, u.factor,
           u.category_id AS uom_category, p.order_from, p.order_to, p.day_from, p.day_to
      FROM unnest(%(quotas)s::int[], %(order_from)s::timestamp[], %(order_to)s::timestamp[],
                  %(day_from)s::date[], %(day_to)s::date[])
           AS p(quota_id, order_from, order_to, day_from, day_to)
      JOIN crm_tier_quota q ON q.id = p.quota_id
      JOIN product_uom u ON u.id = q.uom_id
      LEFT JOIN product_category c ON c.id = q.categ_id
), customer AS (
    SELECT id FROM res_partner WHERE commercial_partner_id = %(partner)s
), sale AS (
    -- By the customer's contacts first (indexed), not by date over all customers.
    SELECT id, date_order FROM sale_order WHERE id = %(order)s
    UNION
    SELECT so.id, so.date_order FROM sale_order so
     WHERE so.partner_id IN (SELECT id FROM customer) AND so.company_id = %(company)s
       AND (so.state IN ('sale', 'done') OR so.id = ANY(%(batch)s))
       AND so.date_order >= %(window_from)s AND so.date_order < %(window_to)s
), line AS (
    SELECT so.id = %(order)s AS requested, so.date_order AS ordered_at,
           NULL::date AS refunded_on, sol.product_id, pc.parent_left AS categ_left,
           sol.product_uom_qty AS qty, u.factor, u.category_id AS uom_category
      FROM sale so
      JOIN sale_order_line sol ON sol.order_id = so.id
      JOIN product_product pp ON pp.id = sol.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN product_category pc ON pc.id = pt.categ_id
      JOIN product_uom u ON u.id = sol.product_uom
    UNION ALL
    SELECT false, NULL, i.date_invoice, il.product_id, pc.parent_left,
           -il.quantity, u.factor, u.category_id
      FROM account_invoice_line il
      JOIN account_invoice i ON i.id = il.invoice_id
      JOIN product_product pp ON pp.id = il.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN product_category pc ON pc.id = pt.categ_id
      JOIN product_uom u ON u.id = coalesce(il.uom_id, pt.uom_id)
     WHERE i.partner_id IN (SELECT id FROM customer) AND i.company_id = %(company)s
       AND i.type = 'out_refund' AND i.state IN ('open', 'paid')
       AND i.date_invoice >= %(window_day_from)s AND i.date_invoice < %(window_day_to)s
)
SELECT q.id,
       greatest(0, coalesce(sum(l.qty / l.factor * q.factor) FILTER (
           WHERE NOT l.requested AND l.uom_category = q.uom_category), 0)),
       coalesce(sum(l.qty / l.factor * q.factor) FILTER (
           WHERE l.requested AND l.uom_category = q.uom_category), 0),
       array_agg(DISTINCT l.product_id) FILTER (
           WHERE l.requested AND l.uom_category != q.uom_category)
  FROM quota q
  LEFT JOIN line l
    ON (l.product_id = q.product_id
        OR (l.categ_left >= q.parent_left AND l.categ_left < q.parent_right))
   AND (l.requested
        OR (l.ordered_at >= q.order_from AND l.ordered_at < q.order_to)
        OR (l.refunded_on >= q.day_from AND l.refunded_on < q.day_to))
 GROUP BY q.id
"""


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    @api.model_cr
    def init(self):
        result = super().init()
        self.env.cr.execute("""
            CREATE TABLE IF NOT EXISTS crm_tier_order_lock (
                partner_id int, company_id int, seq int,
                PRIMARY KEY (partner_id, company_id))""")
        return result

    # -- defaults from the tier policy -------------------------------------

    @api.model
    def _tier_policy_defaults(self, partner, company):
        """Pricelist and payment terms the customer's tier policy proposes."""
        if not partner:
            return {}
        policy = partner._get_tier_policy(company)
        values = {}
        if policy.pricelist_id:
            values['pricelist_id'] = policy.pricelist_id.id
        if policy.payment_term_id:
            values['payment_term_id'] = policy.payment_term_id.id
        return values

    @api.multi
    @api.onchange('partner_id')
    def onchange_partner_id(self):
        result = super().onchange_partner_id()
        if self.partner_id:
            self.update(self._tier_policy_defaults(
                self.partner_id, self.company_id or self.env.user.company_id))
        return result

    @api.model
    def create(self, vals):
        if vals.get('partner_id'):
            company = self.env['res.company'].browse(vals.get('company_id')) \
                or self.env['res.company']._company_default_get('sale.order')
            defaults = self._tier_policy_defaults(
                self.env['res.partner'].browse(vals['partner_id']), company)
            for name, value in defaults.items():
                vals.setdefault(name, value)
        return super().create(vals)

    # -- confirmation ----------------------------------------------------------

    @api.multi
    def write(self, vals):
        if vals.get('state') in ('sale', 'done') \
                and self.env.context.get(CONFIRMING_KEY) is not _CONFIRMING:
            self._enforce_tier_policy()
        return super().write(vals)

    @api.multi
    def action_confirm(self):
        checked = self._enforce_tier_policy()
        result = super(SaleOrder, self.with_context(**{CONFIRMING_KEY: _CONFIRMING})) \
            .action_confirm()
        self._post_tier_override(checked)
        return result

    @api.multi
    def action_confirm_override(self):
        """Confirm against the tier policy: managers only, the violations go to the chatter."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only tiering managers can confirm an order that the tier "
                                "service policy refuses."))
        return self.with_context(**{OVERRIDE_KEY: _OVERRIDE}).action_confirm()

    def _tier_override_allowed(self):
        return (self.env.context.get(OVERRIDE_KEY) is _OVERRIDE
                and self.env.user.has_group(MANAGER_GROUP))

    def _enforce_tier_policy(self):
        """Check the quotations being confirmed. Raise a UserError listing every
        violation unless a manager overrides. Return {order: (policy, violations)}
        for the orders that have a policy."""
        checked = {}
        for order in self.filtered(lambda o: o.state in ('draft', 'sent')):
            policy = order.partner_id._get_tier_policy(order.company_id)
            if policy:
                checked[order] = (policy, order._check_tier_policy(policy, batch=self))
        refused = [(order, violations) for order, (_policy, violations) in checked.items()
                   if violations]
        if refused and not self._tier_override_allowed():
            raise UserError(_("The tier service policy does not allow this confirmation:")
                            + ''.join('\n\n%s\n- %s' % (order.name, '\n- '.join(violations))
                                      for order, violations in refused))
        return checked

    def _recheck_tier_policy(self):
        """Confirmed orders whose lines changed: compliance, credit and quotas again
        (the ordering day was checked at confirmation). A manager's change goes
        through and is written to the chatter."""
        for order in self.filtered(lambda o: o.state in ('sale', 'done')):
            policy = order.partner_id._get_tier_policy(order.company_id)
            violations = policy and order._check_tier_policy(policy, weekday=False)
            if not violations:
                continue
            if not self.env.user.has_group(MANAGER_GROUP):
                raise UserError(_("The tier service policy does not allow this change of "
                                  "%s:") % order.name + '\n- ' + '\n- '.join(violations))
            order._post_tier_override({order: (policy, violations)})

    def _post_tier_override(self, checked):
        for order, (_policy, violations) in checked.items():
            if violations:
                order.message_post(subtype='mail.mt_note', body='<p>%s</p><ul>%s</ul>' % (
                    html_escape(_("Confirmed by %s despite the tier service policy:")
                                % self.env.user.name),
                    ''.join('<li>%s</li>' % html_escape(v) for v in violations)))

    # -- the checks --------------------------------------------------------------

    @api.multi
    def _check_tier_policy(self, policy=None, batch=None, weekday=True):
        """The violations of the customer's tier policy by this order, as a list
        of messages. ``batch``: the orders confirmed together with this one."""
        self.ensure_one()
        policy = policy or self.partner_id._get_tier_policy(self.company_id)
        if not policy:
            return []
        partner = self.partner_id.commercial_partner_id
        self._lock_tier_customer(partner)
        batch_ids = (batch or self).ids
        violations = []
        mode = policy._supply_mode(partner.compliance_class)
        if mode == 'block':
            violations.append(_("Supply to customer %(customer)s is blocked: compliance "
                                "class %(class)s.") % {
                'customer': partner.display_name, 'class': partner.compliance_class})
        company = self.company_id
        if weekday and company.tier_check_weekday:
            violations += self._check_tier_weekday(policy, partner)
        if company.tier_check_credit and policy.credit_limit > 0:
            violations += self._check_tier_credit(policy, partner, batch_ids)
        if company.tier_check_quota:
            violations += self._check_tier_quotas(
                policy, partner, policy._quota_share(partner.compliance_class), batch_ids)
        return violations

    def _lock_tier_customer(self, partner):
        """Serialise the confirmations of one customer before its usage is read.

        Odoo runs transactions in REPEATABLE READ. If another confirmation of
        the customer committed after this transaction's snapshot, it has
        updated this row, and the update raises a serialization failure:
        Odoo's RPC and HTTP layer (odoo.service.model.check) rolls back and
        retries the call, which then sees the other order, as with
        ir.sequence's _update_nogap. A confirmation still running holds the
        row lock, so this one waits for it. The failure is expected and retried:
        it is not logged as a bad query.
        """
        self.env.cr.execute(LOCK_QUERY, [partner.id, self.company_id.id],
                            log_exceptions=False)

    def _tier_local_date_order(self):
        """The order date in the company's time zone, and that zone."""
        tz = pytz.timezone(self.company_id.partner_id.tz or 'UTC')
        moment = pytz.utc.localize(fields.Datetime.from_string(self.date_order))
        return moment.astimezone(tz), tz

    def _check_tier_weekday(self, policy, partner):
        local, _tz = self._tier_local_date_order()
        weekday = local.weekday()
        if policy.allows_weekday(weekday):
            return []
        labels = policy.fields_get(WEEKDAY_FIELDS, ['string'])
        names = [labels[name]['string'] for name in WEEKDAY_FIELDS]
        allowed = [names[day] for day in range(7) if policy.allows_weekday(day)]
        return [_("Customer %(customer)s orders only on %(days)s; this order is dated "
                  "%(day)s %(date)s.") % {
            'customer': partner.display_name, 'days': ', '.join(allowed),
            'day': names[weekday], 'date': local.strftime('%Y-%m-%d')}]

    def _check_tier_credit(self, policy, partner, batch_ids):
        company = self.company_id
        currency = company.currency_id
        self.env.cr.execute(CREDIT_QUERY, {
            'company_currency': currency.id, 'partner': partner.id, 'company': company.id,
            'order': self.id, 'batch': batch_ids})
        rows = self.env.cr.fetchall()
        receivable = float(rows[0][1])
        Currency = self.env['res.currency'].with_context(date=self.date_order)
        pending = sum(Currency.browse(currency_id).compute(float(amount), currency)
                      for currency_id, amount in rows[1:])
        amount = self.currency_id.with_context(date=self.date_order).compute(
            self.amount_total, currency)
        total = receivable + pending + amount
        if float_compare(total, policy.credit_limit, precision_rounding=currency.rounding) <= 0:
            return []

        def money(value):
            return tools.formatLang(self.env, value, currency_obj=currency)
        return [_("Customer %(customer)s: open receivables of %(receivable)s, confirmed "
                  "orders not invoiced yet of %(pending)s and this order of %(amount)s make "
                  "%(total)s, above the credit limit of %(limit)s.") % {
            'customer': partner.display_name, 'receivable': money(receivable),
            'pending': money(pending), 'amount': money(amount), 'total': money(total),
            'limit': money(policy.credit_limit)}]

    def _tier_quota_periods(self, quotas):
        """{quota id: (first day, first day after, same two as UTC datetimes)} of the
        period of each quota that contains the order date, in the company's time zone."""
        local, tz = self._tier_local_date_order()
        periods = {}
        for quota in quotas:
            days = period_bounds(local.date(), quota.period)
            periods[quota.id] = days + tuple(
                tz.localize(datetime.datetime.combine(day, datetime.time.min))
                .astimezone(pytz.utc).replace(tzinfo=None) for day in days)
        return periods

    def _tier_quota_usage(self, quotas, partner, periods, batch_ids):
        """{quota id: (used, requested, ids of products in another unit category)},
        in one aggregate over order lines and refunds for all the quotas."""
        ids = list(periods)
        rows = [periods[quota_id] for quota_id in ids]
        self.env.cr.execute(QUOTA_USAGE_QUERY, {
            'quotas': ids,
            'order_from': [fields.Datetime.to_string(row[2]) for row in rows],
            'order_to': [fields.Datetime.to_string(row[3]) for row in rows],
            'day_from': [fields.Date.to_string(row[0]) for row in rows],
            'day_to': [fields.Date.to_string(row[1]) for row in rows],
            'window_from': fields.Datetime.to_string(min(row[2] for row in rows)),
            'window_to': fields.Datetime.to_string(max(row[3] for row in rows)),
            'window_day_from': fields.Date.to_string(min(row[0] for row in rows)),
            'window_day_to': fields.Date.to_string(max(row[1] for row in rows)),
            'order': self.id, 'partner': partner.id, 'company': self.company_id.id,
            'batch': batch_ids,
        })
        return {quota_id: (float(used), float(requested), mismatched or [])
                for quota_id, used, requested, mismatched in self.env.cr.fetchall()}

    @api.multi
    def _tier_quota_remaining(self):
        """{quota: quantity in the quota's unit that the customer may still order in
        the quota's period, besides this order}; all 0 when its supply is blocked."""
        self.ensure_one()
        policy = self.partner_id._get_tier_policy(self.company_id)
        if not policy.quota_ids:
            return {}
        partner = self.partner_id.commercial_partner_id
        share = policy._quota_share(partner.compliance_class)
        if policy._supply_mode(partner.compliance_class) == 'block':
            share = 0.0
        quotas = policy.quota_ids
        usage = self._tier_quota_usage(quotas, partner, self._tier_quota_periods(quotas),
                                       self.ids)
        return {quota: max(0.0, quota.max_qty * share - usage[quota.id][0])
                for quota in quotas}

    def _check_tier_quotas(self, policy, partner, share, batch_ids):
        quotas = policy.quota_ids
        if not quotas:
            return []
        periods = self._tier_quota_periods(quotas)
        usage = self._tier_quota_usage(quotas, partner, periods, batch_ids)
        digits = self.env['decimal.precision'].precision_get('Product Unit of Measure')
        period_names = {'week': _("week"), 'month': _("month")}

        def qty(value):
            text = '%.*f' % (digits, float_round(value, precision_digits=digits))
            return text.rstrip('0').rstrip('.') if '.' in text else text

        violations = []
        for quota in quotas:
            used, requested, mismatched = usage[quota.id]
            target = (_("product %s") % quota.product_id.display_name if quota.product_id
                      else _("category %s") % quota.categ_id.display_name)
            if mismatched:
                raise UserError(_(
                    "%(products)s cannot be compared with the quota on %(target)s: its unit "
                    "of measure is not in the category of %(uom)s.") % {
                    'products': ', '.join(self.env['product.product'].browse(mismatched)
                                          .mapped('display_name')),
                    'target': target, 'uom': quota.uom_id.name})
            if float_compare(requested, 0, precision_digits=digits) <= 0:
                continue
            limit = quota.max_qty * share
            if float_compare(used + requested, limit, precision_digits=digits) <= 0:
                continue
            message = _(
                "Customer %(customer)s: %(target)s is limited to %(limit)s %(uom)s per "
                "%(period)s; %(used)s %(uom)s already ordered in the %(period)s from "
                "%(start)s, %(requested)s %(uom)s requested.") % {
                'customer': partner.display_name, 'target': target, 'limit': qty(limit),
                'uom': quota.uom_id.name, 'period': period_names[quota.period],
                'used': qty(used), 'start': fields.Date.to_string(periods[quota.id][0]),
                'requested': qty(requested)}
            if share != 1.0:
                message += ' ' + _("Compliance class %(class)s restricts the quota to "
                                   "%(percent)s%% of %(max)s.") % {
                    'class': partner.compliance_class,
                    'percent': qty(policy.restricted_quota_percent), 'max': qty(quota.max_qty)}
            violations.append(message)
        return violations
