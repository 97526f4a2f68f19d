import io
from collections import defaultdict

import openpyxl
import pytz

from odoo import fields
from odoo.addons.crm_kpi.models.crm_kpi_report import Period
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase

# Delivery days far from the demo data's dates: the company-wide sheets hold only
# these deliveries.
DAY1, DAY2 = '2031-02-10', '2031-03-03'
FEB, MAR = '2031-02-01', '2031-03-01'
TZ = 'Asia/Shanghai'


class TestKpiDelivery(SavepointCase):
    """The delivery KPI against the delivery orders, moves and attempts of route
    deliveries recorded with the stops' buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.company.partner_id.tz = TZ
        cls.product = env['product.product'].create({
            'name': 'KPI delivery tea', 'type': 'consu', 'list_price': 10,
            'taxes_id': [(6, 0, [])]})
        policy = env['crm.tier.policy'].create({
            'name': 'KPI delivery policy', 'company_id': cls.company.id, 'credit_limit': 0})
        env['crm.tier.scheme'].with_context(active_test=False).search([]).write(
            {'is_primary': False})
        scheme = env['crm.tier.scheme'].create({
            'name': 'KPI delivery scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [(0, 0, {'name': name, 'code': name, 'rank': rank,
                                 'lower_bound': bound, 'policy_id': policy.id})
                         for name, rank, bound in [('KDA', 1, 100), ('KDB', 2, 0)]]})
        cls.tier_a, cls.tier_b = scheme.tier_ids.sorted('rank')
        Partner = env['res.partner']
        s0, s1, s2, s3 = cls.shops = [
            Partner.create({'name': 'KPI delivery shop %d' % i, 'customer': True,
                            'is_company': True}) for i in range(4)]
        cls.partners = s0 | s1 | s2 | s3
        for shop, tier in [(s0, cls.tier_a), (s1, cls.tier_b), (s3, cls.tier_a)]:
            scheme._upsert_member(shop, tier, 'ranked')
        cls.am = new_user(env, 'kpi_delivery_am', 'crm_service.group_service_user')
        Route = env['crm.visit.route']
        cls.route = Route.create({
            'code': 'KD1', 'name': 'KPI delivery north', 'user_id': cls.am.id,
            'visit_mon': True,
            'stop_ids': [(0, 0, {'sequence': i, 'partner_id': p.id})
                         for i, p in enumerate([s0, s1, s2], start=1)]})
        cls.route2 = Route.create({
            'code': 'KD2', 'name': 'KPI delivery south', 'user_id': cls.am.id,
            'visit_tue': True, 'stop_ids': [(0, 0, {'partner_id': s3.id})]})
        Reason = env['crm.delivery.failure.reason']
        cls.closed = env.ref('crm_service.delivery_failure_shop_closed')
        cls.absent = Reason.search([('code', '=', 'ABSENT')], limit=1)
        Batch = env['stock.picking.batch']

        # Day 1: p0 delivered late (after midnight in Shanghai), p1 partly delivered in
        # time (its backorder goes on day 2), p2 fails and is planned again, p6 and p3
        # fail and wait, p7 is cancelled in the batch.
        cls.p0, cls.p1, cls.p2, cls.p3, cls.p6, cls.p7 = (
            cls.picking(shop, qty) for shop, qty in
            [(s0, 5), (s1, 5), (s2, 4), (s3, 3), (s0, 2), (s0, 1)])
        Batch._plan_route_deliveries(DAY1, cls.route | cls.route2)
        cls.batch1, cls.batch_south = cls.p0.batch_id, cls.p3.batch_id
        cls.p7.action_cancel()
        cls.p0._action_delivery_delivered()
        cls.p0.date_done = '2031-02-10 17:00:00'
        cls.p1.action_assign()
        cls.p1.move_line_ids.write({'qty_done': 2})
        cls.bo1 = cls.p1._action_delivery_partial()
        cls.p1.date_done = '2031-02-10 03:00:00'
        cls.p2._action_delivery_failed(cls.closed)
        cls.p6._action_delivery_failed(cls.closed)
        cls.p3._action_delivery_failed(cls.absent)
        cls.p2._action_delivery_replan()

        # Day 2: p2 (second attempt), the backorder of p1, and p8 partly delivered
        # whose backorder is cancelled. p4 is delivered without a batch, p5 is open.
        cls.p8 = cls.picking(s1, 4)
        Batch._plan_route_deliveries(DAY2, cls.route)
        cls.batch2 = cls.p2.batch_id
        cls.p2._action_delivery_delivered()
        cls.bo1._action_delivery_delivered()
        cls.p8.action_assign()
        cls.p8.move_line_ids.write({'qty_done': 1})
        cls.p8._action_delivery_partial().action_cancel()
        for picking in cls.p2 | cls.bo1 | cls.p8:
            picking.date_done = '2031-03-03 02:00:00'
        cls.p4 = cls.picking(s3, 6)
        cls.p4.scheduled_date = '2031-02-28 17:00:00'    # 1 March in Shanghai
        cls.p4.action_assign()
        for line in cls.p4.move_line_ids:
            line.qty_done = line.product_uom_qty
        cls.p4.action_done()
        cls.p4.date_done = '2031-02-28 20:00:00'
        cls.p5 = cls.picking(s1, 1)

    @classmethod
    def picking(cls, shop, qty):
        order = cls.env['sale.order'].create({
            'partner_id': shop.id,
            'order_line': [(0, 0, {'product_id': cls.product.id, 'product_uom_qty': qty,
                                   'price_unit': 10, 'tax_id': [(6, 0, [])]})]})
        order.action_confirm()
        return order.picking_ids.filtered(lambda p: p.picking_type_code == 'outgoing')

    # -- the independent computation ----------------------------------------------

    def local_date(self, moment):
        utc = pytz.utc.localize(fields.Datetime.from_string(moment))
        return fields.Date.to_string(utc.astimezone(pytz.timezone(TZ)).date())

    def backorder_qty(self, picking):
        backorders = self.env['stock.picking'].search([('backorder_id', '=', picking.id)])
        return sum(backorders.mapped('move_lines.product_qty')) + sum(
            self.backorder_qty(backorder) for backorder in backorders)

    def expected_rows(self):
        """{picking: figures} from the pickings, moves and attempts."""
        Attempt = self.env['crm.delivery.attempt']
        pickings = self.env['stock.picking'].search([
            ('partner_id', 'in', self.partners.ids), ('picking_type_code', '=', 'outgoing'),
            ('state', '!=', 'cancel')])
        rows = {}
        for picking in pickings:
            attempts = Attempt.search([('picking_id', '=', picking.id)],
                                      order='attempt desc, id desc')
            if not (picking.state == 'done' or picking.batch_id.route_id or attempts):
                continue
            batch = picking.batch_id or attempts[:1].batch_id
            date = picking.batch_id.delivery_date or attempts[:1].delivery_date \
                or self.local_date(picking.scheduled_date)
            done = picking.state == 'done'
            first = attempts.filtered(lambda a: a.attempt == 1)
            rows[picking.id] = {
                'date': date, 'month': date[:8] + '01', 'batch': batch.id,
                'tier': picking.partner_id.tier_id.id,
                'deliveries': 1, 'delivered': int(done),
                'failed': int(not done and picking.delivery_outcome == 'failed'),
                'on_time': int(done and self.local_date(picking.date_done) <= date),
                'attempted': int(bool(attempts) or done), 'attempts': len(attempts),
                'first': int(bool(first) and first.outcome != 'failed'
                             or not attempts and done),
                'ordered': sum(picking.move_lines.filtered(
                    lambda m: m.state != 'cancel').mapped('product_qty'))
                + self.backorder_qty(picking),
                'delivered_qty': sum(
                    line.product_uom_id._compute_quantity(line.qty_done,
                                                          line.product_id.uom_id)
                    for line in picking.move_line_ids if line.move_id.state == 'done'),
            }
        return rows

    def totals(self, rows, key):
        """The rows' figures summed per ``key``; ordered quantities of delivered ones."""
        totals = defaultdict(lambda: defaultdict(float))
        batches = defaultdict(set)
        for row in rows.values():
            total = totals[row[key]]
            for name in ('deliveries', 'delivered', 'failed', 'on_time', 'attempted',
                         'first', 'delivered_qty'):
                total[name] += row[name]
            if row['delivered']:
                total['ordered'] += row['ordered']
            if row['batch']:
                batches[row[key]].add(row['batch'])
        for value, total in totals.items():
            total['batches'] = len(batches[value])
        return totals

    # -- reconciliation ------------------------------------------------------------

    def test_rows_reconcile_with_pickings_moves_and_attempts(self):
        expected = self.expected_rows()
        self.assertEqual(set(expected), set(
            (self.p0 | self.p1 | self.p2 | self.p3 | self.p6 | self.bo1 | self.p8
             | self.p4).ids))
        rows = self.env['crm.kpi.delivery'].search([('partner_id', 'in', self.partners.ids)])
        self.assertEqual(set(rows.ids), set(expected))
        for row in rows:
            want = expected[row.id]
            got = {
                'date': row.date, 'month': row.month, 'batch': row.batch_id.id,
                'tier': row.tier_id.id, 'deliveries': row.delivery_count,
                'delivered': row.delivered, 'failed': row.failed, 'on_time': row.on_time,
                'attempted': row.attempted, 'attempts': row.attempts,
                'first': row.first_attempt_success, 'ordered': row.ordered_qty,
                'delivered_qty': row.delivered_qty}
            for name, value in got.items():
                self.assertAlmostEqual(value, want[name], msg='%s of %s' % (
                    name, row.picking_id.name))
            self.assertEqual(row.picking_id.id, row.id)

    def test_edge_cases(self):
        Row = self.env['crm.kpi.delivery']
        p0, p1, p2, p3, p6, bo1, p8, p4 = (Row.browse(p.id) for p in (
            self.p0, self.p1, self.p2, self.p3, self.p6, self.bo1, self.p8, self.p4))
        # Done at 01:00 on the next day in Shanghai: late; 11:00 the same day: in time.
        self.assertEqual((p0.delivered, p0.on_time), (1, 0))
        self.assertEqual((p1.delivered, p1.on_time), (1, 1))
        # A partial delivery was to deliver what its backorder took over.
        self.assertEqual((p1.ordered_qty, p1.delivered_qty), (5, 2))
        self.assertEqual((bo1.ordered_qty, bo1.delivered_qty, bo1.date), (3, 3, DAY2))
        self.assertEqual((p8.ordered_qty, p8.delivered_qty), (4, 1))   # backorder cancelled
        # Failed, planned again and delivered: second attempt, on its new batch's day.
        self.assertEqual((p2.date, p2.batch_id, p2.attempts, p2.first_attempt_success,
                          p2.route_id), (DAY2, self.batch2, 2, 0, self.route))
        self.assertFalse(p2.tier_id)
        # Failed and waiting: on its attempt's day and batch.
        self.assertEqual((p6.failed, p6.date, p6.batch_id, p6.delivered),
                         (1, DAY1, self.batch1, 0))
        self.assertEqual((p3.failed, p3.route_id, p3.tier_id), (1, self.route2, self.tier_a))
        # Delivered without a batch: the scheduled day in Shanghai, the customer's route.
        self.assertEqual((p4.date, p4.batch_id.id, p4.route_id, p4.attempted, p4.on_time),
                         ('2031-03-01', False, self.route2, 1, 1))
        self.assertEqual((p4.attempts, p4.first_attempt_success), (0, 1))
        self.assertEqual(p0.user_id, self.am)
        # Cancelled and open (never planned) delivery orders are no deliveries.
        self.assertFalse(Row.search([('picking_id', 'in', (self.p7 | self.p5).ids)]))

    def test_failures_reconcile_with_attempts(self):
        attempts = self.env['crm.delivery.attempt'].search([
            ('partner_id', 'in', self.partners.ids), ('outcome', '=', 'failed')])
        rows = self.env['crm.kpi.delivery.failure'].search([
            ('partner_id', 'in', self.partners.ids)])
        self.assertEqual(sorted(rows.ids), sorted(attempts.ids))
        by_reason = defaultdict(int)
        for attempt in attempts:
            by_reason[attempt.reason_id.id] += 1
        self.assertEqual(by_reason, {self.closed.id: 2, self.absent.id: 1})
        for row in rows:
            attempt = attempts.browse(row.id)
            self.assertEqual((row.reason_id, row.date, row.batch_id, row.route_id,
                              row.failure_count),
                             (attempt.reason_id, attempt.delivery_date, attempt.batch_id,
                              attempt.route_id, 1))

    # -- sheets --------------------------------------------------------------------

    def test_sheets(self):
        period = Period(self.company, '2031-02-01', '2031-03-31')
        figures, sheets = self.env['crm.kpi.delivery']._kpi_sheets(period)
        expected = self.expected_rows()
        months = self.totals(expected, 'month')
        values = {figure.label: figure.value for figure in figures}
        self.assertEqual(values['Delivery batches'], 3)
        self.assertEqual(values['Deliveries'], 8)
        self.assertEqual(values['Delivered'], 6)
        self.assertEqual(values['Failed, to plan again'], 2)
        self.assertAlmostEqual(values['On-time delivery %'], 5 / 6)
        self.assertAlmostEqual(values['First-attempt success %'], 5 / 8)
        self.assertAlmostEqual(values['Fill rate'], (7 + 14) / (10 + 17))

        self.assertEqual([sheet.title for sheet in sheets],
                         ['Delivery by Month', 'Delivery by Tier', 'Delivery Failure Reasons'])
        month = sheets[0]
        self.assertEqual([c.label for c in month.columns], [
            'Month', 'Batches', 'Deliveries', 'Delivered', 'Failed', 'On-Time %',
            'First-Attempt Success %', 'Ordered Quantity', 'Delivered Quantity', 'Fill Rate'])
        self.assertEqual([chart.kind for chart in month.charts], ['column', 'line'])
        self.assertEqual([row[0] for row in month.rows], [FEB, MAR])
        for row in month.rows:
            want = months[row[0]]
            self.assertEqual(row[1], want['batches'])
            self.assertEqual(row[2:5], (want['deliveries'], want['delivered'], want['failed']))
            self.assertAlmostEqual(row[5], want['on_time'] / want['delivered'])
            self.assertAlmostEqual(row[6], want['first'] / want['attempted'])
            self.assertAlmostEqual(row[7], want['ordered'])
            self.assertAlmostEqual(row[8], want['delivered_qty'])
            self.assertAlmostEqual(row[9], want['delivered_qty'] / want['ordered'])
        # Written out: February 2 batches, 4 deliveries, 2 delivered, 2 failed, 1 of 2 in
        # time, 2 of 4 first attempts, 7 of 10; March 1 batch, 4 of 4 delivered in time,
        # 3 of 4 first attempts (p4 was validated without a stop outcome), 14 of 17.
        self.assertEqual(month.rows[0][1:5], (2, 4, 2, 2))
        self.assertEqual(month.rows[0][5:10], (0.5, 0.5, 10, 7, 0.7))
        self.assertEqual(month.rows[1][1:5], (1, 4, 4, 0))
        self.assertAlmostEqual(month.rows[1][6], 3 / 4)
        self.assertAlmostEqual(month.rows[1][9], 14 / 17)

        tiers = {row[0]: row for row in sheets[1].rows}
        self.assertEqual(set(tiers), {'KDA', 'KDB', 'None'})
        self.assertEqual(tiers['KDA'][1:4], (4, 2, 2))
        self.assertEqual((tiers['KDA'][4], tiers['KDA'][8]), (0.5, 1.0))
        self.assertAlmostEqual(tiers['KDA'][5], 2 / 4)
        self.assertEqual(tiers['KDB'][1:5], (3, 3, 0, 1.0))
        self.assertEqual(tiers['KDB'][6:9], (12, 6, 0.5))
        self.assertEqual(len(sheets[1].charts), 1)

        reasons = sheets[2]
        self.assertEqual([c.label for c in reasons.columns],
                         ['Failure Reason', 'Failures', 'Share of Failures'])
        self.assertEqual([(row[0], row[1]) for row in reasons.rows],
                         [(self.closed.name, 2), (self.absent.name, 1)])
        self.assertAlmostEqual(reasons.rows[0][2], 2 / 3)
        self.assertEqual(reasons.charts[0].kind, 'pie')

    # -- access --------------------------------------------------------------------

    def test_viewer_reads_own_company_only(self):
        viewer = new_user(self.env, 'kpi_delivery_viewer', 'crm_kpi.group_kpi_user')
        period = Period(self.company, '2031-02-01', '2031-03-31')
        Delivery = self.env['crm.kpi.delivery'].sudo(viewer)
        rows = Delivery.search([('partner_id', 'in', self.partners.ids)])
        self.assertEqual(len(rows), 8)
        rows.read(['route_id', 'tier_id', 'batch_id', 'picking_id', 'user_id'])
        Failure = self.env['crm.kpi.delivery.failure'].sudo(viewer)
        self.assertEqual(len(Failure.search([('partner_id', 'in', self.partners.ids)])), 3)
        figures, sheets = Delivery._kpi_sheets(period)
        self.assertEqual({row[0] for row in sheets[2].rows},
                         {self.closed.name, self.absent.name})

        other = self.env['res.company'].create({'name': 'KPI delivery other company'})
        foreign = new_user(self.env, 'kpi_delivery_foreign', 'crm_kpi.group_kpi_user',
                           company=other)
        self.assertFalse(self.env['crm.kpi.delivery'].sudo(foreign).search(
            [('company_id', '=', self.company.id)]))
        self.assertFalse(self.env['crm.kpi.delivery.failure'].sudo(foreign).search(
            [('company_id', '=', self.company.id)]))
        figures, sheets = self.env['crm.kpi.delivery'].sudo(foreign)._kpi_sheets(period)
        self.assertEqual({f.label: f.value for f in figures}['Deliveries'], 0)
        self.assertFalse(sheets[0].rows)
        self.assertFalse(sheets[2].rows)

    def test_workbook_sections(self):
        """The viewer exports the visit and delivery sections: their sheets follow
        the summary in the sections' order, with the delivery figures."""
        sections = self.env.ref('crm_kpi.section_delivery') | self.env.ref(
            'crm_kpi.section_visits')
        self.assertEqual(sections.mapped('sequence'), [40, 30])
        viewer = new_user(self.env, 'kpi_delivery_book', 'crm_kpi.group_kpi_user')
        content = self.env['crm.kpi.workbook'].sudo(viewer)._workbook(
            self.company, '2031-02-01', '2031-03-31', sections.sudo(viewer))
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        self.assertEqual(book.sheetnames[1:], [
            'Visits by Month', 'Visits by Route', 'Visits by Account Manager',
            'Visits by Tier', 'Delivery by Month', 'Delivery by Tier',
            'Delivery Failure Reasons'])
        summary = {row[1]: row[2] for row in book[book.sheetnames[0]].iter_rows(
            values_only=True) if len(row) > 2}
        self.assertEqual(summary['Deliveries'], 8)
        self.assertAlmostEqual(summary['Fill rate'], 21 / 27)
        reasons = list(book['Delivery Failure Reasons'].iter_rows(values_only=True))
        self.assertEqual(reasons[1][:2], (self.closed.name, 2))
