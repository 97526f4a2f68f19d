import datetime

import pytz
from psycopg2.extras import execute_values

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_round

from ..lib.planning import plan_visits
from .crm_visit_route import WEEKDAY_FIELDS

OUTCOMES = [
    ('ordered', 'Ordered'),
    ('no_order', 'No Order'),
    ('closed', 'Shop Closed'),
    ('absent', 'Owner Absent'),
]
# Customers without a tier policy are visited monthly, like the lowest tier.
DEFAULT_INTERVAL_DAYS = 28
# Set by planning, checking in and out and the visit's buttons, never by hand.
PROCESS_FIELDS = {'state', 'check_in', 'check_out', 'company_id'}
# Weeks of order history behind the quantities proposed by "Take Order".
ORDER_HISTORY_WEEKS = 8

# Per customer on the routes: its interval (from the primary scheme's tier
# policy), its last visit before the horizon, the visit days and the
# cancelled days inside it.
PLANNING_QUERY = """
WITH stop AS (
    SELECT s.partner_id, r.id AS route_id, r.user_id, r.company_id, s.sequence
      FROM crm_visit_route_stop s
      JOIN crm_visit_route r ON r.id = s.route_id
      JOIN res_partner p ON p.id = s.partner_id
     WHERE r.id = ANY(%(routes)s) AND r.active AND p.active
       AND (p.company_id IS NULL OR p.company_id = r.company_id)
), visit AS (
    SELECT v.partner_id, v.company_id,
           max(v.date) FILTER (WHERE v.date < %(start)s
                                 AND v.state IN ('planned', 'in_progress', 'done')) AS last,
           array_agg(v.date) FILTER (WHERE v.date >= %(start)s AND v.state != 'cancel')
               AS existing,
           array_agg(v.date) FILTER (WHERE v.date >= %(start)s AND v.state = 'cancel')
               AS cancelled
      FROM crm_visit v
     WHERE v.partner_id IN (SELECT partner_id FROM stop) AND v.date <= %(end)s
     GROUP BY v.partner_id, v.company_id
)
SELECT stop.partner_id, stop.route_id, stop.user_id, stop.company_id, stop.sequence,
       coalesce(policy.visit_interval_days, %(default_interval)s),
       visit.last, coalesce(visit.existing, '{}'), coalesce(visit.cancelled, '{}')
  FROM stop
  LEFT JOIN visit ON visit.partner_id = stop.partner_id
                 AND visit.company_id = stop.company_id
  LEFT JOIN crm_tier_scheme scheme ON scheme.company_id = stop.company_id AND scheme.is_primary
                                 AND scheme.active
  LEFT JOIN crm_tier_member member ON member.scheme_id = scheme.id
                                  AND member.partner_id = stop.partner_id
  LEFT JOIN crm_tier tier ON tier.id = member.tier_id
  LEFT JOIN crm_tier_policy policy ON policy.id = tier.policy_id
"""

INSERT_QUERY = """
INSERT INTO crm_visit (partner_id, route_id, user_id, company_id, sequence, date, state,
                       create_uid, write_uid, create_date, write_date)
VALUES %s
ON CONFLICT ON CONSTRAINT crm_visit_partner_date_unique DO NOTHING
RETURNING id
"""

# Average weekly quantity per product, in the product's unit, that the
# customer ordered (confirmed orders) in the weeks before the visit.
WEEKLY_QUANTITY_QUERY = """
SELECT sol.product_id, sum(sol.product_uom_qty / lu.factor * pu.factor) / %(weeks)s
  FROM sale_order_line sol
  JOIN sale_order so ON so.id = sol.order_id
  JOIN res_partner p ON p.id = so.partner_id
  JOIN product_product pp ON pp.id = sol.product_id
  JOIN product_template pt ON pt.id = pp.product_tmpl_id
  JOIN product_uom lu ON lu.id = sol.product_uom
  JOIN product_uom pu ON pu.id = pt.uom_id
 WHERE p.commercial_partner_id = %(partner)s AND so.company_id = %(company)s
   AND so.state IN ('sale', 'done') AND pt.sale_ok AND pp.active
   AND so.date_order >= %(since)s AND so.date_order < %(until)s
   AND lu.category_id = pu.category_id
 GROUP BY sol.product_id
"""

# Planned visits of days gone by (in each company's time zone) are missed.
MISSED_QUERY = """
UPDATE crm_visit v
   SET state = 'missed', write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
  FROM res_company c
  JOIN res_partner cp ON cp.id = c.partner_id
 WHERE v.company_id = c.id AND v.state = 'planned'
   AND v.date < coalesce(%(today)s::date,
                         (now() AT TIME ZONE coalesce(cp.tz, 'UTC'))::date)
RETURNING v.id
"""


class CrmVisit(models.Model):
    """A visit of an account manager to a shop (访销): planned from the route and
    the customer's tier, then checked in, ordered from and checked out."""

    _name = 'crm.visit'
    _inherit = ['crm.input.check', 'mail.thread', 'mail.activity.mixin']
    _description = 'Customer Visit'
    _order = 'date desc, route_id, sequence, id'

    partner_id = fields.Many2one(
        'res.partner', string='Customer', required=True, index=True,
        domain="[('customer', '=', True), ('parent_id', '=', False)]",
        readonly=True, states={'planned': [('readonly', False)]})
    route_id = fields.Many2one('crm.visit.route', string='Route', index=True, readonly=True,
                               states={'planned': [('readonly', False)]})
    sequence = fields.Integer(readonly=True,
                              help="The customer's stop number on the route.")
    user_id = fields.Many2one(
        'res.users', string='Account Manager', index=True, track_visibility='onchange',
        default=lambda self: self.env.user)
    company_id = fields.Many2one(
        'res.company', required=True, index=True, readonly=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.visit'))
    date = fields.Date(required=True, index=True, default=fields.Date.context_today,
                       track_visibility='onchange', readonly=True,
                       states={'planned': [('readonly', False)]})
    state = fields.Selection(
        [('planned', 'Planned'), ('in_progress', 'Checked In'), ('done', 'Done'),
         ('missed', 'Missed'), ('cancel', 'Cancelled')],
        default='planned', required=True, readonly=True, index=True, copy=False,
        track_visibility='onchange')
    check_in = fields.Datetime(string='Checked In', copy=False, readonly=True)
    check_out = fields.Datetime(string='Checked Out', copy=False, readonly=True)
    outcome = fields.Selection(OUTCOMES, copy=False, track_visibility='onchange')
    satisfaction = fields.Selection(
        [('0', 'Not Rated'), ('1', 'Very Unhappy'), ('2', 'Unhappy'), ('3', 'Neutral'),
         ('4', 'Happy'), ('5', 'Very Happy')],
        default='0', copy=False, help="The shop owner's satisfaction, 1 to 5 stars.")
    shelf_line_ids = fields.One2many('crm.visit.shelf.line', 'visit_id', string='Shelf Stock',
                                     copy=False)
    photo_ids = fields.Many2many('ir.attachment', string='Photos', copy=False,
                                 help="Shelf and shop photos taken on the visit.")
    note = fields.Text(string='Notes')
    order_ids = fields.One2many('sale.order', 'visit_id', string='Orders', readonly=True)
    order_count = fields.Integer(compute='_compute_order_count', string='Orders Taken')
    request_ids = fields.One2many('crm.service.request', 'visit_id', string='Service Requests',
                                  readonly=True)
    request_count = fields.Integer(compute='_compute_request_count', string='Requests')
    tier_id = fields.Many2one(related='partner_id.tier_id', readonly=True)
    partner_phone = fields.Char(related='partner_id.phone', readonly=True)
    partner_street = fields.Char(related='partner_id.street', readonly=True)

    _sql_constraints = [
        ('partner_date_unique', 'UNIQUE (company_id, partner_id, date)',
         'A customer has one visit a day.'),
    ]

    @api.depends('order_ids')
    def _compute_order_count(self):
        for visit in self:
            visit.order_count = len(visit.order_ids)

    @api.depends('request_ids')
    def _compute_request_count(self):
        for visit in self:
            visit.request_count = len(visit.request_ids)

    @api.model
    def create(self, vals):
        names = set(vals)
        if vals.get('state', 'planned') == 'planned':
            names -= {'state', 'company_id'}    # a new visit, planned by hand
        self._check_process_fields(names)
        visit = super().create(vals)
        visit.route_id._sync_visit_sequences()
        return visit

    @api.multi
    def write(self, vals):
        self._check_process_fields(set(vals))
        result = super().write(vals)
        if 'route_id' in vals or 'partner_id' in vals:
            self.mapped('route_id')._sync_visit_sequences()
        return result

    @api.model
    def _check_process_fields(self, names):
        if PROCESS_FIELDS & names and self.env.uid != SUPERUSER_ID:
            raise AccessError(_("The state, the check-in and check-out times and the company "
                                "of a visit are set by its buttons, not by hand."))

    def _write_process(self, vals):
        """Write PROCESS_FIELDS: for the visit's own buttons."""
        return super(CrmVisit, self).write(vals)

    @api.multi
    def name_get(self):
        return [(visit.id, '%s %s' % (visit.date, visit.partner_id.display_name))
                for visit in self]

    @api.constrains('check_in', 'check_out')
    def _check_times(self):
        for visit in self:
            if visit.check_in and visit.check_out and visit.check_out < visit.check_in:
                raise ValidationError(_("The visit to %s is checked out before it was checked "
                                        "in.") % visit.partner_id.display_name)

    @api.constrains('partner_id', 'company_id')
    def _check_company(self):
        for visit in self:
            company = visit.partner_id.company_id
            if company and company != visit.company_id:
                raise ValidationError(_("%(customer)s belongs to company %(company)s; visit "
                                        "it from there.") % {
                    'customer': visit.partner_id.display_name, 'company': company.name})
            if visit.route_id and visit.route_id.company_id != visit.company_id:
                raise ValidationError(_("The route of a visit belongs to the visit's "
                                        "company."))

    # -- execution -----------------------------------------------------------

    @api.multi
    def action_check_in(self):
        for visit in self:
            visit._check_in()
        return True

    def _check_in(self):
        """Claim the visit in one UPDATE, so that two people checking in at once get
        one check-in and a clear message: the loser's UPDATE fails to serialize,
        Odoo retries its call, which then finds the visit checked in. The failure
        is expected, so it is not logged as a bad query."""
        self.ensure_one()
        self.check_access_rights('write')
        self.check_access_rule('write')
        today = fields.Date.to_string(self._company_today(self.company_id))
        if self.state == 'planned' and self.date != today:
            raise UserError(_("The visit to %(customer)s is planned for %(date)s: change its "
                              "date to today to check in.") % {
                'customer': self.partner_id.display_name, 'date': self.date})
        self.env.cr.execute(
            "UPDATE crm_visit SET state = 'in_progress', check_in = %s, write_uid = %s, "
            "write_date = now() AT TIME ZONE 'UTC' WHERE id = %s AND state = 'planned' "
            "RETURNING id", [fields.Datetime.now(), self.env.uid, self.id],
            log_exceptions=False)
        claimed = self.env.cr.fetchone()
        self.invalidate_cache(ids=self.ids)
        if not claimed:
            raise UserError(self._state_message())
        self.message_post(body=_("Checked in."), subtype='mail.mt_note')

    def _state_message(self):
        if self.state == 'in_progress':
            return _("The visit to %(customer)s was checked in at %(time)s already.") % {
                'customer': self.partner_id.display_name,
                'time': fields.Datetime.context_timestamp(
                    self, fields.Datetime.from_string(self.check_in)).strftime('%H:%M')}
        states = dict(self._fields['state']._description_selection(self.env))
        return _("The visit to %(customer)s is %(state)s.") % {
            'customer': self.partner_id.display_name, 'state': states[self.state]}

    @api.multi
    def action_check_out(self):
        for visit in self:
            visit._check_out()
        return True

    def _check_out(self):
        self.ensure_one()
        if self.state != 'in_progress':
            raise UserError(_("Check in before checking out.") if self.state == 'planned'
                            else self._state_message())
        outcome = self.outcome or (self.order_ids.filtered(
            lambda o: o.state != 'cancel') and 'ordered')
        if not outcome:
            raise UserError(_("Choose the outcome of the visit to %s before checking out.")
                            % self.partner_id.display_name)
        self._write_process({'state': 'done', 'check_out': fields.Datetime.now(),
                             'outcome': outcome})

    @api.multi
    def action_cancel(self):
        if self.filtered(lambda v: v.state not in ('planned', 'missed')):
            raise UserError(_("Only planned or missed visits can be cancelled."))
        self._write_process({'state': 'cancel'})
        return True

    @api.multi
    def action_reset(self):
        if self.filtered(lambda v: v.state != 'cancel'):
            raise UserError(_("Only cancelled visits can be planned again."))
        self._write_process({'state': 'planned'})
        return True

    @api.multi
    def action_open_request(self):
        """A new service request of the shop, raised on this visit."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'crm.service.request',
            'view_mode': 'form',
            'target': 'current',
            'context': {'default_visit_id': self.id, 'default_partner_id': self.partner_id.id,
                        'default_channel': 'visit', 'default_request_type': 'complaint'},
        }

    # -- taking an order -----------------------------------------------------

    @api.multi
    def action_take_order(self):
        order = self._take_order()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'sale.order',
            'res_id': order.id,
            'view_mode': 'form',
            'target': 'current',
        }

    def _take_order(self):
        """The visit's open quotation, or a new one proposing the customer's usual
        weekly quantities within the quota still left."""
        self.ensure_one()
        if self.state == 'planned':
            self._check_in()
        elif self.state != 'in_progress':
            raise UserError(self._state_message())
        quotation = self.order_ids.filtered(lambda o: o.state in ('draft', 'sent'))[:1]
        if quotation:
            return quotation
        order = self.env['sale.order'].create({
            'partner_id': self.partner_id.id, 'company_id': self.company_id.id,
            'user_id': self.user_id.id, 'visit_id': self.id, 'origin': self.display_name})
        proposal = self._proposed_quantities()
        lines = order._capped_to_quotas(proposal)
        order.write({'order_line': [(0, 0, order._visit_line_values(product, qty))
                                    for product, qty in lines if qty > 0]})
        return order

    def _proposed_quantities(self):
        """[(product, quantity)]: the average weekly quantity of each product the
        customer ordered over the last weeks, in whole units, largest first."""
        # From the company's midnight of the visit day back, as stored (UTC).
        tz = pytz.timezone(self.company_id.partner_id.tz or 'UTC')
        until = tz.localize(datetime.datetime.combine(
            fields.Date.from_string(self.date), datetime.time.min)
        ).astimezone(pytz.utc).replace(tzinfo=None)
        self.env.cr.execute(WEEKLY_QUANTITY_QUERY, {
            'weeks': ORDER_HISTORY_WEEKS, 'partner': self.partner_id.commercial_partner_id.id,
            'company': self.company_id.id,
            'since': until - datetime.timedelta(weeks=ORDER_HISTORY_WEEKS), 'until': until})
        Product = self.env['product.product']
        proposal = [(Product.browse(product_id), float_round(float(qty), precision_digits=0))
                    for product_id, qty in self.env.cr.fetchall()]
        return sorted([(p, q) for p, q in proposal if q > 0], key=lambda pq: (-pq[1], pq[0].id))

    # -- planning ------------------------------------------------------------

    @api.model
    def _cron_plan(self):
        for company in self.env['res.company'].search([]):
            routes = self.env['crm.visit.route'].search([('company_id', '=', company.id)])
            if routes:
                self._plan(routes, weeks=company.visit_plan_weeks)

    @api.model
    def _plan(self, routes, weeks, start=None):
        """Create the visits the routes' customers are due for from ``start``
        (the company's today) for ``weeks`` weeks. Return the new visits."""
        created = self.browse()
        for company in routes.mapped('company_id'):
            company_routes = routes.filtered(lambda r: r.company_id == company)
            first = start or self._company_today(company)
            last = first + datetime.timedelta(days=7 * weeks - 1)
            created |= self._plan_company(company, company_routes, first, last)
        return created

    def _plan_company(self, company, routes, start, end):
        self.env.cr.execute(PLANNING_QUERY, {
            'routes': routes.ids, 'start': start, 'end': end,
            'default_interval': DEFAULT_INTERVAL_DAYS})
        rows = self.env.cr.fetchall()
        excluded = self.env['res.partner']._visit_planning_excluded(
            [row[0] for row in rows], company)
        holidays = self._company_holidays(company, start, end)
        weekdays = {route.id: {day for day, name in enumerate(WEEKDAY_FIELDS) if route[name]}
                    for route in routes}
        now = fields.Datetime.now()
        values = []
        for partner_id, route_id, user_id, company_id, sequence, interval, last, existing, \
                cancelled in rows:
            if partner_id in excluded:
                continue
            # Odoo's cursor reads DATE columns as strings (arrays stay dates).
            last = last and fields.Date.from_string(last)
            for day in plan_visits(last, interval, start, end, weekdays[route_id],
                                   holidays | set(cancelled), existing):
                values.append((partner_id, route_id, user_id, company_id, sequence, day,
                               'planned', self.env.uid, self.env.uid, now, now))
        if not values:
            return self.browse()
        ids = [row[0] for row in execute_values(self.env.cr, INSERT_QUERY, values,
                                                fetch=True, page_size=1000)]
        return self.browse(ids)

    @api.model
    def _company_today(self, company):
        tz = pytz.timezone(company.partner_id.tz or 'UTC')
        return datetime.datetime.now(pytz.utc).astimezone(tz).date()

    @api.model
    def _company_holidays(self, company, start, end):
        """Days in [start, end] closed by the company's holidays: leaves of its working
        time without a resource, as days in the company's time zone."""
        tz = pytz.timezone(company.partner_id.tz or 'UTC')
        leaves = self.env['resource.calendar.leaves'].sudo().search([
            ('calendar_id', '=', company.resource_calendar_id.id),
            ('resource_id', '=', False),
            ('date_from', '<=', fields.Datetime.to_string(end + datetime.timedelta(days=1))),
            ('date_to', '>=', fields.Datetime.to_string(start - datetime.timedelta(days=1)))])
        days = set()
        for leave in leaves:
            first, last = (pytz.utc.localize(fields.Datetime.from_string(moment))
                           .astimezone(tz).date() for moment in (leave.date_from, leave.date_to))
            while first <= last:
                days.add(first)
                first += datetime.timedelta(days=1)
        return days

    @api.model
    def _cron_mark_missed(self, today=None):
        """Planned visits whose day has passed become missed; one UPDATE."""
        self.env.cr.execute(MISSED_QUERY, {'uid': self.env.uid, 'today': today})
        missed = self.browse([row[0] for row in self.env.cr.fetchall()])
        missed.invalidate_cache(['state'], missed.ids)
        return missed
