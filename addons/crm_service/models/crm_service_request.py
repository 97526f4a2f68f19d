import datetime
import logging
import threading

import pytz
from psycopg2 import sql

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import html_escape

from ..lib import sla

_logger = logging.getLogger(__name__)

REQUEST_TYPES = [
    ('complaint', 'Complaint'),
    ('inquiry', 'Inquiry'),
    ('supply', 'Supply Request'),
    ('return', 'Return'),
    ('quality', 'Quality'),
]
CHANNELS = [('phone', 'Phone'), ('visit', 'Visit'), ('email', 'Email')]
PRIORITIES = [('0', 'Normal'), ('1', 'High'), ('2', 'Urgent'), ('3', 'Very Urgent')]
# These need a root cause and a corrective action before they close.
ROOT_CAUSE_TYPES = ('complaint', 'quality')
# Only service agents (and managers) set these: account managers log requests.
HANDLER_FIELDS = {'stage_id', 'date_first_response', 'root_cause', 'corrective_action',
                  'preventive_action', 'rating'}
# Set by the request itself (SLA, outcome, escalation), never by a user.
SYSTEM_FIELDS = {'date_closed', 'response_escalated', 'resolution_escalated',
                 'escalation_user_id', 'tier_id', 'sla_response_hours', 'sla_resolution_hours',
                 'date_response_deadline', 'date_resolution_deadline', 'response_hours',
                 'response_on_time', 'resolution_hours', 'resolved_on_time'}
# A little clock skew between the desk's PCs and the server is no error.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)

# Claim the requests whose deadline has passed and that were not escalated for
# that breach yet, in one guarded UPDATE: concurrent or repeated cron runs
# claim each breach once (SKIP LOCKED leaves rows another run holds; the guard
# on the flag leaves rows it already committed).
CLAIM_BREACHES = """
WITH due AS (
    SELECT r.id
      FROM crm_service_request r
      JOIN crm_service_request_stage s ON s.id = r.stage_id
     WHERE r.active AND s.is_closed IS NOT TRUE
       AND r.{flag} IS NOT TRUE
       AND r.{met} IS NULL
       AND r.{deadline} < %(now)s
       AND (%(companies)s::int[] IS NULL OR r.company_id = ANY(%(companies)s::int[]))
     ORDER BY r.{deadline}, r.id
     LIMIT %(limit)s
       FOR UPDATE OF r SKIP LOCKED
)
UPDATE crm_service_request r
   SET {flag} = TRUE
  FROM due
 WHERE r.id = due.id AND r.{flag} IS NOT TRUE
RETURNING r.id
"""
# (breach, escalated flag, when the deadline was met, the deadline)
BREACHES = [
    ('response', 'response_escalated', 'date_first_response', 'date_response_deadline'),
    ('resolution', 'resolution_escalated', 'date_closed', 'date_resolution_deadline'),
]


def _dt(value):
    return fields.Datetime.from_string(value) if value else None


class CrmServiceRequest(models.Model):
    """A complaint or request of a customer (投诉/服务请求), handled by the service desk
    within the SLA of the customer's tier, and escalated to a manager when late."""

    _name = 'crm.service.request'
    _inherit = ['crm.input.check', 'mail.thread', 'mail.activity.mixin']
    _description = 'Service Request'
    _order = 'priority desc, date_received desc, id desc'

    reference = fields.Char(readonly=True, copy=False, index=True, default='/')
    name = fields.Char(string='Subject', required=True, track_visibility='onchange')
    active = fields.Boolean(default=True)
    request_type = fields.Selection(REQUEST_TYPES, string='Type', required=True,
                                    default='inquiry', index=True, track_visibility='onchange')
    channel = fields.Selection(CHANNELS, required=True, default='phone')
    priority = fields.Selection(PRIORITIES, default='0', index=True,
                                track_visibility='onchange')
    stage_id = fields.Many2one(
        'crm.service.request.stage', string='Stage', required=True, index=True, copy=False,
        ondelete='restrict', track_visibility='onchange', default=lambda self: self._first_stage(),
        group_expand='_read_group_stage_ids')
    is_closed = fields.Boolean(related='stage_id.is_closed', store=True, readonly=True)
    color = fields.Integer(string='Color Index')
    description = fields.Text()
    partner_id = fields.Many2one('res.partner', string='Customer', required=True, index=True,
                                 track_visibility='onchange')
    commercial_partner_id = fields.Many2one(
        related='partner_id.commercial_partner_id', string='Customer Company', store=True,
        readonly=True, index=True)
    user_id = fields.Many2one('res.users', string='Assigned to', index=True,
                              track_visibility='onchange',
                              default=lambda self: self._default_user())
    team_id = fields.Many2one('crm.team', string='Sales Team',
                              help="Its leader gets escalations when the company names no "
                                   "escalation manager.")
    company_id = fields.Many2one(
        'res.company', required=True, index=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.service.request'))
    sale_order_id = fields.Many2one('sale.order', string='Sale Order', index=True,
                                    ondelete='set null')
    picking_id = fields.Many2one('stock.picking', string='Delivery', index=True,
                                 ondelete='set null')
    visit_id = fields.Many2one('crm.visit', string='Visit', index=True, ondelete='set null',
                               help="The visit on which the request was raised.")

    # SLA: taken from the customer's tier policy when the request is received, and
    # kept (a later re-tiering does not move the deadlines of open requests).
    date_received = fields.Datetime(
        string='Received', required=True, default=fields.Datetime.now, copy=False,
        track_visibility='onchange',
        help="When the customer called, was visited or wrote; the SLA counts from here.")
    tier_id = fields.Many2one('crm.tier', string='Tier', compute='_compute_sla', store=True,
                              readonly=True, index=True,
                              help="The customer's tier when the request was received.")
    sla_response_hours = fields.Float(
        string='SLA Response (hours)', compute='_compute_sla', store=True, readonly=True,
        help="From the tier policy, or the company default for customers without one.")
    sla_resolution_hours = fields.Float(
        string='SLA Resolution (hours)', compute='_compute_sla', store=True, readonly=True)
    date_response_deadline = fields.Datetime(
        string='Respond By', compute='_compute_sla', store=True, readonly=True, index=True)
    date_resolution_deadline = fields.Datetime(
        string='Resolve By', compute='_compute_sla', store=True, readonly=True, index=True)
    date_first_response = fields.Datetime(
        string='First Response', readonly=True, copy=False,
        help="Set by the Responded button, or when the request leaves the first stage.")
    date_closed = fields.Datetime(string='Resolved On', readonly=True, copy=False,
                                  help="When the request reached a closing stage.")
    response_hours = fields.Float(
        string='Response Time (hours)', compute='_compute_outcome', store=True,
        group_operator='avg', digits=(16, 2))
    response_on_time = fields.Boolean(
        compute='_compute_outcome', store=True,
        help="Answered by the response deadline. Only meaningful once answered.")
    resolution_hours = fields.Float(
        string='Resolution Time (hours)', compute='_compute_outcome', store=True,
        group_operator='avg', digits=(16, 2))
    resolved_on_time = fields.Boolean(
        compute='_compute_outcome', store=True,
        help="Resolved by the resolution deadline. Only meaningful once resolved.")
    response_overdue = fields.Boolean(compute='_compute_overdue')
    resolution_overdue = fields.Boolean(compute='_compute_overdue')
    is_overdue = fields.Boolean(string='Overdue', compute='_compute_overdue',
                                search='_search_is_overdue')
    response_escalated = fields.Boolean(readonly=True, copy=False)
    resolution_escalated = fields.Boolean(readonly=True, copy=False)
    escalation_user_id = fields.Many2one('res.users', string='Escalated to', readonly=True,
                                         copy=False, track_visibility='onchange')

    # Resolution
    root_cause = fields.Text(track_visibility='onchange')
    corrective_action = fields.Text(track_visibility='onchange')
    preventive_action = fields.Text()
    rating = fields.Integer(
        string='Customer Rating', copy=False, group_operator='avg',
        help="The customer's satisfaction when the request closes: 1 (poor) to 5 "
             "(excellent); 0 means not rated.")

    # -- defaults ------------------------------------------------------------

    @api.model
    def _first_stage(self):
        return self.env['crm.service.request.stage'].search([], limit=1)

    @api.model
    def _default_user(self):
        # Requests logged by account managers wait for the desk to pick them up.
        if self.env.user.has_group('crm_service.group_service_agent'):
            return self.env.user
        return self.env['res.users']

    @api.model
    def _read_group_stage_ids(self, stages, domain, order):
        return stages.search([], order=order)

    # -- computes ------------------------------------------------------------

    @api.depends('partner_id', 'company_id', 'date_received')
    def _compute_sla(self):
        for request in self:
            company = request.company_id or self.env.user.company_id
            customer = request.partner_id.commercial_partner_id.sudo()
            # sudo: the tier membership and policy are configuration, only read here.
            policy = customer._get_tier_policy(company) if customer else None
            tier = customer.tier_id if customer.tier_id.company_id == company else None
            response, resolution = sla.policy_hours(
                (policy.sla_response_hours, policy.sla_resolution_hours) if policy else None,
                (company.service_response_hours, company.service_resolution_hours))
            received = _dt(request.date_received)
            request.tier_id = tier and tier.id
            request.sla_response_hours = response
            request.sla_resolution_hours = resolution
            request.date_response_deadline = fields.Datetime.to_string(
                sla.deadline(received, response)) if received else False
            request.date_resolution_deadline = fields.Datetime.to_string(
                sla.deadline(received, resolution)) if received else False

    @api.depends('date_received', 'date_first_response', 'date_closed',
                 'date_response_deadline', 'date_resolution_deadline')
    def _compute_outcome(self):
        for request in self:
            received = _dt(request.date_received)
            responded, closed = _dt(request.date_first_response), _dt(request.date_closed)
            request.response_hours = sla.elapsed_hours(received, responded) or 0.0
            request.response_on_time = bool(
                sla.on_time(responded, _dt(request.date_response_deadline)))
            request.resolution_hours = sla.elapsed_hours(received, closed) or 0.0
            request.resolved_on_time = bool(
                sla.on_time(closed, _dt(request.date_resolution_deadline)))

    def _compute_overdue(self):
        now = datetime.datetime.utcnow()
        for request in self:
            open_ = not request.is_closed
            request.response_overdue = open_ and sla.breached(
                _dt(request.date_response_deadline), _dt(request.date_first_response), now)
            request.resolution_overdue = open_ and sla.breached(
                _dt(request.date_resolution_deadline), _dt(request.date_closed), now)
            request.is_overdue = request.response_overdue or request.resolution_overdue

    def _search_is_overdue(self, operator, value):
        if operator not in ('=', '!='):
            raise ValidationError(_("Overdue can only be searched as true or false."))
        now = fields.Datetime.now()
        overdue = ['&', ('is_closed', '=', False),
                   '|', '&', ('date_first_response', '=', False),
                   ('date_response_deadline', '<', now),
                   ('date_resolution_deadline', '<', now)]
        return overdue if (operator == '=') == bool(value) else ['!'] + overdue

    # -- constraints ---------------------------------------------------------

    @api.constrains('rating')
    def _check_rating(self):
        for request in self:
            if request.rating and not 1 <= request.rating <= 5:
                raise ValidationError(_("The customer's rating is from 1 to 5 (0: not rated); "
                                        "%s is not possible.") % request.rating)

    @api.constrains('stage_id', 'request_type', 'root_cause', 'corrective_action')
    def _check_root_cause(self):
        for request in self:
            if request.is_closed and request.request_type in ROOT_CAUSE_TYPES and not (
                    (request.root_cause or '').strip()
                    and (request.corrective_action or '').strip()):
                raise ValidationError(
                    _("Give the root cause and the corrective action of %s before closing it: "
                      "complaints and quality requests need both.") % request.display_name)

    @api.constrains('partner_id', 'sale_order_id', 'picking_id', 'visit_id')
    def _check_links(self):
        for request in self:
            customer = request.commercial_partner_id
            order = request.sale_order_id
            if order and order.partner_id.commercial_partner_id != customer:
                raise ValidationError(_("Sale order %s belongs to another customer.")
                                      % order.name)
            picking = request.picking_id
            if picking and picking.partner_id.commercial_partner_id != customer:
                raise ValidationError(_("Delivery %s belongs to another customer.")
                                      % picking.name)
            visit = request.visit_id
            if visit and visit.partner_id.commercial_partner_id != customer:
                raise ValidationError(_("Visit %s belongs to another customer.")
                                      % visit.display_name)

    @api.constrains('date_received')
    def _check_date_received(self):
        latest = fields.Datetime.to_string(datetime.datetime.utcnow() + FUTURE_TOLERANCE)
        for request in self:
            if request.date_received > latest:
                raise ValidationError(_("A request cannot be received in the future."))

    # -- ORM -----------------------------------------------------------------

    @api.model
    def create(self, vals):
        self._check_handler(vals, creating=True)
        if vals.get('reference', '/') == '/':
            vals['reference'] = self.env['ir.sequence'].next_by_code('crm.service.request') \
                or '/'
        request = super().create(vals)
        request._record_stage_times()
        return request

    @api.multi
    def write(self, vals):
        self._check_handler(vals)
        result = super().write(vals)
        if 'stage_id' in vals:
            self._record_stage_times()
        return result

    @api.multi
    def name_get(self):
        return [(request.id, '%s %s' % (request.reference, request.name)
                 if request.reference and request.reference != '/' else request.name)
                for request in self]

    @api.model
    def _check_handler(self, vals, creating=False):
        if self.env.uid == SUPERUSER_ID:
            return
        forged = SYSTEM_FIELDS & set(vals)
        if forged:
            raise AccessError(_("These fields of a service request are set by the system: "
                                "%s.") % ', '.join(sorted(forged)))
        handled = {name for name in HANDLER_FIELDS & set(vals) if vals[name] or not creating}
        if not creating and 'date_received' in vals:
            handled.add('date_received')
        if creating and vals.get('stage_id') == self._first_stage().id:
            # The form sends the default stage and empty resolution fields on create.
            handled.discard('stage_id')
        if not handled or self.env.user.has_group('crm_service.group_service_agent'):
            return
        raise AccessError(_("Only service agents move requests through stages and record "
                            "responses and resolutions."))

    def _write_system(self, vals):
        """Write fields that the request sets itself (see SYSTEM_FIELDS)."""
        return super(CrmServiceRequest, self).write(vals)

    def _record_stage_times(self):
        """Record the first response when a request leaves the first stage, and the
        resolution when it reaches a closing stage (reopening clears it)."""
        now = fields.Datetime.now()
        first = self._first_stage()
        for request in self:
            updates = {}
            if not request.date_first_response and (
                    request.stage_id != first or request.is_closed):
                updates['date_first_response'] = now
            if request.is_closed and not request.date_closed:
                updates['date_closed'] = now
            elif not request.is_closed and request.date_closed:
                updates['date_closed'] = False
            if updates:
                request._write_system(updates)

    @api.multi
    def _track_subtype(self, init_values):
        self.ensure_one()
        if 'stage_id' in init_values:
            return 'crm_service.mt_request_stage'
        return super()._track_subtype(init_values)

    # -- actions -------------------------------------------------------------

    @api.multi
    def action_respond(self):
        self._action_respond()
        return True

    def _action_respond(self):
        """Record the first answer; a request still in the first stage moves on to the
        next open stage."""
        self._check_handler({'date_first_response': True})
        first = self._first_stage()
        next_stage = self.env['crm.service.request.stage'].search(
            [('id', '!=', first.id), ('is_closed', '=', False)], limit=1)
        now = fields.Datetime.now()
        for request in self.filtered(lambda r: not r.date_first_response):
            vals = {'date_first_response': now}
            if request.stage_id == first and next_stage:
                vals['stage_id'] = next_stage.id
            request.write(vals)

    @api.model
    def action_escalate_overdue(self):
        if not self.env.user.has_group('crm_service.group_service_manager'):
            raise AccessError(_("Only service managers run the escalation by hand."))
        self._cron_escalate(companies=self.env.user.company_ids.ids, commit=False)
        return True

    # -- escalation ----------------------------------------------------------

    @api.model
    def _cron_escalate(self, now=None, batch_size=200, companies=None, commit=True):
        """Give each response breach and each resolution breach to the escalation
        manager once: an activity and a chatter note. ``now`` (UTC, a string or a
        datetime) lets tests run it at chosen times. Returns the escalated
        (request, breach) pairs. ``companies``: only their requests (default: all)."""
        if isinstance(now, datetime.datetime):
            now = fields.Datetime.to_string(now)
        now = now or fields.Datetime.now()
        commit = commit and not getattr(threading.currentThread(), 'testing', False)
        escalated = []
        for breach, flag, met, deadline in BREACHES:
            query = sql.SQL(CLAIM_BREACHES).format(
                flag=sql.Identifier(flag), met=sql.Identifier(met),
                deadline=sql.Identifier(deadline)).as_string(self.env.cr._obj)
            while True:
                self.env.cr.execute(query, {'now': now, 'limit': batch_size,
                                            'companies': companies})
                requests = self.browse([row[0] for row in self.env.cr.fetchall()])
                if not requests:
                    break
                requests.invalidate_cache([flag], requests.ids)
                requests._escalate(breach)
                escalated += [(request, breach) for request in requests]
                if commit:
                    # Each batch claimed and escalated together, or not at all.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return escalated

    def _escalate(self, breach):
        activity_type = self.env.ref('crm_service.mail_activity_type_service_escalation')
        model_id = self.env['ir.model']._get('crm.service.request').id
        today = fields.Date.context_today(self)
        for request in self:
            manager = request._escalation_manager()
            # The texts in the manager's language (crons run in English).
            request = request.with_context(
                lang=manager.lang or request.company_id.partner_id.lang or self.env.lang)
            deadline = request.date_response_deadline if breach == 'response' \
                else request.date_resolution_deadline
            values = {
                'reference': request.display_name,
                'deadline': request._format_local(deadline, manager),
                'manager': manager.name or request._escalation_texts('nobody'),
            }
            body, summary = request._escalation_texts(breach)
            if manager:
                request._write_system({'escalation_user_id': manager.id})
                self.env['mail.activity'].create({
                    'res_model_id': model_id, 'res_id': request.id,
                    'activity_type_id': activity_type.id, 'user_id': manager.id,
                    'summary': summary % values, 'date_deadline': today,
                })
            else:
                _logger.info("Service request %s escalated without a service manager.",
                             request.id)
            request.message_post(body=html_escape(body % values),
                                 subtype='crm_service.mt_request_escalated')

    def _escalation_texts(self, breach):
        """(chatter note, activity summary) of a breach, in the context's language."""
        if breach == 'nobody':
            return _('nobody (no service manager)')
        if breach == 'response':
            return (_("No first response by %(deadline)s: escalated to %(manager)s."),
                    _("Not answered in time: %(reference)s"))
        return (_("Not resolved by %(deadline)s: escalated to %(manager)s."),
                _("Not resolved in time: %(reference)s"))

    def _escalation_manager(self):
        """The company's escalation manager, else the team leader when a service
        manager, else the company's first service manager."""
        self.ensure_one()
        company = self.company_id
        if company.service_escalation_user_id:
            return company.service_escalation_user_id
        group = self.env.ref('crm_service.group_service_manager')
        leader = self.team_id.user_id
        if leader and group in leader.groups_id and company in leader.company_ids:
            return leader
        return group.users.filtered(
            lambda user: user.active and not user.share and company in user.company_ids
        ).sorted('id')[:1]

    def _format_local(self, value, user):
        tz_name = user.tz or self.company_id.partner_id.tz or 'UTC'
        moment = pytz.utc.localize(fields.Datetime.from_string(value))
        return moment.astimezone(pytz.timezone(tz_name)).strftime('%Y-%m-%d %H:%M')
