from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase


class TestVisitRoute(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.user.company_id
        cls.company.partner_id.write({'partner_latitude': 30.25, 'partner_longitude': 120.16})
        Partner = cls.env['res.partner']
        # Shops on a line east of the depot, given in a zig-zag order.
        cls.shops = Partner.browse()
        for index, lon in enumerate([120.30, 120.20, 120.40, 120.25, 120.35]):
            cls.shops |= Partner.create({
                'name': 'Route shop %d' % index, 'customer': True, 'is_company': True,
                'partner_latitude': 30.25, 'partner_longitude': lon})
        cls.nowhere = Partner.create({'name': 'Shop without coordinates', 'customer': True,
                                      'is_company': True})
        users = cls.env['res.users'].with_context(no_reset_password=True)
        cls.am = users.create({
            'name': 'Route AM', 'login': 'route_am', 'email': 'route_am@example.com',
            'groups_id': [(6, 0, [cls.env.ref('crm_service.group_service_user').id])]})
        cls.route = cls.env['crm.visit.route'].create({
            'code': 'R01', 'name': 'East', 'user_id': cls.am.id, 'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': i, 'partner_id': p.id})
                         for i, p in enumerate(cls.nowhere | cls.shops)]})

    def test_optimise_orders_the_stops_and_keeps_those_without_coordinates(self):
        before, after = self.route.sudo(self.am)._optimise_stops()
        self.assertLess(after, before)
        ordered = self.route.stop_ids.sorted('sequence').mapped('partner_id')
        by_longitude = self.shops.sorted(lambda p: p.partner_longitude)
        self.assertIn(list(ordered[:5]), [list(by_longitude), list(reversed(by_longitude))])
        self.assertEqual(ordered[5], self.nowhere)
        self.assertAlmostEqual(self.route.distance_km, after, places=1)
        self.assertIn('Shop without coordinates', self.route.message_ids[0].body)

    def test_depot_needs_coordinates(self):
        self.route.depot_id = self.nowhere
        with self.assertRaises(UserError):
            self.route.action_optimise_stops()

    def test_a_customer_is_on_one_route(self):
        with self.assertRaises(ValidationError):
            self.env['crm.visit.route'].create({
                'code': 'R02', 'name': 'Again', 'visit_tue': True,
                'stop_ids': [(0, 0, {'partner_id': self.shops[0].id})]})

    def test_bad_values(self):
        Route = self.env['crm.visit.route']
        for vals in ({'code': 'R03', 'name': 'No day'},
                     {'code': 'R04', 'name': 'Late', 'visit_fri': True,
                      'delivery_offset_days': -1}):
            with self.assertRaises(ValidationError):
                Route.create(vals)

    def test_account_manager_cannot_create_routes(self):
        with self.assertRaises(AccessError):
            self.env['crm.visit.route'].sudo(self.am).create(
                {'code': 'R05', 'name': 'Mine', 'visit_sat': True})
        self.assertTrue(self.route.sudo(self.am).allows_weekday(0))
        self.assertFalse(self.route.sudo(self.am).allows_weekday(1))

    def test_account_manager_keeps_the_route_but_cannot_reassign_it(self):
        mine = self.route.sudo(self.am)
        mine.write({'visit_tue': True, 'user_id': self.am.id})
        self.assertTrue(self.route.visit_tue)
        for vals in ({'user_id': self.env.uid}, {'driver_id': self.am.id},
                     {'company_id': self.env['res.company'].create({'name': 'RX'}).id}):
            with self.assertRaises(AccessError):
                mine.write(vals)
        self.assertEqual((self.route.user_id, self.route.driver_id, self.route.company_id),
                         (self.am, self.env['res.users'], self.company))
        manager = self.env['res.users'].with_context(no_reset_password=True).create({
            'name': 'Route manager', 'login': 'route_mgr', 'email': 'route_mgr@example.com',
            'groups_id': [(6, 0, [self.env.ref('crm_service.group_service_manager').id])]})
        self.route.sudo(manager).write({'driver_id': manager.id})
        self.assertEqual(self.route.driver_id, manager)

    def test_account_managers_see_only_their_routes(self):
        other = self.env['crm.visit.route'].create(
            {'code': 'R06', 'name': 'Someone else', 'user_id': self.env.uid, 'visit_sun': True})
        visible = self.env['crm.visit.route'].sudo(self.am).search([])
        self.assertIn(self.route, visible)
        self.assertNotIn(other, visible)
