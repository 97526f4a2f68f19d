from odoo.exceptions import AccessError, UserError
from odoo.tests.common import SavepointCase, at_install, post_install

# The company works in Asia/Shanghai (UTC+8); order dates are stored in UTC.
# 2025-03-03 is a Monday: the quota week runs from 2025-03-02 16:00 UTC.
WEDNESDAY = '2025-03-05 04:00:00'
MONDAY_EARLY = '2025-03-02 17:00:00'       # Monday 01:00 local: this week
SUNDAY_LATE = '2025-03-02 15:00:00'        # Sunday 23:00 local: the week before
SATURDAY_NIGHT_UTC = '2025-03-08 20:00:00'  # Sunday 04:00 local


@at_install(False)
@post_install(True)
class TestOrderEnforcement(SavepointCase):
    """The tier service policy when a salesman confirms a sale order.

    Post-install: while modules install, Odoo defers the product category tree
    (parent_left/right) that category quotas rely on.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.company.partner_id.tz = 'Asia/Shanghai'
        cls.unit = env.ref('product.product_uom_unit')
        cls.dozen = env.ref('product.product_uom_dozen')
        cls.kg = env.ref('product.product_uom_kgm')
        Category = env['product.category']
        cls.drinks = Category.create({'name': 'Tier Drinks'})
        cls.tea_category = Category.create({'name': 'Tier Tea', 'parent_id': cls.drinks.id})
        other = Category.create({'name': 'Tier Other'})

        def product(name, category, uom=cls.unit):
            return env['product.product'].create({
                'name': name, 'type': 'product', 'categ_id': category.id, 'uom_id': uom.id,
                'uom_po_id': uom.id, 'list_price': 10, 'taxes_id': [(6, 0, [])]})
        cls.beer = product('Tier Beer', other)
        cls.water = product('Tier Water', other)
        cls.juice = product('Tier Juice', other)
        cls.tea = product('Tier Green Tea', cls.tea_category)
        cls.coffee = product('Tier Coffee', cls.drinks)
        cls.sugar = product('Tier Sugar', cls.tea_category, cls.kg)

        cls.policy = env['crm.tier.policy'].create({
            'name': 'Enforcement policy', 'company_id': cls.company.id,
            'delivery_priority': '3', 'credit_limit': 0,
            'compliance_c_mode': 'restrict', 'compliance_w_mode': 'block',
            'restricted_quota_percent': 50,
            'quota_ids': [
                (0, 0, {'product_id': cls.beer.id, 'period': 'week', 'max_qty': 10,
                        'uom_id': cls.unit.id}),
                (0, 0, {'product_id': cls.water.id, 'period': 'week', 'max_qty': 2,
                        'uom_id': cls.dozen.id}),
                (0, 0, {'categ_id': cls.drinks.id, 'period': 'month', 'max_qty': 20,
                        'uom_id': cls.unit.id}),
            ],
        })
        # The demo data has a primary scheme: this test brings its own.
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'Enforcement scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': 'All', 'code': 'ALL', 'rank': 1, 'lower_bound': 0,
                                 'policy_id': cls.policy.id})],
        })
        Partner = env['res.partner']
        cls.customer = Partner.create({
            'name': 'Tea & <Beer> Shop', 'customer': True, 'is_company': True})
        cls.contact = Partner.create({'name': 'Shop Buyer', 'parent_id': cls.customer.id})
        cls.stranger = Partner.create({'name': 'Shop Without Tier', 'customer': True})
        cls.scheme._upsert_member(cls.customer, cls.scheme.tier_ids, 'ranked')

        users = env['res.users'].with_context(no_reset_password=True)

        def user(login, *groups):
            return users.create({
                'name': login, 'login': login, 'email': login + '@example.com', 'lang': 'en_US',
                'company_id': cls.company.id, 'company_ids': [(6, 0, [cls.company.id])],
                'groups_id': [(6, 0, [env.ref(group).id for group in groups])]})
        cls.salesman = user('tier_enf_salesman', 'sales_team.group_sale_salesman')
        # A sales supervisor: sees the salesmen's orders.
        cls.manager = user('tier_enf_manager', 'crm_tiering.group_tiering_manager',
                           'sales_team.group_sale_salesman_all_leads')
        cls.officer = user('tier_enf_officer', 'crm_tiering.group_tiering_compliance')
        cls.income = env['account.account'].search(
            [('company_id', '=', cls.company.id), ('user_type_id.type', '=', 'other'),
             ('internal_type', '=', 'other')], limit=1)

    # -- helpers -------------------------------------------------------------

    def order(self, lines, date=WEDNESDAY, partner=None, user=None):
        """A quotation of (product, quantity[, unit]) lines at 10 a unit, no tax."""
        return self.env['sale.order'].sudo(user or self.salesman).create({
            'partner_id': (partner or self.customer).id,
            'date_order': date,
            'order_line': [(0, 0, {
                'product_id': line[0].id, 'product_uom_qty': line[1],
                'product_uom': (line[2] if len(line) > 2 else line[0].uom_id).id,
                'price_unit': 10, 'tax_id': [(6, 0, [])],
            }) for line in lines],
        })

    def confirmed(self, lines, **kwargs):
        order = self.order(lines, **kwargs)
        order.action_confirm()
        self.assertEqual(order.state, 'sale')
        return order

    def refused(self, lines, **kwargs):
        order = self.order(lines, **kwargs)
        with self.assertRaises(UserError) as caught:
            order.action_confirm()
        self.assertIn(order.state, ('draft', 'sent'))
        return caught.exception.name

    def invoice(self, kind, date, lines):
        invoice = self.env['account.invoice'].create({
            'partner_id': self.customer.id, 'type': kind, 'date_invoice': date,
            'invoice_line_ids': [(0, 0, {
                'product_id': product.id, 'name': product.name, 'quantity': qty,
                'uom_id': product.uom_id.id, 'price_unit': price,
                'account_id': self.income.id,
            }) for product, qty, price in lines],
        })
        invoice.action_invoice_open()
        return invoice

    def set_compliance(self, compliance_class):
        self.customer.sudo(self.officer).write({'compliance_class': compliance_class})

    # -- quotas --------------------------------------------------------------

    def test_exact_boundary_passes_one_more_unit_fails(self):
        self.confirmed([(self.beer, 10)])
        # The contact orders for the same customer: its quota.
        self.refused([(self.beer, 1)], partner=self.contact)
        # Other products without a quota are not affected.
        self.confirmed([(self.juice, 100)])

    def test_several_lines_of_the_same_product_add_up(self):
        self.confirmed([(self.beer, 4), (self.beer, 6)])
        self.refused([(self.beer, 1)])

    def test_several_lines_over_the_quota(self):
        message = self.refused([(self.beer, 4), (self.beer, 7)])
        self.assertIn('11 %s requested' % self.unit.name, message)

    def test_other_units_are_converted(self):
        # The water quota is 2 dozens: a dozen plus 12 units reach it exactly.
        self.confirmed([(self.water, 1, self.dozen), (self.water, 12)])
        message = self.refused([(self.water, 1)])
        self.assertIn('limited to 2 %s' % self.dozen.name, message)
        self.assertIn('0.083 %s requested' % self.dozen.name, message)

    def test_refund_gives_quantity_back(self):
        self.confirmed([(self.beer, 10)])
        self.invoice('out_refund', '2025-03-04', [(self.beer, 4, 10)])
        # A refund outside the week does not count.
        self.invoice('out_refund', '2025-02-25', [(self.beer, 3, 10)])
        message = self.refused([(self.beer, 5)])
        self.assertIn('6 %s already ordered' % self.unit.name, message)
        self.confirmed([(self.beer, 4)])

    def test_period_rolls_over_on_monday_in_company_time(self):
        # Last week (Sunday night in Shanghai): does not count this week.
        self.confirmed([(self.beer, 10)], date=SUNDAY_LATE)
        # Monday 01:00 in Shanghai is still Sunday in UTC, but a new quota week.
        self.confirmed([(self.beer, 4)], date=MONDAY_EARLY)
        self.confirmed([(self.beer, 6)], date=WEDNESDAY)
        self.refused([(self.beer, 1)], date=WEDNESDAY)

    def test_category_quota_counts_subcategories_per_month(self):
        self.confirmed([(self.tea, 15)], date='2025-03-03 04:00:00')
        self.confirmed([(self.coffee, 5)], date='2025-03-20 04:00:00')
        message = self.refused([(self.tea, 1)], date='2025-03-31 04:00:00')
        self.assertIn('category %s' % self.drinks.display_name, message)
        self.assertIn('per month', message)
        # 2025-03-31 17:00 UTC is already April 1st in Shanghai.
        self.confirmed([(self.tea, 20)], date='2025-03-31 17:00:00')

    def test_unit_of_another_category_cannot_be_compared(self):
        order = self.order([(self.sugar, 1)])
        with self.assertRaisesRegex(UserError, 'cannot be compared'):
            order.action_confirm()

    def test_error_message_names_everything(self):
        self.confirmed([(self.beer, 7)])
        message = self.refused([(self.beer, 4), (self.water, 30)])
        self.assertIn('Customer Tea & <Beer> Shop', message)
        self.assertIn('product Tier Beer is limited to 10 %s per week' % self.unit.name,
                      message)
        self.assertIn('7 %s already ordered in the week from 2025-03-03' % self.unit.name,
                      message)
        self.assertIn('4 %s requested' % self.unit.name, message)
        # Every violation of the order in one message.
        self.assertIn('product Tier Water is limited to 2 %s' % self.dozen.name, message)
        self.assertIn('2.5 %s requested' % self.dozen.name, message)

    def test_orders_confirmed_together_count_together(self):
        # (Odoo 11's sale cannot confirm several orders in one call: check them.)
        first, second = self.order([(self.beer, 6)]), self.order([(self.beer, 6)])
        with self.assertRaisesRegex(UserError, '(?s)%s.*%s' % (first.name, second.name)):
            (first | second)._enforce_tier_policy()
        first.order_line.product_uom_qty = 4
        self.assertEqual([v for _p, v in (first | second)._enforce_tier_policy().values()],
                         [[], []])

    def test_customer_without_policy_is_not_checked(self):
        self.confirmed([(self.beer, 100)], partner=self.stranger, date=SATURDAY_NIGHT_UTC)

    def test_confirmation_takes_the_customer_lock(self):
        self.confirmed([(self.beer, 1)])
        self.confirmed([(self.beer, 1)])
        self.env.cr.execute(
            "SELECT seq FROM crm_tier_order_lock WHERE partner_id = %s AND company_id = %s",
            [self.customer.id, self.company.id])
        self.assertEqual(self.env.cr.fetchall(), [(2,)])

    # -- credit, weekdays, compliance ---------------------------------------------

    def test_credit_limit(self):
        self.policy.credit_limit = 1000
        self.invoice('out_invoice', '2025-03-01', [(self.juice, 1, 500)])
        self.confirmed([(self.juice, 30)])                # 300, not invoiced yet
        message = self.refused([(self.juice, 21)])         # 500 + 300 + 210 = 1010
        self.assertIn('above the credit limit', message)
        self.assertIn('1,010.00', message)
        self.confirmed([(self.juice, 20)])                 # exactly 1000

    def test_credit_note_lowers_the_receivables(self):
        self.policy.credit_limit = 1000
        self.invoice('out_invoice', '2025-03-01', [(self.juice, 1, 900)])
        self.refused([(self.juice, 20)])
        self.invoice('out_refund', '2025-03-02', [(self.juice, 1, 900)])
        self.confirmed([(self.juice, 100)])

    def test_weekday_in_company_time(self):
        self.policy.order_sun = False
        message = self.refused([(self.juice, 1)], date=SATURDAY_NIGHT_UTC)
        self.assertIn('orders only on Monday, Tuesday, Wednesday, Thursday, Friday, Saturday',
                      message)
        self.assertIn('dated Sunday 2025-03-09', message)
        self.confirmed([(self.juice, 1)], date=WEDNESDAY)

    def test_compliance_w_is_blocked(self):
        self.set_compliance('W')
        message = self.refused([(self.juice, 1)])
        self.assertIn('blocked', message)
        self.assertIn('compliance class W', message)

    def test_compliance_c_restricts_quotas(self):
        self.set_compliance('C')
        self.confirmed([(self.beer, 5)])
        message = self.refused([(self.beer, 1)])
        self.assertIn('limited to 5 %s' % self.unit.name, message)
        self.assertIn('restricts the quota to 50% of 10', message)

    # -- company switches ---------------------------------------------------------

    def test_each_check_can_be_switched_off_for_the_company(self):
        company = self.company
        self.policy.order_sun = False
        company.tier_check_quota = False
        self.confirmed([(self.beer, 11)])                  # quota 10
        self.policy.credit_limit = 100
        company.tier_check_credit = False
        self.confirmed([(self.juice, 30)])                 # credit 100 < 300
        self.assertIn('orders only on', self.refused([(self.juice, 1)],
                                                     date=SATURDAY_NIGHT_UTC))
        company.tier_check_weekday = False
        self.confirmed([(self.juice, 1)], date=SATURDAY_NIGHT_UTC)
        # The compliance block is no switch.
        self.set_compliance('W')
        self.assertIn('blocked', self.refused([(self.juice, 1)]))

    def test_settings_set_the_primary_scheme_and_the_switches(self):
        Scheme = self.env['crm.tier.scheme']
        primary = Scheme.search([('company_id', '=', self.env.user.company_id.id),
                                 ('is_primary', '=', True)])
        other = Scheme.create({'name': 'Settings scheme', 'method': 'pareto',
                               'metric': 'revenue'})
        settings = self.env['res.config.settings'].create({})
        self.assertEqual(settings.tier_primary_scheme_id, primary)
        self.assertTrue(settings.tier_check_quota)
        settings.write({'tier_primary_scheme_id': other.id, 'tier_check_credit': False})
        settings.execute()
        self.assertTrue(other.is_primary)
        self.assertFalse(primary.is_primary)
        self.assertFalse(self.env.user.company_id.tier_check_credit)

    # -- who may bypass -----------------------------------------------------------

    def test_context_keys_do_not_bypass(self):
        self.confirmed([(self.beer, 10)])
        order = self.order([(self.beer, 1)]).with_context(
            crm_tier_override=True, skip_tier_checks=True)
        with self.assertRaises(UserError):
            order.action_confirm()
        # Not even for a manager: only the button overrides.
        with self.assertRaises(UserError):
            order.sudo(self.manager).with_context(crm_tier_override=True).action_confirm()

    def test_salesman_cannot_override(self):
        order = self.order([(self.beer, 11)])
        with self.assertRaises(AccessError):
            order.action_confirm_override()
        self.assertEqual(order.state, 'draft')

    def test_manager_override_confirms_and_logs(self):
        order = self.order([(self.beer, 11)])
        order.sudo(self.manager).action_confirm_override()
        self.assertEqual(order.state, 'sale')
        notes = order.message_ids.filtered(lambda m: 'despite the tier' in (m.body or ''))
        self.assertEqual(len(notes), 1)
        self.assertIn('Tier Beer is limited to 10', notes.body)
        self.assertIn('Tea &amp; &lt;Beer&gt; Shop', notes.body)
        self.assertNotIn('<Beer>', notes.body)

    def test_manager_overrides_blocked_compliance(self):
        self.set_compliance('W')
        order = self.order([(self.juice, 1)])
        order.sudo(self.manager).action_confirm_override()
        self.assertEqual(order.state, 'sale')
        self.assertTrue(order.message_ids.filtered(
            lambda m: 'compliance class W' in (m.body or '')))

    def test_override_without_violation_posts_nothing(self):
        order = self.order([(self.beer, 1)])
        order.sudo(self.manager).action_confirm_override()
        self.assertEqual(order.state, 'sale')
        self.assertFalse(order.message_ids.filtered(lambda m: 'despite' in (m.body or '')))

    # -- what the policy sets ---------------------------------------------------------

    def test_delivery_priority_copied_to_pickings(self):
        order = self.confirmed([(self.beer, 2), (self.juice, 1)])
        pickings = order.picking_ids.filtered(lambda p: p.picking_type_code == 'outgoing')
        self.assertTrue(pickings)
        self.assertEqual(set(pickings.mapped('priority')), {'3'})
        self.assertEqual(set(pickings.mapped('move_lines.priority')), {'3'})

    def test_delivery_priority_of_a_line_added_later(self):
        order = self.confirmed([(self.beer, 1)])
        order.write({'order_line': [(0, 0, {'product_id': self.juice.id,
                                            'product_uom_qty': 1})]})
        moves = order.picking_ids.mapped('move_lines')
        self.assertEqual(moves.mapped('product_id'), self.beer | self.juice)
        self.assertEqual(set(moves.mapped('priority')), {'3'})

    def test_pricelist_and_payment_terms_proposed(self):
        pricelist = self.env['product.pricelist'].create({
            'name': 'Tier pricelist', 'currency_id': self.company.currency_id.id})
        terms = self.env['account.payment.term'].create({'name': 'Tier terms'})
        self.policy.write({'pricelist_id': pricelist.id, 'payment_term_id': terms.id})
        draft = self.env['sale.order'].sudo(self.salesman).new(
            {'partner_id': self.customer.id, 'company_id': self.company.id})
        draft.onchange_partner_id()
        self.assertEqual(draft.pricelist_id, pricelist)
        self.assertEqual(draft.payment_term_id, terms)
        order = self.order([(self.juice, 1)])
        self.assertEqual(order.pricelist_id, pricelist)
        self.assertEqual(order.payment_term_id, terms)
        other = self.order([(self.juice, 1)], partner=self.stranger)
        self.assertNotEqual(other.pricelist_id, pricelist)

    def test_confirmed_order_cannot_grow_past_the_quota(self):
        order = self.confirmed([(self.beer, 8)])
        line = order.order_line.sudo(self.salesman)
        line.write({'product_uom_qty': 10})  # the exact limit
        with self.assertRaisesRegex(UserError, 'limited to 10'):
            line.write({'product_uom_qty': 11})
        with self.assertRaisesRegex(UserError, 'limited to 10'):
            self.env['sale.order.line'].sudo(self.salesman).create({
                'order_id': order.id, 'product_id': self.beer.id, 'product_uom_qty': 1,
                'price_unit': 10, 'tax_id': [(6, 0, [])]})
        order.order_line.sudo(self.manager).write({'product_uom_qty': 12})
        self.assertIn('despite the tier service policy', order.message_ids[0].body)

    def test_state_written_directly_is_checked(self):
        order = self.order([(self.beer, 11)])
        for state in ('sale', 'done'):
            with self.assertRaisesRegex(UserError, 'limited to 10'):
                order.sudo(self.salesman).write({'state': state})
        self.assertEqual(order.state, 'draft')
