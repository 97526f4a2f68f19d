from collections import namedtuple

from odoo import _, api, models, tools

# The reporting period of a workbook: dates as Odoo date strings.
Period = namedtuple('Period', 'company date_from date_to')

# Static SQL for the views: a customer's tier (the primary scheme of the
# fact's company), route and account manager (the route's owner, else the
# customer's salesperson). Use as
#   ... FROM facts f {joins} with CUSTOMER_JOINS.format(partner='f.partner_id',
#   company='f.company_id') and select CUSTOMER_COLUMNS.
CUSTOMER_JOINS = """
  LEFT JOIN crm_tier_scheme kpi_scheme
         ON kpi_scheme.company_id = {company} AND kpi_scheme.is_primary AND kpi_scheme.active
  LEFT JOIN crm_tier_member kpi_member
         ON kpi_member.scheme_id = kpi_scheme.id AND kpi_member.partner_id = {partner}
  LEFT JOIN crm_visit_route_stop kpi_stop
         ON kpi_stop.partner_id = {partner} AND kpi_stop.company_id = {company}
  LEFT JOIN crm_visit_route kpi_route ON kpi_route.id = kpi_stop.route_id
  LEFT JOIN res_partner kpi_customer ON kpi_customer.id = {partner}
"""
CUSTOMER_COLUMNS = """kpi_member.tier_id, kpi_stop.route_id,
       coalesce(kpi_route.user_id, kpi_customer.user_id) AS user_id"""
# Each company's time zone, to cut datetimes into the company's days.
COMPANY_TZ = """
  SELECT c.id, coalesce(nullif(cp.tz, ''), 'UTC') AS tz
    FROM res_company c JOIN res_partner cp ON cp.id = c.partner_id
"""


class CrmKpiReport(models.AbstractModel):
    """What every KPI view shares: aggregation under the user's access rules,
    and the sheets it adds to the workbook."""

    _name = 'crm.kpi.report'
    _description = 'KPI Report'
    # The view's date field that the workbook period filters on.
    _kpi_date_field = 'date'
    # Views with one row per month date it on the 1st: a period covers the
    # whole months it touches.
    _kpi_monthly = False
    # Views of today's state (stock, open invoices...): the period does not
    # filter them.
    _kpi_snapshot = False
    # The view's CREATE VIEW statement, built from static fragments only.
    _kpi_view_sql = None

    def init(self):
        if self._kpi_view_sql is not None:
            tools.drop_view_if_exists(self.env.cr, self._table)
            self.env.cr.execute(self._kpi_view_sql)

    @api.model
    def _kpi_domain(self, period):
        domain = [('company_id', '=', period.company.id)]
        if self._kpi_snapshot:
            return domain
        date_from = period.date_from[:8] + '01' if self._kpi_monthly else period.date_from
        return domain + [(self._kpi_date_field, '>=', date_from),
                         (self._kpi_date_field, '<=', period.date_to)]

    @api.model
    def _kpi_rows(self, domain, groupby, aggregates, order=None):
        """Aggregate the view's rows matching ``domain`` that the user may read.

        ``groupby`` names fields of the view; ``aggregates`` are static SQL
        expressions over its columns. Returns tuples (groupby values...,
        aggregate values...), ordered by ``order`` (default: the groupby).
        """
        self.check_access_rights('read')
        unknown = [name for name in groupby if name not in self._fields]
        if unknown:
            raise ValueError('unknown fields %s' % unknown)
        query = self._where_calc(domain)
        self._apply_ir_rules(query, 'read')
        from_clause, where_clause, params = query.get_sql()
        columns = ['"%s"."%s"' % (self._table, name) for name in groupby]
        sql = 'SELECT %s FROM %s' % (', '.join(columns + list(aggregates)), from_clause)
        if where_clause:
            sql += ' WHERE %s' % where_clause
        if columns:
            sql += ' GROUP BY %s' % ', '.join(columns)
        sql += ' ORDER BY %s' % (order or ', '.join(columns) or '1')
        self.env.cr.execute(sql, params)
        return self.env.cr.fetchall()

    @api.model
    def _kpi_names(self, model, ids):
        """{id: display name} of the records ``ids`` of ``model`` (None: 'None')."""
        # Without prefetching, name_get reads the few fields it needs, not every
        # field of thousands of customers.
        records = self.env[model].with_context(prefetch_fields=False).browse(
            {i for i in ids if i})
        names = dict(records.name_get())
        names[None] = _('None')
        return names

    @api.model
    def _kpi_sheets(self, period):
        """(figures for the summary, sheets) of this report over ``period``."""
        raise NotImplementedError
