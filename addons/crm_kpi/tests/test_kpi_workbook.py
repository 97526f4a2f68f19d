import base64
import datetime
import io
import zipfile

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase

from odoo.addons.crm_tiering.tests.common import new_user

from .common import INJECTION_NAME, KpiSalesFixture


class TestKpiWorkbook(KpiSalesFixture, SavepointCase):

    def export(self, user=None, **values):
        wizard = self.env['crm.kpi.workbook'].sudo(user or self.viewer).create(dict({
            'date_from': fields.Date.to_string(self.last_month),
            'date_to': fields.Date.to_string(self.today)}, **values))
        wizard.action_export()
        return wizard, base64.b64decode(wizard.data)

    def test_viewer_exports_sales_sheets_with_values(self):
        wizard, data = self.export()
        self.assertTrue(wizard.filename.endswith('.xlsx'))
        book = openpyxl.load_workbook(io.BytesIO(data))
        self.assertEqual(book.sheetnames[:4],
                         ['KPI Report', 'Sales by Month', 'Sales by Tier', 'Sales by Customer'])
        customers = book['Sales by Customer']
        self.assertEqual([c.value for c in customers[1]][:5],
                         ['Customer', 'Tier', 'Route', 'Account Manager', 'Revenue'])
        by_name = {row[0].value: row for row in customers.iter_rows(min_row=2)}
        self.assertEqual(by_name['华联超市（测试店）'][4].value, 420)
        injected = by_name["'" + INJECTION_NAME]
        self.assertEqual(injected[0].data_type, 's')
        self.assertEqual(injected[4].value, 70)
        months = book['Sales by Month']
        self.assertEqual(months.max_row, 3)
        self.assertEqual(months['A2'].value.date(), self.last_month)
        summary = book['KPI Report']
        self.assertEqual(summary['B3'].value, self.company.name)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            charts = [n for n in archive.namelist() if n.startswith('xl/charts/chart')]
        self.assertGreaterEqual(len(charts), 4)

    def test_empty_period_gives_a_valid_workbook_without_rows(self):
        _wizard, data = self.export(date_from='2001-01-01', date_to='2001-12-31')
        book = openpyxl.load_workbook(io.BytesIO(data))
        for name in ('Sales by Month', 'Sales by Tier', 'Sales by Customer'):
            self.assertEqual(book[name].max_row, 1, name)
            self.assertTrue(book[name]['A1'].value)

    def test_chinese_labels_when_the_user_works_in_chinese(self):
        self.env['res.lang'].load_lang('zh_CN')
        self.viewer.lang = 'zh_CN'
        _wizard, data = self.export()
        book = openpyxl.load_workbook(io.BytesIO(data))
        names = [row[0].value for row in book.worksheets[3].iter_rows(min_row=2)]
        self.assertIn('华联超市（测试店）', names)
        self.assertNotIn('Sales by Month', book.sheetnames)

    def test_bad_periods_and_sections_are_refused(self):
        with self.assertRaisesRegex(UserError, 'starts .* after it ends'):
            self.export(date_from='2026-02-01', date_to='2026-01-01')
        with self.assertRaisesRegex(UserError, 'at least one section'):
            self.export(section_ids=[(6, 0, [])])

    def test_a_section_is_made_of_a_kpi_view(self):
        """The workbook calls the section's model: a manager may rename a section,
        not point it at another model."""
        manager = new_user(self.env, 'kpi_section_manager', 'crm_kpi.group_kpi_manager')
        section = self.env['crm.kpi.section'].sudo(manager).search([], limit=1)
        for model in ('res.users', 'no.such.model', 'crm.kpi.report'):
            with self.assertRaisesRegex(ValidationError, 'is not a KPI report'), \
                    self.env.cr.savepoint():
                section.write({'model': model})
        section.invalidate_cache()
        section.write({'name': 'Renamed'})
        self.export(section_ids=[(6, 0, section.ids)])

    def test_only_kpi_viewers_export(self):
        employee = new_user(self.env, 'kpi_fixture_employee', 'base.group_user')
        with self.assertRaises(AccessError):
            self.export(user=employee)

    def test_another_companys_workbook_is_refused(self):
        with self.assertRaises(AccessError):
            self.export(user=self.other_viewer, company_id=self.company.id)
        _wizard, data = self.export(user=self.other_viewer)
        book = openpyxl.load_workbook(io.BytesIO(data))
        self.assertEqual(book['Sales by Customer'].max_row, 1)

    def test_monthly_mail_goes_to_the_configured_group(self):
        cron = self.env.ref('crm_kpi.cron_mail_monthly_workbook')
        self.assertFalse(cron.active)
        group = self.env['res.groups'].create({'name': 'KPI recipients',
                                               'users': [(4, self.viewer.id)]})
        self.company.kpi_mail_group_id = group
        self.company.partner_id.lang = 'en_US'      # the mail is in the company's language
        Mail = self.env['mail.mail']
        before = Mail.search([])
        next_month = (self.this_month + datetime.timedelta(days=32)).replace(day=1)
        self.env['crm.kpi.workbook']._cron_mail_monthly(today=next_month)
        mail = Mail.search([]) - before
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.viewer.partner_id)
        self.assertIn(fields.Date.to_string(self.this_month), mail.subject)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(mail.attachment_ids.datas)))
        self.assertIn('Sales by Month', book.sheetnames)
