import datetime
import logging
import threading
from collections import defaultdict

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html_escape

from ..lib import batching
from .stock_picking import OPEN_BATCH_STATES

_logger = logging.getLogger(__name__)

# The open delivery orders of sale orders whose customer is a stop of one of the
# routes, due on or before the delivery day in the company's time zone. Failed
# ones wait for "Plan Again"; one attempted on a day waits for a later day.
CANDIDATE_QUERY = """
SELECT sp.id, st.route_id, st.sequence, p.commercial_partner_id, sp.priority, t.rank
  FROM stock_picking sp
  JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
  JOIN res_partner p ON p.id = sp.partner_id
  JOIN crm_visit_route_stop st
    ON st.partner_id = p.commercial_partner_id AND st.company_id = sp.company_id
  JOIN res_company c ON c.id = st.company_id
  JOIN res_partner cp ON cp.id = c.partner_id
  JOIN res_partner customer ON customer.id = p.commercial_partner_id
  LEFT JOIN crm_tier t ON t.id = customer.tier_id
 WHERE st.route_id = ANY(%(routes)s)
   AND spt.code = 'outgoing'
   AND sp.sale_id IS NOT NULL
   AND sp.state NOT IN ('draft', 'done', 'cancel')
   AND sp.batch_id IS NULL
   AND sp.delivery_outcome IS DISTINCT FROM 'failed'
   AND (sp.delivery_last_date IS NULL OR sp.delivery_last_date < %(date)s)
   AND (sp.scheduled_date AT TIME ZONE 'UTC'
        AT TIME ZONE coalesce(nullif(cp.tz, ''), 'UTC'))::date <= %(date)s
"""

# Per batch: successful attempts, failed attempts, first attempts, successful first attempts.
COUNT_QUERY = """
SELECT batch_id,
       count(*) FILTER (WHERE outcome != 'failed'),
       count(*) FILTER (WHERE outcome = 'failed'),
       count(*) FILTER (WHERE attempt = 1),
       count(*) FILTER (WHERE attempt = 1 AND outcome != 'failed')
  FROM crm_delivery_attempt
 WHERE batch_id = ANY(%s)
 GROUP BY batch_id
"""


class StockPickingBatch(models.Model):
    """A route's deliveries of one day (配送批次), on Odoo's batch picking."""

    _inherit = 'stock.picking.batch'

    route_id = fields.Many2one('crm.visit.route', string='Route', index=True,
                               track_visibility='onchange', ondelete='restrict')
    delivery_date = fields.Date(index=True,
                                track_visibility='onchange')
    company_id = fields.Many2one(
        'res.company', string='Company', required=True, index=True,
        default=lambda self: self.env['res.company']._company_default_get(
            'stock.picking.batch'))
    attempt_ids = fields.One2many('crm.delivery.attempt', 'batch_id', string='Delivery Attempts',
                                  readonly=True, groups='crm_service.group_service_delivery')
    stop_count = fields.Integer(string='Deliveries', compute='_compute_delivery_figures')
    delivered_count = fields.Integer(string='Delivered', compute='_compute_delivery_figures')
    failed_count = fields.Integer(string='Failed', compute='_compute_delivery_figures')
    first_attempt_rate = fields.Float(
        string='First-Attempt Success (%)', digits=(16, 1),
        compute='_compute_delivery_figures',
        help="Share of the first attempts in this batch that delivered, fully or partly.")

    @api.model_cr
    def init(self):
        result = super().init()
        # One open batch per route and day, also when two plannings run at once.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS stock_picking_batch_route_day_open_uniq
                ON stock_picking_batch (route_id, delivery_date)
             WHERE route_id IS NOT NULL AND state IN ('draft', 'in_progress')""")
        return result

    @api.depends('picking_ids', 'attempt_ids')
    def _compute_delivery_figures(self):
        ids = [batch_id for batch_id in self.ids if isinstance(batch_id, int)]
        figures = {}
        if ids:
            self.env.cr.execute(COUNT_QUERY, [ids])
            figures = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for batch in self:
            done, failed, first, first_done = figures.get(batch.id, (0, 0, 0, 0))
            # Failed deliveries have left the batch; they still were its stops.
            batch.stop_count = len(batch.picking_ids) + failed
            batch.delivered_count = done
            batch.failed_count = failed
            batch.first_attempt_rate = 100.0 * first_done / first if first else 0.0

    @api.constrains('route_id', 'company_id')
    def _check_route_company(self):
        for batch in self:
            if batch.route_id and batch.route_id.company_id != batch.company_id:
                raise ValidationError(_("Delivery batch %s and its route belong to different "
                                        "companies.") % batch.name)

    # -- planning ------------------------------------------------------------------

    @api.model
    def _company_tomorrow(self, company):
        """The day after today in the company's time zone (its partner's)."""
        tz = company.partner_id.tz or 'UTC'
        today = fields.Date.from_string(fields.Date.context_today(self.with_context(tz=tz)))
        return today + datetime.timedelta(days=1)

    @api.model
    def _plan_route_deliveries(self, delivery_date, routes, savepoints=False):
        """Put the due delivery orders of ``routes`` into one open batch per route for
        ``delivery_date``. Building again adds the new orders to the same batch.
        Return the batches that got orders or a note."""
        date = fields.Date.to_string(delivery_date) if not isinstance(delivery_date, str) \
            else delivery_date
        if not routes:
            return self.browse()
        self.env.cr.execute(CANDIDATE_QUERY, {'routes': routes.ids, 'date': date})
        rows_by_route = defaultdict(list)
        for row in self.env.cr.fetchall():
            rows_by_route[row[1]].append(row)
        batches = self.browse()
        for route in routes.filtered(lambda r: r.id in rows_by_route):
            if not savepoints:
                batches |= self._plan_route(route, date, rows_by_route[route.id])
                continue
            try:
                with self.env.cr.savepoint():
                    batches |= self._plan_route(route, date, rows_by_route[route.id])
            except (UserError, ValidationError, psycopg2.IntegrityError) as error:
                _logger.warning("Deliveries of route %s for %s not planned: %s",
                                route.code, date, getattr(error, 'name', error))
        return batches

    def _plan_route(self, route, date, rows):
        """rows: (picking, route, stop sequence, customer, priority, tier rank)."""
        rows = sorted(rows, key=lambda row: batching.priority_key(row[4], row[5], row[2],
                                                                  row[0]))
        batch = self.search([('route_id', '=', route.id), ('delivery_date', '=', date),
                             ('state', 'in', OPEN_BATCH_STATES)], limit=1)
        present = batch.picking_ids.mapped('partner_id.commercial_partner_id').ids
        kept, left = batching.fit_capacity([(row[0], row[3]) for row in rows],
                                           route.delivery_capacity, present)
        if kept and not batch:
            batch = self.create({
                'route_id': route.id, 'delivery_date': date, 'company_id': route.company_id.id,
                'user_id': route.driver_id.id})
        if kept:
            pickings = self.env['stock.picking'].browse(kept)
            pickings.write({'batch_id': batch.id})
            sequence = {row[0]: row[2] for row in rows}
            self.env.cr.execute("""
                UPDATE stock_picking sp SET route_sequence = s.sequence
                  FROM unnest(%s::int[], %s::int[]) AS s(id, sequence)
                 WHERE sp.id = s.id""", [kept, [sequence[picking_id] for picking_id in kept]])
            pickings.invalidate_cache(['route_sequence'], kept)
            if batch.state == 'in_progress':
                pickings.action_assign()
        if left:
            names = self.env['stock.picking'].browse(left).mapped(
                lambda p: '%s (%s)' % (p.name, p.partner_id.commercial_partner_id.name))
            batch.message_post(subtype='mail.mt_note', body=html_escape(
                _("Over the capacity of %(capacity)d stops, left for a later day: %(orders)s")
                % {'capacity': route.delivery_capacity, 'orders': ', '.join(names)}))
        return batch

    @api.model
    def _cron_plan_deliveries(self):
        """Tomorrow's batches of every route, one committed transaction per company.
        Planning twice changes nothing, so a rerun after a crash resumes."""
        testing = getattr(threading.currentThread(), 'testing', False)
        Route = self.env['crm.visit.route']
        for company in Route.search([]).mapped('company_id'):
            routes = Route.search([('company_id', '=', company.id)])
            self._plan_route_deliveries(self._company_tomorrow(company), routes,
                                        savepoints=True)
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    # -- outcomes ------------------------------------------------------------------

    def _close_if_finished(self):
        """A route batch whose stops all have an outcome is done."""
        finished = self.filtered(lambda batch: batch.route_id
                                 and batch.state in OPEN_BATCH_STATES
                                 and all(p.state in ('done', 'cancel')
                                         for p in batch.picking_ids))
        if finished:
            finished.write({'state': 'done'})
