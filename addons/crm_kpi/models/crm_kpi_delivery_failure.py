from odoo import _, api, fields, models

from ..lib.workbook import Chart, Sheet, column, share
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_JOINS


# Static fragments only: the view takes no user input.
VIEW_SQL = """
CREATE VIEW crm_kpi_delivery_failure AS (
WITH company_tz AS (%(company_tz)s
)
SELECT a.id, a.company_id,
       coalesce(a.delivery_date,
                (a.date AT TIME ZONE 'UTC' AT TIME ZONE tz.tz)::date) AS date,
       a.reason_id, a.picking_id, a.batch_id, a.partner_id, a.attempt,
       1 AS failure_count, kpi_member.tier_id,
       coalesce(a.route_id, kpi_stop.route_id) AS route_id,
       coalesce(kpi_route.user_id, kpi_customer.user_id) AS user_id
  FROM crm_delivery_attempt a
  JOIN company_tz tz ON tz.id = a.company_id
  %(customer_joins)s
 WHERE a.outcome = 'failed'
)
""" % {
    'company_tz': COMPANY_TZ,
    'customer_joins': CUSTOMER_JOINS.format(partner='a.partner_id',
                                            company='a.company_id'),
}


class CrmKpiDeliveryFailure(models.Model):
    """One row per failed delivery attempt, with its reason."""

    _name = 'crm.kpi.delivery.failure'
    _inherit = 'crm.kpi.report'
    _description = 'Delivery Failure KPI'
    _auto = False
    _kpi_view_sql = VIEW_SQL
    _order = 'date desc, reason_id'
    _rec_name = 'reason_id'

    date = fields.Date(string='Delivery Date', readonly=True,
                       help="The delivery day of the attempt's batch, else the day of the "
                            "attempt in the company's time zone.")
    company_id = fields.Many2one('res.company', readonly=True)
    reason_id = fields.Many2one('crm.delivery.failure.reason', string='Failure Reason',
                                readonly=True)
    picking_id = fields.Many2one('stock.picking', string='Delivery Order', readonly=True)
    batch_id = fields.Many2one('stock.picking.batch', string='Delivery Batch', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's current tier in the company's primary "
                                   "scheme.")
    attempt = fields.Integer(string='Attempt No.', readonly=True,
                             help="1 for the delivery order's first attempt, 2 for the next...")
    failure_count = fields.Integer(string='Failures', readonly=True)

    @api.model
    def _kpi_sheets(self, period):
        """Part of the delivery section (see crm.kpi.delivery)."""
        return [], [self._kpi_reason_sheet(self._kpi_domain(period))]

    @api.model
    def _kpi_reason_sheet(self, domain):
        data = self._kpi_rows(domain, ['reason_id'], ['count(*)'],
                              order='count(*) DESC, "crm_kpi_delivery_failure"."reason_id"')
        names = self._kpi_names('crm.delivery.failure.reason', [row[0] for row in data])
        total = sum(row[1] for row in data)
        rows = [(names[reason], count, share(count, total)) for reason, count in data]
        columns = [column(_('Failure Reason')), column(_('Failures'), 'int'),
                   column(_('Share of Failures'), 'percent')]
        return Sheet(_('Delivery Failure Reasons'), columns, rows,
                     [Chart('pie', _('Failed deliveries by reason'), 0, [1])])
