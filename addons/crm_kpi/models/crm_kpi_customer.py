from odoo import _, api, fields, models
from odoo.addons.crm_tiering.lib.scoring import SEGMENTS

from ..lib import relationship
from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_JOINS

# Visits and complaints of this many days back (today included) make the
# relationship figures.
RELATIONSHIP_DAYS = 365
BAND_ORDER = ['high', 'medium', 'low']

# Static fragments and constants only: the view takes no user input.
_SCORE = relationship.score_sql('f.avg_satisfaction', 'f.complaint_count',
                                'f.days_late', 'f.overdue_amount')
CUSTOMER_VIEW = """
            CREATE VIEW crm_kpi_customer AS (
            WITH company_tz AS (%(company_tz)s
            ), company_day AS (
                SELECT id, (now() AT TIME ZONE tz)::date AS today FROM company_tz
            ), visited AS (
                SELECT v.company_id, p.commercial_partner_id AS partner_id,
                       count(*) AS visit_count,
                       count(*) FILTER (WHERE v.satisfaction <> '0') AS rated_visit_count,
                       avg(v.satisfaction::int) FILTER (WHERE v.satisfaction <> '0')
                           AS avg_satisfaction
                  FROM crm_visit v
                  JOIN res_partner p ON p.id = v.partner_id
                  JOIN company_day d ON d.id = v.company_id
                 WHERE v.state = 'done' AND v.date > d.today - %(days)s
                 GROUP BY 1, 2
            ), complained AS (
                SELECT r.company_id, r.commercial_partner_id AS partner_id,
                       count(*) AS complaint_count
                  FROM crm_service_request r
                 WHERE r.request_type = 'complaint' AND r.active
                   AND r.date_received > (now() AT TIME ZONE 'UTC')
                                         - interval '%(days)s days'
                 GROUP BY 1, 2
            ), facts AS (
                SELECT m.id, m.company_id, m.scheme_id, s.method AS scheme_method,
                       s.is_primary, m.tier_id, m.tier_rank, m.partner_id,
                       kpi_member.tier_id AS primary_tier_id, kpi_stop.route_id,
                       coalesce(kpi_route.user_id, kpi_customer.user_id) AS user_id,
                       kpi_customer.value_metrics_date AS date,
                       kpi_customer.rfm_segment, kpi_customer.value_score,
                       kpi_customer.rfm_monetary, kpi_customer.value_margin,
                       kpi_customer.lifetime_profit, 1 AS customer_count,
                       coalesce(vis.visit_count, 0) AS visit_count,
                       coalesce(vis.rated_visit_count, 0) AS rated_visit_count,
                       vis.avg_satisfaction,
                       coalesce(com.complaint_count, 0) AS complaint_count,
                       kpi_customer.value_days_late AS days_late,
                       coalesce(kpi_customer.value_overdue_amount, 0) AS overdue_amount
                  FROM crm_tier_member m
                  JOIN crm_tier_scheme s ON s.id = m.scheme_id AND s.active
                  %(customer_joins)s
                  LEFT JOIN visited vis ON vis.company_id = m.company_id
                                       AND vis.partner_id = m.partner_id
                  LEFT JOIN complained com ON com.company_id = m.company_id
                                          AND com.partner_id = m.partner_id
            )
            SELECT g.*, %(band)s AS relationship_band
              FROM (SELECT f.*, %(score)s AS relationship_score FROM facts f) g
            )""" % {
    'company_tz': COMPANY_TZ,
    'days': RELATIONSHIP_DAYS,
    'customer_joins': CUSTOMER_JOINS.format(partner='m.partner_id', company='m.company_id'),
    'score': _SCORE,
    'band': relationship.band_sql('g.relationship_score'),
}


def _scheme_methods(self):
    return self.env['crm.tier.scheme']._fields['method'].selection


class CrmKpiCustomer(models.Model):
    """Customer value as of the last value metrics run: one row per customer
    and tier scheme, with the customer's value metrics and relationship
    figures (visit satisfaction, complaints and payment over the last year).

    A snapshot: the workbook period does not filter it. The relationship
    score is computed here in SQL from the formula of ``lib/relationship.py``
    (the same module holds its Python reference), so that the views can group
    by its band.
    """

    _name = 'crm.kpi.customer'
    _inherit = 'crm.kpi.report'
    _description = 'Customer Value KPI'
    _auto = False
    _kpi_snapshot = True
    _kpi_view_sql = CUSTOMER_VIEW
    _order = 'scheme_id, tier_rank, value_score desc, partner_id'
    _rec_name = 'partner_id'

    date = fields.Date(string='Metrics Date', readonly=True,
                       help="When the customer's value metrics were last computed.")
    company_id = fields.Many2one('res.company', readonly=True)
    scheme_id = fields.Many2one('crm.tier.scheme', string='Tier Scheme', readonly=True)
    scheme_method = fields.Selection(_scheme_methods, readonly=True)
    is_primary = fields.Boolean(string='Primary Scheme', readonly=True,
                                help="The row is the customer's tier in the company's "
                                     "primary scheme: filter on it to count each customer "
                                     "once.")
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's tier in the row's scheme.")
    tier_rank = fields.Integer(readonly=True, group_operator='min')
    primary_tier_id = fields.Many2one('crm.tier', string='Primary Tier', readonly=True,
                                      help="The customer's tier in the primary scheme.")
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True)
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    rfm_segment = fields.Selection(SEGMENTS, string='RFM Segment', readonly=True)
    value_score = fields.Float(digits=(16, 1), readonly=True, group_operator='avg',
                               help="0-100, the weighted R, F and M scores.")
    rfm_monetary = fields.Float(string='Revenue', digits=(16, 2), readonly=True,
                                help="Invoiced revenue without tax, minus refunds, in the "
                                     "metrics window.")
    value_margin = fields.Float(string='Gross Margin', digits=(16, 2), readonly=True,
                                help="Revenue minus the current cost of the products, in "
                                     "the metrics window.")
    lifetime_profit = fields.Float(digits=(16, 2), readonly=True,
                                   help="Gross margin over the customer's whole history.")
    customer_count = fields.Integer(string='Customers', readonly=True)
    visit_count = fields.Integer(string='Visits (365 Days)', readonly=True,
                                 help="Visits done in the last 365 days.")
    rated_visit_count = fields.Integer(
        string='Rated Visits (365 Days)', readonly=True,
        help="Visits done in the last 365 days with a satisfaction rating.")
    avg_satisfaction = fields.Float(
        string='Average Satisfaction', digits=(16, 2), readonly=True, group_operator='avg',
        help="Average 1-5 star rating of the visits done in the last 365 days; visits "
             "without a rating do not count. 0 when no visit was rated.")
    complaint_count = fields.Integer(string='Complaints (365 Days)', readonly=True,
                                     help="Complaints received in the last 365 days.")
    days_late = fields.Float(string='Average Days Paid Late', digits=(16, 1), readonly=True,
                             group_operator='avg',
                             help="For the paid invoices of the metrics window: days from "
                                  "due date to payment.")
    overdue_amount = fields.Float(digits=(16, 2), readonly=True,
                                  help="Open invoices past their due date, as of the "
                                       "metrics date.")
    relationship_score = fields.Float(
        digits=(16, 1), readonly=True, group_operator='avg',
        help="0-100: up to %(sat)d points for visit satisfaction (no rating: %(unrated)d), "
             "%(complaints)d for no complaints (%(per_complaint)d fewer per complaint) and "
             "%(payment)d for paying on time (%(per_day)d fewer per day late, %(overdue)d "
             "fewer while an invoice is overdue)." % {
                 'sat': relationship.SATISFACTION_POINTS,
                 'unrated': relationship.UNRATED_POINTS,
                 'complaints': relationship.COMPLAINT_POINTS,
                 'per_complaint': relationship.POINTS_PER_COMPLAINT,
                 'payment': relationship.PAYMENT_POINTS,
                 'per_day': relationship.POINTS_PER_DAY_LATE,
                 'overdue': relationship.OVERDUE_PENALTY})
    relationship_band = fields.Selection(
        relationship.BANDS, readonly=True,
        help="High from a score of %d, medium from %d, else low."
             % (relationship.HIGH_BOUND, relationship.MEDIUM_BOUND))

    @api.model
    def _kpi_pyramid_scheme(self, company):
        """The scheme of the value pyramid: the company's quantile scheme (the
        primary one if it is a quantile scheme), else its primary scheme."""
        Scheme = self.env['crm.tier.scheme']
        return (Scheme.search([('company_id', '=', company.id), ('method', '=', 'quantile')],
                              order='is_primary desc, sequence, id', limit=1)
                or Scheme.search([('company_id', '=', company.id),
                                  ('is_primary', '=', True)], limit=1))

    def _selection_labels(self, name):
        labels = dict(self._fields[name]._description_selection(self.env))
        labels[None] = _('None')
        return labels

    @api.model
    def _kpi_sheets(self, period):
        primary = self._kpi_domain(period) + [('is_primary', '=', True)]
        (customers, revenue, score_count, score_sum, high, low, with_complaints,
         rated, stars, as_of) = self._kpi_rows(primary, [], [
             'count(*)', 'coalesce(sum(rfm_monetary), 0)', 'count(value_score)',
             'coalesce(sum(value_score), 0)',
             "count(*) FILTER (WHERE relationship_band = 'high')",
             "count(*) FILTER (WHERE relationship_band = 'low')",
             'count(*) FILTER (WHERE complaint_count > 0)',
             'coalesce(sum(rated_visit_count), 0)',
             'coalesce(sum(avg_satisfaction * rated_visit_count), 0)', 'max(date)'])[0]
        scheme = self._kpi_pyramid_scheme(period.company)
        section = _('Customer Value')
        figures = [
            Figure(section, _('Value metrics as of'), as_of, 'date'),
            Figure(section, _('Customers graded in the primary scheme'), customers, 'int'),
            Figure(section, _('Revenue of graded customers'), revenue, 'money'),
            Figure(section, _('Average value score'), share(score_sum, score_count), 'number'),
            Figure(section, _('High relationship, share of customers'),
                   share(high, customers), 'percent'),
            Figure(section, _('Low relationship, share of customers'),
                   share(low, customers), 'percent'),
            Figure(section, _('Customers with complaints (365 days)'), with_complaints, 'int'),
            Figure(section, _('Average visit satisfaction (365 days, 1-5)'),
                   float(share(stars, rated)), 'number'),
            Figure(section, _('Value pyramid scheme'), scheme.name or _('None'), 'text'),
        ]
        sheets = [self._kpi_segment_sheet(primary),
                  self._kpi_pyramid_sheet(self._kpi_domain(period), scheme),
                  self._kpi_matrix_sheet(primary, period.company)]
        return figures, sheets

    def _kpi_segment_sheet(self, domain):
        data = self._kpi_rows(domain, ['rfm_segment'], [
            'count(*)', 'coalesce(sum(rfm_monetary), 0)'])
        order = {key: index for index, (key, label) in enumerate(SEGMENTS)}
        data.sort(key=lambda row: order.get(row[0], len(order)))
        labels = self._selection_labels('rfm_segment')
        total_customers = sum(row[1] for row in data)
        total_revenue = sum(row[2] for row in data)
        rows = [(labels[segment], customers, revenue, share(customers, total_customers),
                 share(revenue, total_revenue))
                for segment, customers, revenue in data]
        columns = [column(_('RFM Segment')), column(_('Customers'), 'int'),
                   column(_('Revenue'), 'money'), column(_('Share of Customers'), 'percent'),
                   column(_('Share of Revenue'), 'percent')]
        charts = [Chart('pie', _('Customers by RFM segment'), 0, [1])]
        return Sheet(_('RFM Segments'), columns, rows, charts)

    def _kpi_pyramid_sheet(self, domain, scheme):
        data = {}
        if scheme:
            data = {tier: (customers, revenue) for tier, customers, revenue in self._kpi_rows(
                domain + [('scheme_id', '=', scheme.id)], ['tier_id'],
                ['count(*)', 'coalesce(sum(rfm_monetary), 0)'])}
        tiers = scheme.tier_ids.sorted('rank').ids
        tiers += sorted(set(data) - set(tiers))
        names = self._kpi_names('crm.tier', tiers)
        total_customers = sum(customers for customers, revenue in data.values())
        total_revenue = sum(revenue for customers, revenue in data.values())
        rows = []
        for tier in tiers:
            customers, revenue = data.get(tier, (0, 0.0))
            rows.append((names[tier], customers, share(customers, total_customers), revenue,
                         share(revenue, total_revenue)))
        columns = [column(_('Tier')), column(_('Customers'), 'int'),
                   column(_('Share of Customers'), 'percent'), column(_('Revenue'), 'money'),
                   column(_('Share of Revenue'), 'percent')]
        charts = [Chart('column', _('Customers by tier'), 0, [1])]
        return Sheet(_('Value Pyramid'), columns, rows, charts)

    def _kpi_matrix_sheet(self, domain, company):
        data = {(tier, band): (customers, revenue) for tier, band, customers, revenue
                in self._kpi_rows(domain, ['tier_id', 'relationship_band'],
                                  ['count(*)', 'coalesce(sum(rfm_monetary), 0)'])}
        primary = self.env['crm.tier.scheme'].search(
            [('company_id', '=', company.id), ('is_primary', '=', True)], limit=1)
        tiers = primary.tier_ids.sorted('rank').ids
        tiers += sorted({tier for tier, band in data} - set(tiers))
        names = self._kpi_names('crm.tier', tiers)
        bands = self._selection_labels('relationship_band')
        strategies = {(s.tier_id.id, s.relationship_band): s.strategy
                      for s in self.env['crm.kpi.strategy'].search(
                          [('company_id', '=', company.id)])}
        total_customers = sum(customers for customers, revenue in data.values())
        total_revenue = sum(revenue for customers, revenue in data.values())
        rows = []
        for tier in tiers:
            for band in BAND_ORDER:
                customers, revenue = data.get((tier, band), (0, 0.0))
                rows.append((names[tier], bands[band], customers,
                             share(customers, total_customers), revenue,
                             share(revenue, total_revenue), strategies.get((tier, band), '')))
        columns = [column(_('Value Tier')), column(_('Relationship'), width=14),
                   column(_('Customers'), 'int'), column(_('Share of Customers'), 'percent'),
                   column(_('Revenue'), 'money'), column(_('Share of Revenue'), 'percent'),
                   column(_('Strategy'), width=60)]
        return Sheet(_('Customer Difference Matrix'), columns, rows, [])
