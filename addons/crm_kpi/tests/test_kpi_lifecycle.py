import datetime

import pytz
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase

from ..models.crm_kpi_report import Period

TZ = 'Asia/Shanghai'  # UTC+8, no daylight saving
VIEWER = 'crm_kpi.group_kpi_user'


def utc(*args):
    return fields.Datetime.to_string(datetime.datetime(*args))


def local_day(value):
    moment = pytz.utc.localize(fields.Datetime.from_string(value))
    return moment.astimezone(pytz.timezone(TZ)).date()


class TestKpiLifecycle(SavepointCase):
    """The lifecycle views and sheets against the events, replayed here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env['res.company'].create({'name': 'KPI Lifecycle Co'})
        cls.company.partner_id.tz = TZ
        cls.company.lifecycle_risk_threshold = 60
        Stage = env['crm.lifecycle.stage']
        cls.stages = {code: Stage._by_code(code) for code in (
            'exploration', 'development', 'stable', 'decline', 'churned', 'won_back')}
        cls.viewer = new_user(env, 'kl_viewer', VIEWER, company=cls.company)
        Partner = env['res.partner']

        def shop(name, company=None):
            return Partner.create({'name': name, 'customer': True, 'is_company': True,
                                   'company_id': (company or cls.company).id})
        cls.a = shop('KL twice in February')
        cls.b = shop('KL churned and won back')
        cls.c = shop('KL churned from the start')
        cls.d = shop('KL churned and back in May')
        cls.e = shop('KL churned for good')
        cls.partners = cls.a | cls.b | cls.c | cls.d | cls.e
        cls.other_company = env['res.company'].create({'name': 'KPI Lifecycle Other Co'})
        cls.other_shop = shop('KL other company shop', cls.other_company)
        cls.other_viewer = new_user(env, 'kl_other_viewer', VIEWER, company=cls.other_company)

        # Only the engine writes rule and initial moves: as superuser here.
        Event = env['crm.lifecycle.event']
        cls.events = Event

        def move(partner, date, to, source=None, origin='rule', company=None):
            cls.events |= Event.create({
                'partner_id': partner.id, 'company_id': (company or cls.company).id,
                'from_stage_id': source and cls.stages[source].id,
                'to_stage_id': cls.stages[to].id, 'origin': origin, 'date': date,
                'reason': 'KPI test'})
        move(cls.a, utc(2025, 1, 10, 2), 'exploration', origin='initial')
        move(cls.a, utc(2025, 2, 3, 2), 'development', 'exploration')
        # 23:00 in Shanghai on 28 February: still February.
        move(cls.a, utc(2025, 2, 28, 15), 'stable', 'development', origin='manual')
        move(cls.b, utc(2025, 1, 5, 2), 'development', origin='initial')
        move(cls.b, utc(2025, 3, 10, 2), 'decline', 'development')
        move(cls.b, utc(2025, 4, 12, 2), 'churned', 'decline')
        move(cls.b, utc(2025, 6, 3, 2), 'won_back', 'churned')
        move(cls.c, utc(2025, 2, 1, 2), 'churned', origin='initial')
        # 00:30 on 1 April in Shanghai: an April move out of Churned.
        move(cls.c, utc(2025, 3, 31, 16, 30), 'development', 'churned')
        move(cls.d, utc(2025, 1, 20, 2), 'stable', origin='initial')
        move(cls.d, utc(2025, 5, 2, 2), 'churned', 'stable')
        move(cls.d, utc(2025, 5, 20, 2), 'decline', 'churned')
        move(cls.e, utc(2025, 1, 15, 2), 'churned', origin='initial')
        move(cls.other_shop, utc(2025, 2, 10, 2), 'churned', 'stable',
             company=cls.other_company)
        # Churn risk is written by the recompute's SQL only.
        for partner, risk in ((cls.a, 70), (cls.b, 59), (cls.d, 60), (cls.e, 99),
                              (cls.other_shop, 90)):
            env.cr.execute("UPDATE res_partner SET churn_risk = %s WHERE id = %s",
                           [risk, partner.id])
        cls.period = Period(cls.company, '2025-01-01', '2025-06-30')

    # -- the independent computation ------------------------------------------

    def churned(self, stage):
        return bool(stage) and (stage.code == 'churned' or stage.is_churned)

    def current_month(self, today=None):
        now = pytz.utc.localize(datetime.datetime.utcnow()).astimezone(pytz.timezone(TZ))
        return now.date().replace(day=1)

    def expected_stage_rows(self, partners):
        """{(partner id, month): (stage id, active at start, churned in month)}, by
        replaying each customer's events month by month."""
        rows = {}
        current = self.current_month()
        for partner in partners:
            events = self.events.filtered(lambda e: e.partner_id == partner).sorted(
                lambda e: (e.date, e.id))
            month = local_day(events[0].date).replace(day=1)
            previous = None
            while month <= current:
                upto = [e for e in events if local_day(e.date).replace(day=1) <= month]
                stage = upto[-1].to_stage_id
                churned = any(self.churned(e.to_stage_id) and e.from_stage_id
                              and not self.churned(e.from_stage_id)
                              for e in events if local_day(e.date).replace(day=1) == month)
                active = bool(previous) and not self.churned(previous)
                rows[(partner.id, fields.Date.to_string(month))] = (
                    stage.id, int(active), int(active and churned))
                previous = stage
                month += relativedelta(months=1)
        return rows

    def stage_rows(self, user=None, partners=None):
        View = self.env['crm.kpi.lifecycle.stage']
        if user:
            View = View.sudo(user)
        rows = View.search_read(
            [('partner_id', 'in', (partners or self.partners | self.other_shop).ids)],
            ['partner_id', 'date', 'stage_id', 'active_start_count', 'churned_count',
             'customer_count', 'is_current', 'at_risk', 'company_id'])
        return rows

    # -- reconciliation --------------------------------------------------------

    def test_stage_rows_reconcile_with_the_events(self):
        rows = self.stage_rows()
        got = {(row['partner_id'][0], row['date']):
               (row['stage_id'][0], row['active_start_count'], row['churned_count'])
               for row in rows}
        self.assertEqual(len(got), len(rows), "one row per customer and month")
        self.assertEqual(got, self.expected_stage_rows(self.partners | self.other_shop))
        self.assertTrue(all(row['customer_count'] == 1 for row in rows))
        current = fields.Date.to_string(self.current_month())
        self.assertEqual({row['date'] for row in rows if row['is_current']}, {current})

    def test_stage_edge_cases(self):
        got = {(row['partner_id'][0], row['date']): row for row in self.stage_rows()}
        stage = {key: row['stage_id'][0] for key, row in got.items()}
        # Two moves in February: the last one holds at the month's end.
        self.assertEqual(stage[(self.a.id, '2025-02-01')], self.stages['stable'].id)
        self.assertEqual(stage[(self.a.id, '2025-01-01')], self.stages['exploration'].id)
        # No row before the first move; stages carry over months without moves.
        self.assertNotIn((self.c.id, '2025-01-01'), got)
        self.assertEqual(stage[(self.b.id, '2025-05-01')], self.stages['churned'].id)
        self.assertEqual(stage[(self.b.id, '2025-06-01')], self.stages['won_back'].id)
        # The move of 1 April (Shanghai) counts for April, not March.
        self.assertEqual(stage[(self.c.id, '2025-03-01')], self.stages['churned'].id)
        self.assertEqual(stage[(self.c.id, '2025-04-01')], self.stages['development'].id)
        # Churned and back within May: counted as churned in May.
        self.assertEqual(stage[(self.d.id, '2025-05-01')], self.stages['decline'].id)
        self.assertEqual(got[(self.d.id, '2025-05-01')]['churned_count'], 1)
        # An initial Churned is no churn, and not active at the next month's start.
        self.assertEqual(got[(self.c.id, '2025-02-01')]['churned_count'], 0)
        self.assertEqual(got[(self.c.id, '2025-03-01')]['active_start_count'], 0)

    def test_at_risk_now(self):
        rows = [row for row in self.stage_rows() if row['is_current']]
        self.assertEqual({row['partner_id'][0] for row in rows if row['at_risk']},
                         {self.a.id, self.d.id})   # b below, e churned, c no risk yet
        # Other companies' thresholds and rows stay theirs.
        self.assertEqual({row['partner_id'][0] for row in rows
                          if row['company_id'][0] == self.other_company.id},
                         {self.other_shop.id})
        # An archived customer is no longer at risk.
        self.a.active = False
        rows = [row for row in self.stage_rows() if row['is_current']]
        self.assertEqual({row['partner_id'][0] for row in rows if row['at_risk']}, {self.d.id})

    def test_transitions_reconcile_with_the_events(self):
        rows = self.env['crm.kpi.lifecycle.transition'].search_read(
            [('partner_id', 'in', self.partners.ids)],
            ['date', 'month', 'partner_id', 'from_stage_id', 'to_stage_id', 'origin',
             'transition_count', 'churned_count', 'won_back_count'])
        got = {row['id']: (row['date'], row['month'], row['partner_id'][0],
                           row['from_stage_id'] and row['from_stage_id'][0],
                           row['to_stage_id'][0], row['origin'], row['transition_count'],
                           row['churned_count'], row['won_back_count'])
               for row in rows}
        expected = {}
        for event in self.events.filtered(lambda e: e.partner_id in self.partners):
            day = local_day(event.date)
            source, target = event.from_stage_id, event.to_stage_id
            churned = bool(source) and not self.churned(source) and self.churned(target)
            won_back = bool(source) and (
                (target.code == 'won_back' and source.code != 'won_back')
                or (self.churned(source) and not self.churned(target)))
            expected[event.id] = (
                fields.Date.to_string(day), fields.Date.to_string(day.replace(day=1)),
                event.partner_id.id, source.id, target.id, event.origin, 1, int(churned),
                int(won_back))
        self.assertEqual(got, expected)
        self.assertEqual(sum(row['churned_count'] for row in rows), 2)     # b, d
        self.assertEqual(sum(row['won_back_count'] for row in rows), 3)    # c, d, b

    # -- sheets ---------------------------------------------------------------

    def test_sheets(self):
        figures, sheets = self.env['crm.kpi.lifecycle.stage'].sudo(self.viewer).with_context(
            lang='en_US')._kpi_sheets(self.period)
        self.assertEqual([sheet.title for sheet in sheets],
                         ['Customers per Stage by Month', 'Lifecycle Moves', 'Churn by Month'])
        stage_sheet, move_sheet, churn_sheet = sheets

        names = [column.label for column in stage_sheet.columns]
        self.assertEqual(names, ['Month', 'Exploration', 'Development', 'Stable', 'Decline',
                                 'Churned', 'Won Back', 'Customers'])
        per_month = {row[0]: row[1:] for row in stage_sheet.rows}
        self.assertEqual(sorted(per_month), ['2025-%02d-01' % m for m in range(1, 7)])
        self.assertEqual(per_month['2025-01-01'], (1, 1, 1, 0, 1, 0, 4))
        self.assertEqual(per_month['2025-02-01'], (0, 1, 2, 0, 2, 0, 5))
        self.assertEqual(per_month['2025-04-01'], (0, 1, 2, 0, 2, 0, 5))
        self.assertEqual(per_month['2025-06-01'], (0, 1, 1, 1, 1, 1, 5))
        self.assertEqual(stage_sheet.charts[0].kind, 'column:stacked')
        self.assertEqual(stage_sheet.charts[0].values, [1, 2, 3, 4, 5, 6])

        self.assertEqual([column.label for column in move_sheet.columns],
                         ['From Stage', 'To Stage', 'Moves', 'Share of Moves',
                          'Average Days in Previous Stage'])
        moves = {(row[0], row[1]): row[2] for row in move_sheet.rows}
        self.assertEqual(moves[('(New customer)', 'Churned')], 2)
        self.assertEqual(moves[('Churned', 'Development')], 1)
        self.assertEqual(moves[('Development', 'Stable')], 1)
        self.assertEqual(sum(moves.values()), 13)

        self.assertEqual([column.label for column in churn_sheet.columns],
                         ['Month', 'Customers at Month End', 'Active at Month Start',
                          'Churned Customers', 'Churn Rate', 'Moves into Churned',
                          'Won Back'])
        churn = {row[0]: row[1:] for row in churn_sheet.rows}
        self.assertEqual(churn['2025-01-01'], (4, 0, 0, 0.0, 0, 0))
        self.assertEqual(churn['2025-02-01'], (5, 3, 0, 0.0, 0, 0))
        self.assertEqual(churn['2025-04-01'], (5, 3, 1, 1 / 3.0, 1, 1))
        self.assertEqual(churn['2025-05-01'], (5, 3, 1, 1 / 3.0, 1, 1))
        self.assertEqual(churn['2025-06-01'], (5, 3, 0, 0.0, 0, 1))
        self.assertEqual([chart.kind for chart in churn_sheet.charts], ['column', 'line'])

        figures = {figure.label: figure.value for figure in figures}
        self.assertEqual(figures['Customers in Stable at the end of the period'], 1)
        self.assertEqual(figures['Customers in Won Back at the end of the period'], 1)
        self.assertEqual(figures['Customers in Churned at the end of the period'], 1)
        self.assertEqual(figures['Churned'], 2)
        self.assertEqual(figures['Won back'], 3)
        self.assertAlmostEqual(figures['Churn rate (per month)'], 2 / 15.0)
        self.assertEqual(figures['At-risk customers now'], 2)

    def test_a_period_from_mid_month_keeps_that_month(self):
        View = self.env['crm.kpi.lifecycle.stage']
        domain = View._kpi_domain(Period(self.company, '2025-02-15', '2025-03-10'))
        months = [row[0] for row in View._kpi_rows(domain, ['date'], ['count(*)'])]
        self.assertEqual(months, ['2025-02-01', '2025-03-01'])

    def test_workbook_has_the_lifecycle_sheets(self):
        section = self.env.ref('crm_kpi.section_lifecycle')
        self.assertEqual((section.code, section.sequence), ('lifecycle', 60))
        content = self.env['crm.kpi.workbook'].sudo(self.viewer)._workbook(
            self.company, '2025-01-01', '2025-06-30', section)
        self.assertTrue(content.startswith(b'PK'))

    # -- access ---------------------------------------------------------------

    def test_viewer_reads_the_views(self):
        rows = self.stage_rows(self.viewer)
        self.assertEqual({row['partner_id'][0] for row in rows}, set(self.partners.ids))
        moves = self.env['crm.kpi.lifecycle.transition'].sudo(self.viewer).search_read(
            [('partner_id', 'in', (self.partners | self.other_shop).ids)],
            ['partner_id', 'to_stage_id', 'rule_id'])
        self.assertEqual(len(moves), 13)

    def test_other_company_sees_none(self):
        rows = self.stage_rows(self.other_viewer)
        self.assertEqual({row['partner_id'][0] for row in rows}, {self.other_shop.id})
        moves = self.env['crm.kpi.lifecycle.transition'].sudo(self.other_viewer).search(
            [('partner_id', 'in', self.partners.ids)])
        self.assertFalse(moves)
        figures, sheets = self.env['crm.kpi.lifecycle.stage'].sudo(
            self.other_viewer)._kpi_sheets(self.period)
        self.assertEqual([sheet.rows for sheet in sheets], [[], [], []])
