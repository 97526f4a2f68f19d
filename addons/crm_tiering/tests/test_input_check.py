import datetime

from odoo.exceptions import ValidationError
from odoo.tests.common import SavepointCase

from .common import new_user


class InputCheckCase(SavepointCase):
    """crm.input.check: a value of the wrong type is refused with a message naming
    the field, and nothing is written; what Odoo accepts still passes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_user(cls.env, 'input_check_manager',
                               'crm_tiering.group_tiering_manager')
        cls.officer = new_user(cls.env, 'input_check_officer',
                               'crm_tiering.group_tiering_compliance')
        cls.Policy = cls.env['crm.tier.policy'].sudo(cls.manager)
        cls.policy = cls.Policy.create({'name': 'Checked policy'})
        cls.shop = cls.env['res.partner'].create({'name': 'Checked shop', 'customer': True})

    def assertRefused(self, message, call, *args):
        with self.assertRaises(ValidationError) as refused:
            call(*args)
        self.assertEqual(refused.exception.name, message)

    def test_create_with_a_wrong_type_creates_nothing(self):
        count = self.Policy.search_count([])
        self.assertRefused("Credit Limit: 'high' is not a number.",
                           self.Policy.create, {'name': 'Wrong', 'credit_limit': 'high'})
        self.assertEqual(self.Policy.search_count([]), count)

    def test_write_with_a_wrong_type_changes_nothing(self):
        self.assertRefused("Visit Every (days): '2 weeks' is not a whole number.",
                           self.policy.write, {'name': 'Renamed', 'visit_interval_days': '2 weeks'})
        self.assertEqual(self.policy.name, 'Checked policy')

    def test_the_forms_odoo_accepts_pass(self):
        policy = self.Policy.create({
            'name': 'Loose', 'visit_interval_days': 7.0, 'credit_limit': '1500.5',
            'delivery_priority': '2', 'pricelist_id': False})
        self.assertEqual((policy.visit_interval_days, policy.credit_limit), (7, 1500.5))
        period = self.env['crm.tier.excluded.period'].sudo(self.manager).create({
            'name': 'Holidays', 'date_from': datetime.date(2026, 2, 1),
            'date_to': '2026-2-7'})
        self.assertEqual((period.date_from, period.date_to), ('2026-02-01', '2026-02-07'))

    def test_compliance_class_is_checked_before_it_goes_into_the_history(self):
        history = self.env['crm.tier.assignment'].search_count([])
        self.assertRefused("Compliance Class: 'Z' is not one of 'A', 'B', 'C', 'W'.",
                           self.shop.sudo(self.officer).write, {'compliance_class': 'Z'})
        self.assertEqual(self.env['crm.tier.assignment'].search_count([]), history)
        self.assertEqual(self.shop.compliance_class, 'A')
