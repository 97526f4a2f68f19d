import datetime

import pytz

from odoo import fields
from odoo.addons.crm_tiering.tests.common import new_user
from odoo.tests.common import SavepointCase

from ..lib.workbook import share
from ..models.crm_kpi_report import Period

TZ = 'Asia/Shanghai'  # UTC+8, no daylight saving
VIEWER = 'crm_kpi.group_kpi_user'


def utc(*args):
    return fields.Datetime.to_string(datetime.datetime(*args))


def plus(value, hours):
    return fields.Datetime.to_string(fields.Datetime.from_string(value)
                                     + datetime.timedelta(hours=hours))


class TestKpiService(SavepointCase):
    """The service view and sheets against the requests, computed here again
    from the requests' own dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # A company of our own: the sheets then hold our requests only.
        cls.company = env['res.company'].create({'name': 'KPI Service Co'})
        cls.company.partner_id.tz = TZ
        cls.company.write({'service_response_hours': 10, 'service_resolution_hours': 30})
        Policy = env['crm.tier.policy']
        gold_policy = Policy.create({'name': 'KS gold', 'company_id': cls.company.id,
                                     'sla_response_hours': 4, 'sla_resolution_hours': 8})
        bronze_policy = Policy.create({'name': 'KS bronze', 'company_id': cls.company.id,
                                       'sla_response_hours': 24, 'sla_resolution_hours': 72})
        cls.scheme = env['crm.tier.scheme'].create({
            'name': 'KS scheme', 'company_id': cls.company.id, 'is_primary': True,
            'method': 'threshold', 'metric': 'revenue',
            'tier_ids': [
                (0, 0, {'name': 'KS Gold', 'code': 'KSG', 'rank': 1, 'lower_bound': 1000,
                        'policy_id': gold_policy.id}),
                (0, 0, {'name': 'KS Bronze', 'code': 'KSB', 'rank': 2, 'lower_bound': 0,
                        'policy_id': bronze_policy.id}),
            ],
        })
        cls.gold_tier = cls.scheme.tier_ids.filtered(lambda t: t.code == 'KSG')
        cls.bronze_tier = cls.scheme.tier_ids.filtered(lambda t: t.code == 'KSB')
        cls.viewer = new_user(env, 'ks_viewer', VIEWER, company=cls.company)
        cls.am = new_user(env, 'ks_am', 'sales_team.group_sale_salesman', company=cls.company)
        cls.salesman = new_user(env, 'ks_salesman', 'sales_team.group_sale_salesman',
                                company=cls.company)
        cls.agent = new_user(env, 'ks_agent', 'crm_service.group_service_agent',
                             company=cls.company)
        Partner = env['res.partner']

        def shop(name, **vals):
            return Partner.create(dict(name=name, customer=True, is_company=True,
                                       company_id=cls.company.id, **vals))
        cls.gold = shop('KS Gold Shop', user_id=cls.salesman.id)
        cls.gold_buyer = Partner.create({'name': 'KS Gold Buyer', 'parent_id': cls.gold.id,
                                         'company_id': cls.company.id})
        cls.bronze = shop('KS Bronze Shop', user_id=cls.salesman.id)
        cls.untiered = shop('KS New Shop')
        cls.scheme._upsert_member(cls.gold, cls.gold_tier, 'ranked')
        cls.scheme._upsert_member(cls.bronze, cls.bronze_tier, 'ranked')
        cls.route = env['crm.visit.route'].create({
            'code': 'KS1', 'name': 'KS East', 'company_id': cls.company.id,
            'user_id': cls.am.id, 'visit_mon': True,
            'stop_ids': [(0, 0, {'partner_id': cls.gold.id})]})
        cls.partners = cls.gold | cls.bronze | cls.untiered

        cls.other_company = env['res.company'].create({'name': 'KPI Service Other Co'})
        cls.other_shop = Partner.create({'name': 'KS Other Shop', 'customer': True,
                                         'is_company': True,
                                         'company_id': cls.other_company.id})
        cls.other_viewer = new_user(env, 'ks_other_viewer', VIEWER, company=cls.other_company)

        cls.stage_progress = env.ref('crm_service.stage_request_progress')
        cls.stage_closed = env.ref('crm_service.stage_request_closed')
        Request = env['crm.service.request']

        def request(partner, received, kind='inquiry', company=None, **vals):
            return Request.create(dict(
                name='KS request', partner_id=partner.id, request_type=kind,
                company_id=(company or cls.company).id, date_received=received, **vals))

        def close(req, responded, closed, rating=0):
            req.write({'stage_id': cls.stage_closed.id, 'root_cause': 'Late truck',
                       'corrective_action': 'New carrier', 'rating': rating,
                       'date_first_response': responded, 'date_closed': closed})

        # 20:00 UTC on 31 March is 1 April in Shanghai: an April request.
        cls.r_april_first = request(cls.gold, utc(2025, 3, 31, 20), 'complaint',
                                    channel='visit')
        close(cls.r_april_first, plus(cls.r_april_first.date_received, 2),
              plus(cls.r_april_first.date_received, 10), rating=4)      # late: 8h SLA
        cls.r_late_answer = request(cls.gold, utc(2025, 3, 15, 2))
        close(cls.r_late_answer, plus(cls.r_late_answer.date_received, 5),
              plus(cls.r_late_answer.date_received, 6))                   # not rated
        cls.r_late_answer.write({'response_escalated': True})
        cls.r_unanswered = request(cls.bronze, utc(2025, 3, 10, 1), 'supply', channel='email')
        cls.r_unanswered.write({'response_escalated': True, 'resolution_escalated': True})
        cls.r_answered_open = request(cls.bronze, utc(2025, 4, 20, 3), 'return')
        cls.r_answered_open.write({'stage_id': cls.stage_progress.id,
                                   'date_first_response': plus(
                                       cls.r_answered_open.date_received, 1)})
        cls.r_slow = request(cls.bronze, utc(2025, 4, 2, 3), 'return')
        close(cls.r_slow, plus(cls.r_slow.date_received, 1),
              plus(cls.r_slow.date_received, 80), rating=5)              # late: 72h SLA
        cls.r_contact = request(cls.gold_buyer, utc(2025, 4, 5, 1), 'quality')
        close(cls.r_contact, plus(cls.r_contact.date_received, 3),
              plus(cls.r_contact.date_received, 7), rating=3)            # both on time
        # Received an hour ago, unanswered: nothing is due yet (10h default SLA).
        cls.r_fresh = request(cls.untiered, fields.Datetime.to_string(
            datetime.datetime.utcnow() - datetime.timedelta(hours=1)))
        cls.r_archived = request(cls.untiered, utc(2025, 3, 12, 1))
        cls.r_archived.active = False
        cls.r_other = request(cls.other_shop, utc(2025, 3, 12, 1), company=cls.other_company)
        cls.requests = (cls.r_april_first | cls.r_late_answer | cls.r_unanswered
                        | cls.r_answered_open | cls.r_slow | cls.r_contact | cls.r_fresh)
        cls.period = Period(cls.company, '2025-03-01', '2025-04-30')

    # -- the independent computation ------------------------------------------

    def expected_row(self, req):
        """The view's row of ``req``, from the request's dates."""
        now = fields.Datetime.now()
        received = pytz.utc.localize(fields.Datetime.from_string(req.date_received))
        day = received.astimezone(pytz.timezone(TZ)).date()
        closed = req.stage_id.is_closed
        hours = 0.0
        if closed:
            hours = (fields.Datetime.from_string(req.date_closed)
                     - fields.Datetime.from_string(req.date_received)).total_seconds() / 3600
        customer = req.partner_id.commercial_partner_id
        stop = self.env['crm.visit.route.stop'].search([('partner_id', '=', customer.id),
                                                        ('company_id', '=', req.company_id.id)])
        return {
            'date': fields.Date.to_string(day),
            'month': fields.Date.to_string(day.replace(day=1)),
            'partner_id': customer.id, 'tier_id': req.tier_id.id,
            'route_id': stop.route_id.id, 'user_id': (stop.route_id.user_id
                                                      or customer.user_id).id,
            'assigned_user_id': req.user_id.id, 'stage_id': req.stage_id.id,
            'request_type': req.request_type, 'channel': req.channel,
            'request_count': 1, 'closed_count': int(closed),
            'response_due_count': int(bool(req.date_first_response)
                                      or req.date_response_deadline < now),
            'response_on_time_count': int(bool(req.date_first_response) and
                                          req.date_first_response
                                          <= req.date_response_deadline),
            'resolution_due_count': int(closed or req.date_resolution_deadline < now),
            'resolved_on_time_count': int(closed and req.date_closed
                                          <= req.date_resolution_deadline),
            'resolution_hours': round(hours, 4),
            'rated_count': int(req.rating > 0), 'rating_sum': req.rating,
            'escalated_count': int(req.response_escalated or req.resolution_escalated),
        }

    def view_rows(self, user=None):
        View = self.env['crm.kpi.service']
        if user:
            View = View.sudo(user)
        names = list(self.expected_row(self.r_fresh))
        rows = View.search_read([('partner_id', 'in', self.partners.ids
                                  + self.other_shop.ids)], ['id'] + names)
        result = {}
        for row in rows:
            row = {key: (value[0] if isinstance(value, tuple) else value)
                   for key, value in row.items()}
            row = {key: value or (False if key.endswith('_id') else value)
                   for key, value in row.items()}
            row['resolution_hours'] = round(row['resolution_hours'], 4)
            result[row.pop('id')] = row
        return result

    # -- reconciliation --------------------------------------------------------

    def test_rows_reconcile_with_the_requests(self):
        rows = self.view_rows()
        expected = {req.id: self.expected_row(req) for req in self.requests}
        expected[self.r_other.id] = self.expected_row(self.r_other)
        for values in expected.values():
            values.update({key: False for key, value in values.items()
                           if key.endswith('_id') and not value})
        self.assertEqual(rows, expected)

    def test_edge_cases(self):
        rows = self.view_rows()
        # The company's day, not UTC's; the tier when received; archived left out.
        self.assertEqual(rows[self.r_april_first.id]['date'], '2025-04-01')
        self.assertEqual(rows[self.r_april_first.id]['month'], '2025-04-01')
        self.assertEqual(rows[self.r_april_first.id]['tier_id'], self.gold_tier.id)
        self.assertNotIn(self.r_archived.id, rows)
        # The route's owner is the account manager, else the salesperson.
        self.assertEqual((rows[self.r_april_first.id]['route_id'],
                          rows[self.r_april_first.id]['user_id']),
                         (self.route.id, self.am.id))
        self.assertEqual(rows[self.r_slow.id]['user_id'], self.salesman.id)
        # A contact's request counts for its company.
        self.assertEqual(rows[self.r_contact.id]['partner_id'], self.gold.id)
        self.assertEqual(rows[self.r_contact.id]['tier_id'], self.gold_tier.id)
        # Late answer, on-time resolution, not rated, escalated.
        late = rows[self.r_late_answer.id]
        self.assertEqual((late['response_due_count'], late['response_on_time_count'],
                          late['resolved_on_time_count'], late['rated_count'],
                          late['escalated_count'], late['resolution_hours']),
                         (1, 0, 1, 0, 1, 6.0))
        # Unanswered and overdue: due, late, no resolution hours.
        open_ = rows[self.r_unanswered.id]
        self.assertEqual((open_['response_due_count'], open_['response_on_time_count'],
                          open_['resolution_due_count'], open_['closed_count'],
                          open_['resolution_hours']), (1, 0, 1, 0, 0.0))
        # Answered, still open, resolution deadline passed.
        self.assertEqual((rows[self.r_answered_open.id]['response_on_time_count'],
                          rows[self.r_answered_open.id]['resolution_due_count'],
                          rows[self.r_answered_open.id]['resolved_on_time_count']), (1, 1, 0))
        # Received an hour ago: nothing due.
        fresh = rows[self.r_fresh.id]
        self.assertEqual((fresh['response_due_count'], fresh['resolution_due_count']), (0, 0))

    # -- sheets ---------------------------------------------------------------

    def expected_months(self):
        months = {}
        for req in self.requests:
            row = self.expected_row(req)
            if not self.period.date_from <= row['date'] <= self.period.date_to:
                continue
            sums = months.setdefault(row['month'], [0] * 10)
            for i, key in enumerate(['request_count', 'closed_count', 'response_due_count',
                                     'response_on_time_count', 'resolution_due_count',
                                     'resolved_on_time_count', 'resolution_hours',
                                     'rated_count', 'rating_sum', 'escalated_count']):
                sums[i] += row[key]
        return {month: (s[0], s[1], share(s[3], s[2]), share(s[5], s[4]), share(s[6], s[1]),
                        share(s[8], s[7]), s[9])
                for month, s in months.items()}

    def test_sheets(self):
        figures, sheets = self.env['crm.kpi.service'].sudo(self.viewer).with_context(
            lang='en_US')._kpi_sheets(self.period)
        self.assertEqual([sheet.title for sheet in sheets],
                         ['Service Requests by Month', 'Service Requests by Type',
                          'Service SLA by Tier'])
        month_sheet, type_sheet, tier_sheet = sheets
        self.assertEqual([col.label for col in month_sheet.columns],
                         ['Month', 'Received', 'Closed', 'Response SLA %', 'Resolution SLA %',
                          'Average Resolution Hours', 'Average Rating', 'Escalated'])
        expected = self.expected_months()
        got = {row[0]: tuple(row[1:]) for row in month_sheet.rows}
        self.assertEqual(set(got), {'2025-03-01', '2025-04-01'})
        for month, values in expected.items():
            for value, want in zip(got[month], values):
                self.assertAlmostEqual(value, want, places=6)
        # March: 2 received (the archived one left out), 1 closed; both answers late
        # (5h for 4h, none); 1 of the 2 due resolved on time.
        self.assertEqual(got['2025-03-01'][:4], (2, 1, 0.0, 0.5))
        # April: 4 received; 3 of 4 answered on time; resolved on time: only the contact's.
        self.assertEqual(got['2025-04-01'][:3], (4, 3, 1.0))
        self.assertAlmostEqual(got['2025-04-01'][3], 0.25)
        self.assertAlmostEqual(got['2025-04-01'][4], (10 + 80 + 7) / 3.0)
        self.assertAlmostEqual(got['2025-04-01'][5], (4 + 5 + 3) / 3.0)
        self.assertTrue(month_sheet.charts)

        types = {row[0]: row[1:3] for row in type_sheet.rows}
        self.assertEqual(types, {'Complaint': (1, 1 / 6.0), 'Inquiry': (1, 1 / 6.0),
                                 'Supply Request': (1, 1 / 6.0), 'Return': (2, 2 / 6.0),
                                 'Quality': (1, 1 / 6.0)})
        self.assertEqual(type_sheet.rows[0][0], 'Return')
        self.assertEqual(type_sheet.charts[0].kind, 'pie')

        tiers = {row[0]: row[1:] for row in tier_sheet.rows}
        self.assertEqual(set(tiers), {'KSG - KS Gold', 'KSB - KS Bronze'})
        # Gold: 3 requests, responses 2 of 3 on time, resolutions 2 of 3 on time.
        self.assertEqual(tiers['KSG - KS Gold'][:7], (3, 3, 2, 2 / 3.0, 3, 2, 2 / 3.0))
        # Bronze: 3 requests, 2 of 3 answered on time, none of 3 resolved on time.
        self.assertEqual(tiers['KSB - KS Bronze'][:7], (3, 3, 2, 2 / 3.0, 3, 0, 0.0))

        figures = {figure.label: figure.value for figure in figures}
        self.assertEqual(figures['Requests received'], 6)
        self.assertEqual(figures['Requests closed (of those received)'], 4)
        self.assertAlmostEqual(figures['Response SLA compliance'], 4 / 6.0)
        self.assertAlmostEqual(figures['Resolution SLA compliance'], 2 / 6.0)
        self.assertAlmostEqual(figures['Average resolution hours'], (10 + 6 + 80 + 7) / 4.0)
        self.assertAlmostEqual(figures['Average rating (1-5)'], 4.0)
        self.assertEqual(figures['Requests escalated'], 2)

    def test_workbook_has_the_service_sheets(self):
        section = self.env.ref('crm_kpi.section_service')
        self.assertEqual((section.code, section.sequence, section.model),
                         ('service', 50, 'crm.kpi.service'))
        content = self.env['crm.kpi.workbook'].sudo(self.viewer)._workbook(
            self.company, '2025-03-01', '2025-04-30', section)
        self.assertTrue(content.startswith(b'PK'))

    # -- access ---------------------------------------------------------------

    def test_viewer_reads_the_view(self):
        rows = self.view_rows(self.viewer)
        self.assertEqual(set(rows), set(self.requests.ids))
        groups = self.env['crm.kpi.service'].sudo(self.viewer).read_group(
            [('partner_id', 'in', self.partners.ids)], ['request_count', 'stage_id'],
            ['stage_id'])
        self.assertEqual(sum(group['request_count'] for group in groups), len(self.requests))

    def test_other_company_sees_none(self):
        rows = self.view_rows(self.other_viewer)
        self.assertEqual(set(rows), {self.r_other.id})
        figures, sheets = self.env['crm.kpi.service'].sudo(self.other_viewer)._kpi_sheets(
            self.period)
        self.assertEqual([sheet.rows for sheet in sheets], [[], [], []])
        self.assertEqual(figures[0].value, 0)
