from psycopg2 import sql

from odoo import _, api, fields, models, tools

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_report import CUSTOMER_COLUMNS, CUSTOMER_JOINS

# The aggregates of the invoicing sheet: invoiced, paid, invoices, credit notes.
INVOICING_AGGREGATES = ['sum(invoiced)', 'sum(paid)', 'sum(invoice_count)', 'sum(refund_count)']


class CrmKpiInvoicing(models.Model):
    """Invoiced against paid per customer and month: posted customer invoices
    minus refunds by invoice month, and the payments reconciled with them by
    payment month."""

    _name = 'crm.kpi.invoicing'
    _inherit = 'crm.kpi.report'
    _description = 'Invoiced and Paid KPI'
    _auto = False
    _order = 'date desc, invoiced desc'
    _rec_name = 'partner_id'

    date = fields.Date(string='Month', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True,
                                 help="The commercial entity invoiced.")
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    invoiced = fields.Float(
        readonly=True,
        help="Totals (taxes included) of the customer invoices posted in the month minus "
             "its credit notes, in the company's currency.")
    paid = fields.Float(
        readonly=True,
        help="Payments dated in the month, as far as they are reconciled with customer "
             "invoices (positive) or credit notes (refunded, negative), in the company's "
             "currency. Credit notes set off against invoices are no payment.")
    invoice_count = fields.Integer(string='Invoices', readonly=True,
                                   help="Customer invoices posted in the month.")
    refund_count = fields.Integer(string='Credit Notes', readonly=True,
                                  help="Customer credit notes posted in the month.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(sql.SQL("""
            CREATE VIEW crm_kpi_invoicing AS (
            WITH invoiced AS (
                SELECT i.company_id, date_trunc('month', i.date_invoice)::date AS date,
                       i.commercial_partner_id AS partner_id,
                       sum(i.amount_total_company_signed) AS invoiced,
                       count(*) FILTER (WHERE i.type = 'out_invoice') AS invoice_count,
                       count(*) FILTER (WHERE i.type = 'out_refund') AS refund_count
                  FROM account_invoice i
                 WHERE i.type IN ('out_invoice', 'out_refund') AND i.state IN ('open', 'paid')
                 GROUP BY 1, 2, 3
            ), invoice_line AS (
                -- The receivable lines of posted customer invoices and credit notes
                -- (payment lines may carry invoice_id too: match on the move).
                SELECT aml.id, i.company_id, i.commercial_partner_id AS partner_id
                  FROM account_invoice i
                  JOIN account_move_line aml ON aml.move_id = i.move_id
                                            AND aml.account_id = i.account_id
                 WHERE i.type IN ('out_invoice', 'out_refund') AND i.state IN ('open', 'paid')
            ), settled AS (
                -- Invoice debit settled by a payment credit: money in.
                SELECT il.company_id, il.partner_id, pay.date, pr.amount
                  FROM account_partial_reconcile pr
                  JOIN invoice_line il ON il.id = pr.debit_move_id
                  JOIN account_move_line pay ON pay.id = pr.credit_move_id
                 WHERE pay.payment_id IS NOT NULL
                UNION ALL
                -- Credit note credit settled by a payment debit: money refunded.
                SELECT il.company_id, il.partner_id, pay.date, -pr.amount
                  FROM account_partial_reconcile pr
                  JOIN invoice_line il ON il.id = pr.credit_move_id
                  JOIN account_move_line pay ON pay.id = pr.debit_move_id
                 WHERE pay.payment_id IS NOT NULL
            ), paid AS (
                SELECT company_id, date_trunc('month', date)::date AS date, partner_id,
                       sum(amount) AS paid
                  FROM settled
                 GROUP BY 1, 2, 3
            ), facts AS (
                SELECT coalesce(inv.company_id, p.company_id) AS company_id,
                       coalesce(inv.date, p.date) AS date,
                       coalesce(inv.partner_id, p.partner_id) AS partner_id,
                       coalesce(inv.invoiced, 0) AS invoiced, coalesce(p.paid, 0) AS paid,
                       coalesce(inv.invoice_count, 0) AS invoice_count,
                       coalesce(inv.refund_count, 0) AS refund_count
                  FROM invoiced inv
                  FULL JOIN paid p ON p.company_id = inv.company_id AND p.date = inv.date
                                  AND p.partner_id = inv.partner_id
            )
            SELECT row_number() OVER (ORDER BY f.company_id, f.date, f.partner_id) AS id,
                   f.company_id, f.date, f.partner_id, f.invoiced, f.paid,
                   f.invoice_count::int AS invoice_count, f.refund_count::int AS refund_count,
                   {customer_columns}
              FROM facts f
              {customer_joins}
            )""").format(
            customer_columns=sql.SQL(CUSTOMER_COLUMNS),
            customer_joins=sql.SQL(CUSTOMER_JOINS.format(partner='f.partner_id',
                                                         company='f.company_id')),
        ))

    @api.model
    def _kpi_sheets(self, period):
        return self._kpi_month_sheets(
            self._kpi_rows(self._kpi_domain(period), ['date'], INVOICING_AGGREGATES))

    def _kpi_month_sheets(self, data):
        """(figures, sheets) of the rows by month of INVOICING_AGGREGATES."""
        invoiced = sum(row[1] for row in data)
        paid = sum(row[2] for row in data)
        section = _('Accounting')
        figures = [
            Figure(section, _('Invoiced (taxes included)'), invoiced, 'money'),
            Figure(section, _('Paid'), paid, 'money'),
            Figure(section, _('Paid share of invoiced'), share(paid, invoiced), 'percent'),
        ]
        rows = [(month, month_invoiced, month_paid, month_paid - month_invoiced,
                 share(month_paid, month_invoiced), invoices, refunds)
                for month, month_invoiced, month_paid, invoices, refunds in data]
        columns = [column(_('Month'), 'date'), column(_('Invoiced'), 'money'),
                   column(_('Paid'), 'money'), column(_('Paid minus Invoiced'), 'money'),
                   column(_('Paid Share'), 'percent'), column(_('Invoices'), 'int'),
                   column(_('Credit Notes'), 'int')]
        charts = [Chart('line', _('Invoiced and paid by month'), 0, [1, 2])]
        return figures, [Sheet(_('Invoiced vs Paid by Month'), columns, rows, charts)]
