import datetime

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase
from odoo.tools import mute_logger

USER = 'crm_lifecycle.group_lifecycle_user'
MANAGER = 'crm_lifecycle.group_lifecycle_manager'
# 2030-01-07 is a Monday.
START = datetime.date(2030, 1, 7)


class TestLifecycleStages(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        Stage = env['crm.lifecycle.stage']
        cls.exploration = Stage._by_code('exploration')
        cls.development = Stage._by_code('development')
        cls.churned = Stage._by_code('churned')
        Partner = env['res.partner']
        cls.shop = Partner.create({'name': 'LC stage shop', 'customer': True,
                                   'is_company': True})
        cls.other_shop = Partner.create({'name': 'LC other shop', 'customer': True,
                                         'is_company': True})
        cls.user = new_user(env, 'lc_stage_user', USER, 'base.group_partner_manager')
        cls.manager = new_user(env, 'lc_stage_manager', MANAGER, 'base.group_partner_manager')
        cls.salesman = new_user(env, 'lc_stage_salesman', 'sales_team.group_sale_salesman',
                                'base.group_partner_manager')
        cls.shop.with_context(lifecycle_reason='Setup').write(
            {'lifecycle_stage_id': cls.exploration.id})

    def change(self, partner, stage, reason, user=None):
        wizard = self.env['crm.lifecycle.stage.change'].sudo(user or self.user).create({
            'partner_id': partner.id, 'stage_id': stage.id, 'reason': reason})
        return wizard.action_apply()

    # -- manual changes --------------------------------------------------------

    def test_manual_change_is_logged_with_user_and_reason(self):
        self.env.cr.execute("UPDATE res_partner SET lifecycle_stage_date = %s WHERE id = %s",
                            [fields.Date.today(), self.shop.id])
        self.shop.invalidate_cache()
        self.change(self.shop, self.development, '  First order taken on the visit ')
        self.assertEqual(self.shop.lifecycle_stage_id, self.development)
        event = self.shop.lifecycle_event_ids[0]
        self.assertEqual(
            (event.origin, event.user_id, event.reason, event.from_stage_id, event.to_stage_id,
             event.company_id, event.duration_days),
            ('manual', self.user, 'First order taken on the visit', self.exploration,
             self.development, self.company, 0))
        self.assertIn('churn_risk', event.metrics_snapshot)
        self.assertTrue(self.shop.lifecycle_stage_date)

    def test_the_wizard_opens_from_the_customer(self):
        action = self.shop.sudo(self.user).action_change_lifecycle_stage()
        self.assertEqual(action['res_model'], 'crm.lifecycle.stage.change')
        self.assertEqual(action['context']['default_partner_id'], self.shop.id)

    def test_change_needs_a_reason(self):
        with self.assertRaisesRegex(UserError, 'Give the reason'):
            self.change(self.shop, self.development, '   ')
        with self.assertRaisesRegex(UserError, 'needs a reason'):
            self.shop.sudo(self.user).write({'lifecycle_stage_id': self.development.id})
        self.assertEqual(self.shop.lifecycle_stage_id, self.exploration)

    def test_change_to_the_same_stage_is_refused(self):
        with self.assertRaisesRegex(UserError, 'already in stage Exploration'):
            self.change(self.shop, self.exploration, 'Again')

    def test_stage_cannot_be_removed(self):
        with self.assertRaisesRegex(UserError, 'cannot leave the lifecycle'):
            self.shop.with_context(lifecycle_reason='Oops').write({'lifecycle_stage_id': False})

    def test_only_lifecycle_users_change_stages(self):
        with self.assertRaisesRegex(AccessError, 'Only lifecycle users'):
            self.shop.sudo(self.salesman).with_context(lifecycle_reason='Mine').write(
                {'lifecycle_stage_id': self.development.id})

    def test_creating_a_customer_in_a_stage_logs_it(self):
        partner = self.env['res.partner'].create({
            'name': 'LC created in stage', 'customer': True, 'is_company': True,
            'lifecycle_stage_id': self.development.id})
        self.assertEqual(partner.lifecycle_stage_id, self.development)
        self.assertEqual(partner.lifecycle_event_ids.reason,
                         'Set when the customer was created')

    # -- stages ----------------------------------------------------------------

    def test_deleting_a_stage_with_customers_is_refused(self):
        with self.assertRaisesRegex(UserError, 'Stage Exploration cannot be deleted: 1 '
                                               'customers are in it'):
            self.exploration.unlink()

    def test_deleting_a_stage_in_the_history_is_refused(self):
        stage = self.env['crm.lifecycle.stage'].create({'name': 'Trial'})
        self.change(self.other_shop, stage, 'Trial period')
        self.change(self.other_shop, self.development, 'Trial over')
        with self.assertRaisesRegex(UserError, 'history refers to it'):
            stage.unlink()

    def test_unused_stage_can_be_deleted(self):
        stage = self.env['crm.lifecycle.stage'].sudo(self.manager).create({'name': 'Unused'})
        stage.unlink()
        self.assertFalse(stage.exists())

    def test_managers_configure_stages_users_do_not(self):
        stage = self.env['crm.lifecycle.stage'].sudo(self.manager).create(
            {'name': 'Key account', 'sequence': 35})
        stage.name = 'Key Account'
        self.assertEqual(stage.sudo(self.user).name, 'Key Account')
        with self.assertRaises(AccessError):
            stage.sudo(self.user).write({'name': 'Mine'})
        with self.assertRaises(AccessError):
            self.env['crm.lifecycle.stage'].sudo(self.user).create({'name': 'Mine'})
        with self.assertRaises(AccessError):
            stage.sudo(self.user).unlink()

    def test_a_role_belongs_to_one_stage(self):
        with mute_logger('odoo.sql_db'), self.assertRaises(IntegrityError):
            self.env['crm.lifecycle.stage'].create({'name': 'Lost', 'code': 'churned'})

    def test_renamed_stages_are_still_found_by_role(self):
        self.churned.name = 'Lost'
        self.assertEqual(self.env['crm.lifecycle.stage']._by_code('churned'), self.churned)

    def test_kanban_shows_every_stage(self):
        groups = self.env['res.partner'].read_group(
            [('id', '=', self.shop.id)], ['lifecycle_stage_id'], ['lifecycle_stage_id'])
        stages = self.env['crm.lifecycle.stage'].search([])
        self.assertEqual([g['lifecycle_stage_id'][0] for g in groups], stages.ids)
        self.assertEqual(self.exploration.partner_count, 1)

    # -- history ---------------------------------------------------------------

    def test_history_is_read_only_for_users(self):
        event = self.shop.lifecycle_event_ids[0].sudo(self.user)
        self.assertEqual(event.reason, 'Setup')
        with self.assertRaises(AccessError):
            event.write({'reason': 'Rewritten'})
        with self.assertRaises(AccessError):
            event.unlink()
        event.sudo(self.manager).write({'reason': 'Corrected'})
        self.assertEqual(event.reason, 'Corrected')
        # Corrected, never erased: cohorts and pending rule actions rely on it.
        with self.assertRaises(AccessError):
            event.sudo(self.manager).unlink()

    def test_other_company_events_are_invisible(self):
        other = self.env['res.company'].create({'name': 'LC other company'})
        self.env['crm.lifecycle.event'].create({
            'partner_id': self.other_shop.id, 'company_id': other.id,
            'to_stage_id': self.development.id, 'origin': 'manual', 'reason': 'Elsewhere'})
        Event = self.env['crm.lifecycle.event'].sudo(self.user)
        self.assertFalse(Event.search([('reason', '=', 'Elsewhere')]))
        self.assertTrue(Event.search([('reason', '=', 'Setup')]))

    # -- visit planning --------------------------------------------------------

    def test_churned_customers_are_not_planned(self):
        am = new_user(self.env, 'lc_stage_am', 'crm_service.group_service_user')
        route = self.env['crm.visit.route'].create({
            'code': 'LCMON', 'name': 'Lifecycle Monday', 'user_id': am.id, 'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': i, 'partner_id': p.id})
                         for i, p in enumerate(self.shop | self.other_shop, start=1)]})
        self.change(self.other_shop, self.churned, 'Shop closed')
        visits = self.env['crm.visit']._plan(route, 1, start=START)
        self.assertEqual(visits.mapped('partner_id'), self.shop)
        self.assertEqual(self.env['res.partner']._visit_planning_excluded(
            (self.shop | self.other_shop).ids, self.company), {self.other_shop.id})
