import datetime

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.addons.crm_tiering.tests.common import SalesDataMixin, new_user
from odoo.tests.common import SavepointCase

NO_TRACKING = {'tracking_disable': True, 'mail_notrack': True, 'mail_create_nolog': True}


class TestLifecycleRules(SalesDataMixin, SavepointCase):
    """The default rules and the engine on crafted order histories."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **NO_TRACKING))
        env = cls.env
        cls.company = env.user.company_id
        Partner = env['res.partner']
        cls.today = Partner._lifecycle_today(cls.company)
        cls.income = env['account.account'].search(
            [('company_id', '=', cls.company.id), ('user_type_id.type', '=', 'other'),
             ('internal_type', '=', 'other')], limit=1)
        Product = env['product.product']
        cls.p1 = Product.create({'name': 'LR P1', 'type': 'consu', 'list_price': 100,
                                 'taxes_id': []})
        cls.p2 = Product.create({'name': 'LR P2', 'type': 'consu', 'list_price': 50,
                                 'taxes_id': []})
        cls.salesman = new_user(env, 'lr_salesman', 'crm_lifecycle.group_lifecycle_user',
                                'base.group_partner_manager')
        cls.manager = new_user(env, 'lr_manager', 'crm_lifecycle.group_lifecycle_manager',
                               'base.group_partner_manager')

        def shop(name):
            return Partner.create({'name': name, 'customer': True, 'is_company': True,
                                   'user_id': cls.salesman.id})
        cls.newbie = shop('LR newbie')
        cls.regular = shop('LR regular')
        cls.late = shop('LR late')
        cls.shrinking = shop('LR shrinking')
        cls.lapsed = shop('LR lapsed')
        cls.returning = shop('LR returning')
        cls.comeback = shop('LR comeback')
        cls.order(cls.newbie, 3, [cls.p1])
        for days in range(78, 0, -7):
            cls.order(cls.regular, days, [cls.p1])
        for days in range(80, 23, -7):
            cls.order(cls.late, days, [cls.p1])
        for days in range(175, 90, -14):
            cls.order(cls.shrinking, days, [cls.p1, cls.p2])
        for days in range(77, 6, -14):
            cls.order(cls.shrinking, days, [cls.p2])
        for days in range(179, 129, -7):
            cls.order(cls.lapsed, days, [cls.p1])
        for days in (200, 193, 186, 2):
            cls.order(cls.returning, days, [cls.p1])
        for days in (120, 12, 1):
            cls.order(cls.comeback, days, [cls.p1])
        cls.shops = (cls.newbie | cls.regular | cls.late | cls.shrinking | cls.lapsed
                     | cls.returning | cls.comeback)
        Partner._compute_lifecycle(cls.company, cls.today)
        Stage = env['crm.lifecycle.stage']
        cls.stage = {code: Stage._by_code(code) for code in (
            'exploration', 'development', 'stable', 'decline', 'churned', 'won_back')}
        cls.put(cls.newbie, 'exploration', 10)
        cls.put(cls.regular, 'development', 100)
        cls.put(cls.late, 'stable', 60)
        cls.put(cls.shrinking, 'stable', 200)
        cls.put(cls.lapsed, 'development', 200)
        cls.put(cls.returning, 'churned', 30)
        cls.put(cls.comeback, 'won_back', 10)
        cls.Engine = env['crm.lifecycle.engine']
        cls.Rule = env['crm.lifecycle.rule']
        cls.rules = cls.Rule._rules_for(cls.company)
        cls.decline_rule = env.ref('crm_lifecycle.rule_decline')

    @classmethod
    def put(cls, partner, code, days):
        """Put ``partner`` in stage ``code`` since ``days`` days (no event)."""
        cls.env.cr.execute(
            "UPDATE res_partner SET lifecycle_stage_id = %s, lifecycle_stage_date = %s "
            "WHERE id = %s", [cls.stage[code].id, cls.days_ago(days), partner.id])
        partner.invalidate_cache()

    def transition(self, shops=None):
        return self.Engine._transition(self.company, self.Rule._rules_for(self.company),
                                       (shops or self.shops).ids, self.today)

    def activities(self, shops=None):
        return self.env['mail.activity'].search([
            ('res_model', '=', 'res.partner'), ('res_id', 'in', (shops or self.shops).ids)])

    # -- the default rules -----------------------------------------------------

    def test_default_rules_on_crafted_histories(self):
        events = self.transition()
        expected = {
            self.newbie: ('exploration', 'development', 'crm_lifecycle.rule_development'),
            self.regular: ('development', 'stable', 'crm_lifecycle.rule_stable'),
            self.late: ('stable', 'decline', 'crm_lifecycle.rule_decline'),
            self.shrinking: ('stable', 'decline', 'crm_lifecycle.rule_decline'),
            self.lapsed: ('development', 'churned', 'crm_lifecycle.rule_churned'),
            self.returning: ('churned', 'won_back', 'crm_lifecycle.rule_won_back'),
            self.comeback: ('won_back', 'development',
                            'crm_lifecycle.rule_won_back_development'),
        }
        self.assertEqual(len(events), len(expected))
        for shop, (source, target, rule) in expected.items():
            event = events.filtered(lambda e, s=shop: e.partner_id == s)
            self.assertEqual(shop.lifecycle_stage_id, self.stage[target], shop.name)
            self.assertEqual(shop.lifecycle_stage_date, fields.Date.to_string(self.today))
            self.assertEqual(
                (event.origin, event.from_stage_id, event.to_stage_id, event.rule_id,
                 event.actions_done),
                ('rule', self.stage[source], self.stage[target], self.env.ref(rule), False),
                shop.name)
        self.assertEqual(events.filtered(lambda e: e.partner_id == self.shrinking)
                         .duration_days, 200)
        self.assertIn('lifecycle_gap_ratio', events[0].metrics_snapshot)

    def test_decline_schedules_a_retention_activity_for_the_salesperson(self):
        events = self.transition(self.late | self.regular)
        self.Engine._run_actions(events, self.today)
        activity = self.activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual((activity.res_id, activity.user_id, activity.activity_type_id),
                         (self.late.id, self.salesman,
                          self.env.ref('mail.mail_activity_data_call')))
        self.assertEqual(activity.date_deadline, fields.Date.to_string(
            self.today + datetime.timedelta(days=3)))
        self.assertTrue(all(events.mapped('actions_done')))

    def test_bulk_activities_equal_the_activity_forms(self):
        events = self.transition(self.late | self.shrinking)
        self.Engine._run_actions(events, self.today)
        by_form = self.env['mail.activity'].create({
            'res_model_id': self.env.ref('base.model_res_partner').id,
            'res_id': self.regular.id, 'activity_type_id': self.decline_rule.activity_type_id.id,
            'summary': self.decline_rule.activity_summary, 'user_id': self.salesman.id,
            'date_deadline': self.today + datetime.timedelta(days=3)})
        compared = ['res_model_id', 'res_model', 'activity_type_id', 'summary', 'note',
                    'date_deadline', 'user_id', 'state', 'create_uid', 'write_uid',
                    'recommended_activity_type_id', 'previous_activity_type_id']
        expected = by_form.read(compared)[0]
        del expected['id']
        for shop in self.late | self.shrinking:
            activity = self.activities(shop)
            self.assertEqual(activity.read(compared)[0], dict(expected, id=activity.id))
            self.assertEqual(activity.res_name, shop.display_name)
            self.assertIn(activity, shop.activity_ids)
        followers = self.env['mail.followers'].search([
            ('res_model', '=', 'res.partner'), ('partner_id', '=', self.salesman.partner_id.id),
            ('res_id', 'in', (self.late | self.shrinking | self.regular).ids)])
        self.assertEqual(len(followers), 3)
        self.assertEqual(len(set(f.subtype_ids for f in followers)), 1)
        self.assertTrue(followers[0].subtype_ids)
        self.assertIn(self.salesman.partner_id, self.late.message_partner_ids)

    def test_an_existing_follower_keeps_the_subtypes_chosen(self):
        note = self.env.ref('mail.mt_note')
        self.late.message_subscribe(self.salesman.partner_id.ids, subtype_ids=note.ids)
        events = self.transition(self.late)
        self.Engine._run_actions(events, self.today)
        self.assertEqual(len(self.activities(self.late)), 1)
        follower = self.env['mail.followers'].search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', self.late.id),
            ('partner_id', '=', self.salesman.partner_id.id)])
        self.assertEqual(follower.subtype_ids, note)

    def test_activities_need_write_access_to_the_customer(self):
        reader = new_user(self.env, 'lr_reader', 'crm_lifecycle.group_lifecycle_user')
        events = self.transition(self.late)
        with self.assertRaises(AccessError):
            self.decline_rule.sudo(reader)._schedule_activities(events.sudo(reader), self.today)

    # -- priority, dwell time --------------------------------------------------

    def test_rule_priority_decides_conflicts(self):
        # Lapsed matches both Churned (priority 20) and Decline (30): churned wins.
        self.transition(self.lapsed)
        self.assertEqual(self.lapsed.lifecycle_stage_id, self.stage['churned'])

    def test_a_higher_priority_rule_takes_over(self):
        rule = self.Rule.create({
            'name': 'LR VIP stays stable', 'sequence': 1, 'to_stage_id': self.stage['stable'].id,
            'domain': "[('name', '=', 'LR lapsed')]"})
        events = self.transition(self.lapsed | self.late)
        self.assertEqual(self.lapsed.lifecycle_stage_id, self.stage['stable'])
        self.assertEqual(events.filtered(lambda e: e.partner_id == self.lapsed).rule_id, rule)
        self.assertEqual(self.late.lifecycle_stage_id, self.stage['decline'])

    def test_minimum_dwell_time(self):
        rule = self.env.ref('crm_lifecycle.rule_development')
        rule.min_days_in_stage = 30
        self.assertFalse(self.transition(self.newbie))
        self.assertEqual(self.newbie.lifecycle_stage_id, self.stage['exploration'])
        self.put(self.newbie, 'exploration', 30)
        self.assertTrue(self.transition(self.newbie))
        self.assertEqual(self.newbie.lifecycle_stage_id, self.stage['development'])

    def test_archived_rule_does_not_apply(self):
        self.decline_rule.active = False
        self.transition(self.late)
        self.assertEqual(self.late.lifecycle_stage_id, self.stage['stable'])

    # -- exactly once ----------------------------------------------------------

    def test_reruns_are_idempotent_and_actions_run_once(self):
        shops = self.late | self.shrinking | self.regular
        self.Engine._run_company(self.company, self.today, only_ids=shops.ids)
        events = self.env['crm.lifecycle.event'].search([('partner_id', 'in', shops.ids),
                                                         ('origin', '=', 'rule')])
        self.assertEqual(len(events), 3)
        self.assertEqual(len(self.activities()), 2)
        self.Engine._run_company(self.company, self.today, only_ids=shops.ids)
        self.assertEqual(self.env['crm.lifecycle.event'].search_count(
            [('partner_id', 'in', shops.ids), ('origin', '=', 'rule')]), 3)
        self.assertEqual(len(self.activities()), 2)
        self.assertEqual(self.late.lifecycle_stage_id, self.stage['decline'])

    def test_small_batches_move_everyone_once(self):
        self.Engine._run_company(self.company, self.today, batch_size=2,
                                 only_ids=self.shops.ids)
        events = self.env['crm.lifecycle.event'].search([('partner_id', 'in', self.shops.ids),
                                                         ('origin', '=', 'rule')])
        self.assertEqual(len(events), 7)
        self.assertEqual(len(events.mapped('partner_id')), 7)
        self.assertTrue(all(events.mapped('actions_done')))
        self.assertEqual(self.regular.lifecycle_stage_id, self.stage['stable'])

    def test_the_nightly_cron_runs_the_engine(self):
        cron = self.env.ref('crm_lifecycle.ir_cron_compute_lifecycle')
        self.assertEqual((cron.model_id.model, cron.code.strip()),
                         ('crm.lifecycle.engine', 'model._cron_run()'))

    def test_crash_after_the_transitions_runs_the_actions_once(self):
        # The transitions were committed, the process died before the actions.
        events = self.transition(self.late | self.shrinking)
        self.assertFalse(self.activities())
        self.assertEqual(events.mapped('actions_done'), [False, False])
        self.Engine._run_company(self.company, self.today, only_ids=self.shops.ids)
        self.assertTrue(all(events.mapped('actions_done')))
        self.assertEqual(len(self.activities(self.late | self.shrinking)), 2)
        self.Engine._run_company(self.company, self.today, only_ids=self.shops.ids)
        self.assertEqual(len(self.activities(self.late | self.shrinking)), 2)

    def test_every_action(self):
        group = self.env['res.groups'].create({'name': 'LR watchers',
                                               'users': [(4, self.manager.id)]})
        template = self.env['mail.template'].create({
            'name': 'LR welcome back', 'model_id': self.env.ref('base.model_res_partner').id,
            'subject': 'Welcome back ${object.name}', 'body_html': '<p>Hello</p>',
            'email_to': 'shop@example.com'})
        route = self.env['crm.visit.route'].create({
            'code': 'LRR', 'name': 'LR route', 'user_id': self.salesman.id, 'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': 1, 'partner_id': self.returning.id})]})
        rule = self.env.ref('crm_lifecycle.rule_won_back')
        rule.write({
            'activity_type_id': self.env.ref('mail.mail_activity_data_todo').id,
            'activity_summary': 'Welcome back call', 'activity_deadline_days': 0,
            'activity_user_id': self.manager.id, 'mail_template_id': template.id,
            'note': '<p>Ordered again</p>', 'notify_group_id': group.id,
            'create_visit': True})
        events = self.transition(self.returning)
        self.Engine._run_actions(events, self.today)
        activity = self.activities(self.returning)
        self.assertEqual((activity.user_id, activity.summary), (self.manager, 'Welcome back call'))
        mail = self.env['mail.mail'].search([('subject', '=', 'Welcome back LR returning')])
        self.assertEqual(len(mail), 1)
        note = self.env['mail.message'].search([
            ('model', '=', 'res.partner'), ('res_id', '=', self.returning.id),
            ('body', 'ilike', 'Ordered again')])
        self.assertEqual(note.partner_ids, self.manager.partner_id)
        visit = self.env['crm.visit'].search([('partner_id', '=', self.returning.id)])
        self.assertEqual((visit.route_id, visit.user_id, visit.date, visit.state),
                         (route, self.salesman, fields.Date.to_string(self.today), 'planned'))
        # Not twice: the visit is open, the events are done.
        self.Engine._run_actions(events, self.today)
        rule._create_visits(events, self.today)
        self.assertEqual(self.env['crm.visit'].search_count(
            [('partner_id', '=', self.returning.id)]), 1)

    def test_failing_actions_are_logged_not_repeated(self):
        rule = self.env.ref('crm_lifecycle.rule_won_back')
        template = self.env['mail.template'].create({
            'name': 'LR broken', 'model_id': self.env.ref('base.model_res_partner').id,
            'subject': '${object.nope.name}', 'body_html': '<p>x</p>'})
        rule.mail_template_id = template
        events = self.transition(self.returning)
        with self.assertLogs('odoo.addons.crm_lifecycle.models.crm_lifecycle_engine',
                             'WARNING'):
            self.Engine._run_actions(events, self.today)
        self.assertTrue(events.actions_done)
        self.assertTrue(events.actions_error)

    # -- manual changes, preview ----------------------------------------------

    def test_manual_change_after_a_rule_is_logged(self):
        self.transition(self.late)
        self.env['crm.lifecycle.stage.change'].sudo(self.salesman).create({
            'partner_id': self.late.id, 'stage_id': self.stage['stable'].id,
            'reason': 'Holidays, back next week'}).action_apply()
        event = self.late.lifecycle_event_ids[0]
        self.assertEqual((event.origin, event.user_id, event.reason, event.from_stage_id),
                         ('manual', self.salesman, 'Holidays, back next week',
                          self.stage['decline']))

    def test_preview_moves_nobody(self):
        before = self.env['crm.lifecycle.event'].search_count([])
        action = self.decline_rule.sudo(self.manager).action_preview()
        preview = self.env['crm.lifecycle.rule.preview'].browse(action['res_id'])
        lines = preview.line_ids.filtered(lambda l: l.partner_id in self.shops)
        self.assertEqual(lines.mapped('partner_id'), self.late | self.shrinking)
        self.assertEqual(lines.mapped('stage_id'), self.stage['stable'])
        self.assertEqual(lines.mapped('to_stage_id'), self.stage['decline'])
        self.assertEqual(self.env['crm.lifecycle.event'].search_count([]), before)
        self.assertEqual(self.late.lifecycle_stage_id, self.stage['stable'])

    def test_only_managers_run_and_configure_rules(self):
        with self.assertRaisesRegex(AccessError, 'Only lifecycle managers'):
            self.Rule.sudo(self.salesman).action_run_rules()
        with self.assertRaises(AccessError):
            self.decline_rule.sudo(self.salesman).write({'sequence': 1})
        self.decline_rule.sudo(self.manager).write({'sequence': 31})
        for view_type in ('tree', 'form', 'search'):
            self.Rule.sudo(self.manager).fields_view_get(view_type=view_type)

    # -- validation ------------------------------------------------------------

    def rule_values(self, **values):
        return dict({'name': 'LR bad', 'to_stage_id': self.stage['decline'].id}, **values)

    def test_invalid_domains_are_refused(self):
        for domain in ("[('no_such_field', '=', 1)]", "[('name', '=', ", "'text'",
                       "[('name', 'resembles', 'x')]"):
            with self.assertRaisesRegex(ValidationError, 'not a valid domain on customers'):
                self.Rule.create(self.rule_values(domain=domain))

    def test_domains_with_values_of_the_wrong_type_are_refused(self):
        """They parse, but their query fails: refused when saved, not in the night."""
        for domain in ("[('id', '=', 'abc')]", "[('create_date', '>', 'last spring')]",
                       "[('write_date', '<', '2026-13-45')]"):
            with self.assertRaisesRegex(ValidationError, 'not a valid domain on customers'):
                self.Rule.create(self.rule_values(domain=domain))
        rule = self.Rule.create(self.rule_values(domain="[('id', '!=', 0)]"))
        self.assertEqual(rule._parsed_domain(), [('id', '!=', 0)])

    def test_activity_cannot_be_due_in_the_past(self):
        with self.assertRaisesRegex(ValidationError, 'cannot be due in the past'):
            self.Rule.create(self.rule_values(activity_deadline_days=-1))

    def test_negative_thresholds_and_dwell_are_refused(self):
        with self.assertRaisesRegex(ValidationError, 'Minimum Days in Stage of rule LR bad '
                                                     'cannot be negative'):
            self.Rule.create(self.rule_values(min_days_in_stage=-1))
        with self.assertRaisesRegex(ValidationError, 'Gap Ratio at Least .*negative'):
            self.Rule.create(self.rule_values(min_gap_ratio=-0.5))
        with self.assertRaisesRegex(ValidationError, 'cannot be negative'):
            self.decline_rule.min_revenue_drop = -30

    def test_target_among_from_stages_is_refused(self):
        with self.assertRaisesRegex(ValidationError, 'cannot also be one of its from-stages'):
            self.Rule.create(self.rule_values(
                from_stage_ids=[(6, 0, [self.stage['stable'].id, self.stage['decline'].id])]))

    # -- early warning ---------------------------------------------------------

    def test_at_risk_domain(self):
        self.transition(self.late)
        at_risk = self.env['res.partner'].search(
            self.env['res.partner']._at_risk_domain(self.company))
        self.assertIn(self.late, at_risk)               # in Decline
        self.assertIn(self.lapsed, at_risk)             # high churn risk
        self.assertNotIn(self.regular, at_risk)
        self.company.lifecycle_risk_threshold = 100
        at_risk = self.env['res.partner'].search(
            self.env['res.partner']._at_risk_domain(self.company))
        self.assertIn(self.late, at_risk)
        self.assertNotIn(self.lapsed, at_risk)
        action = self.env['res.partner'].sudo(self.salesman).action_at_risk()
        self.assertIn(('churn_risk', '>=', 100), action['domain'])
        with self.assertRaisesRegex(ValidationError, 'between 0 and 100'):
            self.company.lifecycle_risk_threshold = 120

    def test_daily_digest(self):
        self.env['res.partner']._cron_lifecycle_digest()
        self.assertFalse(self.env['mail.mail'].search(
            [('recipient_ids', 'in', self.salesman.partner_id.ids)]))
        self.company.lifecycle_digest = True
        self.env['res.partner']._cron_lifecycle_digest()
        mail = self.env['mail.mail'].search(
            [('recipient_ids', 'in', self.salesman.partner_id.ids)])
        self.assertEqual(len(mail), 1)
        self.assertIn('LR lapsed', mail.body_html)
        self.assertNotIn('LR regular', mail.body_html)
