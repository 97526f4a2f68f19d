from collections import defaultdict

from psycopg2 import sql

from odoo import _, api, fields, models, tools

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_invoicing import INVOICING_AGGREGATES
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_COLUMNS, CUSTOMER_JOINS
from .crm_kpi_stock import company_today

BUCKETS = [
    ('not_due', 'Not Due'),
    ('0_30', '0-30 Days Overdue'),
    ('31_60', '31-60 Days Overdue'),
    ('61_90', '61-90 Days Overdue'),
    ('90_plus', 'Over 90 Days Overdue'),
]
BUCKET_AMOUNTS = ['amount_not_due', 'amount_0_30', 'amount_31_60', 'amount_61_90',
                  'amount_90_plus']


class CrmKpiReceivable(models.Model):
    """Open customer invoices and refunds with their ageing: what customers
    owe today. A snapshot: the period does not filter it."""

    _name = 'crm.kpi.receivable'
    _inherit = 'crm.kpi.report'
    _description = 'Receivables KPI'
    _auto = False
    _kpi_snapshot = True
    _order = 'days_overdue desc, date_due, id'
    _rec_name = 'number'

    date = fields.Date(string='Invoice Date', readonly=True)
    date_due = fields.Date(string='Due Date', readonly=True,
                           help="The invoice's due date; its date when it has none.")
    as_of = fields.Date(string='As of', readonly=True,
                        help="Today in the company's time zone: the ageing is a snapshot.")
    company_id = fields.Many2one('res.company', readonly=True)
    invoice_id = fields.Many2one('account.invoice', string='Invoice', readonly=True)
    number = fields.Char(string='Invoice Number', readonly=True)
    type = fields.Selection([('out_invoice', 'Customer Invoice'),
                             ('out_refund', 'Customer Credit Note')], readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True,
                                 help="The commercial entity invoiced.")
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    residual = fields.Float(
        string='Amount Due', readonly=True,
        help="What is still open of the invoice in the company's currency; credit notes "
             "count negative.")
    days_overdue = fields.Integer(
        readonly=True, group_operator='max',
        help="Days since the due date, as of today in the company's time zone; 0 when not "
             "due yet.")
    bucket = fields.Selection(
        BUCKETS, string='Ageing', readonly=True,
        help="Not due: the due date is today or later. 0-30: 1 to 30 days past the due "
             "date, and so on.")
    amount_not_due = fields.Float(string='Not Due', readonly=True)
    amount_0_30 = fields.Float(string='0-30 Days', readonly=True,
                               help="Amount due 1 to 30 days past its due date.")
    amount_31_60 = fields.Float(string='31-60 Days', readonly=True)
    amount_61_90 = fields.Float(string='61-90 Days', readonly=True)
    amount_90_plus = fields.Float(string='Over 90 Days', readonly=True)
    overdue_amount = fields.Float(string='Overdue', readonly=True,
                                  help="Amount due past its due date.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(sql.SQL("""
            CREATE VIEW crm_kpi_receivable AS (
            WITH company_tz AS ({company_tz}
            ), facts AS (
                SELECT i.id, i.company_id, i.date_invoice AS date,
                       coalesce(i.date_due, i.date_invoice) AS date_due,
                       (now() AT TIME ZONE tz.tz)::date AS as_of, i.id AS invoice_id,
                       i.number, i.type, i.commercial_partner_id AS partner_id,
                       i.residual_company_signed AS residual,
                       greatest((now() AT TIME ZONE tz.tz)::date
                                - coalesce(i.date_due, i.date_invoice), 0) AS days_overdue
                  FROM account_invoice i
                  JOIN company_tz tz ON tz.id = i.company_id
                 WHERE i.type IN ('out_invoice', 'out_refund') AND i.state = 'open'
            ), aged AS (
                SELECT f.*,
                       CASE WHEN f.days_overdue <= 0 THEN 'not_due'
                            WHEN f.days_overdue <= 30 THEN '0_30'
                            WHEN f.days_overdue <= 60 THEN '31_60'
                            WHEN f.days_overdue <= 90 THEN '61_90'
                            ELSE '90_plus' END AS bucket
                  FROM facts f
            )
            SELECT f.id, f.company_id, f.date, f.date_due, f.as_of, f.invoice_id, f.number,
                   f.type, f.partner_id, f.residual, f.days_overdue, f.bucket,
                   CASE WHEN f.bucket = 'not_due' THEN f.residual ELSE 0 END AS amount_not_due,
                   CASE WHEN f.bucket = '0_30' THEN f.residual ELSE 0 END AS amount_0_30,
                   CASE WHEN f.bucket = '31_60' THEN f.residual ELSE 0 END AS amount_31_60,
                   CASE WHEN f.bucket = '61_90' THEN f.residual ELSE 0 END AS amount_61_90,
                   CASE WHEN f.bucket = '90_plus' THEN f.residual ELSE 0 END AS amount_90_plus,
                   CASE WHEN f.bucket <> 'not_due' THEN f.residual ELSE 0 END
                       AS overdue_amount,
                   {customer_columns}
              FROM aged f
              {customer_joins}
            )""").format(
            company_tz=sql.SQL(COMPANY_TZ),
            customer_columns=sql.SQL(CUSTOMER_COLUMNS),
            customer_joins=sql.SQL(CUSTOMER_JOINS.format(partner='f.partner_id',
                                                         company='f.company_id')),
        ))

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        today = company_today(period.company)
        by_tier = self._kpi_rows(
            domain, ['tier_id'],
            ['sum(%s)' % name for name in BUCKET_AMOUNTS] + ['sum(residual)',
                                                             'sum(overdue_amount)'],
            order='sum(residual) DESC')
        tiers = self._kpi_names('crm.tier', [row[0] for row in by_tier])
        receivables = sum(row[6] for row in by_tier)
        overdue = sum(row[7] for row in by_tier)

        # The invoicing sheets and the DSO by tier in one scan of their view.
        invoicing = self.env['crm.kpi.invoicing']
        invoiced_by_month, invoiced_by_tier = invoicing._kpi_groupings(
            invoicing._kpi_domain(period), [['date'], ['tier_id']], INVOICING_AGGREGATES)
        invoiced_by_tier = {tier: invoiced for tier, invoiced, *_rest in invoiced_by_tier}
        days = (fields.Date.from_string(period.date_to)
                - fields.Date.from_string(period.date_from)).days + 1
        invoiced = sum(invoiced_by_tier.values())
        section = _('Accounting')
        figures = [
            Figure(section, _('Receivables (as of %s)') % today, receivables, 'money'),
            Figure(section, _('Overdue receivables (as of %s)') % today, overdue, 'money'),
            Figure(section, _('Overdue share of receivables'), share(overdue, receivables),
                   'percent'),
            Figure(section, _('DSO (days)'), dso(receivables, invoiced, days), 'number'),
        ]
        invoicing_figures, invoicing_sheets = invoicing._kpi_month_sheets(invoiced_by_month)
        return figures + invoicing_figures, [
            self._kpi_ageing_sheet(by_tier, tiers, today),
            self._kpi_dso_sheet(by_tier, invoiced_by_tier, days, today),
        ] + invoicing_sheets

    def _kpi_ageing_sheet(self, by_tier, tiers, today):
        rows = [(tiers[tier],) + tuple(amounts) + (total, overdue, share(overdue, total))
                for tier, *amounts, total, overdue in by_tier]
        labels = self._fields['bucket']._description_selection(self.env)
        columns = [column(_('Tier'))] + [column(label, 'money') for _code, label in labels] + [
            column(_('Total Due as of %s') % today, 'money'), column(_('Overdue'), 'money'),
            column(_('Overdue Share'), 'percent')]
        charts = [Chart('column:stacked', _('Receivables by tier and age'), 0,
                        [1, 2, 3, 4, 5]),
                  Chart('pie', _('Share of receivables by tier'), 0, [6])]
        return Sheet(_('Receivables Ageing by Tier'), columns, rows, charts)

    def _kpi_dso_sheet(self, by_tier, invoiced_by_tier, days, today):
        receivable_by_tier = defaultdict(float)
        for row in by_tier:
            receivable_by_tier[row[0]] = row[6]
        keys = sorted(set(receivable_by_tier) | set(invoiced_by_tier),
                      key=lambda tier: -receivable_by_tier[tier])
        tiers = self._kpi_names('crm.tier', keys)
        rows = [(tiers[tier],
                 receivable_by_tier[tier], invoiced_by_tier.get(tier, 0.0), days,
                 dso(receivable_by_tier[tier], invoiced_by_tier.get(tier, 0.0), days))
                for tier in keys]
        columns = [column(_('Tier')), column(_('Receivables as of %s') % today, 'money'),
                   column(_('Invoiced in Period'), 'money'), column(_('Days in Period'), 'int'),
                   column(_('DSO (days)'), 'number')]
        return Sheet(_('DSO by Tier'), columns, rows,
                     [Chart('column', _('Days sales outstanding by tier'), 0, [4])])


def dso(receivables, invoiced, days):
    """Days sales outstanding: receivables / invoiced over ``days`` × days; None
    when nothing was invoiced."""
    if not invoiced:
        return None
    return receivables / invoiced * days
