import collections
import datetime
import logging

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tools import html_escape, mute_logger
from odoo.tools.safe_eval import safe_eval

from ..lib import rules as rule_lib

_logger = logging.getLogger(__name__)

# Checked non-negative; all of them, 0 means off (lib/rules.py).
THRESHOLD_FIELDS = list(rule_lib.THRESHOLDS)

# The columns mail.activity's create fills for a rule's activity.
ACTIVITY_INSERT = """
INSERT INTO mail_activity (res_id, res_model_id, res_model, res_name, activity_type_id, summary,
                           date_deadline, user_id, create_uid, write_uid, create_date,
                           write_date)
VALUES %s
"""
ACTIVITY_ROW = ("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', "
                "now() at time zone 'UTC')")
FOLLOW_QUERY = """
WITH new AS (
    INSERT INTO mail_followers (res_model, res_id, partner_id)
    SELECT 'res.partner', unnest(%(ids)s::int[]), %(partner)s
    ON CONFLICT DO NOTHING
    RETURNING id)
INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
SELECT new.id, subtype FROM new, unnest(%(subtypes)s::int[]) subtype
"""
OPEN_VISIT_QUERY = """
SELECT DISTINCT partner_id FROM crm_visit
 WHERE partner_id = ANY(%(partners)s) AND company_id = %(company)s
   AND (state IN ('planned', 'in_progress') OR date = %(today)s)
"""
# The customer's first active route of the company (lowest id).
ROUTE_QUERY = """
SELECT DISTINCT ON (s.partner_id) s.partner_id, r.id, r.user_id
  FROM crm_visit_route_stop s JOIN crm_visit_route r ON r.id = s.route_id
 WHERE s.partner_id = ANY(%(partners)s) AND r.company_id = %(company)s AND r.active
 ORDER BY s.partner_id, r.id
"""


def _first_line(error):
    """An exception's message without the SQL that psycopg2 adds to it."""
    text = getattr(error, 'name', None) or str(error)
    return text.strip().splitlines()[0] if text.strip() else repr(error)


class CrmLifecycleRule(models.Model):
    """When a customer moves between lifecycle stages, and what happens then.

    The engine (crm.lifecycle.engine) gives each customer the first matching rule
    by priority: its stage among the from-stages (empty: any), long enough in it,
    the thresholds and the domain satisfied."""

    _name = 'crm.lifecycle.rule'
    _inherit = ['crm.input.check']
    _description = 'Lifecycle Rule'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(string='Priority', default=10,
                              help="Rules are tried in this order; the first that matches wins.")
    company_id = fields.Many2one('res.company', index=True,
                                 default=lambda self: self.env.user.company_id,
                                 help="Empty: the rule applies to every company.")
    from_stage_ids = fields.Many2many(
        'crm.lifecycle.stage', 'crm_lifecycle_rule_from_stage_rel', 'rule_id', 'stage_id',
        string='From Stages', help="Empty: customers in any stage.")
    to_stage_id = fields.Many2one('crm.lifecycle.stage', string='Target Stage', required=True,
                                  ondelete='restrict')
    domain = fields.Char(string='Condition', default='[]',
                         help="An extra condition on the customer's fields.")
    min_days_in_stage = fields.Integer(
        string='Minimum Days in Stage', help="The customer must have spent this many days in "
                                             "its current stage.")
    min_last_order_days = fields.Integer(
        string='Days Since Last Order at Least', help="0: no threshold. Customers who never "
                                                      "ordered do not match.")
    min_gap_ratio = fields.Float(string='Gap Ratio at Least', digits=(16, 2),
                                 help="0: no threshold.")
    max_gap_ratio = fields.Float(string='Gap Ratio at Most', digits=(16, 2),
                                 help="0: no threshold.")
    min_order_count = fields.Integer(string='Orders in the Last Year at Least',
                                     help="0: no threshold.")
    min_revenue_drop = fields.Float(
        string='Revenue Drop at Least (%)', digits=(16, 1),
        help="E.g. 30: the revenue of the last 90 days is at least 30% below the 90 days "
             "before. 0: no threshold.")
    min_churn_risk = fields.Integer(string='Churn Risk at Least', help="0: no threshold.")
    ordered_in_stage = fields.Boolean(
        string='Ordered Since Entering the Stage',
        help="The customer's last order is more recent than its move into its stage.")
    # -- actions --
    activity_type_id = fields.Many2one('mail.activity.type', string='Activity',
                                       help="Schedule this activity on the customer.")
    activity_summary = fields.Char(translate=True)
    activity_deadline_days = fields.Integer(string='Activity Due in (Days)', default=3)
    activity_user_id = fields.Many2one(
        'res.users', string='Assigned To',
        help="Empty: the customer's salesperson (else the user running the rules).")
    mail_template_id = fields.Many2one(
        'mail.template', string='Mail Template', domain=[('model', '=', 'res.partner')],
        help="Send this mail to the customer.")
    note = fields.Html(help="Post this note on the customer.")
    notify_group_id = fields.Many2one(
        'res.groups', string='Notify Group',
        help="Post a note on the customer that notifies the users of this group.")
    create_visit = fields.Boolean(
        help="Plan a visit today on the customer's route, unless one is open.")
    event_count = fields.Integer(compute='_compute_event_count', string='Moves')

    def _compute_event_count(self):
        rows = self.env['crm.lifecycle.event'].read_group(
            [('rule_id', 'in', self.ids)], ['rule_id'], ['rule_id'])
        counts = {row['rule_id'][0]: row['rule_id_count'] for row in rows}
        for rule in self:
            rule.event_count = counts.get(rule.id, 0)

    # -- validation ------------------------------------------------------------

    @api.constrains('domain')
    def _check_domain(self):
        Partner = self.env['res.partner']
        for rule in self:
            domain = rule._parsed_domain()
            try:
                # Run it once: a value of the wrong type (a word for an id or a
                # yes/no field) fails here, not in the nightly engine.
                with self.env.cr.savepoint(), mute_logger('odoo.sql_db'):
                    Partner.search(domain, limit=1)
            except Exception as error:  # pylint: disable=broad-except
                raise ValidationError(
                    _("The condition of rule %(rule)s is not a valid domain on customers: "
                      "%(error)s") % {'rule': rule.name, 'error': _first_line(error)})

    def _parsed_domain(self):
        """The condition as a domain list; ValidationError if it is not one."""
        text = (self.domain or '').strip() or '[]'
        try:
            domain = safe_eval(text)
            if not isinstance(domain, (list, tuple)):
                raise ValueError(text)
            domain = expression.normalize_domain(list(domain))
            # Checks the fields and operators without running a query.
            self.env['res.partner']._where_calc(domain)
        except Exception as error:  # pylint: disable=broad-except
            raise ValidationError(
                _("The condition of rule %(rule)s is not a valid domain on customers: "
                  "%(error)s") % {'rule': self.name, 'error': error})
        return domain if text != '[]' else []

    @api.constrains('min_days_in_stage', 'activity_deadline_days', *THRESHOLD_FIELDS)
    def _check_thresholds(self):
        labels = self.fields_get(['min_days_in_stage'] + THRESHOLD_FIELDS, ['string'])
        for rule in self:
            for name in ['min_days_in_stage'] + THRESHOLD_FIELDS:
                if rule[name] < 0:
                    raise ValidationError(
                        _("%(field)s of rule %(rule)s cannot be negative.")
                        % {'field': labels[name]['string'], 'rule': rule.name})
            if rule.activity_deadline_days < 0:
                raise ValidationError(_("The activity of rule %s cannot be due in the past.")
                                      % rule.name)

    @api.constrains('from_stage_ids', 'to_stage_id')
    def _check_stages(self):
        for rule in self:
            if rule.to_stage_id in rule.from_stage_ids:
                raise ValidationError(
                    _("Rule %(rule)s moves customers to %(stage)s: that stage cannot also be "
                      "one of its from-stages.")
                    % {'rule': rule.name, 'stage': rule.to_stage_id.name})

    @api.constrains('mail_template_id')
    def _check_template(self):
        for rule in self:
            if rule.mail_template_id and rule.mail_template_id.model != 'res.partner':
                raise ValidationError(_("The mail template of rule %s must be for customers "
                                        "(Contact).") % rule.name)

    # -- matching --------------------------------------------------------------

    @api.model
    def _rules_for(self, company):
        return self.search(['|', ('company_id', '=', False), ('company_id', '=', company.id)],
                           order='sequence, id')

    def _as_dict(self):
        """The rule for lib/rules.py."""
        values = {name: self[name] for name in THRESHOLD_FIELDS}
        values.update(id=self.id, from_stage_ids=set(self.from_stage_ids.ids),
                      to_stage_id=self.to_stage_id.id,
                      min_days_in_stage=self.min_days_in_stage,
                      ordered_in_stage=self.ordered_in_stage)
        return values

    # -- buttons ---------------------------------------------------------------

    @api.multi
    def action_preview(self):
        self.ensure_one()
        return self._action_preview()

    def _action_preview(self):
        wizard = self.env['crm.lifecycle.rule.preview'].create({'rule_id': self.id})
        wizard._fill()
        return {
            'type': 'ir.actions.act_window', 'res_model': 'crm.lifecycle.rule.preview',
            'res_id': wizard.id, 'view_mode': 'form', 'target': 'new',
            'name': _("Preview: %s") % self.name,
        }

    @api.model
    def action_run_rules(self):
        if not self.env.user.has_group('crm_lifecycle.group_lifecycle_manager'):
            raise AccessError(_("Only lifecycle managers run the lifecycle rules."))
        self.env['crm.lifecycle.engine']._run_company(self.env.user.company_id)
        return True

    @api.multi
    def action_view_events(self):
        self.ensure_one()
        action = self.env.ref('crm_lifecycle.crm_lifecycle_event_action').read()[0]
        action['domain'] = [('rule_id', '=', self.id)]
        return action

    # -- actions ---------------------------------------------------------------

    def _run_actions(self, events, today):
        """Run this rule's actions for its ``events`` (once each: the engine marks
        them done in the same transaction)."""
        self.ensure_one()
        if self.activity_type_id:
            self._schedule_activities(events, today)
        if self.mail_template_id:
            for partner in events.mapped('partner_id'):
                # Queued (mail.mail), sent by the mail queue after the commit.
                self.mail_template_id.send_mail(partner.id)
        if self.note or self.notify_group_id:
            self._post_notes(events)
        if self.create_visit:
            self._create_visits(events, today)

    def _schedule_activities(self, events, today):
        """One activity per event, as mail.activity's create writes it, in bulk:
        that create subscribes the owner through a customer write of its own
        (70 ms an activity, minutes on a first run over thousands of customers)."""
        # The events' customers in one query (the ORM would browse each event).
        self.env.cr.execute("SELECT partner_id FROM crm_lifecycle_event WHERE id = ANY(%s) "
                            "ORDER BY id", [events.ids])
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        partners = self.env['res.partner'].browse(set(partner_ids))
        # Customers are wide: read the two fields needed (the stored display name,
        # five times faster than name_get), not each field of every customer in the
        # prefetch set.
        facts = {row['id']: (row['display_name'], row['user_id'])
                 for row in partners.read(['display_name', 'user_id'], load='_classic_write')}
        model_id = self.env['ir.model']._get('res.partner').id
        deadline = fields.Date.to_string(
            today + datetime.timedelta(days=self.activity_deadline_days))
        # The rule's fields read once, not once per event.
        user_id, activity_type, summary, uid = (self.activity_user_id.id,
                                                self.activity_type_id.id,
                                                self.activity_summary or self.name, self.env.uid)
        rows, owned = [], collections.defaultdict(list)
        for pid in partner_ids:
            name, salesperson = facts[pid]
            owner = user_id or salesperson or uid
            rows.append((pid, model_id, 'res.partner', name, activity_type, summary, deadline,
                         owner, uid, uid))
            owned[owner].append(pid)
        # mail.activity's own check for a create: write access to the documents.
        self.env['mail.activity'].check_access_rights('create')
        partners.check_access_rights('write')
        partners.check_access_rule('write')
        execute_values(self.env.cr, ACTIVITY_INSERT, rows, template=ACTIVITY_ROW,
                       page_size=1000)
        for owner_id, followed_ids in owned.items():
            owner = self.env['res.users'].browse(owner_id)
            self._follow(owner, followed_ids)
            if deadline <= fields.Date.today():
                self.env['bus.bus'].sendone(
                    (self.env.cr.dbname, 'res.partner', owner.partner_id.id),
                    {'type': 'activity_updated', 'activity_created': True})
        partners.invalidate_cache()

    def _follow(self, user, partner_ids):
        """``user`` follows the customers ``partner_ids`` with the default subtypes,
        as an activity's owner does; existing followers keep their subtypes."""
        default, _internal, external = \
            self.env['mail.message.subtype'].default_subtypes('res.partner')
        subtypes = external if user.share else default
        self.env.cr.execute(FOLLOW_QUERY, {'ids': partner_ids, 'partner': user.partner_id.id,
                                           'subtypes': subtypes.ids})
        self.env['mail.followers'].invalidate_cache()

    def _post_notes(self, events):
        recipients = self.notify_group_id.users.filtered('active').mapped('partner_id')
        # Bodies first, for the same reason as the activities' owners.
        notes = [(event.partner_id, self.note or '<p>%s</p>' % html_escape(
            _("%(customer)s moved to %(stage)s (rule %(rule)s).")
            % {'customer': event.partner_id.display_name,
               'stage': event.to_stage_id.name, 'rule': self.name})) for event in events]
        for partner, body in notes:
            partner.message_post(body=body, subtype='mail.mt_note', message_type='comment',
                                 partner_ids=recipients.ids)

    def _create_visits(self, events, today):
        partners = events.mapped('partner_id')
        company = events[:1].company_id
        params = {'partners': partners.ids, 'company': company.id, 'today': today}
        self.env.cr.execute(OPEN_VISIT_QUERY, params)
        open_ids = {row[0] for row in self.env.cr.fetchall()}
        self.env.cr.execute(ROUTE_QUERY, params)
        routes = {pid: (route_id, user_id) for pid, route_id, user_id in self.env.cr.fetchall()}
        Visit = self.env['crm.visit']
        for partner in partners:
            if partner.id in open_ids:
                continue
            route_id, user_id = routes.get(partner.id, (False, False))
            Visit.create({
                'partner_id': partner.id, 'route_id': route_id, 'company_id': company.id,
                'user_id': user_id or partner.user_id.id or self.env.uid,
                'date': fields.Date.to_string(today),
            })
