import datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase

# 2030-01-07 is a Monday.
START = datetime.date(2030, 1, 7)


def day(text):
    return fields.Date.from_string(text)


class TestVisit(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        Policy = env['crm.tier.policy']
        cls.weekly = Policy.create({'name': 'Visit weekly', 'visit_interval_days': 7})
        cls.fortnightly = Policy.create({'name': 'Visit fortnightly', 'visit_interval_days': 14})
        # The demo data has a primary scheme: this test brings its own.
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'Visit scheme', 'is_primary': True, 'method': 'threshold',
            'metric': 'revenue',
            'tier_ids': [
                (0, 0, {'name': 'A', 'code': 'VA', 'rank': 1, 'lower_bound': 1000,
                        'policy_id': cls.weekly.id}),
                (0, 0, {'name': 'B', 'code': 'VB', 'rank': 2, 'lower_bound': 0,
                        'policy_id': cls.fortnightly.id}),
            ]})
        tier_a, tier_b = cls.scheme.tier_ids.sorted('rank')
        Partner = env['res.partner']

        def shop(name, tier=None, **vals):
            partner = Partner.create(dict(name=name, customer=True, is_company=True, **vals))
            if tier:
                cls.scheme._upsert_member(partner, tier, 'ranked')
            return partner
        cls.shop_a = shop('Visit shop A', tier_a)
        cls.shop_b = shop('Visit shop B', tier_b)
        cls.shop_c = shop('Visit shop without tier')
        cls.closed_shop = shop('Visit shop archived', tier_a)
        cls.friday_shop = shop('Visit shop on a Friday route', tier_a)

        cls.am = new_user(env, 'visit_am', 'crm_service.group_service_user')
        cls.other_am = new_user(env, 'visit_am2', 'crm_service.group_service_user')
        cls.agent = new_user(env, 'visit_agent', 'crm_service.group_service_agent')
        Route = env['crm.visit.route']
        cls.route = Route.create({
            'code': 'VMON', 'name': 'Monday', 'user_id': cls.am.id, 'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': i, 'partner_id': p.id}) for i, p in enumerate(
                cls.shop_a | cls.shop_b | cls.shop_c | cls.closed_shop, start=1)]})
        cls.friday_route = Route.create({
            'code': 'VFRI', 'name': 'Friday', 'user_id': cls.other_am.id, 'visit_fri': True,
            'stop_ids': [(0, 0, {'partner_id': cls.friday_shop.id})]})
        cls.closed_shop.active = False
        cls.routes = cls.route | cls.friday_route
        cls.product = env['product.product'].create({'name': 'Visit shelf product'})

    def plan(self, weeks, routes=None):
        return self.env['crm.visit']._plan(routes or self.routes, weeks, start=START)

    def days_of(self, partner):
        visits = self.env['crm.visit'].search([('partner_id', '=', partner.id)], order='date')
        return [visit.date for visit in visits]

    # -- planning ------------------------------------------------------------

    def test_intervals_follow_the_tier_and_weekdays_the_route(self):
        self.plan(4)
        self.assertEqual(self.days_of(self.shop_a),
                         ['2030-01-07', '2030-01-14', '2030-01-21', '2030-01-28'])
        self.assertEqual(self.days_of(self.shop_b), ['2030-01-07', '2030-01-21'])
        self.assertEqual(self.days_of(self.shop_c), ['2030-01-07'])
        self.assertEqual(self.days_of(self.friday_shop),
                         ['2030-01-11', '2030-01-18', '2030-01-25', '2030-02-01'])
        self.assertFalse(self.days_of(self.closed_shop))
        visit = self.env['crm.visit'].search([('partner_id', '=', self.shop_b.id)], limit=1)
        self.assertEqual((visit.route_id, visit.user_id, visit.sequence, visit.state),
                         (self.route, self.am, 2, 'planned'))

    def test_holidays_move_visits_to_the_next_route_day(self):
        self.env['resource.calendar.leaves'].create({
            'name': 'Spring Festival', 'calendar_id': self.company.resource_calendar_id.id,
            'date_from': '2030-01-20 16:00:00', 'date_to': '2030-01-21 15:59:59'})
        self.company.partner_id.tz = 'Asia/Shanghai'
        self.plan(4)
        self.assertEqual(self.days_of(self.shop_a), ['2030-01-07', '2030-01-14', '2030-01-28'])
        self.assertEqual(self.days_of(self.shop_b), ['2030-01-07', '2030-01-28'])

    def test_planning_again_never_duplicates(self):
        first = self.plan(4)
        self.assertEqual(len(first), 4 + 2 + 1 + 4)
        self.assertFalse(self.plan(4))
        more = self.plan(6)
        self.assertEqual(self.days_of(self.shop_a), [
            '2030-01-07', '2030-01-14', '2030-01-21', '2030-01-28', '2030-02-04',
            '2030-02-11'])
        self.assertEqual(self.days_of(self.shop_b), ['2030-01-07', '2030-01-21', '2030-02-04'])
        self.assertEqual(len(more), 2 + 1 + 1 + 2)

    def test_planning_on_later_days_continues_the_plan(self):
        self.plan(2)
        later = self.env['crm.visit']._plan(self.routes, 2,
                                            start=START + datetime.timedelta(days=7))
        self.assertEqual(self.days_of(self.shop_a),
                         ['2030-01-07', '2030-01-14', '2030-01-21'])
        self.assertEqual(self.days_of(self.shop_b), ['2030-01-07', '2030-01-21'])
        self.assertEqual(len(later), 1 + 1 + 1)   # A, B and the Friday shop's third week

    def test_cancelled_visits_stay_cancelled(self):
        self.plan(2)
        visit = self.env['crm.visit'].search([('partner_id', '=', self.shop_a.id),
                                              ('date', '=', '2030-01-14')])
        visit.action_cancel()
        self.plan(2)
        self.assertEqual(self.days_of(self.shop_a), ['2030-01-07', '2030-01-14'])
        self.assertEqual(visit.state, 'cancel')

    def test_the_wizard_plans_the_routes_chosen(self):
        wizard = self.env['crm.visit.plan'].create(
            {'weeks': 1, 'route_ids': [(6, 0, self.friday_route.ids)]})
        action = wizard.action_plan()
        visits = self.env['crm.visit'].search(action['domain'])
        self.assertEqual(visits.mapped('partner_id'), self.friday_shop)
        with self.assertRaises(UserError):
            self.env['crm.visit.plan'].create({'weeks': 0}).action_plan()

    def test_the_wizard_refuses_a_route_the_user_cannot_see(self):
        # Another manager's route: refused, not taken for "every route I can see".
        before = self.env['crm.visit'].search_count([])
        wizard = self.env['crm.visit.plan'].sudo(self.am).create(
            {'weeks': 1, 'route_ids': [(6, 0, self.friday_route.ids)]})
        with self.assertRaises(AccessError):
            wizard.action_plan()
        self.assertEqual(self.env['crm.visit'].search_count([]), before)

    def test_due_list(self):
        today = self.env['crm.visit']._company_today(self.company)
        for shop, days in ((self.shop_a, 10), (self.shop_b, 3)):
            self.env['crm.visit'].create({
                'partner_id': shop.id, 'route_id': self.route.id, 'state': 'done',
                'date': fields.Date.to_string(today - datetime.timedelta(days=days))})
        due = self.env['crm.visit.due'].search([('route_id', '=', self.route.id)])
        by_partner = {row.partner_id: row for row in due}
        self.assertIn(self.shop_a, by_partner)      # weekly, last seen 10 days ago
        self.assertNotIn(self.shop_b, by_partner)   # fortnightly, seen 3 days ago
        self.assertEqual(by_partner[self.shop_a].overdue_days, 3)
        self.assertEqual(by_partner[self.shop_a].interval_days, 7)
        # Only own customers for an account manager.
        self.assertFalse(self.env['crm.visit.due'].sudo(self.other_am).search(
            [('route_id', '=', self.route.id)]))

    # -- execution -----------------------------------------------------------

    def visit(self, partner=None, date=None, user=None, route=None):
        return self.env['crm.visit'].sudo(user or self.am).create({
            'partner_id': (partner or self.shop_a).id, 'route_id': (route or self.route).id,
            'date': date or self.day(0)})

    def day(self, offset):
        """The company's today plus ``offset`` days, as a string."""
        return fields.Date.to_string(self.env['crm.visit']._company_today(self.company)
                                     + datetime.timedelta(days=offset))

    def test_check_in_and_out(self):
        visit = self.visit()
        visit.action_check_in()
        self.assertEqual(visit.state, 'in_progress')
        with self.assertRaises(UserError):
            visit.action_check_in()
        with self.assertRaises(UserError):
            visit.action_check_out()        # no outcome yet
        visit.write({'outcome': 'no_order', 'satisfaction': '4',
                     'shelf_line_ids': [(0, 0, {'product_id': self.product.id, 'quantity': 3})]})
        visit.action_check_out()
        self.assertEqual(visit.state, 'done')
        self.assertGreaterEqual(visit.check_out, visit.check_in)

    def test_bad_input(self):
        visit = self.visit()
        visit.action_check_in()
        with self.assertRaises(AccessError):    # times come from the buttons
            visit.write({'check_out': '2000-01-01 00:00:00'})
        with self.assertRaises(AccessError):
            visit.write({'state': 'done'})
        with self.assertRaises(ValidationError):
            visit.sudo().write({'check_out': '2000-01-01 00:00:00'})
        with self.assertRaises(ValidationError):
            visit.write({'shelf_line_ids': [(0, 0, {
                'product_id': self.product.id, 'quantity': -1})]})
        other = self.env['res.company'].create({'name': 'Visit other company'})
        stranger = self.env['res.partner'].create(
            {'name': 'Other company shop', 'customer': True, 'company_id': other.id})
        with self.assertRaises(ValidationError):
            self.env['crm.visit'].create({'partner_id': stranger.id})
        with self.assertRaises(UserError):
            self.visit(date='2030-03-01').action_check_out()   # never checked in
        with self.assertRaises(UserError):
            self.visit(partner=self.shop_b, date=self.day(1)).action_check_in()  # not today

    def test_missed_visits(self):
        past = self.visit(date=self.day(-1))
        started = self.visit(partner=self.shop_b)
        started.action_check_in()
        future = self.visit(date=self.day(1), partner=self.shop_c)
        missed = self.env['crm.visit']._cron_mark_missed(today=day(self.day(1)))
        self.assertEqual(missed, past)
        self.assertEqual((past.state, started.state, future.state),
                         ('missed', 'in_progress', 'planned'))

    def test_access(self):
        mine = self.visit()
        theirs = self.visit(partner=self.friday_shop, user=self.other_am,
                            route=self.friday_route)
        Visit = self.env['crm.visit']
        self.assertEqual(Visit.sudo(self.am).search([('id', 'in', (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.sudo(self.am).action_check_in()
        self.assertEqual(Visit.sudo(self.agent).search([('id', 'in', (mine | theirs).ids)]),
                         mine | theirs)
        with self.assertRaises(AccessError):
            mine.sudo(self.agent).write({'note': 'Agents only read visits'})
        with self.assertRaises(AccessError):
            mine.sudo(self.am).unlink()

    def test_a_visit_opens_a_request(self):
        visit = self.visit()
        action = visit.action_open_request()
        request = self.env['crm.service.request'].sudo(self.am).with_context(
            **action['context']).create({'name': 'Broken display fridge'})
        self.assertEqual((request.visit_id, request.partner_id, request.channel),
                         (visit, self.shop_a, 'visit'))
        self.assertEqual(visit.request_count, 1)
        with self.assertRaises(ValidationError):
            request.write({'visit_id': self.visit(partner=self.shop_b).id})

    def test_open_visits_follow_the_stop_order(self):
        self.plan(1)
        stop = self.route.stop_ids.filtered(lambda s: s.partner_id == self.shop_b)
        stop.sequence = 9
        visit = self.env['crm.visit'].search([('partner_id', '=', self.shop_b.id)])
        self.assertEqual(visit.sequence, 9)
