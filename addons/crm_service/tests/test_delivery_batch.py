import datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase


class TestDeliveryBatch(SavepointCase):
    """Route delivery: real pickings of confirmed sale orders, batched per route and
    day, delivered by the delivery staff."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.company.partner_id.tz = 'Asia/Shanghai'
        Batch = env['stock.picking.batch']
        cls.day = Batch._company_tomorrow(cls.company)
        cls.next_day = cls.day + datetime.timedelta(days=1)
        cls.product = env['product.product'].create({
            'name': 'Delivery Tea', 'type': 'consu', 'list_price': 10,
            'taxes_id': [(6, 0, [])]})

        # Three tiers: A orders are urgent; B and C only differ by tier rank.
        def policy(name, priority):
            return env['crm.tier.policy'].create({
                'name': name, 'company_id': cls.company.id, 'delivery_priority': priority,
                'credit_limit': 0})
        urgent, normal = policy('Delivery A', '2'), policy('Delivery B/C', '1')
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'Delivery scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': name, 'code': name, 'rank': rank, 'lower_bound': bound,
                                 'policy_id': pol.id})
                         for name, rank, bound, pol in [('DA', 1, 100, urgent),
                                                        ('DB', 2, 50, normal),
                                                        ('DC', 3, 0, normal)]]})
        cls.tier_a, cls.tier_b, cls.tier_c = cls.scheme.tier_ids.sorted('rank')

        Partner = env['res.partner']
        cls.shops = Partner.browse()
        for index in range(5):
            cls.shops |= Partner.create({'name': 'Delivery shop %d' % index, 'customer': True,
                                         'is_company': True})
        cls.elsewhere = Partner.create({'name': 'Shop on no route', 'customer': True,
                                        'is_company': True})

        cls.driver = new_user(env, 'delivery_driver', 'crm_service.group_service_delivery')
        cls.other_driver = new_user(env, 'delivery_driver_2', 'crm_service.group_service_delivery')
        cls.manager = new_user(env, 'delivery_manager', 'crm_service.group_service_manager')

        Route = env['crm.visit.route']
        # Stop order on route 1: shop 2, shop 0, shop 1, shop 3.
        cls.route = Route.create({
            'code': 'DR1', 'name': 'Delivery north', 'visit_mon': True,
            'driver_id': cls.driver.id,
            'stop_ids': [(0, 0, {'sequence': seq, 'partner_id': cls.shops[i].id})
                         for seq, i in [(1, 2), (2, 0), (3, 1), (4, 3)]]})
        cls.route2 = Route.create({
            'code': 'DR2', 'name': 'Delivery south', 'visit_tue': True,
            'driver_id': cls.other_driver.id,
            'stop_ids': [(0, 0, {'sequence': 1, 'partner_id': cls.shops[4].id})]})
        cls.reason = env.ref('crm_service.delivery_failure_shop_closed')

    # -- helpers ---------------------------------------------------------------

    def picking(self, shop, qty=3):
        """The delivery order of a sale order confirmed now."""
        order = self.env['sale.order'].create({
            'partner_id': shop.id,
            'order_line': [(0, 0, {'product_id': self.product.id, 'product_uom_qty': qty,
                                   'price_unit': 10, 'tax_id': [(6, 0, [])]})]})
        order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == 'outgoing')
        self.assertEqual(len(picking), 1)
        return picking

    def plan(self, day=None, routes=None):
        wizard = self.env['crm.delivery.plan'].sudo(self.manager).create({
            'delivery_date': fields.Date.to_string(day or self.day),
            'route_ids': [(6, 0, (routes or self.route | self.route2).ids)]})
        return wizard._action_plan().sudo()

    def route_batches(self, route=None):
        return self.env['stock.picking.batch'].search([('route_id', '=', (route or self.route).id)])

    def fail(self, picking, user=None, note='Closed at noon'):
        action = picking.sudo(user or self.driver).action_delivery_failed()
        wizard = self.env['crm.delivery.fail'].sudo(user or self.driver).with_context(
            **action['context']).create({'reason_id': self.reason.id, 'note': note})
        wizard.action_confirm()

    # -- batching ----------------------------------------------------------------

    def test_batches_per_route_and_day_in_stop_order(self):
        p0, p1, p2, p4 = (self.picking(self.shops[i]) for i in (0, 1, 2, 4))
        lost = self.picking(self.elsewhere)
        later = self.picking(self.shops[3])
        later.scheduled_date = fields.Date.to_string(self.day + datetime.timedelta(days=5)) \
            + ' 04:00:00'
        batches = self.plan()
        self.assertEqual(len(batches), 2)
        batch = self.route_batches()
        self.assertEqual(len(batch), 1)
        self.assertEqual(batch.delivery_date, fields.Date.to_string(self.day))
        self.assertEqual(batch.user_id, self.driver)
        self.assertEqual(batch.company_id, self.company)
        self.assertEqual(batch.picking_ids.sorted('route_sequence'), p2 | p0 | p1)
        self.assertEqual(batch.picking_ids.sorted('route_sequence').mapped('route_sequence'),
                         [1, 2, 3])
        self.assertEqual(self.route_batches(self.route2).picking_ids, p4)
        self.assertEqual(self.route_batches(self.route2).user_id, self.other_driver)
        self.assertFalse(lost.batch_id)
        self.assertFalse(later.batch_id)

        # Planning again adds the new order to the same batch, nothing twice.
        p0_again = self.picking(self.shops[0])
        self.assertEqual(self.plan(), batch)
        self.assertEqual(self.route_batches(), batch)
        self.assertEqual(batch.picking_ids, p2 | p0 | p1 | p0_again)
        self.assertEqual(batch.stop_count, 4)
        self.assertFalse(self.plan())
        self.assertEqual(len(self.route_batches()), 1)

    def test_capacity_serves_better_tiers_first(self):
        self.scheme._upsert_member(self.shops[0], self.tier_a, 'ranked')
        self.scheme._upsert_member(self.shops[1], self.tier_b, 'ranked')
        self.scheme._upsert_member(self.shops[2], self.tier_c, 'ranked')
        self.route.delivery_capacity = 2
        # Shop 2 is the first stop of the route, but has the lowest tier.
        p0, p1, p2 = (self.picking(self.shops[i]) for i in (0, 1, 2))
        self.assertEqual((p0.priority, p1.priority, p2.priority), ('2', '1', '1'))
        batch = self.plan(routes=self.route)
        self.assertEqual(batch.picking_ids, p0 | p1)
        self.assertFalse(p2.batch_id)
        self.assertIn(p2.name, batch.message_ids[0].body)
        # A shop already in the full batch takes no further stop.
        p0_again = self.picking(self.shops[0])
        self.plan(routes=self.route)
        self.assertEqual(batch.picking_ids, p0 | p1 | p0_again)
        self.assertFalse(p2.batch_id)
        # The one left out goes the next day.
        later = self.plan(self.next_day, self.route)
        self.assertEqual(later.picking_ids, p2)
        self.assertEqual(later.delivery_date, fields.Date.to_string(self.next_day))

    def test_capacity_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.route.delivery_capacity = -1

    def test_cron_plans_tomorrow_once(self):
        picking = self.picking(self.shops[0])
        Batch = self.env['stock.picking.batch']
        Batch._cron_plan_deliveries()
        Batch._cron_plan_deliveries()
        batch = self.route_batches()
        self.assertEqual(len(batch), 1)
        self.assertEqual(batch.picking_ids, picking)
        self.assertEqual(batch.delivery_date, fields.Date.to_string(self.day))

    def test_only_managers_plan(self):
        wizard = self.env['crm.delivery.plan'].sudo(self.driver).create({})
        self.assertEqual(wizard.delivery_date, fields.Date.to_string(self.day))
        with self.assertRaises(AccessError):
            wizard.action_plan()
        picking = self.picking(self.shops[0])
        action = self.env['crm.delivery.plan'].sudo(self.manager).create({}).action_plan()
        self.assertTrue(picking.batch_id)
        self.assertIn(picking.batch_id.id, action['domain'][0][2])

    # -- outcomes ----------------------------------------------------------------

    def test_delivered(self):
        picking = self.picking(self.shops[0])
        batch = self.plan(routes=self.route)
        picking.sudo(self.driver).action_delivery_delivered()
        self.assertEqual(picking.state, 'done')
        self.assertEqual(picking.delivery_outcome, 'delivered')
        self.assertEqual(picking.move_lines.quantity_done, 3)
        self.assertEqual(picking.delivery_attempts, 1)
        self.assertTrue(picking.first_attempt_success)
        self.assertEqual(batch.state, 'done')
        self.assertEqual((batch.stop_count, batch.delivered_count, batch.first_attempt_rate),
                         (1, 1, 100.0))

    def test_outcomes_only_through_the_buttons(self):
        picking = self.picking(self.shops[0])
        batch = self.plan(routes=self.route)
        as_driver = picking.sudo(self.driver)
        with self.assertRaises(AccessError):
            as_driver.write({'delivery_outcome': 'delivered'})
        with self.assertRaises(AccessError):
            as_driver.with_context(crm_delivery_recording=True).write(
                {'delivery_outcome': 'delivered'})
        with self.assertRaises(AccessError):
            self.env['crm.delivery.attempt'].sudo(self.driver).create({
                'picking_id': picking.id, 'batch_id': batch.id, 'outcome': 'delivered',
                'company_id': picking.company_id.id, 'attempt': 1})
        self.assertFalse(picking.delivery_outcome)
        # Nor are the recorded attempts rewritten or deleted, by managers either.
        picking.sudo(self.driver).action_delivery_delivered()
        attempt = picking.delivery_attempt_ids.sudo(self.manager)
        with self.assertRaises(AccessError):
            attempt.write({'outcome': 'failed'})
        with self.assertRaises(AccessError):
            attempt.unlink()

    def test_refusal_speaks_the_drivers_language(self):
        """The refusal is raised in a method, where _() finds the caller's language."""
        self.env['res.lang'].load_lang('zh_CN')
        picking = self.picking(self.shops[0])
        as_driver = picking.sudo(self.driver)
        with self.assertRaisesRegex(AccessError, '配送结果只能通过站点按钮记录'):
            as_driver.with_context(lang='zh_CN').write({'delivery_outcome': 'delivered'})
        with self.assertRaisesRegex(AccessError, "recorded with the stop's buttons"):
            as_driver.with_context(lang='en_US').write({'delivery_outcome': 'delivered'})

    def test_bad_outcomes(self):
        cancelled, done, loose = (self.picking(self.shops[i]) for i in (0, 1, 4))
        self.plan(routes=self.route)
        cancelled.action_cancel()
        with self.assertRaisesRegex(UserError, 'is cancelled'):
            cancelled.sudo(self.driver).action_delivery_delivered()
        with self.assertRaisesRegex(UserError, 'is cancelled'):
            self.fail(cancelled)
        done.sudo(self.driver).action_delivery_delivered()
        with self.assertRaisesRegex(UserError, 'already done'):
            done.sudo(self.driver).action_delivery_partial()
        with self.assertRaisesRegex(UserError, 'not in a route delivery batch'):
            loose.action_delivery_delivered()
        with self.assertRaisesRegex(UserError, 'Only failed deliveries'):
            loose.action_delivery_replan()

    def test_failure_needs_a_reason_and_partial_needs_quantities(self):
        picking = self.picking(self.shops[0])
        self.plan(routes=self.route)
        with self.assertRaisesRegex(UserError, 'reason'):
            picking.sudo(self.driver)._action_delivery_failed(
                self.env['crm.delivery.failure.reason'])
        with self.assertRaisesRegex(UserError, 'delivered quantities'):
            picking.sudo(self.driver).action_delivery_partial()
        self.assertFalse(picking.delivery_attempts)

    def test_failed_stop_replanned_ends_in_a_later_batch(self):
        picking, other = self.picking(self.shops[0]), self.picking(self.shops[1])
        batch = self.plan(routes=self.route)
        self.fail(picking)
        self.assertNotIn(picking.state, ('done', 'cancel'))
        self.assertFalse(picking.batch_id)
        self.assertEqual(picking.delivery_outcome, 'failed')
        self.assertEqual(picking.delivery_failure_reason_id, self.reason)
        self.assertEqual(picking.delivery_note, 'Closed at noon')
        self.assertEqual(picking.delivery_attempts, 1)
        self.assertFalse(picking.first_attempt_success)
        other.sudo(self.driver).action_delivery_delivered()
        self.assertEqual(batch.state, 'done')
        self.assertEqual((batch.stop_count, batch.delivered_count, batch.failed_count,
                          batch.first_attempt_rate), (2, 1, 1, 50.0))
        # Failed: waits for Plan Again.
        self.assertFalse(self.plan(self.next_day, self.route))
        picking.sudo(self.driver).action_delivery_replan()
        self.assertFalse(picking.delivery_outcome)
        # Not again on the day it failed.
        self.assertFalse(self.plan(routes=self.route))
        later = self.plan(self.next_day, self.route)
        self.assertEqual(later.picking_ids, picking)
        self.assertNotEqual(later, batch)
        self.assertGreater(later.delivery_date, batch.delivery_date)
        picking.sudo(self.driver).action_delivery_delivered()
        self.assertEqual(picking.delivery_attempts, 2)
        self.assertFalse(picking.first_attempt_success)
        self.assertEqual(later.first_attempt_rate, 0.0)
        self.assertEqual(picking.delivery_attempt_ids.mapped('outcome'), ['delivered', 'failed'])

    def test_partial_delivery_leaves_a_backorder_for_later(self):
        picking = self.picking(self.shops[0], qty=5)
        batch = self.plan(routes=self.route)
        picking.action_assign()
        picking.move_line_ids.sudo(self.driver).write({'qty_done': 2})
        backorder = picking.sudo(self.driver)._action_delivery_partial()
        self.assertEqual(picking.state, 'done')
        self.assertEqual(picking.delivery_outcome, 'partial')
        self.assertTrue(picking.first_attempt_success)
        self.assertEqual(backorder.backorder_id, picking)
        self.assertEqual(backorder.move_lines.product_uom_qty, 3)
        self.assertFalse(backorder.batch_id)
        self.assertFalse(backorder.delivery_attempts)
        self.assertEqual(batch.state, 'done')
        self.assertFalse(self.plan(routes=self.route))
        self.assertEqual(self.plan(self.next_day, self.route).picking_ids, backorder)

    # -- access ------------------------------------------------------------------

    def test_delivery_staff_see_only_their_batches(self):
        mine, theirs = self.picking(self.shops[0]), self.picking(self.shops[4])
        self.plan()
        Batch = self.env['stock.picking.batch']
        self.assertEqual(Batch.sudo(self.driver).search([]), mine.batch_id)
        with self.assertRaises(AccessError):
            theirs.batch_id.sudo(self.driver).read(['name'])
        visible = Batch.sudo(self.manager).search([])
        self.assertIn(mine.batch_id, visible)
        self.assertIn(theirs.batch_id, visible)
        # Another company's batches stay hidden, also from managers.
        other = self.env['res.company'].create({'name': 'Other delivery company'})
        foreign = Batch.create({'company_id': other.id, 'user_id': self.manager.id})
        self.assertNotIn(foreign, Batch.sudo(self.manager).search([]))
        # Delivery staff see the attempts of their own batches only.
        self.fail(theirs, user=self.other_driver)
        Attempt = self.env['crm.delivery.attempt']
        self.assertFalse(Attempt.sudo(self.driver).search([]))
        self.assertEqual(Attempt.sudo(self.other_driver).search([]).picking_id, theirs)

    def test_default_failure_reasons(self):
        codes = self.env['crm.delivery.failure.reason'].search([]).mapped('code')
        for code in ('CLOSED', 'ABSENT', 'REFUSED', 'ADDRESS', 'DAMAGED', 'UNPAID'):
            self.assertIn(code, codes)
