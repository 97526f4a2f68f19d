import datetime

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase
from odoo.tools import mute_logger

from .common import SalesDataMixin

# Revenue per shop (one invoice of a 10.00 product each); total 1000.
REVENUES = [500, 300, 100, 50, 30, 10, 5, 5]


class TierSchemeCase(SalesDataMixin, SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.from_string(fields.Date.context_today(cls.env.user))
        cls.company = cls.env.user.company_id
        cls.env['crm.tier.scheme'].search([]).write({'is_primary': False, 'active': False})
        cls.income = cls.env['account.account'].search(
            [('company_id', '=', cls.company.id), ('internal_type', '=', 'other'),
             ('user_type_id.type', '=', 'other')], limit=1)
        cls.product = cls.env['product.product'].create({
            'name': 'Tiered tea', 'type': 'consu', 'list_price': 10, 'standard_price': 6,
            'taxes_id': []})
        Partner = cls.env['res.partner']
        cls.shops = Partner.browse()
        for index, revenue in enumerate(REVENUES):
            shop = Partner.create({'name': 'Shop %d' % index, 'customer': True,
                                   'is_company': True})
            cls.invoice(shop, 5 + index, [(cls.product, revenue / 10)])
            cls.shops |= shop
        cls.tag = cls.env['res.partner.category'].create({'name': 'Chain store'})
        cls.new_large = Partner.create({'name': 'New large shop', 'customer': True,
                                        'is_company': True, 'shop_size': 'large'})
        cls.new_plain = Partner.create({'name': 'New plain shop', 'customer': True,
                                        'is_company': True})
        cls.policy = cls.env['crm.tier.policy'].create({'name': 'Key service'})
        cls.abc = cls.env['crm.tier.scheme'].create({
            'name': 'ABC', 'method': 'pareto', 'metric': 'revenue', 'is_primary': True,
            'tier_ids': [
                (0, 0, {'rank': 1, 'code': 'A', 'name': 'A', 'share': 80,
                        'policy_id': cls.policy.id}),
                (0, 0, {'rank': 2, 'code': 'B', 'name': 'B', 'share': 15}),
                (0, 0, {'rank': 3, 'code': 'C', 'name': 'C', 'share': 5}),
            ]})
        cls.tier = {tier.code: tier for tier in cls.abc.tier_ids}
        cls.abc.default_tier_id = cls.tier['C']
        cls.env['crm.tier.initial.rule'].create({
            'scheme_id': cls.abc.id, 'shop_size': 'large', 'tier_id': cls.tier['B'].id})

        users = cls.env['res.users'].with_context(no_reset_password=True)

        def user(login, *groups):
            group_ids = [cls.env.ref(group).id for group in groups]
            return users.create({'name': login, 'login': login, 'email': login + '@example.com',
                                 'groups_id': [(6, 0, group_ids)]})
        cls.manager = user('tier_scheme_manager', 'crm_tiering.group_tiering_manager')
        cls.manager2 = user('tier_scheme_manager2', 'crm_tiering.group_tiering_manager')
        cls.am = user('tier_scheme_am', 'crm_tiering.group_tiering_user')
        cls.salesman = user('tier_scheme_salesman', 'sales_team.group_sale_salesman')
        cls.officer = user('tier_scheme_officer', 'crm_tiering.group_tiering_compliance')

    def member(self, partner, scheme=None):
        return self.env['crm.tier.member'].search(
            [('partner_id', '=', partner.id), ('scheme_id', '=', (scheme or self.abc).id)])

    def tiers_of(self, scheme):
        return {member.partner_id: member.tier_id.code for member in
                self.env['crm.tier.member'].search([('scheme_id', '=', scheme.id),
                                                    ('partner_id', 'in', self.shops.ids)])}

    def pass_a_day(self):
        """Make the last evaluation yesterday's, as the nightly run would find it."""
        self.env.cr.execute("UPDATE crm_tier_member SET evaluated_on = evaluated_on - 1")
        self.env['crm.tier.member'].invalidate_cache()


class TestTierGrading(TierSchemeCase):

    def test_pareto_matches_an_independent_computation(self):
        self.abc.sudo(self.manager).action_recompute()
        expected, before = {}, 0.0
        for shop, revenue in sorted(zip(self.shops, REVENUES), key=lambda p: -p[1]):
            share = before * 100 / sum(REVENUES)
            expected[shop] = 'A' if share < 80 else 'B' if share < 95 else 'C'
            before += revenue
        self.assertEqual(self.tiers_of(self.abc), expected)
        self.assertEqual([shop.tier_id.code for shop in self.shops],
                         [expected[shop] for shop in self.shops])
        self.assertEqual(self.shops[0].tier_policy_id, self.policy)
        self.assertIn('A', self.shops[0].tier_explanation)

    def test_quantile_threshold_and_grid_match(self):
        Scheme = self.env['crm.tier.scheme']
        pyramid = Scheme.create({'name': 'Pyramid', 'method': 'quantile', 'tier_ids': [
            (0, 0, {'rank': rank, 'code': code, 'name': code, 'share': share})
            for rank, (code, share) in enumerate([('D', 25), ('G', 25), ('S', 50)], 1)]})
        bands = Scheme.create({'name': 'Bands', 'method': 'threshold', 'tier_ids': [
            (0, 0, {'rank': 1, 'code': 'H', 'name': 'High', 'lower_bound': 100}),
            (0, 0, {'rank': 2, 'code': 'L', 'name': 'Low', 'lower_bound': 0})]})
        grid = Scheme.create({'name': 'Grid', 'method': 'grid', 'band_ids': [
            (0, 0, {'axis': 'volume', 'lower_bound': 0}),
            (0, 0, {'axis': 'volume', 'lower_bound': 10}),
            (0, 0, {'axis': 'unit', 'lower_bound': 0})]})
        grid.action_generate_grid_tiers()
        (pyramid | bands | grid).sudo(self.manager).action_recompute()
        ranked = [shop for shop, _r in sorted(zip(self.shops, REVENUES), key=lambda p: -p[1])]
        self.assertEqual(self.tiers_of(pyramid), dict(
            [(shop, 'D') for shop in ranked[:2]] + [(shop, 'G') for shop in ranked[2:4]]
            + [(shop, 'S') for shop in ranked[4:]]))
        self.assertEqual(self.tiers_of(bands), {
            shop: 'H' if revenue >= 100 else 'L' for shop, revenue in zip(self.shops, REVENUES)})
        # Quantity is revenue / 10: volume band 2 from 10 units, i.e. revenue 100.
        self.assertEqual(self.tiers_of(grid), {
            shop: 'G02' if revenue >= 100 else 'G01'
            for shop, revenue in zip(self.shops, REVENUES)})
        self.assertFalse(self.shops[0].tier_id.scheme_id - self.abc)  # primary only

    def test_new_customers_get_initial_tiers(self):
        self.abc.sudo(self.manager).action_recompute()
        self.assertEqual(self.new_large.tier_id, self.tier['B'])
        self.assertEqual(self.member(self.new_large).basis, 'initial_rule')
        self.assertEqual(self.new_plain.tier_id, self.tier['C'])
        self.assertEqual(self.member(self.new_plain).basis, 'default')
        self.env['crm.tier.initial.rule'].create({
            'scheme_id': self.abc.id, 'sequence': 1, 'category_id': self.tag.id,
            'tier_id': self.tier['A'].id})
        self.new_plain.category_id = self.tag
        self.abc.sudo(self.manager).action_recompute()
        self.assertEqual(self.new_plain.tier_id, self.tier['A'])

    def test_history_written_once_per_change(self):
        History = self.env['crm.tier.assignment']
        self.abc.sudo(self.manager).action_recompute()
        ours = self.shops | self.new_large | self.new_plain
        first = History.search([('scheme_id', '=', self.abc.id), ('partner_id', 'in', ours.ids)])
        self.assertEqual(len(first), len(ours))
        entry = first.filtered(lambda e: e.partner_id == self.shops[0])
        self.assertEqual((entry.source, entry.tier_id, entry.previous_tier_id),
                         ('computed', self.tier['A'], self.env['crm.tier']))
        self.assertIn('500', entry.snapshot_text)
        self.abc.sudo(self.manager).action_recompute()
        self.pass_a_day()
        self.abc.sudo(self.manager).action_recompute()
        self.assertEqual(History.search([('scheme_id', '=', self.abc.id),
                                         ('partner_id', 'in', ours.ids)]), first)

    def test_hysteresis_waits_for_consecutive_evaluations(self):
        self.abc.write({'hysteresis_runs': 2})
        self.abc.action_recompute()
        second = self.shops[1]
        self.assertEqual(second.tier_id, self.tier['A'])
        # A newcomer takes most of the revenue: the second shop drops to B.
        self.invoice(self.new_plain, 1, [(self.product, 300)])
        self.pass_a_day()
        self.abc.action_recompute()
        self.assertEqual(second.tier_id, self.tier['A'])
        self.assertEqual(self.member(second).basis, 'held')
        self.assertEqual(self.member(second).computed_tier_id, self.tier['B'])
        self.abc.action_recompute()  # same day again: still the first evaluation below
        self.assertEqual((self.member(second).below_count, second.tier_id),
                         (1, self.tier['A']))
        self.pass_a_day()
        self.abc.action_recompute()
        self.assertEqual(second.tier_id, self.tier['B'])
        self.assertEqual(self.member(second).below_count, 0)

    def test_margin_downgrades_at_once(self):
        self.abc.write({'hysteresis_runs': 5, 'hysteresis_margin': 0.5})
        self.abc.action_recompute()
        self.invoice(self.new_plain, 1, [(self.product, 3000)])
        self.pass_a_day()
        self.abc.action_recompute()
        # The second shop (300) is far below the new A bound (3000): down at once.
        self.assertEqual(self.shops[1].tier_id, self.tier['C'])
        # The first (500) is too, but lands one tier lower only by its own value.
        self.assertNotEqual(self.member(self.shops[0]).basis, 'held')

    def test_manager_score_blends_in(self):
        bands = self.env['crm.tier.scheme'].create({
            'name': 'Blend', 'method': 'threshold', 'manager_weight': 0.5, 'tier_ids': [
                (0, 0, {'rank': 1, 'code': 'H', 'name': 'High', 'lower_bound': 100}),
                (0, 0, {'rank': 2, 'code': 'L', 'name': 'Low', 'lower_bound': 0})]})
        small = self.shops[4]  # revenue 30
        small.sudo(self.am).manager_score = 100
        bands.action_recompute()
        member = self.member(small, bands)
        # Score 100 weighs as the best value (500): 0.5 * 30 + 0.5 * 500.
        self.assertAlmostEqual(member.blended_value, 265)
        self.assertEqual(member.tier_id.code, 'H')
        with self.assertRaises(ValidationError):
            small.manager_score = 101

    def test_simulation_writes_nothing(self):
        action = self.abc.sudo(self.manager).action_simulate()
        self.assertFalse(self.env['crm.tier.member'].search([('scheme_id', '=', self.abc.id)]))
        self.assertFalse(self.shops[0].tier_id)
        simulation = self.env['crm.tier.simulation'].browse(action['res_id'])
        lines = {line.tier_id.code: line for line in simulation.line_ids}
        self.assertEqual(lines['A'].new_count, 2)
        self.assertAlmostEqual(lines['A'].revenue_share, 80.0)
        self.assertAlmostEqual(simulation.top20_revenue_share, 80.0)  # 2 of 10 shops
        self.abc.action_recompute()
        self.invoice(self.new_plain, 1, [(self.product, 300)])
        simulation = self.env['crm.tier.simulation'].browse(
            self.abc.sudo(self.manager).action_simulate()['res_id'])
        # 3000 of 4000 now: the newcomer goes C -> A; 300 A -> B; 100 and 50 B -> C.
        self.assertEqual(simulation.up_count, 1)
        self.assertEqual(simulation.down_count, 3)
        self.assertEqual(self.new_plain.tier_id, self.tier['C'])

    def test_nightly_cron_is_resumable(self):
        self.env['crm.tier.scheme']._cron_recompute()
        run = self.abc.last_run
        self.assertTrue(run)
        self.assertEqual(self.shops[0].tier_id, self.tier['A'])
        self.env['crm.tier.scheme']._cron_recompute()  # done today: skipped
        self.assertEqual(self.abc.last_run, run)


class TestTierOverrides(TierSchemeCase):

    def request(self, user, partner, tier, **extra):
        vals = {'partner_id': partner.id, 'tier_id': tier.id, 'reason': 'Opens a new shop',
                'expiry_date': fields.Date.to_string(self.today + datetime.timedelta(days=30))}
        vals.update(extra)
        return self.env['crm.tier.assignment'].sudo(user).create(vals)

    def test_override_approval_holds_until_expiry(self):
        self.abc.action_recompute()
        shop = self.shops[6]
        request = self.request(self.am, shop, self.tier['A'])
        self.assertEqual((request.approval_state, request.previous_tier_id),
                         ('pending', self.tier['C']))
        with self.assertRaises(AccessError):
            request.sudo(self.am).action_approve()
        request.sudo(self.manager).action_approve()
        self.assertEqual(shop.tier_id, self.tier['A'])
        self.assertAlmostEqual(self.member(shop).value, 5)  # the figures stay
        self.assertIn('Opens a new shop', shop.message_ids[0].body)
        self.abc.action_recompute()
        self.assertEqual(shop.tier_id, self.tier['A'])
        self.assertEqual(self.member(shop).basis, 'override')
        self.env.cr.execute("UPDATE crm_tier_assignment SET expiry_date = %s WHERE id = %s",
                            [self.today - datetime.timedelta(days=1), request.id])
        request.invalidate_cache()
        self.abc.action_recompute()
        self.assertEqual(shop.tier_id, self.tier['C'])
        self.assertEqual(request.approval_state, 'expired')

    def test_nobody_approves_their_own_request(self):
        request = self.request(self.manager, self.shops[6], self.tier['A'])
        with self.assertRaises(AccessError):
            request.sudo(self.manager).action_approve()
        request.sudo(self.manager2).action_reject()
        self.assertEqual(request.approval_state, 'rejected')
        with self.assertRaises(UserError):
            request.sudo(self.manager2).action_approve()

    def test_context_keys_do_not_approve(self):
        request = self.request(self.am, self.shops[6], self.tier['A'])
        for key in ('approval_state', 'approver_id'):
            with self.assertRaises(UserError):
                request.sudo(self.am).with_context(crm_tier_override=True).write({key: False})
        with self.assertRaises(AccessError):
            self.env['crm.tier.assignment'].sudo(self.am).with_context(
                crm_tier_override=True).create({
                    'partner_id': self.shops[6].id, 'tier_id': self.tier['A'].id,
                    'source': 'computed'})

    def test_only_the_requester_or_a_manager_edits_a_request(self):
        request = self.request(self.am, self.shops[6], self.tier['A'])
        other_am = self.env['res.users'].with_context(no_reset_password=True).create({
            'name': 'Other AM', 'login': 'tier_scheme_other_am',
            'groups_id': [(6, 0, [self.env.ref('crm_tiering.group_tiering_user').id])]})
        with self.assertRaises(AccessError):
            request.sudo(other_am).write({'reason': 'Not my request'})
        request.sudo(self.manager).write({'reason': 'Clarified by the manager'})
        self.assertEqual(request.reason, 'Clarified by the manager')

    def test_request_refuses_blank_reasons_and_bad_dates(self):
        shop, tier = self.shops[6], self.tier['A']
        yesterday = self.today - datetime.timedelta(days=1)
        for extra in ({'reason': '   '}, {'partner_id': False}, {'expiry_date': '2026-13-45'},
                      {'expiry_date': 20991231}, {'expiry_date': 'next week'},
                      # Compared as text, an unpadded past day came after today.
                      {'expiry_date': '%d-%d-%d' % (
                          yesterday.year, yesterday.month, yesterday.day)}):
            with self.assertRaises(ValidationError, msg=extra):
                self.request(self.am, shop, tier, **extra)
        request = self.request(self.am, shop, tier, expiry_date=fields.Date.to_string(
            self.today + datetime.timedelta(days=9)).replace('-0', '-'))
        self.assertEqual(request.expiry_date, fields.Date.to_string(
            self.today + datetime.timedelta(days=9)))
        for vals in ({'reason': ' '}, {'expiry_date': False}, {'expiry_date': 'soon'}):
            with self.assertRaises(ValidationError, msg=vals):
                request.sudo(self.am).write(vals)
        self.assertEqual(request.reason, 'Opens a new shop')

    def test_compliance_change_without_customer_is_refused_by_the_database(self):
        with self.assertRaises(IntegrityError), mute_logger('odoo.sql_db'), \
                self.env.cr.savepoint():
            self.env['crm.tier.assignment'].sudo(self.officer).create({
                'kind': 'compliance', 'compliance_class': 'C'})

    def test_request_needs_reason_and_future_expiry(self):
        with self.assertRaises(ValidationError):
            self.request(self.am, self.shops[6], self.tier['A'], reason=False)
        # Today as the requester sees it (the date may differ in admin's time zone).
        requester_today = fields.Date.context_today(self.env['crm.tier.assignment'].sudo(self.am))
        with self.assertRaises(ValidationError):
            self.request(self.am, self.shops[6], self.tier['A'], expiry_date=requester_today)
        request = self.request(self.am, self.shops[6], self.tier['A'])
        request.sudo(self.am).write({'reason': 'Better reason'})
        request.sudo(self.manager).action_reject()
        with self.assertRaises(UserError):
            request.sudo(self.am).write({'reason': 'Too late'})


class TestTierValidation(TierSchemeCase):

    def assert_invalid(self, vals, tiers=None):
        vals = dict({'name': 'Bad', 'method': 'pareto'}, **vals)
        if tiers is not None:
            vals['tier_ids'] = [(0, 0, dict({'name': 'T%d' % i, 'code': 'T%d' % i,
                                             'rank': i}, **tier))
                                for i, tier in enumerate(tiers, 1)]
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                self.env['crm.tier.scheme'].create(vals)

    def test_pareto_and_quantile_shares_sum_to_100(self):
        self.assert_invalid({}, [{'share': 80}, {'share': 15}])
        self.assert_invalid({'method': 'quantile'}, [{'share': 60}, {'share': 60}])
        self.assert_invalid({}, [{'share': 100}, {'share': 0}])

    def test_threshold_bounds_ordered_without_overlap(self):
        self.assert_invalid({'method': 'threshold'},
                            [{'lower_bound': 10}, {'lower_bound': 50}])
        self.assert_invalid({'method': 'threshold'},
                            [{'lower_bound': 50}, {'lower_bound': 50}])

    def test_parameters(self):
        self.assert_invalid({'window_days': 0})
        self.assert_invalid({'window_days': -30})
        self.assert_invalid({'manager_weight': 1.5})
        self.assert_invalid({'manager_weight': -0.1})
        self.assert_invalid({'hysteresis_runs': 0})
        self.assert_invalid({'hysteresis_margin': 1})

    def test_grid_needs_bands(self):
        self.assert_invalid({'method': 'grid'})
        self.assert_invalid({'method': 'grid', 'band_ids': [
            (0, 0, {'axis': 'volume', 'lower_bound': 0})]})

    def test_one_primary_per_company(self):
        self.abc.action_recompute()
        self.assertEqual(self.shops[0].tier_id, self.tier['A'])
        other = self.env['crm.tier.scheme'].create({'name': 'Other', 'is_primary': True})
        self.assertFalse(self.abc.is_primary)
        self.assertFalse(self.shops[0].tier_id)
        self.abc.is_primary = True
        self.assertFalse(other.is_primary)
        self.assertEqual(self.shops[0].tier_id, self.tier['A'])

    def test_tier_created_or_deleted_alone_is_validated(self):
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.env['crm.tier'].create({'scheme_id': self.abc.id, 'name': 'D', 'code': 'D',
                                         'rank': 4, 'share': 10})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.tier['C'].unlink()
        self.abc.invalidate_cache()
        self.assertEqual(self.abc.tier_ids.mapped('share'), [80, 15, 5])

    def test_scheme_rebalances_its_tiers_together(self):
        """The scheme form sends its tiers one by one: the shares sum to 100 only
        once all are written."""
        self.abc.write({'tier_ids': [(1, self.tier['A'].id, {'share': 70}),
                                     (1, self.tier['B'].id, {'share': 25})]})
        self.abc.write({'tier_ids': [(2, self.tier['C'].id, 0),
                                     (1, self.tier['B'].id, {'share': 30})]})
        self.assertEqual(self.abc.tier_ids.mapped('share'), [70, 30])
        with self.assertRaises(ValidationError):
            self.abc.write({'tier_ids': [(1, self.tier['A'].id, {'share': 60})]})

    def test_band_deleted_alone_is_validated(self):
        grid = self.env['crm.tier.scheme'].create({
            'name': 'Grid', 'method': 'grid', 'band_ids': [
                (0, 0, {'axis': 'volume', 'lower_bound': 0}),
                (0, 0, {'axis': 'volume', 'lower_bound': 10}),
                (0, 0, {'axis': 'unit', 'lower_bound': 0})]})
        grid.action_generate_grid_tiers()
        self.assertEqual(len(grid.tier_ids), 2)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            grid.band_ids.filtered(lambda band: band.lower_bound == 10).unlink()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            grid.band_ids.filtered(lambda band: band.axis == 'unit').unlink()
        grid.invalidate_cache()
        self.assertEqual(len(grid.band_ids), 3)

    def test_initial_rule_needs_a_tag_or_a_size(self):
        with self.assertRaises(ValidationError):
            self.env['crm.tier.initial.rule'].create({
                'scheme_id': self.abc.id, 'tier_id': self.tier['B'].id})

    def test_tiers_are_found_by_code(self):
        """An import names tiers by their code, as the badges show them."""
        Tier, abc = self.env['crm.tier'], [('scheme_id', '=', self.abc.id)]
        self.assertEqual(Tier.name_search('B', abc, operator='='), self.tier['B'].name_get())
        self.assertEqual(Tier.name_search('b', abc), self.tier['B'].name_get())
        self.assertFalse(Tier.name_search('Z', abc, operator='='))
        result = self.env['crm.tier.assignment'].sudo(self.am).load(
            ['partner_id', 'tier_id', 'reason', 'expiry_date'],
            [[self.shops[5].name, 'A', 'Chain store', fields.Date.to_string(
                self.today + datetime.timedelta(days=9))],
             [self.shops[6].name, 'Z', 'No such tier', fields.Date.to_string(
                 self.today + datetime.timedelta(days=9))]])
        self.assertFalse(result['ids'])
        self.assertEqual({message['record'] for message in result['messages']
                          if message['type'] == 'error'}, {1})

    def test_recompute_without_tiers_is_refused(self):
        empty = self.env['crm.tier.scheme'].create({'name': 'Empty'})
        with self.assertRaises(UserError):
            empty.action_recompute()

    def test_policy_and_quota_values(self):
        Policy = self.env['crm.tier.policy']
        for vals in ({'visit_interval_days': 0}, {'credit_limit': -1},
                     {'sla_response_hours': 10, 'sla_resolution_hours': 5},
                     {'restricted_quota_percent': 120},
                     dict.fromkeys(['order_mon', 'order_tue', 'order_wed', 'order_thu',
                                    'order_fri', 'order_sat', 'order_sun'], False)):
            with self.assertRaises(ValidationError, msg=vals):
                with self.env.cr.savepoint():
                    Policy.create(dict(vals, name='Bad'))
        for vals in ({'max_qty': -1, 'product_id': self.product.id},
                     {'max_qty': 5},
                     {'max_qty': 5, 'product_id': self.product.id,
                      'categ_id': self.product.categ_id.id}):
            with self.assertRaises(ValidationError, msg=vals):
                with self.env.cr.savepoint():
                    self.env['crm.tier.quota'].create(dict(
                        vals, policy_id=self.policy.id,
                        uom_id=self.env.ref('product.product_uom_unit').id))

    def test_tier_is_not_entered(self):
        with self.assertRaises(UserError):
            self.shops[0].write({'tier_id': self.tier['A'].id})


class TestTierAccess(TierSchemeCase):

    def test_salesman_cannot_configure_or_recompute(self):
        with self.assertRaises(AccessError):
            self.abc.sudo(self.salesman).write({'window_days': 30})
        with self.assertRaises(AccessError):
            self.policy.sudo(self.salesman).write({'credit_limit': 1})
        with self.assertRaises(AccessError):
            self.abc.sudo(self.salesman).action_recompute()
        with self.assertRaises(AccessError):
            self.abc.sudo(self.am).action_simulate()
        self.assertEqual(self.abc.sudo(self.salesman).name, 'ABC')

    def test_only_compliance_officers_set_the_class(self):
        shop = self.shops[0]
        with self.assertRaises(AccessError):
            shop.sudo(self.manager).write({'compliance_class': 'W'})
        shop.sudo(self.officer).write({'compliance_class': 'W'})
        shop.sudo(self.officer).write({'compliance_class': 'C'})
        history = self.env['crm.tier.assignment'].search(
            [('partner_id', '=', shop.id), ('kind', '=', 'compliance')])
        self.assertEqual(history.mapped('compliance_class'), ['C', 'W'])
        self.assertEqual(history.mapped('previous_compliance'), ['W', 'A'])
        self.assertEqual(history.mapped('user_id'), self.officer)


class TestTierRobustness(TierSchemeCase):

    def test_every_employee_opens_a_customer(self):
        """Fields of the Tier page stay out of the form for users without tier rights."""
        self.abc.action_recompute()
        employee = self.env['res.users'].with_context(no_reset_password=True).create({
            'name': 'Finance', 'login': 'tier_finance', 'email': 'fin@example.com',
            'groups_id': [(6, 0, [self.env.ref('account.group_account_manager').id])]})
        for user in (employee, self.salesman, self.officer, self.am):
            Partner = self.env['res.partner'].sudo(user)
            fields_in_form = Partner.fields_view_get(view_type='form')['fields']
            Partner.browse(self.shops[0].id).read(list(fields_in_form))
        self.assertNotIn('tier_assignment_ids', self.env['res.partner'].sudo(
            employee).fields_view_get(view_type='form')['fields'])

    def test_override_of_an_ungraded_customer_survives_the_recompute(self):
        self.abc.default_tier_id = False
        self.abc.action_recompute()
        self.assertFalse(self.new_plain.tier_id)
        request = self.env['crm.tier.assignment'].sudo(self.am).create({
            'partner_id': self.new_plain.id, 'tier_id': self.tier['B'].id, 'reason': 'Chain',
            'expiry_date': fields.Date.to_string(self.today + datetime.timedelta(days=9))})
        request.sudo(self.manager).action_approve()
        self.abc.action_recompute()
        self.assertEqual(self.new_plain.tier_id, self.tier['B'])

    def test_copy_is_neither_primary_nor_broken(self):
        copy = self.abc.copy()
        self.assertTrue(self.abc.is_primary)
        self.assertFalse(copy.is_primary or copy.default_tier_id)
        copy.action_recompute()
        self.assertEqual(len(copy.tier_ids), 3)
        with self.assertRaises(ValidationError):
            copy.default_tier_id = self.tier['C']

    def test_a_failing_scheme_does_not_stop_the_night(self):
        broken = self.env['crm.tier.scheme'].create({'name': 'No tiers yet', 'sequence': 0})
        self.env['crm.tier.scheme']._cron_recompute()
        self.assertFalse(broken.last_run)
        self.assertTrue(self.abc.last_run)

    def test_tier_edited_alone_is_validated(self):
        with self.assertRaises(ValidationError):
            self.tier['A'].write({'share': 70})

    def test_history_fields_cannot_be_forged(self):
        request = self.env['crm.tier.assignment'].sudo(self.am).create({
            'partner_id': self.shops[6].id, 'tier_id': self.tier['A'].id, 'reason': 'Forged',
            'expiry_date': fields.Date.to_string(self.today + datetime.timedelta(days=9)),
            'approval_state': 'approved', 'approver_id': self.manager.id,
            'user_id': self.manager.id, 'date': '2020-01-01 00:00:00'})
        self.assertEqual((request.approval_state, request.approver_id, request.user_id),
                         ('pending', self.env['res.users'], self.am))
        self.assertNotEqual(request.date, '2020-01-01 00:00:00')
