import collections
import json
import logging
import threading

from odoo import _, api, models
from odoo.exceptions import UserError, ValidationError

from ..lib import rules as rule_lib
from .res_partner import METRIC_FIELDS

_logger = logging.getLogger(__name__)

# Customers per committed batch: a crash loses at most one batch, and each batch
# costs a few queries of its own whatever its size.
BATCH_SIZE = 5000
SNAPSHOT_FIELDS = [name for name in METRIC_FIELDS if name != 'churn_risk_factors']

# The facts the rules look at, with the metrics snapshot. A customer that a
# rule moved today (in stage since today, last event by a rule) waits for
# tomorrow: one rule move per customer and day, so a re-run changes nothing.
FACTS_QUERY = """
SELECT p.id, p.lifecycle_stage_id, %(today)s - coalesce(p.lifecycle_stage_date, %(today)s),
       p.lifecycle_last_order_days, p.lifecycle_gap_ratio, p.lifecycle_order_count,
       p.lifecycle_revenue_trend, p.churn_risk,
       (p.lifecycle_stage_date = %(today)s AND last.origin = 'rule'), {snapshot}
  FROM res_partner p
  LEFT JOIN LATERAL (SELECT e.origin FROM crm_lifecycle_event e WHERE e.partner_id = p.id
                      ORDER BY e.date DESC, e.id DESC LIMIT 1) last ON TRUE
 WHERE p.id = ANY(%(ids)s) AND p.lifecycle_stage_id IS NOT NULL
""".format(snapshot=', '.join('p.%s' % name for name in SNAPSHOT_FIELDS))


class CrmLifecycleEngine(models.AbstractModel):
    """Moves customers between lifecycle stages with the rules, in committed
    batches, and runs each transition's actions exactly once.

    Exactly once: a batch's stage changes and its events (``actions_done`` false)
    are committed together. The actions of those events then run and the events
    are marked done in a second transaction. A crash before the first commit
    leaves nothing; after it, the events are pending and the next run starts by
    running the pending actions; a crash during the second transaction rolls back
    its activities, notes, visits and queued mails with the marks, so they run
    again once. Mails are only queued (mail.mail), sent after the commit."""

    _name = 'crm.lifecycle.engine'
    _description = 'Lifecycle Rule Engine'

    @api.model
    def _commit(self):
        # Each batch is its own transaction, so that a crash keeps the batches
        # done; never in tests, which run in one rolled-back transaction.
        if not getattr(threading.currentThread(), 'testing', False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_run(self):
        """Every company: metrics, pending actions, then the rules batch by batch."""
        for company in self.env['res.company'].search([]):
            self._run_company(company)

    @api.model
    def _run_company(self, company, today=None, batch_size=BATCH_SIZE, only_ids=None):
        """One company. Each step runs in a savepoint and is committed; a failing
        step is logged and left for the next run, which resumes (the metrics are
        recomputed, pending actions run first, moved customers are not moved
        again the same day). ``only_ids`` limits the rules to those customers."""
        Partner = self.env['res.partner']
        today = today or Partner._lifecycle_today(company)
        try:
            with self.env.cr.savepoint():
                partner_ids = Partner._compute_lifecycle(company, today)
                self._run_pending_actions(company, today)
        except (UserError, ValidationError, ValueError) as error:
            _logger.warning("Lifecycle of company %s not recomputed: %s", company.name, error)
            return
        self._commit()
        if only_ids is not None:
            partner_ids = [pid for pid in partner_ids if pid in set(only_ids)]
        rules = self.env['crm.lifecycle.rule']._rules_for(company)
        for start in range(0, len(partner_ids) if rules else 0, batch_size):
            batch = partner_ids[start:start + batch_size]
            try:
                with self.env.cr.savepoint():
                    events = self._transition(company, rules, batch, today)
            except (UserError, ValidationError, ValueError) as error:
                _logger.warning("Lifecycle rules of company %s not applied to %d customers: "
                                "%s", company.name, len(batch), error)
                continue
            self._commit()      # the transitions and their pending events
            self._run_actions(events, today)
            self._commit()      # the actions and their done marks

    # -- matching --------------------------------------------------------------

    @api.model
    def _read_facts(self, ids, today):
        self.env.cr.execute(FACTS_QUERY, {'ids': list(ids), 'today': today})
        facts = {}
        for row in self.env.cr.fetchall():
            if row[8]:
                continue
            facts[row[0]] = {
                'stage_id': row[1], 'days_in_stage': row[2], 'last_order_days': row[3],
                'gap_ratio': row[4], 'order_count': row[5], 'revenue_trend': row[6],
                'churn_risk': row[7], 'snapshot': dict(zip(SNAPSHOT_FIELDS, row[9:])),
            }
        return facts

    @api.model
    def _match(self, rules, ids, today):
        """({customer id: rule}, facts) for the customers ``ids`` that would move now.
        Each rule's domain runs once, on its candidates of the batch."""
        facts = self._read_facts(ids, today)
        by_id = {rule.id: rule for rule in rules}
        Partner = self.env['res.partner'].with_context(active_test=False)

        def domain_filter(rule_values, candidate_ids):
            domain = by_id[rule_values['id']]._parsed_domain()
            if not domain:
                return candidate_ids
            return Partner.search([('id', 'in', candidate_ids)] + domain).ids

        chosen = rule_lib.first_matches(facts, [rule._as_dict() for rule in rules],
                                        domain_filter)
        return {pid: by_id[rule_id] for pid, rule_id in chosen.items()}, facts

    # -- transitions -----------------------------------------------------------

    @api.model
    def _transition(self, company, rules, ids, today):
        """Move the customers ``ids`` that a rule matches, in bulk, with one event each
        (actions pending). Returns the events."""
        matches, facts = self._match(rules, ids, today)
        if not matches:
            return self.env['crm.lifecycle.event']
        moves = [(pid, facts[pid]['stage_id'], rule.to_stage_id.id)
                 for pid, rule in sorted(matches.items())]
        moved = self.env['res.partner']._move_stages(moves, today)
        lang = company.partner_id.lang or self.env.lang
        reasons = {rule.id: _("Rule: %s") % rule.with_context(lang=lang).name
                   for rule in set(matches.values())}
        rows = [(pid, from_stage, to_stage, matches[pid].id, reasons[matches[pid].id],
                 json.dumps(facts[pid]['snapshot'], sort_keys=True, default=str),
                 facts[pid]['days_in_stage'])
                for pid, from_stage, to_stage in moves if pid in moved]
        events = self.env['crm.lifecycle.event']._insert_bulk(company, 'rule', rows)
        _logger.info("Lifecycle: company %d: %d customers moved by rules", company.id,
                     len(events))
        return events

    # -- actions ---------------------------------------------------------------

    @api.model
    def _run_pending_actions(self, company, today):
        """Actions of rule events committed without them (a crash in between)."""
        Event = self.env['crm.lifecycle.event']
        while True:
            events = Event.search([('company_id', '=', company.id), ('origin', '=', 'rule'),
                                   ('actions_done', '=', False)], limit=BATCH_SIZE,
                                  order='id')
            if not events:
                return
            self._run_actions(events, today)

    @api.model
    def _run_actions(self, events, today):
        """Each rule's actions for its events, then the events marked done, in the
        caller's transaction. A rule whose actions fail is logged; its events are
        marked done with the error (no endless retries, nothing run twice)."""
        done, failed = [], []
        by_rule = collections.defaultdict(list)
        for event in events.with_context(prefetch_fields=False):  # the rule, not the snapshot
            by_rule[event.rule_id.id].append(event.id)
        done += by_rule.pop(False, [])
        for rule_id, event_ids in by_rule.items():
            rule, rule_events = events.env['crm.lifecycle.rule'].browse(rule_id), \
                events.browse(event_ids)
            try:
                with self.env.cr.savepoint():
                    rule._run_actions(rule_events, today)
                done += rule_events.ids
            except Exception as error:  # pylint: disable=broad-except
                # Any failure (access, a visit planned meanwhile...) is recorded, so
                # that it neither blocks the other companies nor repeats every night.
                _logger.warning("Lifecycle rule %s: actions failed for %d customers: %s",
                                rule.name, len(rule_events), error)
                failed.append((rule_events.ids, str(error)))
        if done:
            self.env.cr.execute("UPDATE crm_lifecycle_event SET actions_done = TRUE "
                                "WHERE id = ANY(%s)", [done])
        for ids, error in failed:
            self.env.cr.execute("UPDATE crm_lifecycle_event SET actions_done = TRUE, "
                                "actions_error = %s WHERE id = ANY(%s)", [error, ids])
        events.invalidate_cache(['actions_done', 'actions_error'])
