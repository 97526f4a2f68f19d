import datetime
import io
import re
import zipfile
from collections import defaultdict

import pytz
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.addons.crm_tiering.tests.common import SalesDataMixin, new_user
from odoo.tests.common import SavepointCase

from ..models.crm_kpi_report import Period

BUCKET_FIELDS = {'not_due': 'amount_not_due', '0_30': 'amount_0_30', '31_60': 'amount_31_60',
                 '61_90': 'amount_61_90', '90_plus': 'amount_90_plus'}


def month(date):
    return fields.Date.to_string(fields.Date.from_string(date).replace(day=1))


def bucket(days):
    """The ageing bucket of an amount ``days`` past its due date (written apart
    from the view)."""
    for limit, code in [(0, 'not_due'), (30, '0_30'), (60, '31_60'), (90, '61_90')]:
        if days <= limit:
            return code
    return '90_plus'


class TestKpiAccounting(SalesDataMixin, SavepointCase):
    """Receivables ageing, invoiced against paid and DSO by tier, reconciled
    with the invoices and payments they come from."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.company.partner_id.tz = 'Asia/Shanghai'
        cls.today = datetime.datetime.now(pytz.timezone('Asia/Shanghai')).date()
        cls.income = env['account.account'].search(
            [('company_id', '=', cls.company.id), ('user_type_id.type', '=', 'other'),
             ('internal_type', '=', 'other')], limit=1)
        cls.widget = env['product.product'].create({
            'name': 'KPI Fin Widget', 'type': 'consu', 'list_price': 100,
            'taxes_id': [(6, 0, [])]})

        Policy = env['crm.tier.policy']
        policy_a = Policy.create({'name': 'KPI fin A', 'company_id': cls.company.id,
                                  'credit_limit': 0})
        policy_b = Policy.create({'name': 'KPI fin B', 'company_id': cls.company.id,
                                  'credit_limit': 0})
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'KPI fin scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': name, 'code': name, 'rank': rank,
                                 'lower_bound': bound, 'policy_id': policy.id})
                         for name, rank, bound, policy in [('KFA', 1, 100, policy_a),
                                                           ('KFB', 2, 0, policy_b)]]})
        cls.tier_a, cls.tier_b = cls.scheme.tier_ids.sorted('rank')
        Partner = env['res.partner']

        def shop(name, tier=None):
            partner = Partner.create({'name': 'KPI fin %s' % name, 'customer': True,
                                      'is_company': True})
            if tier:
                cls.scheme._upsert_member(partner, tier, 'ranked')
            return partner
        cls.a1, cls.a2 = shop('a1', cls.tier_a), shop('a2', cls.tier_a)
        cls.b1 = shop('b1', cls.tier_b)
        cls.none = shop('without tier')
        cls.partners = cls.a1 | cls.a2 | cls.b1 | cls.none
        contact = Partner.create({'name': 'KPI fin a1 buyer', 'parent_id': cls.a1.id})
        cls.manager = new_user(env, 'kpi_fin_am', 'sales_team.group_sale_salesman')
        cls.route = env['crm.visit.route'].create({
            'code': 'KFR', 'name': 'KPI fin route', 'user_id': cls.manager.id,
            'visit_mon': True, 'stop_ids': [(0, 0, {'sequence': 1, 'partner_id': cls.a1.id})]})

        w = cls.widget
        # a1: paid in full; open 100 days; a contact's invoice partly paid.
        cls.pay(cls.invoice(cls.a1, 100, [(w, 10)]), 70)
        cls.invoice(cls.a1, 100, [(w, 5)])
        partial = cls.invoice(contact, 45, [(w, 3)])
        cls.pay_amount(partial, 100, 40)
        # a2: 0-30 days, due today (not due), an open credit note.
        cls.invoice(cls.a2, 10, [(w, 2)])
        cls.invoice(cls.a2, 0, [(w, 1)])
        cls.invoice(cls.a2, 5, [(w, 0.5)], kind='out_refund')
        # b1: a credit note set off against an invoice (no payment), an invoice
        # due in 15 days, a credit note refunded by a payment.
        set_off = cls.invoice(cls.b1, 75, [(w, 4)])
        refund = cls.invoice(cls.b1, 15, [(w, 1)], kind='out_refund')
        set_off.assign_outstanding_credit(refund.move_id.line_ids.filtered(
            lambda line: line.account_id == refund.account_id).id)
        cls.invoice(cls.b1, 20, [(w, 6)]).date_due = fields.Date.to_string(
            cls.today + datetime.timedelta(days=15))
        cls.pay_amount(cls.invoice(cls.b1, 30, [(w, 2)], kind='out_refund'), 200, 25,
                       outbound=True)
        # Without tier: the bucket limits.
        for days in (30, 31, 60, 61, 90, 91):
            cls.invoice(cls.none, days, [(w, 1)])
        # Not posted: left out.
        env['account.invoice'].create({
            'partner_id': cls.a1.id, 'type': 'out_invoice', 'date_invoice': cls.days_ago(3),
            'invoice_line_ids': [(0, 0, {'product_id': w.id, 'name': w.name, 'quantity': 9,
                                         'price_unit': 100, 'account_id': cls.income.id})]})

        cls.viewer = new_user(env, 'kpi_fin_viewer', 'crm_kpi.group_kpi_user')
        cls.other_company = env['res.company'].create({'name': 'KPI Fin Other Company'})
        cls.other_viewer = new_user(env, 'kpi_fin_viewer_2', 'crm_kpi.group_kpi_user',
                                    company=cls.other_company)
        date_from = (cls.today - relativedelta(months=6)).replace(day=1)
        cls.period = Period(cls.company, fields.Date.to_string(date_from),
                            fields.Date.to_string(cls.today))
        cls.period_days = (cls.today - date_from).days + 1

    @classmethod
    def pay_amount(cls, invoice, amount, days, outbound=False):
        """A payment of ``amount`` for ``invoice``: in, or out for a credit note."""
        payment = cls.env['account.payment'].create({
            'payment_type': 'outbound' if outbound else 'inbound',
            'partner_type': 'customer', 'partner_id': invoice.partner_id.id, 'amount': amount,
            'journal_id': cls.env['account.journal'].search([('type', '=', 'bank')], limit=1).id,
            'payment_method_id': cls.env.ref(
                'account.account_payment_method_manual_%s' % ('out' if outbound else 'in')).id,
            'payment_date': cls.days_ago(days), 'invoice_ids': [(4, invoice.id)],
        })
        payment.post()

    # -- independent computations ------------------------------------------------

    def invoices(self, domain=()):
        return self.env['account.invoice'].search([
            ('commercial_partner_id', 'in', self.partners.ids),
            ('type', 'in', ('out_invoice', 'out_refund'))] + list(domain))

    def tier_of(self, partner):
        return self.env['crm.tier.member'].search([
            ('partner_id', '=', partner.id), ('scheme_id', '=', self.scheme.id)]).tier_id

    def expected_receivables(self):
        """{tier: {bucket: amount}} from the open invoices."""
        result = defaultdict(lambda: defaultdict(float))
        for invoice in self.invoices([('state', '=', 'open')]):
            due = fields.Date.from_string(invoice.date_due or invoice.date_invoice)
            tier = self.tier_of(invoice.commercial_partner_id)
            result[tier][bucket((self.today - due).days)] += invoice.residual_company_signed
        return result

    def expected_invoiced(self):
        result = defaultdict(float)
        for invoice in self.invoices([('state', 'in', ('open', 'paid'))]):
            result[month(invoice.date_invoice)] += invoice.amount_total_company_signed
        return result

    def expected_paid(self):
        result = defaultdict(float)
        for payment in self.env['account.payment'].search([
                ('partner_id.commercial_partner_id', 'in', self.partners.ids),
                ('state', '=', 'posted')]):
            sign = 1 if payment.payment_type == 'inbound' else -1
            result[month(payment.payment_date)] += sign * payment.amount
        return result

    # -- receivables -----------------------------------------------------------------

    def test_receivables_by_tier_and_bucket(self):
        rows = self.env['crm.kpi.receivable'].search([('partner_id', 'in', self.partners.ids)])
        self.assertEqual(rows.mapped('invoice_id'), self.invoices([('state', '=', 'open')]))
        self.assertEqual(len(rows), 13)
        expected = self.expected_receivables()
        actual = defaultdict(lambda: defaultdict(float))
        for row in rows:
            self.assertEqual(row.company_id, self.company)
            self.assertEqual(row.residual, row.invoice_id.residual_company_signed)
            self.assertEqual(row[BUCKET_FIELDS[row.bucket]], row.residual)
            self.assertEqual(sum(row[name] for name in BUCKET_FIELDS.values()), row.residual)
            self.assertEqual(row.overdue_amount, 0 if row.bucket == 'not_due' else row.residual)
            self.assertEqual(row.as_of, fields.Date.to_string(self.today))
            self.assertEqual(row.tier_id, self.tier_of(row.invoice_id.commercial_partner_id))
            actual[row.tier_id][row.bucket] += row.residual
        self.assertEqual({tier: dict(buckets) for tier, buckets in actual.items()},
                         {tier: dict(buckets) for tier, buckets in expected.items()})
        # The sum over tiers is every open residual of these customers.
        self.assertAlmostEqual(sum(rows.mapped('residual')), sum(self.invoices(
            [('state', '=', 'open')]).mapped('residual_company_signed')), places=2)
        # By hand.
        self.assertEqual(dict(expected[self.tier_a]),
                         {'90_plus': 500, '31_60': 200, '0_30': 200 - 50, 'not_due': 100})
        self.assertEqual(dict(expected[self.tier_b]), {'61_90': 300, 'not_due': 600})
        boundaries = rows.filtered(lambda r: r.partner_id == self.none).sorted('days_overdue')
        self.assertEqual(boundaries.mapped('days_overdue'), [30, 31, 60, 61, 90, 91])
        self.assertEqual(boundaries.mapped('bucket'),
                         ['0_30', '31_60', '31_60', '61_90', '61_90', '90_plus'])
        a1 = rows.filtered(lambda r: r.partner_id == self.a1)
        self.assertEqual(a1.mapped('route_id'), self.route)
        self.assertEqual(a1.mapped('user_id'), self.manager)
        not_due = rows.filtered(lambda r: r.bucket == 'not_due')
        self.assertEqual(not_due.mapped('days_overdue'), [0, 0])

    # -- invoiced against paid -------------------------------------------------------

    def test_invoiced_and_paid_by_month(self):
        rows = self.env['crm.kpi.invoicing'].search([('partner_id', 'in', self.partners.ids)])
        invoiced, paid = defaultdict(float), defaultdict(float)
        for row in rows:
            invoiced[row.date] += row.invoiced
            paid[row.date] += row.paid
            self.assertEqual(row.tier_id, self.tier_of(row.partner_id))
        expected_invoiced = self.expected_invoiced()
        expected_paid = self.expected_paid()
        for date in set(invoiced) | set(expected_invoiced):
            self.assertAlmostEqual(invoiced[date], expected_invoiced[date], places=2)
        for date in set(paid) | set(expected_paid):
            self.assertAlmostEqual(paid[date], expected_paid[date], places=2)
        # By hand: 1000 + 500 + 300 + 200 + 100 - 50 + 400 - 100 + 600 - 200 + 6 × 100;
        # paid 1000 + 100 in, 200 refunded.
        self.assertAlmostEqual(sum(invoiced.values()), 3350, places=2)
        self.assertAlmostEqual(sum(paid.values()), 900, places=2)
        self.assertEqual(sum(rows.mapped('invoice_count')), 13)
        self.assertEqual(sum(rows.mapped('refund_count')), 3)

    def test_period_filters_invoicing_not_receivables(self):
        this_month = Period(self.company, fields.Date.to_string(self.today.replace(day=1)),
                            fields.Date.to_string(self.today))
        Invoicing = self.env['crm.kpi.invoicing']
        rows = Invoicing.search(Invoicing._kpi_domain(this_month)
                                + [('partner_id', 'in', self.partners.ids)])
        self.assertEqual(set(rows.mapped('date')), {this_month.date_from} if rows else set())
        self.assertEqual(self.env['crm.kpi.receivable']._kpi_domain(this_month),
                         [('company_id', '=', self.company.id)])

    # -- sheets --------------------------------------------------------------------

    def test_sheets(self):
        figures, sheets = self.env['crm.kpi.receivable'].sudo(self.viewer)._kpi_sheets(
            self.period)
        self.assertEqual([sheet.title for sheet in sheets], [
            'Receivables Ageing by Tier', 'DSO by Tier', 'Invoiced vs Paid by Month'])
        ageing, dso, monthly = sheets
        today = fields.Date.to_string(self.today)
        self.assertEqual([c.label for c in ageing.columns], [
            'Tier', 'Not Due', '0-30 Days Overdue', '31-60 Days Overdue',
            '61-90 Days Overdue', 'Over 90 Days Overdue', 'Total Due as of %s' % today,
            'Overdue', 'Overdue Share'])
        self.assertEqual(ageing.charts[0].kind, 'column:stacked')
        rows = {row[0]: row for row in ageing.rows}
        expected = self.expected_receivables()
        for tier in (self.tier_a, self.tier_b):
            row = rows[tier.display_name]
            buckets = expected[tier]
            self.assertEqual(row[1:6], tuple(buckets.get(code, 0.0) for code in BUCKET_FIELDS))
            total = sum(buckets.values())
            overdue = total - buckets.get('not_due', 0.0)
            self.assertEqual(row[6:], (total, overdue, overdue / total))

        self.assertEqual([c.label for c in dso.columns], [
            'Tier', 'Receivables as of %s' % today, 'Invoiced in Period', 'Days in Period',
            'DSO (days)'])
        invoiced_a = sum(self.invoices([
            ('state', 'in', ('open', 'paid')),
            ('commercial_partner_id', 'in', (self.a1 | self.a2).ids),
        ]).mapped('amount_total_company_signed'))
        receivable_a = sum(expected[self.tier_a].values())
        row = [r for r in dso.rows if r[0] == self.tier_a.display_name][0]
        self.assertEqual(row[1:4], (receivable_a, invoiced_a, self.period_days))
        self.assertAlmostEqual(row[4], receivable_a / invoiced_a * self.period_days, places=6)

        self.assertEqual([c.label for c in monthly.columns], [
            'Month', 'Invoiced', 'Paid', 'Paid minus Invoiced', 'Paid Share', 'Invoices',
            'Credit Notes'])
        self.assertEqual(monthly.charts[0].kind, 'line')
        # The whole company's months (other customers too), computed from the invoices
        # and their reconciliations.
        expected_invoiced, expected_paid = defaultdict(float), defaultdict(float)
        for invoice in self.env['account.invoice'].search([
                ('company_id', '=', self.company.id), ('state', 'in', ('open', 'paid')),
                ('type', 'in', ('out_invoice', 'out_refund'))]):
            expected_invoiced[month(invoice.date_invoice)] += \
                invoice.amount_total_company_signed
            for line in invoice.move_id.line_ids.filtered(
                    lambda l: l.account_id == invoice.account_id):
                for partial in line.matched_credit_ids:
                    if partial.credit_move_id.payment_id:
                        expected_paid[month(partial.credit_move_id.date)] += partial.amount
                for partial in line.matched_debit_ids:
                    if partial.debit_move_id.payment_id:
                        expected_paid[month(partial.debit_move_id.date)] -= partial.amount
        self.assertTrue(monthly.rows)
        for row in monthly.rows:
            self.assertGreaterEqual(row[0], self.period.date_from)
            self.assertAlmostEqual(row[1], expected_invoiced[row[0]], places=2)
            self.assertAlmostEqual(row[2], expected_paid[row[0]], places=2)
            self.assertAlmostEqual(row[3], row[2] - row[1], places=2)

        figures = {figure.label: figure.value for figure in figures}
        receivables = sum(row[6] for row in ageing.rows)
        self.assertAlmostEqual(figures['Receivables (as of %s)' % today], receivables, places=2)
        self.assertAlmostEqual(figures['Overdue receivables (as of %s)' % today],
                               sum(row[7] for row in ageing.rows), places=2)
        invoiced = sum(row[1] for row in monthly.rows)
        self.assertAlmostEqual(figures['DSO (days)'],
                               receivables / invoiced * self.period_days, places=6)
        self.assertAlmostEqual(figures['Invoiced (taxes included)'], invoiced, places=2)

    # -- access ----------------------------------------------------------------------

    def test_viewer_reads_own_company_only(self):
        for model in ('crm.kpi.receivable', 'crm.kpi.invoicing'):
            rows = self.env[model].sudo(self.viewer).search(
                [('partner_id', 'in', self.partners.ids)])
            self.assertTrue(rows)
            rows.read(['partner_id', 'tier_id', 'route_id', 'user_id'])
            self.assertFalse(self.env[model].sudo(self.other_viewer).search(
                [('partner_id', 'in', self.partners.ids)]))
        figures, sheets = self.env['crm.kpi.receivable'].sudo(self.other_viewer)._kpi_sheets(
            self.period)
        self.assertEqual([sheet.rows for sheet in sheets], [[], [], []])
        self.assertIsNone({f.label: f.value for f in figures}['DSO (days)'])

    def test_dso_without_invoicing(self):
        from ..models.crm_kpi_receivable import dso
        self.assertIsNone(dso(100, 0, 30))
        self.assertEqual(dso(50, 100, 30), 15)

    def test_workbook_with_both_sections(self):
        """The viewer exports the inventory and accounting sections; the ageing
        chart is a stacked column chart."""
        sections = self.env.ref('crm_kpi.section_inventory') | self.env.ref(
            'crm_kpi.section_accounting')
        content = self.env['crm.kpi.workbook'].sudo(self.viewer)._workbook(
            self.company, self.period.date_from, self.period.date_to, sections)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = re.findall(r'<sheet name="([^"]*)"',
                               archive.read('xl/workbook.xml').decode())
            charts = [archive.read(name).decode() for name in archive.namelist()
                      if name.startswith('xl/charts/')]
        self.assertEqual(names[1:], [
            'Stock vs Quotas', 'Category Quotas', 'Unreserved Order Lines',
            'Receivables Ageing by Tier', 'DSO by Tier', 'Invoiced vs Paid by Month'])
        self.assertTrue(any('<c:grouping val="stacked"/>' in chart for chart in charts))
