import datetime

from odoo import fields
from odoo.tests.common import SavepointCase


class TestVisitOrder(SavepointCase):
    """"Take Order" proposes the usual weekly quantities within the quota left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        unit = env.ref('product.product_uom_unit')

        def product(name):
            return env['product.product'].create({
                'name': name, 'type': 'consu', 'uom_id': unit.id, 'uom_po_id': unit.id,
                'list_price': 10, 'taxes_id': [(6, 0, [])]})
        cls.beer, cls.water = product('Visit Beer'), product('Visit Water')
        policy = env['crm.tier.policy'].create({
            'name': 'Visit order policy',
            'quota_ids': [(0, 0, {'product_id': cls.beer.id, 'period': 'week', 'max_qty': 10,
                                  'uom_id': unit.id})]})
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        scheme = env['crm.tier.scheme'].create({
            'name': 'Visit order scheme', 'is_primary': True, 'method': 'threshold',
            'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': 'All', 'code': 'VOALL', 'rank': 1, 'lower_bound': 0,
                                 'policy_id': policy.id})]})
        cls.shop = env['res.partner'].create(
            {'name': 'Visit order shop', 'customer': True, 'is_company': True})
        scheme._upsert_member(cls.shop, scheme.tier_ids, 'ranked')
        cls.today = env['crm.visit']._company_today(env.user.company_id)
        # Eight weeks of history: 8 beer and 3 water a week.
        for week in range(1, 9):
            cls.confirmed([(cls.beer, 8), (cls.water, 3)], cls.today - datetime.timedelta(
                weeks=week))
        cls.visit = env['crm.visit'].create({'partner_id': cls.shop.id,
                                             'date': fields.Date.to_string(cls.today)})

    @classmethod
    def confirmed(cls, lines, day=None):
        """A confirmed order on ``day``, or now (this quota week)."""
        order = cls.env['sale.order'].create({
            'partner_id': cls.shop.id,
            'date_order': fields.Date.to_string(day) + ' 04:00:00' if day
            else fields.Datetime.now(),
            'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': qty,
                                   'price_unit': 10}) for product, qty in lines]})
        order.action_confirm()
        return order

    def proposal(self, order):
        return {line.product_id: line.product_uom_qty for line in order.order_line}

    def test_usual_quantities_capped_by_the_quota_left(self):
        self.confirmed([(self.beer, 5)])   # this week: 5 of 10 beer left
        order = self.visit._take_order()
        self.assertEqual(order.visit_id, self.visit)
        self.assertEqual(order.state, 'draft')
        self.assertEqual(self.proposal(order), {self.beer: 5, self.water: 3})
        self.assertTrue(all(line.price_unit == 10 and line.name for line in order.order_line))
        self.assertEqual(self.visit.state, 'in_progress')     # taking an order checks in
        order.action_confirm()
        self.assertEqual(order.state, 'sale')

    def test_full_quota_proposes_nothing_of_the_product(self):
        self.confirmed([(self.beer, 10)])
        order = self.visit._take_order()
        self.assertEqual(self.proposal(order), {self.water: 3})

    def test_taking_the_order_again_opens_the_same_quotation(self):
        order = self.visit._take_order()
        self.assertEqual(self.proposal(order), {self.beer: 8, self.water: 3})
        self.assertEqual(self.visit._take_order(), order)
        action = self.visit.action_take_order()
        self.assertEqual((action['res_model'], action['res_id']), ('sale.order', order.id))
        self.visit.action_check_out()
        self.assertEqual((self.visit.state, self.visit.outcome), ('done', 'ordered'))
