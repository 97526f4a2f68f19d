from odoo import _, api, fields, models
from odoo.addons.crm_service.models.crm_service_request import CHANNELS, REQUEST_TYPES

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_COLUMNS, CUSTOMER_JOINS, largest_first


# The view: static fragments only, it takes no user input.
VIEW_SQL = """
    CREATE VIEW crm_kpi_service AS (
    WITH company_tz AS (%(company_tz)s
    ), requests AS (
        SELECT r.id, r.reference, r.company_id, r.request_type, r.channel,
               r.commercial_partner_id AS partner_id, r.tier_id,
               r.user_id AS assigned_user_id, r.stage_id,
               coalesce(r.is_closed, FALSE) AS is_closed,
               (r.date_received AT TIME ZONE 'UTC' AT TIME ZONE tz.tz)::date AS date,
               r.date_first_response IS NOT NULL
                   OR r.date_response_deadline < (now() AT TIME ZONE 'UTC')
                   AS response_due,
               r.date_first_response IS NOT NULL
                   AND coalesce(r.response_on_time, FALSE) AS response_on_time,
               coalesce(r.is_closed, FALSE)
                   OR r.date_resolution_deadline < (now() AT TIME ZONE 'UTC')
                   AS resolution_due,
               coalesce(r.is_closed, FALSE) AND r.date_closed IS NOT NULL
                   AND coalesce(r.resolved_on_time, FALSE) AS resolved_on_time,
               r.resolution_hours, r.rating,
               coalesce(r.response_escalated, FALSE)
                   OR coalesce(r.resolution_escalated, FALSE) AS escalated
          FROM crm_service_request r
          JOIN company_tz tz ON tz.id = r.company_id
         WHERE r.active
    ), customers AS (
        SELECT f.partner_id, f.company_id, %(customer_columns)s
          FROM (SELECT DISTINCT partner_id, company_id FROM requests) f
          %(customer_joins)s
    )
    SELECT r.id, r.reference, r.company_id, r.date,
           date_trunc('month', r.date)::date AS month,
           r.request_type, r.channel, r.partner_id, r.tier_id,
           c.route_id, c.user_id, r.assigned_user_id, r.stage_id, r.is_closed,
           1 AS request_count,
           r.is_closed::int AS closed_count,
           coalesce(r.response_due, FALSE)::int AS response_due_count,
           r.response_on_time::int AS response_on_time_count,
           coalesce(r.resolution_due, FALSE)::int AS resolution_due_count,
           r.resolved_on_time::int AS resolved_on_time_count,
           CASE WHEN r.is_closed THEN coalesce(r.resolution_hours, 0) ELSE 0 END
               AS resolution_hours,
           (coalesce(r.rating, 0) > 0)::int AS rated_count,
           CASE WHEN r.rating > 0 THEN r.rating ELSE 0 END AS rating_sum,
           r.escalated::int AS escalated_count
      FROM requests r
      LEFT JOIN customers c ON c.partner_id = r.partner_id
                           AND c.company_id = r.company_id
    )""" % {
    'company_tz': COMPANY_TZ,
    'customer_columns': CUSTOMER_COLUMNS,
    'customer_joins': CUSTOMER_JOINS.format(partner='f.partner_id',
                                            company='f.company_id'),
}


class CrmKpiService(models.Model):
    """Service requests, one row each, dated by the day received (the company's
    day): volume, SLA compliance, resolution time, rating and escalations."""

    _name = 'crm.kpi.service'
    _inherit = 'crm.kpi.report'
    _description = 'Service KPI'
    _auto = False
    _kpi_view_sql = VIEW_SQL
    _order = 'date desc, id desc'
    _rec_name = 'reference'

    reference = fields.Char(readonly=True)
    date = fields.Date(string='Received', readonly=True,
                       help="The day the request was received, in the company's time zone.")
    month = fields.Date(string='Month Received', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    request_type = fields.Selection(REQUEST_TYPES, string='Type', readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's tier when the request was received.")
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    assigned_user_id = fields.Many2one('res.users', string='Assigned to', readonly=True)
    stage_id = fields.Many2one('crm.service.request.stage', string='Stage', readonly=True)
    is_closed = fields.Boolean(string='Closed', readonly=True)
    request_count = fields.Integer(string='Requests', readonly=True)
    closed_count = fields.Integer(string='Closed Requests', readonly=True)
    response_due_count = fields.Integer(
        string='Response Due', readonly=True,
        help="Requests answered, or whose response deadline has passed: the base of the "
             "response SLA compliance.")
    response_on_time_count = fields.Integer(
        string='Answered on Time', readonly=True,
        help="Requests first answered by their response deadline.")
    resolution_due_count = fields.Integer(
        string='Resolution Due', readonly=True,
        help="Requests closed, or whose resolution deadline has passed: the base of the "
             "resolution SLA compliance.")
    resolved_on_time_count = fields.Integer(
        string='Resolved on Time', readonly=True,
        help="Requests closed by their resolution deadline.")
    resolution_hours = fields.Float(
        readonly=True, digits=(16, 2),
        help="Hours from receipt to closing, closed requests only (sum: divide by the "
             "closed requests for the average).")
    rated_count = fields.Integer(string='Rated', readonly=True,
                                 help="Requests the customer rated (1 to 5).")
    rating_sum = fields.Integer(string='Rating Points', readonly=True,
                                help="Sum of the ratings given (divide by Rated for the "
                                     "average).")
    escalated_count = fields.Integer(
        string='Escalated', readonly=True,
        help="Requests escalated to a manager for a late response or resolution.")

    # -- workbook ------------------------------------------------------------

    # Sums behind each row of the sheets, in this order.
    _kpi_sums = ['sum(request_count)', 'sum(closed_count)', 'sum(response_due_count)',
                 'sum(response_on_time_count)', 'sum(resolution_due_count)',
                 'sum(resolved_on_time_count)', 'sum(resolution_hours)', 'sum(rated_count)',
                 'sum(rating_sum)', 'sum(escalated_count)']

    @staticmethod
    def _kpi_ratios(sums):
        """(received, closed, response SLA, resolution SLA, average resolution hours,
        average rating, escalated) from one row of ``_kpi_sums``."""
        (received, closed, response_due, response_on_time, resolution_due,
         resolved_on_time, hours, rated, points, escalated) = [value or 0 for value in sums]
        return (received, closed, share(response_on_time, response_due),
                share(resolved_on_time, resolution_due), share(hours, closed),
                share(points, rated), escalated)

    def _kpi_selection(self, field):
        return dict(self._fields[field]._description_selection(self.env))

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        totals, by_month, by_type, by_tier = self._kpi_groupings(
            domain, [[], ['month'], ['request_type'], ['tier_id']], self._kpi_sums)
        totals = totals[0]
        received, closed, response, resolution, hours, rating, escalated = \
            self._kpi_ratios(totals)
        section = _('Service')
        figures = [
            Figure(section, _('Requests received'), received, 'int'),
            Figure(section, _('Requests closed (of those received)'), closed, 'int'),
            Figure(section, _('Response SLA compliance'), response, 'percent'),
            Figure(section, _('Resolution SLA compliance'), resolution, 'percent'),
            Figure(section, _('Average resolution hours'), hours, 'number'),
            Figure(section, _('Average rating (1-5)'), rating, 'number'),
            Figure(section, _('Requests escalated'), escalated, 'int'),
        ]
        return figures, [self._kpi_month_sheet(by_month), self._kpi_type_sheet(by_type),
                         self._kpi_tier_sheet(by_tier)]

    def _kpi_month_sheet(self, by_month):
        rows = [(row[0],) + self._kpi_ratios(row[1:]) for row in by_month]
        columns = [column(_('Month'), 'date'), column(_('Received'), 'int'),
                   column(_('Closed'), 'int'), column(_('Response SLA %'), 'percent'),
                   column(_('Resolution SLA %'), 'percent'),
                   column(_('Average Resolution Hours'), 'number'),
                   column(_('Average Rating'), 'number'), column(_('Escalated'), 'int')]
        charts = [Chart('column', _('Requests received and closed by month'), 0, [1, 2]),
                  Chart('line', _('SLA compliance by month'), 0, [3, 4])]
        return Sheet(_('Service Requests by Month'), columns, rows, charts)

    def _kpi_type_sheet(self, by_type):
        data = largest_first(by_type, 1)  # most requests first
        names = self._kpi_selection('request_type')
        total = sum(row[1] for row in data)
        rows = []
        for row in data:
            received, closed, response, resolution, hours, rating, escalated = \
                self._kpi_ratios(row[1:])
            rows.append((names.get(row[0], row[0] or _('None')), received,
                         share(received, total), closed, response, resolution, hours, rating,
                         escalated))
        columns = [column(_('Type')), column(_('Received'), 'int'),
                   column(_('Share of Requests'), 'percent'), column(_('Closed'), 'int'),
                   column(_('Response SLA %'), 'percent'),
                   column(_('Resolution SLA %'), 'percent'),
                   column(_('Average Resolution Hours'), 'number'),
                   column(_('Average Rating'), 'number'), column(_('Escalated'), 'int')]
        charts = [Chart('pie', _('Requests by type'), 0, [1])]
        return Sheet(_('Service Requests by Type'), columns, rows, charts)

    def _kpi_tier_sheet(self, by_tier):
        data = largest_first(by_tier, 1)  # most requests first
        names = self._kpi_names('crm.tier', [row[0] for row in data])
        rows = []
        for row in data:
            sums = [value or 0 for value in row[1:]]
            received, closed, response, resolution, hours, rating, escalated = \
                self._kpi_ratios(sums)
            rows.append((names[row[0]], received, sums[2], sums[3], response, sums[4],
                         sums[5], resolution, hours, escalated))
        columns = [column(_('Tier')), column(_('Received'), 'int'),
                   column(_('Response Due'), 'int'), column(_('Answered on Time'), 'int'),
                   column(_('Response SLA %'), 'percent'), column(_('Resolution Due'), 'int'),
                   column(_('Resolved on Time'), 'int'),
                   column(_('Resolution SLA %'), 'percent'),
                   column(_('Average Resolution Hours'), 'number'),
                   column(_('Escalated'), 'int')]
        charts = [Chart('column', _('SLA compliance by tier'), 0, [4, 7])]
        return Sheet(_('Service SLA by Tier'), columns, rows, charts)
