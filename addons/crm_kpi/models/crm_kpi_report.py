from collections import namedtuple

from odoo import _, api, models, tools
from odoo.addons.crm_tiering.lib import pg

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


def largest_first(rows, index):
    """``rows`` by their value at ``index``, the largest first (None before all,
    as SQL's DESC), and in their order where equal."""
    return sorted(rows, key=lambda row: (row[index] is not None, -(row[index] or 0)))


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

    # The web client reads the views too: without JIT (crm_tiering.lib.pg).
    @api.model
    def _search(self, args, offset=0, limit=None, order=None, count=False,
                access_rights_uid=None):
        pg.jit_off(self.env.cr)
        return super(CrmKpiReport, self)._search(args, offset=offset, limit=limit, order=order,
                                                 count=count,
                                                 access_rights_uid=access_rights_uid)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False,
                   lazy=True):
        pg.jit_off(self.env.cr)
        with pg.hash_joins(self.env.cr):  # every row of the view is aggregated
            return super(CrmKpiReport, self).read_group(
                domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)

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
        return self._kpi_groupings(domain, [groupby], aggregates, order)[0]

    @api.model
    def _kpi_groupings(self, domain, groupings, aggregates, order=None):
        """``_kpi_rows`` for each list of fields in ``groupings``, in one scan of
        the view (the views are costly to scan): a list of rows per grouping.

        Each grouping's rows are ordered by ``order`` (static SQL), by default
        by its own fields.
        """
        self.check_access_rights('read')
        pg.jit_off(self.env.cr)
        names = []
        for grouping in groupings:
            names += [name for name in grouping if name not in names]
        unknown = [name for name in names if name not in self._fields]
        if unknown:
            raise ValueError('unknown fields %s' % unknown)
        if len({frozenset(grouping) for grouping in groupings}) < len(groupings):
            raise ValueError('the same grouping twice: %s' % (groupings,))
        query = self._where_calc(domain)
        self._apply_ir_rules(query, 'read')
        from_clause, where_clause, params = query.get_sql()

        def columns(fields):
            return ', '.join('"%s"."%s"' % (self._table, name) for name in fields)

        if len(groupings) == 1:
            select, group_by = [columns(names)] if names else [], columns(names)
            keys = [order or columns(names) or '1']
        else:
            # GROUPING() sets a bit for each field that a row's grouping does
            # not group by, the first field's highest: it tells the groupings
            # apart.
            grouping_id = 'GROUPING(%s)' % columns(names)
            bits = [sum(1 << i for i, name in enumerate(reversed(names)) if name not in grouping)
                    for grouping in groupings]
            select = [grouping_id, columns(names)]
            group_by = 'GROUPING SETS (%s)' % ', '.join(
                '(%s)' % columns(grouping) for grouping in groupings)
            keys = [grouping_id] + ([order] if order else [
                'CASE WHEN %s = %d THEN %s END' % (grouping_id, grouping_bits, columns([name]))
                for grouping, grouping_bits in zip(groupings, bits) for name in grouping])
        sql = 'SELECT %s FROM %s' % (', '.join(select + list(aggregates)), from_clause)
        if where_clause:
            sql += ' WHERE %s' % where_clause
        if group_by:
            sql += ' GROUP BY %s' % group_by
        sql += ' ORDER BY %s' % ', '.join(keys)
        with pg.hash_joins(self.env.cr):
            self.env.cr.execute(sql, params)
            data = self.env.cr.fetchall()
        if len(groupings) == 1:
            return [data]
        # Back to the rows of each grouping: its own fields, then the aggregates.
        rows = {grouping_bits: [] for grouping_bits in bits}
        positions = {grouping_bits: [1 + names.index(name) for name in grouping]
                     for grouping, grouping_bits in zip(groupings, bits)}
        for row in data:
            rows[row[0]].append(tuple(row[i] for i in positions[row[0]])
                                + row[1 + len(names):])
        return [rows[grouping_bits] for grouping_bits in bits]

    @api.model
    def _kpi_names(self, model, ids):
        """{id: display name} of the records ``ids`` of ``model`` (None: 'None')."""
        # Read, not name_get: customers store their display name, which read
        # returns 5x faster than name_get builds it; other models compute it.
        # Without prefetching, not every field of thousands of customers.
        records = self.env[model].with_context(prefetch_fields=False).browse(
            {i for i in ids if i})
        names = {row['id']: row['display_name'] for row in records.read(['display_name'])}
        names[None] = _('None')
        return names

    @api.model
    def _kpi_sheets(self, period):
        """(figures for the summary, sheets) of this report over ``period``."""
        raise NotImplementedError
