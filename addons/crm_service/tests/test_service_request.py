import contextlib
import datetime

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase

RECEIVED = datetime.datetime(2025, 3, 3, 8, 0)  # UTC


def at(hours):
    """RECEIVED plus ``hours``, as Odoo's datetime string."""
    return fields.Datetime.to_string(RECEIVED + datetime.timedelta(hours=hours))


def hours_ago(hours):
    return fields.Datetime.to_string(datetime.datetime.utcnow()
                                     - datetime.timedelta(hours=hours))


class TestServiceRequest(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.company.write({'service_response_hours': 10, 'service_resolution_hours': 30})
        Policy = env['crm.tier.policy']
        cls.gold_policy = Policy.create({
            'name': 'SR gold', 'company_id': cls.company.id,
            'sla_response_hours': 4, 'sla_resolution_hours': 8})
        cls.bronze_policy = Policy.create({
            'name': 'SR bronze', 'company_id': cls.company.id,
            'sla_response_hours': 24, 'sla_resolution_hours': 72})
        # The demo data has a primary scheme: a new primary one demotes it.
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'SR scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [
                (0, 0, {'name': 'SR Gold', 'code': 'SRG', 'rank': 1, 'lower_bound': 1000,
                        'policy_id': cls.gold_policy.id}),
                (0, 0, {'name': 'SR Bronze', 'code': 'SRB', 'rank': 2, 'lower_bound': 0,
                        'policy_id': cls.bronze_policy.id}),
            ],
        })
        cls.gold_tier = cls.scheme.tier_ids.filtered(lambda t: t.code == 'SRG')
        cls.bronze_tier = cls.scheme.tier_ids.filtered(lambda t: t.code == 'SRB')
        Partner = env['res.partner']
        cls.gold = Partner.create({'name': 'SR Gold Shop', 'customer': True,
                                   'is_company': True})
        cls.gold_buyer = Partner.create({'name': 'SR Gold Buyer', 'parent_id': cls.gold.id})
        cls.bronze = Partner.create({'name': 'SR Bronze Shop', 'customer': True,
                                     'is_company': True})
        cls.untiered = Partner.create({'name': 'SR New Shop', 'customer': True,
                                       'is_company': True})
        cls.scheme._upsert_member(cls.gold, cls.gold_tier, 'ranked')
        cls.scheme._upsert_member(cls.bronze, cls.bronze_tier, 'ranked')

        cls.other_company = env['res.company'].create({'name': 'SR Other Branch'})
        cls.other_shop = Partner.create({'name': 'SR Other Branch Shop', 'customer': True,
                                         'is_company': True,
                                         'company_id': cls.other_company.id})
        cls.agent = cls.make_user('sr_agent', 'crm_service.group_service_agent')
        cls.am = cls.make_user('sr_am', 'crm_service.group_service_user')
        cls.employee = cls.make_user('sr_employee', 'base.group_user')
        cls.manager = cls.make_user('sr_manager', 'crm_service.group_service_manager')
        cls.other_agent = cls.make_user('sr_other_agent', 'crm_service.group_service_agent',
                                        cls.other_company)
        cls.company.service_escalation_user_id = cls.manager
        # English messages, whatever the database's language.
        cls.Request = env['crm.service.request'].with_context(lang='en_US')
        cls.stage_new = env.ref('crm_service.stage_request_new')
        cls.stage_progress = env.ref('crm_service.stage_request_progress')
        cls.stage_closed = env.ref('crm_service.stage_request_closed')
        cls.escalation_type = env.ref('crm_service.mail_activity_type_service_escalation')
        cls.escalation_subtype = env.ref('crm_service.mt_request_escalated')

    @classmethod
    def make_user(cls, login, group, company=None):
        return new_user(cls.env, login, group, company=company or cls.company)

    @contextlib.contextmanager
    def refused(self, exception=ValidationError):
        """Expect ``exception``; roll back what the refused call wrote."""
        with self.assertRaises(exception) as caught:
            with self.env.cr.savepoint():
                yield caught
        self.Request.invalidate_cache()

    def request(self, partner, user=None, **vals):
        values = {'name': 'Late delivery', 'partner_id': partner.id,
                  'request_type': 'complaint', 'date_received': at(0)}
        values.update(vals)
        return self.Request.sudo(user or self.agent).create(values)

    def escalations(self, request):
        activities = self.env['mail.activity'].search([
            ('res_model', '=', 'crm.service.request'), ('res_id', '=', request.id),
            ('activity_type_id', '=', self.escalation_type.id)])
        notes = request.message_ids.filtered(lambda m: m.subtype_id == self.escalation_subtype)
        return activities, notes

    def escalate_at(self, hours, request):
        done = self.Request._cron_escalate(now=at(hours))
        return sorted(breach for escalated, breach in done if escalated == request)

    # -- SLA deadlines -------------------------------------------------------

    def test_deadlines_follow_the_tier_policy(self):
        gold = self.request(self.gold)
        bronze = self.request(self.bronze)
        self.assertEqual(gold.tier_id, self.gold_tier)
        self.assertEqual((gold.date_response_deadline, gold.date_resolution_deadline),
                         (at(4), at(8)))
        self.assertEqual(bronze.tier_id, self.bronze_tier)
        self.assertEqual((bronze.date_response_deadline, bronze.date_resolution_deadline),
                         (at(24), at(72)))
        self.assertEqual((gold.sla_response_hours, bronze.sla_resolution_hours), (4, 72))

    def test_contact_of_a_shop_gets_the_shop_policy(self):
        request = self.request(self.gold_buyer)
        self.assertEqual(request.commercial_partner_id, self.gold)
        self.assertEqual(request.date_response_deadline, at(4))

    def test_customer_without_policy_gets_the_company_default(self):
        request = self.request(self.untiered)
        self.assertFalse(request.tier_id)
        self.assertEqual((request.date_response_deadline, request.date_resolution_deadline),
                         (at(10), at(30)))

    def test_deadlines_move_with_the_reception_time(self):
        request = self.request(self.gold)
        request.date_received = at(2)
        self.assertEqual(request.date_response_deadline, at(6))

    # -- escalation ----------------------------------------------------------

    def test_escalation_once_per_breach_at_the_right_time(self):
        request = self.request(self.gold)
        self.assertEqual(self.escalate_at(3.9, request), [])
        self.assertEqual(self.escalate_at(4, request), [], "not at the deadline itself")
        self.assertEqual(self.escalate_at(4.5, request), ['response'])
        activities, notes = self.escalations(request)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.manager)
        self.assertEqual(len(notes), 1)
        self.assertIn('No first response', notes.body)
        self.assertEqual(request.escalation_user_id, self.manager)
        self.assertTrue(request.response_escalated)
        self.assertFalse(request.resolution_escalated)
        # Running again, before or after, does not escalate the same breach again.
        self.assertEqual(self.escalate_at(4.5, request), [])
        self.assertEqual(self.escalate_at(7, request), [])
        # The resolution breach is a second, separate escalation.
        self.assertEqual(self.escalate_at(9, request), ['resolution'])
        self.assertEqual(self.escalate_at(50, request), [])
        activities, notes = self.escalations(request)
        self.assertEqual(len(activities), 2)
        self.assertEqual(len(notes), 2)
        self.assertTrue(request.resolution_escalated)
        self.assertIn(request, self.Request.search([('escalation_user_id', '=',
                                                     self.manager.id)]))

    def test_both_breaches_at_once_are_two_escalations(self):
        request = self.request(self.gold)
        self.assertEqual(self.escalate_at(20, request), ['resolution', 'response'])
        activities, notes = self.escalations(request)
        self.assertEqual((len(activities), len(notes)), (2, 2))

    def test_answered_request_escalates_only_for_resolution(self):
        request = self.request(self.bronze, date_received=hours_ago(1))
        request.sudo(self.agent).action_respond()
        self.assertEqual(request.stage_id, self.stage_progress)
        later = datetime.datetime.utcnow() + datetime.timedelta(hours=100)
        done = self.Request._cron_escalate(now=later)
        self.assertEqual([breach for r, breach in done if r == request], ['resolution'])

    def test_closed_request_is_not_escalated(self):
        request = self.request(self.gold, request_type='inquiry')
        request.sudo(self.agent).stage_id = self.stage_closed
        self.assertEqual(self.escalate_at(20, request), [])
        self.assertEqual(self.escalations(request)[0].ids, [])

    def test_escalation_falls_back_to_the_team_leader(self):
        self.company.service_escalation_user_id = False
        leader = self.make_user('sr_leader', 'crm_service.group_service_manager')
        team = self.env['crm.team'].create({'name': 'SR Team', 'user_id': leader.id,
                                            'company_id': self.company.id})
        request = self.request(self.gold, team_id=team.id)
        self.assertEqual(self.escalate_at(5, request), ['response'])
        self.assertEqual(self.escalations(request)[0].user_id, leader)
        # Without team, the company's first service manager gets it.
        lone = self.request(self.bronze)
        self.assertEqual(self.escalate_at(25, lone), ['response'])
        self.assertTrue(self.escalations(lone)[0].user_id.has_group(
            'crm_service.group_service_manager'))

    def test_escalation_in_small_batches(self):
        requests = self.request(self.gold) | self.request(self.gold) | self.request(self.bronze)
        done = self.Request._cron_escalate(now=at(100), batch_size=1)
        for request in requests:
            self.assertEqual(sorted(b for r, b in done if r == request),
                             ['resolution', 'response'])
        self.assertFalse([r for r, b in self.Request._cron_escalate(now=at(100))
                          if r in requests])

    def test_overdue_search(self):
        late = self.request(self.gold)
        fresh = self.request(self.gold, date_received=hours_ago(0))
        overdue = self.Request.search([('is_overdue', '=', True)])
        self.assertIn(late, overdue)
        self.assertNotIn(fresh, overdue)
        self.assertIn(fresh, self.Request.search([('is_overdue', '=', False)]))
        self.assertTrue(late.response_overdue and late.is_overdue)

    # -- response, closing and validation -------------------------------------

    def test_leaving_the_first_stage_records_the_response(self):
        request = self.request(self.gold, date_received=hours_ago(1))
        self.assertFalse(request.date_first_response)
        request.sudo(self.agent).stage_id = self.stage_progress
        self.assertTrue(request.date_first_response)
        self.assertTrue(request.response_on_time)
        self.assertAlmostEqual(request.response_hours, 1, delta=0.1)

    def test_late_response_is_recorded_as_late(self):
        request = self.request(self.gold, date_received=hours_ago(30))
        request.sudo(self.agent).action_respond()
        self.assertFalse(request.response_on_time)
        self.assertAlmostEqual(request.response_hours, 30, delta=0.1)

    def test_complaint_needs_root_cause_and_corrective_action_to_close(self):
        request = self.request(self.gold, date_received=hours_ago(2))
        as_agent = request.sudo(self.agent)
        with self.refused() as caught:
            as_agent.stage_id = self.stage_closed
        self.assertIn('root cause', caught.exception.name)
        as_agent.root_cause = 'Truck broke down'
        with self.refused():
            as_agent.stage_id = self.stage_closed
        as_agent.write({'corrective_action': 'Delivered the next morning',
                        'preventive_action': 'Spare truck on call', 'rating': 4,
                        'stage_id': self.stage_closed.id})
        self.assertTrue(request.is_closed)
        self.assertTrue(request.date_closed)
        self.assertTrue(request.date_first_response, "closing answers the request too")
        self.assertTrue(request.resolved_on_time)
        self.assertAlmostEqual(request.resolution_hours, 2, delta=0.1)
        # The reasons cannot be emptied once closed.
        with self.refused():
            as_agent.root_cause = ' '
        # Reopening clears the resolution.
        as_agent.stage_id = self.stage_progress
        self.assertFalse(request.date_closed)

    def test_quality_needs_a_root_cause_an_inquiry_does_not(self):
        with self.refused():
            self.request(self.gold, request_type='quality', stage_id=self.stage_closed.id)
        inquiry = self.request(self.gold, request_type='inquiry',
                               stage_id=self.stage_closed.id)
        self.assertTrue(inquiry.date_closed)

    def test_bad_input(self):
        request = self.request(self.gold)
        as_agent = request.sudo(self.agent)
        for rating in (6, -1):
            with self.refused() as caught:
                as_agent.rating = rating
            self.assertIn('1 to 5', caught.exception.name)
        with self.refused() as caught:
            self.request(self.gold, date_received=fields.Datetime.to_string(
                datetime.datetime.utcnow() + datetime.timedelta(days=1)))
        self.assertIn('future', caught.exception.name)
        order = self.env['sale.order'].create({'partner_id': self.bronze.id})
        with self.refused() as caught:
            as_agent.sale_order_id = order
        self.assertIn('another customer', caught.exception.name)
        with self.refused():
            self.company.service_resolution_hours = 5
        with self.refused():
            self.Request.search([('is_overdue', '>', 1)])

    def test_order_link_and_counts(self):
        order = self.env['sale.order'].create({'partner_id': self.gold_buyer.id})
        request = self.request(self.gold_buyer, sale_order_id=order.id)
        self.assertEqual(order.service_request_count, 1)
        self.assertEqual(self.gold.sudo(self.agent).service_request_count, 1)
        action = self.gold.sudo(self.agent).action_view_service_requests()
        self.assertEqual(self.Request.search(action['domain']), request)

    # -- access ----------------------------------------------------------------

    def test_agent_handles_requests(self):
        logged = self.request(self.gold, user=self.am)
        as_agent = logged.sudo(self.agent)
        self.assertIn(logged, self.Request.sudo(self.agent).search([]))
        as_agent.write({'user_id': self.agent.id, 'stage_id': self.stage_progress.id})
        as_agent.message_post(body='Called the shop back.')
        self.assertEqual(logged.stage_id, self.stage_progress)

    def test_account_manager_logs_and_sees_own_requests(self):
        # What the form sends on create: the default stage and empty resolution fields.
        logged = self.Request.sudo(self.am).create({
            'name': 'Wrong brand delivered', 'partner_id': self.bronze.id,
            'request_type': 'supply', 'channel': 'visit', 'stage_id': self.stage_new.id,
            'root_cause': False, 'corrective_action': False, 'rating': 0})
        self.assertFalse(logged.user_id, "waits for the desk")
        someone_elses = self.request(self.gold)
        visible = self.Request.sudo(self.am).search([])
        self.assertIn(logged, visible)
        self.assertNotIn(someone_elses, visible)
        with self.refused(AccessError):
            someone_elses.sudo(self.am).read(['name'])
        with self.refused(AccessError):
            logged.sudo(self.am).write({'stage_id': self.stage_progress.id})
        with self.refused(AccessError):
            logged.sudo(self.am).action_respond()
        with self.refused(AccessError):
            logged.sudo(self.am).unlink()

    def test_account_manager_sees_the_requests_of_own_customers(self):
        self.bronze.user_id = self.am
        logged_by_desk = self.request(self.bronze)
        as_am = logged_by_desk.sudo(self.am)
        self.assertIn(logged_by_desk, self.Request.sudo(self.am).search([]))
        as_am.message_post(body='The shop owner called me too.')
        as_am.description = 'Two cartons missing'
        self.assertEqual(logged_by_desk.description, 'Two cartons missing')

    def test_plain_employee_is_denied(self):
        request = self.request(self.gold)
        with self.refused(AccessError):
            self.Request.sudo(self.employee).search([])
        with self.refused(AccessError):
            request.sudo(self.employee).read(['name'])
        with self.refused(AccessError):
            self.request(self.gold, user=self.employee)

    def test_other_company_is_denied(self):
        request = self.request(self.gold)
        self.assertNotIn(request, self.Request.sudo(self.other_agent).search([]))
        with self.refused(AccessError):
            request.sudo(self.other_agent).read(['name'])
        theirs = self.Request.sudo(self.other_agent).create({
            'name': 'Other branch', 'partner_id': self.other_shop.id,
            'date_received': at(0)})
        self.assertEqual(theirs.company_id, self.other_company)
        self.assertNotIn(theirs, self.Request.sudo(self.agent).search([]))
        self.assertIn(theirs, self.Request.sudo(self.other_agent).search([]))

    def test_manager_sees_all_and_escalates_by_hand(self):
        logged = self.request(self.gold, user=self.am)
        self.assertIn(logged, self.Request.sudo(self.manager).search([]))
        self.Request.sudo(self.manager).action_escalate_overdue()
        self.assertTrue(logged.response_escalated)
        with self.refused(AccessError):
            self.Request.sudo(self.agent).action_escalate_overdue()

    def test_agent_can_pick_orders_and_deliveries(self):
        order = self.env['sale.order'].create({'partner_id': self.gold.id})
        found = self.env['sale.order'].sudo(self.agent).name_search(
            '', [('partner_id', 'child_of', self.gold.id)])
        self.assertEqual([row[0] for row in found], order.ids)
        self.env['stock.picking'].sudo(self.agent).name_search(
            '', [('partner_id', 'child_of', self.gold.id),
                 ('picking_type_code', '=', 'outgoing')])
