from odoo.exceptions import ValidationError
from odoo.tests.common import SavepointCase


class TestSettings(SavepointCase):
    """The settings page sets the company's configuration of every addon."""

    def test_settings_page_writes_the_company(self):
        company = self.env.user.company_id
        group = self.env['res.groups'].create({'name': 'KPI settings recipients'})
        manager = self.env['res.users'].search([], limit=1)
        settings = self.env['res.config.settings'].create({
            'visit_plan_weeks': 4, 'service_response_hours': 8, 'service_resolution_hours': 40,
            'service_escalation_user_id': manager.id, 'lifecycle_risk_threshold': 70,
            'lifecycle_digest': True, 'kpi_mail_group_id': group.id,
            'tier_check_weekday': False})
        settings.execute()
        self.assertEqual(
            (company.visit_plan_weeks, company.service_response_hours,
             company.service_resolution_hours, company.service_escalation_user_id,
             company.lifecycle_risk_threshold, company.lifecycle_digest,
             company.kpi_mail_group_id, company.tier_check_weekday),
            (4, 8, 40, manager, 70, True, group, False))

    def test_bad_settings_are_refused(self):
        for values in ({'visit_plan_weeks': 0}, {'lifecycle_risk_threshold': 101},
                       {'service_response_hours': 10, 'service_resolution_hours': 5}):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.env['res.config.settings'].create(values).execute()

    def test_every_setting_is_on_the_page(self):
        arch = self.env['res.config.settings'].fields_view_get(view_type='form')['arch']
        for name in ('tier_primary_scheme_id', 'tier_check_quota', 'tier_check_credit',
                     'tier_check_weekday', 'visit_plan_weeks', 'service_escalation_user_id',
                     'lifecycle_risk_threshold', 'kpi_mail_group_id'):
            self.assertIn('name="%s"' % name, arch)
