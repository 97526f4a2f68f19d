from odoo import _, api, fields, models

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_report import CUSTOMER_JOINS, largest_first

# The aggregates of the visit sheets, in this order: planned, done, missed,
# cancelled, orders, order amount, rated visits, sum of the ratings.
VISIT_AGGREGATES = [
    'coalesce(sum(planned_count), 0)', 'coalesce(sum(done_count), 0)',
    'coalesce(sum(missed_count), 0)', 'coalesce(sum(cancelled_count), 0)',
    'coalesce(sum(order_count), 0)', 'coalesce(sum(order_amount), 0)',
    'coalesce(sum(rated_count), 0)', 'coalesce(sum(satisfaction), 0)',
]


def compliance(done, missed):
    """Done visits among the visits whose day has passed (done or missed)."""
    return share(done, done + missed)


# Static fragments only: the view takes no user input.
VIEW_SQL = """
CREATE VIEW crm_kpi_visit AS (
WITH orders AS (
    SELECT so.visit_id, count(*) AS order_count,
           sum(so.amount_untaxed) AS order_amount
      FROM sale_order so
     WHERE so.visit_id IS NOT NULL AND so.state IN ('sale', 'done')
     GROUP BY so.visit_id
), visit AS (
    SELECT v.id, v.company_id, v.date, v.partner_id, v.route_id, v.user_id,
           v.state,
           CASE WHEN v.state != 'cancel'
                 AND v.satisfaction IN ('1', '2', '3', '4', '5')
                THEN v.satisfaction::int END AS satisfaction
      FROM crm_visit v
)
SELECT v.id, v.company_id, v.date, date_trunc('month', v.date)::date AS month,
       v.partner_id, v.route_id, v.user_id, kpi_member.tier_id, v.state,
       (v.state IN ('planned', 'in_progress'))::int AS planned_count,
       (v.state = 'done')::int AS done_count,
       (v.state = 'missed')::int AS missed_count,
       (v.state = 'cancel')::int AS cancelled_count,
       coalesce(o.order_count, 0) AS order_count,
       coalesce(o.order_amount, 0)::float8 AS order_amount,
       v.satisfaction,
       (v.satisfaction IS NOT NULL)::int AS rated_count
  FROM visit v
  LEFT JOIN orders o ON o.visit_id = v.id
  %(customer_joins)s
)
""" % {
    'customer_joins': CUSTOMER_JOINS.format(partner='v.partner_id',
                                            company='v.company_id'),
}


class CrmKpiVisit(models.Model):
    """One row per visit of an account manager to a shop: its state, the orders
    confirmed on it and the shop's satisfaction."""

    _name = 'crm.kpi.visit'
    _inherit = 'crm.kpi.report'
    _description = 'Visit KPI'
    _auto = False
    _kpi_view_sql = VIEW_SQL
    _order = 'date desc, route_id, partner_id'
    _rec_name = 'partner_id'

    date = fields.Date(string='Visit Date', readonly=True)
    month = fields.Date(readonly=True, help="The first day of the visit's month.")
    company_id = fields.Many2one('res.company', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True,
                               help="The route the visit was planned on.")
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True,
                              help="The account manager of the visit.")
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's current tier in the company's primary "
                                   "scheme.")
    state = fields.Selection(
        [('planned', 'Planned'), ('in_progress', 'Checked In'), ('done', 'Done'),
         ('missed', 'Missed'), ('cancel', 'Cancelled')], readonly=True)
    planned_count = fields.Integer(string='Planned', readonly=True,
                                   help="Visits still planned or checked in.")
    done_count = fields.Integer(string='Done', readonly=True)
    missed_count = fields.Integer(string='Missed', readonly=True,
                                  help="Planned visits whose day passed without a check-in.")
    cancelled_count = fields.Integer(
        string='Cancelled', readonly=True,
        help="Cancelled visits: left out of the compliance and the satisfaction.")
    order_count = fields.Integer(string='Orders', readonly=True,
                                 help="Confirmed sale orders taken on the visit.")
    order_amount = fields.Float(readonly=True,
                                help="Untaxed total of the confirmed orders taken on the "
                                     "visit.")
    satisfaction = fields.Float(
        readonly=True, group_operator='avg', digits=(16, 2),
        help="The shop owner's rating, 1 to 5; empty when the visit was not rated, so that "
             "averages count rated visits only.")
    rated_count = fields.Integer(string='Rated', readonly=True,
                                 help="1 when the shop owner rated the visit.")

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        totals, by_month, by_route, by_user, by_tier = self._kpi_groupings(
            domain, [[], ['month'], ['route_id'], ['user_id'], ['tier_id']], VISIT_AGGREGATES)
        planned, done, missed, cancelled, orders, amount, rated, rating = totals[0]
        section = _('Visits')
        figures = [
            Figure(section, _('Visits planned'), planned, 'int'),
            Figure(section, _('Visits done'), done, 'int'),
            Figure(section, _('Visits missed'), missed, 'int'),
            Figure(section, _('Visits cancelled'), cancelled, 'int'),
            Figure(section, _('Visit compliance %'), compliance(done, missed), 'percent'),
            Figure(section, _('Orders taken on visits'), orders, 'int'),
            Figure(section, _('Amount ordered on visits'), amount, 'money'),
            Figure(section, _('Orders per done visit'), share(orders, done), 'number'),
            Figure(section, _('Average satisfaction (1-5)'), share(rating, rated), 'number'),
        ]
        return figures, [
            self._kpi_month_sheet(by_month),
            self._kpi_dimension_sheet(by_route, 'crm.visit.route', _('Route'),
                                      _('Visits by Route')),
            self._kpi_dimension_sheet(by_user, 'res.users', _('Account Manager'),
                                      _('Visits by Account Manager')),
            self._kpi_dimension_sheet(by_tier, 'crm.tier', _('Tier'),
                                      _('Visits by Tier'),
                                      chart=_('Visit compliance by tier')),
        ]

    def _kpi_month_sheet(self, by_month):
        rows = [
            (month, planned, done, missed, cancelled, compliance(done, missed), orders,
             amount, share(orders, done), rated, share(rating, rated) if rated else None)
            for month, planned, done, missed, cancelled, orders, amount, rated, rating
            in by_month
        ]
        columns = [column(_('Month'), 'date'), column(_('Planned'), 'int'),
                   column(_('Done'), 'int'), column(_('Missed'), 'int'),
                   column(_('Cancelled'), 'int'), column(_('Compliance %'), 'percent'),
                   column(_('Orders'), 'int'), column(_('Order Amount'), 'money'),
                   column(_('Orders per Done Visit'), 'number'), column(_('Rated'), 'int'),
                   column(_('Average Satisfaction'), 'number')]
        charts = [Chart('column', _('Visits done and missed by month'), 0, [2, 3]),
                  Chart('line', _('Visit compliance by month'), 0, [5])]
        return Sheet(_('Visits by Month'), columns, rows, charts)

    def _kpi_dimension_sheet(self, by_key, model, label, title, chart=None):
        """Compliance, orders and satisfaction per route, account manager or tier."""
        data = largest_first(by_key, 2)  # most visits done first
        names = self._kpi_names(model, [row[0] for row in data])
        rows = [
            (names[key], planned, done, missed, cancelled, compliance(done, missed), orders,
             amount, share(orders, done), rated, share(rating, rated) if rated else None)
            for key, planned, done, missed, cancelled, orders, amount, rated, rating in data
        ]
        columns = [column(label), column(_('Planned'), 'int'), column(_('Done'), 'int'),
                   column(_('Missed'), 'int'), column(_('Cancelled'), 'int'),
                   column(_('Compliance %'), 'percent'), column(_('Orders'), 'int'),
                   column(_('Order Amount'), 'money'),
                   column(_('Orders per Done Visit'), 'number'), column(_('Rated'), 'int'),
                   column(_('Average Satisfaction'), 'number')]
        charts = [Chart('column', chart, 0, [5])] if chart else []
        return Sheet(title, columns, rows, charts)
