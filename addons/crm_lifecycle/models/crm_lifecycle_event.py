import json

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError
from odoo.addons.crm_tiering.lib import bulk

ORIGINS = [
    ('initial', 'Initial'),
    ('manual', 'Manual'),
    ('rule', 'Rule'),
]

# Events written in bulk by the engine, rows in a temporary table (bulk.copy_rows).
EVENT_ROWS = 'crm_lifecycle_event_rows'
EVENT_ROW_COLUMNS = """
    partner_id int, from_stage_id int, to_stage_id int, rule_id int, reason varchar,
    metrics_snapshot text, duration_days int"""
INSERT_EVENTS = """
INSERT INTO crm_lifecycle_event (partner_id, company_id, from_stage_id, to_stage_id, origin,
                                 rule_id, actions_done, reason, user_id, date,
                                 metrics_snapshot, duration_days,
                                 create_uid, create_date, write_uid, write_date)
SELECT partner_id, %(company)s, from_stage_id, to_stage_id, %(origin)s, rule_id,
       %(actions_done)s, reason, %(uid)s, %(now)s, metrics_snapshot, duration_days,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM crm_lifecycle_event_rows
RETURNING id
"""


class CrmLifecycleEvent(models.Model):
    """One move of a customer between lifecycle stages, with the metrics of the
    moment and the time spent in the stage it left (for cohort reports)."""

    _name = 'crm.lifecycle.event'
    _description = 'Lifecycle Event'
    _order = 'date desc, id desc'
    _rec_name = 'partner_id'

    partner_id = fields.Many2one('res.partner', string='Customer', required=True, index=True,
                                 ondelete='cascade', readonly=True)
    company_id = fields.Many2one('res.company', required=True, index=True, readonly=True,
                                 default=lambda self: self.env.user.company_id)
    from_stage_id = fields.Many2one('crm.lifecycle.stage', string='From Stage', index=True,
                                    ondelete='restrict', readonly=True)
    to_stage_id = fields.Many2one('crm.lifecycle.stage', string='To Stage', required=True,
                                  index=True, ondelete='restrict', readonly=True)
    origin = fields.Selection(ORIGINS, required=True, default='manual', readonly=True,
                              index=True)
    reason = fields.Char(readonly=True)
    user_id = fields.Many2one('res.users', string='User', readonly=True, index=True,
                              default=lambda self: self.env.user)
    date = fields.Datetime(required=True, readonly=True, index=True,
                           default=fields.Datetime.now)
    metrics_snapshot = fields.Text(
        readonly=True, help="The customer's lifecycle metrics when it moved, as JSON.")
    metrics_summary = fields.Text(compute='_compute_metrics_summary', string='Metrics')
    rule_id = fields.Many2one('crm.lifecycle.rule', string='Rule', readonly=True, index=True,
                              ondelete='set null')
    actions_done = fields.Boolean(
        readonly=True, default=True, index=True,
        help="For a move by a rule: its actions have run. Set in the transaction that runs "
             "them, so that they run exactly once.")
    actions_error = fields.Text(readonly=True, help="Why the rule's actions failed.")
    duration_days = fields.Integer(
        string='Days in Previous Stage', readonly=True, group_operator='avg',
        help="How long the customer stayed in the stage it left.")

    @api.model
    def create(self, vals):
        """Users log their own manual moves only, from the customer's current stage;
        the engine writes the others in bulk."""
        if self.env.uid != SUPERUSER_ID:
            partner = self.env['res.partner'].browse(vals.get('partner_id'))
            if vals.get('origin', 'manual') != 'manual' \
                    or vals.get('user_id', self.env.uid) != self.env.uid \
                    or vals.get('rule_id') or not vals.get('actions_done', True) \
                    or (vals.get('from_stage_id') or False) != partner.lifecycle_stage_id.id:
                raise AccessError(_("Lifecycle history is written by stage changes, not by "
                                    "hand."))
        return super().create(vals)

    @api.model
    def _insert_bulk(self, company, origin, rows):
        """The engine's events of ``company``, by the current user now, one per row
        (EVENT_ROW_COLUMNS); a rule's events wait for their actions. Returns them."""
        bulk.copy_rows(self.env.cr, EVENT_ROWS, EVENT_ROW_COLUMNS, rows)
        now = fields.Datetime.now()
        self.env.cr.execute(INSERT_EVENTS, {
            'company': company.id, 'origin': origin, 'actions_done': origin != 'rule',
            'uid': self.env.uid, 'now': now})
        return self.browse(sorted(row[0] for row in self.env.cr.fetchall()))

    @api.depends('metrics_snapshot')
    def _compute_metrics_summary(self):
        snapshots = {}
        for event in self:
            try:
                snapshots[event] = json.loads(event.metrics_snapshot or '{}')
            except ValueError:
                snapshots[event] = {}
        names = sorted({name for metrics in snapshots.values() for name in metrics})
        # The customer form's labels, in the reader's language.
        labels = self.env['res.partner'].fields_get(names, ['string']) if names else {}
        for event, metrics in snapshots.items():
            event.metrics_summary = '\n'.join(
                '%s: %s' % (labels.get(name, {}).get('string', name), metrics[name])
                for name in names if name in metrics)
