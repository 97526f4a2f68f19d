from odoo import _, api, fields, models

from ..lib.workbook import Chart, Figure, Sheet, column, share
from .crm_kpi_report import COMPANY_TZ, CUSTOMER_JOINS, largest_first

# The aggregates of the delivery sheets, in this order: deliveries, delivered,
# failed, on time, attempted, first-attempt successes, ordered and delivered
# quantities of the delivered ones, batches.
DELIVERY_AGGREGATES = [
    'count(*)', 'coalesce(sum(delivered), 0)', 'coalesce(sum(failed), 0)',
    'coalesce(sum(on_time), 0)', 'coalesce(sum(attempted), 0)',
    'coalesce(sum(first_attempt_success), 0)',
    'coalesce(sum(ordered_qty) FILTER (WHERE delivered = 1), 0)',
    'coalesce(sum(delivered_qty), 0)', 'count(DISTINCT batch_id)',
]


# Static fragments only: the view takes no user input.
VIEW_SQL = """
CREATE VIEW crm_kpi_delivery AS (
WITH RECURSIVE company_tz AS (%(company_tz)s
), attempt AS (
    SELECT a.picking_id, count(*) AS attempts,
           bool_or(a.attempt = 1 AND a.outcome != 'failed') AS first_success,
           (array_agg(a.batch_id ORDER BY a.attempt DESC, a.id DESC))[1]
               AS batch_id,
           (array_agg(a.delivery_date ORDER BY a.attempt DESC, a.id DESC))[1]
               AS delivery_date
      FROM crm_delivery_attempt a
     GROUP BY a.picking_id
), picking AS (
    SELECT sp.id, sp.company_id, sp.state, sp.date_done, sp.scheduled_date,
           sp.delivery_outcome, p.commercial_partner_id AS partner_id,
           coalesce(sp.batch_id, a.batch_id) AS batch_id,
           coalesce(a.attempts, 0) AS attempts,
           coalesce(a.first_success, false) AS first_success,
           coalesce(b.delivery_date, a.delivery_date,
                    (sp.scheduled_date AT TIME ZONE 'UTC'
                     AT TIME ZONE tz.tz)::date) AS date,
           tz.tz
      FROM stock_picking sp
      JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
      JOIN stock_location dest ON dest.id = sp.location_dest_id
      JOIN res_partner p ON p.id = sp.partner_id
      JOIN company_tz tz ON tz.id = sp.company_id
      LEFT JOIN stock_picking_batch b ON b.id = sp.batch_id
      LEFT JOIN attempt a ON a.picking_id = sp.id
     WHERE spt.code = 'outgoing' AND dest.usage = 'customer'
       AND sp.state != 'cancel'
       AND (sp.state = 'done' OR b.route_id IS NOT NULL OR a.attempts > 0)
), backorder (origin_id, picking_id) AS (
    -- The backorders of each picking, and theirs in turn: few rows, so start
    -- from them rather than from the delivery orders.
    SELECT sp.backorder_id, sp.id
      FROM stock_picking sp
     WHERE sp.backorder_id IS NOT NULL
     UNION ALL
    SELECT bo.origin_id, sp.id
      FROM backorder bo JOIN stock_picking sp ON sp.backorder_id = bo.picking_id
), left_over AS (
    -- What partial deliveries left to backorders (also cancelled ones).
    SELECT bo.origin_id AS picking_id, sum(m.product_qty) AS qty
      FROM backorder bo JOIN stock_move m ON m.picking_id = bo.picking_id
     GROUP BY bo.origin_id
), ordered AS (
    -- Whole tables aggregated in one pass each, then hash-joined: the
    -- planner underestimates the delivery orders a hundredfold, and per
    -- delivery order index lookups do not scale.
    SELECT m.picking_id, sum(m.product_qty) AS qty
      FROM stock_move m
     WHERE m.picking_id IS NOT NULL AND m.state != 'cancel'
     GROUP BY m.picking_id
), product_factor AS (
    SELECT pp.id AS product_id, pu.factor
      FROM product_product pp
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN product_uom pu ON pu.id = pt.uom_id
), done AS (
    -- A move line is on its move's picking (both go to a backorder) and
    -- stores its move's state.
    SELECT ml.picking_id, sum(ml.qty_done / lu.factor * pf.factor) AS qty
      FROM stock_move_line ml
      JOIN product_uom lu ON lu.id = ml.product_uom_id
      JOIN product_factor pf ON pf.product_id = ml.product_id
     WHERE ml.state = 'done' AND ml.picking_id IS NOT NULL
     GROUP BY ml.picking_id
)
SELECT f.id, f.id AS picking_id, f.company_id, f.date,
       date_trunc('month', f.date)::date AS month, f.partner_id, f.batch_id,
       kpi_member.tier_id, coalesce(b.route_id, kpi_stop.route_id) AS route_id,
       coalesce(kpi_route.user_id, kpi_customer.user_id) AS user_id,
       1 AS delivery_count,
       (f.state = 'done')::int AS delivered,
       (f.state != 'done' AND f.delivery_outcome = 'failed')::int AS failed,
       (f.state = 'done' AND (f.date_done AT TIME ZONE 'UTC'
                              AT TIME ZONE f.tz)::date <= f.date)::int AS on_time,
       -- A delivery order validated without a recorded stop outcome was
       -- delivered at its one and only attempt.
       (f.attempts > 0 OR f.state = 'done')::int AS attempted, f.attempts,
       (f.first_success OR (f.attempts = 0 AND f.state = 'done'))::int
           AS first_attempt_success,
       (coalesce(o.qty, 0) + coalesce(lo.qty, 0))::float8 AS ordered_qty,
       coalesce(d.qty, 0)::float8 AS delivered_qty
  FROM picking f
  LEFT JOIN stock_picking_batch b ON b.id = f.batch_id
  LEFT JOIN ordered o ON o.picking_id = f.id
  LEFT JOIN left_over lo ON lo.picking_id = f.id
  LEFT JOIN done d ON d.picking_id = f.id
  %(customer_joins)s
)
""" % {
    'company_tz': COMPANY_TZ,
    'customer_joins': CUSTOMER_JOINS.format(partner='f.partner_id',
                                            company='f.company_id'),
}


class CrmKpiDelivery(models.Model):
    """One row per delivery order to a customer that was delivered, is in a route
    delivery batch or had a delivery attempt: on time, first-attempt success and
    the quantities ordered and delivered (fill rate)."""

    _name = 'crm.kpi.delivery'
    _inherit = 'crm.kpi.report'
    _description = 'Delivery KPI'
    _auto = False
    _kpi_view_sql = VIEW_SQL
    _order = 'date desc, route_id, partner_id'
    _rec_name = 'picking_id'

    date = fields.Date(
        string='Delivery Date', readonly=True,
        help="The delivery day of its batch (for a failed delivery, of its last attempt), "
             "else the scheduled day, in the company's time zone.")
    month = fields.Date(readonly=True, help="The first day of the delivery day's month.")
    company_id = fields.Many2one('res.company', readonly=True)
    picking_id = fields.Many2one('stock.picking', string='Delivery Order', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    route_id = fields.Many2one('crm.visit.route', string='Route', readonly=True,
                               help="The route of the delivery batch, else the customer's "
                                    "route.")
    batch_id = fields.Many2one('stock.picking.batch', string='Delivery Batch', readonly=True,
                               help="The batch of the delivery, or of its last attempt.")
    user_id = fields.Many2one('res.users', string='Account Manager', readonly=True)
    tier_id = fields.Many2one('crm.tier', string='Tier', readonly=True,
                              help="The customer's current tier in the company's primary "
                                   "scheme.")
    delivery_count = fields.Integer(string='Deliveries', readonly=True)
    delivered = fields.Integer(readonly=True, help="1 when the delivery order is done "
                                                   "(fully or partly delivered).")
    failed = fields.Integer(readonly=True, help="1 when the last attempt failed and the "
                                                "delivery order is not done.")
    on_time = fields.Integer(readonly=True,
                             help="1 when done on or before its delivery date, in the "
                                  "company's time zone.")
    attempted = fields.Integer(readonly=True,
                               help="1 when a delivery attempt was recorded or the delivery "
                                    "order is done.")
    attempts = fields.Integer(readonly=True, help="Delivery attempts recorded.")
    first_attempt_success = fields.Integer(
        string='First Attempt Succeeded', readonly=True,
        help="1 when the first attempt delivered, fully or partly; a delivery order "
             "validated without a recorded stop outcome succeeded at its first attempt.")
    ordered_qty = fields.Float(
        string='Ordered Quantity', readonly=True,
        help="The quantity the delivery order was to deliver, in the products' units, "
             "including what a partial delivery left to its backorders.")
    delivered_qty = fields.Float(string='Delivered Quantity', readonly=True,
                                 help="The quantity delivered, in the products' units.")

    @api.model
    def _kpi_sheets(self, period):
        domain = self._kpi_domain(period)
        totals, by_month, by_tier = self._kpi_groupings(
            domain, [[], ['month'], ['tier_id']], DELIVERY_AGGREGATES)
        deliveries, delivered, failed, on_time, attempted, first, ordered, done_qty, \
            batches = totals[0]
        section = _('Delivery')
        figures = [
            Figure(section, _('Delivery batches'), batches, 'int'),
            Figure(section, _('Deliveries'), deliveries, 'int'),
            Figure(section, _('Delivered'), delivered, 'int'),
            Figure(section, _('Failed, to plan again'), failed, 'int'),
            Figure(section, _('On-time delivery %'), share(on_time, delivered), 'percent'),
            Figure(section, _('First-attempt success %'), share(first, attempted), 'percent'),
            Figure(section, _('Fill rate'), share(done_qty, ordered), 'percent'),
        ]
        Failure = self.env['crm.kpi.delivery.failure']
        return figures, [self._kpi_month_sheet(by_month), self._kpi_tier_sheet(by_tier),
                         Failure._kpi_reason_sheet(Failure._kpi_domain(period))]

    @staticmethod
    def _kpi_ratios(deliveries, delivered, failed, on_time, attempted, first, ordered,
                    done_qty):
        return (deliveries, delivered, failed, share(on_time, delivered),
                share(first, attempted), ordered, done_qty, share(done_qty, ordered))

    def _kpi_columns(self):
        return [column(_('Deliveries'), 'int'), column(_('Delivered'), 'int'),
                column(_('Failed'), 'int'), column(_('On-Time %'), 'percent'),
                column(_('First-Attempt Success %'), 'percent'),
                column(_('Ordered Quantity'), 'number'),
                column(_('Delivered Quantity'), 'number'), column(_('Fill Rate'), 'percent')]

    def _kpi_month_sheet(self, by_month):
        rows = [(month, batches) + self._kpi_ratios(*values)
                for month, *values, batches in by_month]
        columns = [column(_('Month'), 'date'), column(_('Batches'), 'int')] \
            + self._kpi_columns()
        charts = [Chart('column', _('Deliveries by month'), 0, [2, 3]),
                  Chart('line', _('On time, first attempt and fill rate by month'), 0,
                        [5, 6, 9])]
        return Sheet(_('Delivery by Month'), columns, rows, charts)

    def _kpi_tier_sheet(self, by_tier):
        data = largest_first(by_tier, 1)  # most deliveries first, then by tier
        names = self._kpi_names('crm.tier', [row[0] for row in data])
        rows = [(names[tier],) + self._kpi_ratios(*values) for tier, *values, _batches in data]
        columns = [column(_('Tier'))] + self._kpi_columns()
        charts = [Chart('column', _('Fill rate and on time by tier'), 0, [8, 4])]
        return Sheet(_('Delivery by Tier'), columns, rows, charts)
