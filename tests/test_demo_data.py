"""The demo database: a year of consistent history that Odoo's own screens show."""
import collections
import datetime
import json

import pytest

import crmdb
from conftest import OdooServer

DB = crmdb.test_db('crm_test_demo')
EN = {'context': {'lang': 'en_US'}}  # the demo staff work in Chinese


def test_make_run_database_is_ready():
    """make test does make run's set-up: crm_demo exists and has the current addons."""
    crmdb.ensure_demo('crm_demo')
    assert crmdb.get_param('crm_demo', crmdb.ADDONS_DIGEST_PARAM) == crmdb.addons_digest()


@pytest.fixture(scope='module')
def demo(demo_template):
    crmdb.create_db(DB, template=demo_template)
    with OdooServer(DB, 'demo-data') as server:
        yield server
    crmdb.drop_db(DB)


def test_history_is_consistent_through_the_orm(demo):
    crmdb.odoo_exec(DB, 'demodata.generate:verify', 'demo-verify')


def test_company_is_chinese(demo):
    rpc = demo.rpc('admin', 'admin')
    company = rpc('res.company', 'search_read', [[]], {'fields': ['currency_id', 'country_id']})
    assert company[0]['currency_id'][1] == 'CNY'
    langs = rpc('res.lang', 'search_read', [[]], {'fields': ['code']})
    assert {'en_US', 'zh_CN'} <= {lang['code'] for lang in langs}
    chart = rpc('account.account', 'search_count', [[('code', '=', '1122')]])
    assert chart == 1, 'the Chinese chart has 1122 应收账款 (receivables)'


def test_account_managers_work_in_chinese(demo):
    rpc = demo.rpc('am1')
    zh = {'context': {'lang': 'zh_CN'}}
    menu = rpc('ir.model.data', 'xmlid_to_res_id', ['crm_tiering.menu_tiering_root'])
    assert rpc('ir.ui.menu', 'read', [[menu], ['name']], zh)[0]['name'] == '客户分级'
    fields = rpc('res.partner', 'fields_get', [['rfm_segment']], zh)
    assert fields['rfm_segment']['string'] == 'RFM 细分'
    assert dict(fields['rfm_segment']['selection'])['loyal'] == '忠诚客户'


def test_customer_value_is_computed(demo):
    rpc = demo.rpc('sales_manager')
    groups = rpc('res.partner', 'read_group', [
        [('value_metrics_date', '!=', False)], ['rfm_monetary', 'rfm_segment'], ['rfm_segment']])
    assert sum(g['rfm_segment_count'] for g in groups) >= 190
    assert len(groups) >= 8


def test_retailers_on_districts_with_account_managers(demo):
    rpc = demo.rpc('sales_manager')
    shops = rpc('res.partner', 'search_read', [[('customer', '=', True), ('ref', '=like', 'R%')]],
                {'fields': ['name', 'user_id', 'category_id', 'partner_latitude']})
    assert len(shops) == 200
    assert len({s['name'] for s in shops}) == 200
    assert len({s['user_id'][0] for s in shops}) == 5
    assert len({s['category_id'][0] for s in shops}) == 10
    assert all(29.5 < s['partner_latitude'] < 31 for s in shops)
    staff_customers = rpc('res.partner', 'search_count',
                          [[('customer', '=', True), ('user_ids', '!=', False)]])
    assert staff_customers == 0


def test_products_in_six_categories_with_stock(demo):
    rpc = demo.rpc('sales_manager')
    products = rpc('product.product', 'search_read', [[('default_code', '=like', 'P%')]],
                   {'fields': ['categ_id', 'qty_available', 'standard_price', 'lst_price']})
    assert len(products) == 40
    assert len({p['categ_id'][0] for p in products}) == 6
    assert all(p['qty_available'] > 0 for p in products)
    on_hand = dict(crmdb.sql("""
        SELECT q.product_id, sum(q.quantity) FROM stock_quant q
          JOIN stock_location l ON l.id = q.location_id AND l.usage = 'internal'
         GROUP BY 1""", None, DB))
    assert {p['id']: p['qty_available'] for p in products} == \
        {p['id']: float(on_hand[p['id']]) for p in products}
    assert all(p['lst_price'] > p['standard_price'] > 0 for p in products)


def test_a_year_of_orders_deliveries_invoices_payments(demo):
    rpc = demo.rpc('sales_manager')
    orders = rpc('sale.order', 'search_count', [[('state', 'in', ['sale', 'done'])]])
    assert 4000 <= orders <= 6000
    oldest = rpc('sale.order', 'search_read', [[]],
                 {'fields': ['date_order'], 'order': 'date_order asc', 'limit': 1})
    anchor = crmdb.get_param(DB, 'crm_demo.anchor_date')  # the day the history ends
    age = datetime.datetime.strptime(anchor, '%Y-%m-%d') - datetime.datetime.strptime(
        oldest[0]['date_order'], '%Y-%m-%d %H:%M:%S')
    assert 350 <= age.days <= 365
    done = rpc('stock.picking', 'search_count',
               [[('picking_type_code', '=', 'outgoing'), ('state', '=', 'done')]])
    assert done >= orders * 0.95

    finance = demo.rpc('finance')
    # The domain of Odoo's own "Customer Invoices" action.
    invoices = finance('account.invoice', 'search_count', [[('type', '=', 'out_invoice')]])
    paid = finance('account.invoice', 'search_count', [[('state', '=', 'paid')]])
    overdue = finance('account.invoice', 'search_count', [[
        ('type', '=', 'out_invoice'), ('state', '=', 'open'),
        ('date_due', '<', datetime.date.today().isoformat())]])
    refunds = finance('account.invoice', 'search_count', [[('type', '=', 'out_refund')]])
    payments = finance('account.payment', 'search_count',
                       [[('state', 'in', ['posted', 'reconciled'])]])
    assert invoices >= orders * 0.95
    assert paid >= invoices * 0.7
    assert overdue >= 10
    assert refunds >= 10
    assert payments >= paid


def test_paid_invoice_shows_its_payments(demo):
    finance = demo.rpc('finance')
    paid = finance('account.invoice', 'search_read', [[('state', '=', 'paid')]],
                   {'fields': ['payments_widget', 'payment_ids', 'amount_total'], 'limit': 20})
    for invoice in paid:
        widget = json.loads(invoice['payments_widget'])
        assert invoice['payment_ids'] and widget['content']
        assert sum(p['amount'] for p in widget['content']) == pytest.approx(
            invoice['amount_total'], abs=0.01)


def test_receivables_equal_open_invoices(demo):
    finance = demo.rpc('finance')
    groups = finance('account.invoice', 'read_group', [
        [('state', '=', 'open')], ['residual_signed', 'partner_id'], ['partner_id']])
    open_by_partner = {g['partner_id'][0]: g['residual_signed'] for g in groups}
    partners = finance('res.partner', 'read', [list(open_by_partner)], {'fields': ['credit']})
    assert partners
    for partner in partners:
        assert partner['credit'] == pytest.approx(open_by_partner[partner['id']], abs=0.01)


def test_churned_and_late_customers_exist(demo):
    [(late, churned)] = crmdb.sql("""
        WITH spans AS (SELECT partner_id, min(date_order) AS first, max(date_order) AS last
                         FROM sale_order WHERE state IN ('sale', 'done') GROUP BY partner_id)
        SELECT count(*) FILTER (WHERE first > (SELECT min(first) FROM spans) + interval '60 days'),
               count(*) FILTER (WHERE last < (SELECT max(last) FROM spans) - interval '60 days')
          FROM spans""", None, DB)
    assert late >= 5 and churned >= 5


def test_demo_tiers_follow_the_80_20_rule(demo):
    rpc = demo.rpc('sales_manager')
    schemes = rpc('crm.tier.scheme', 'search_read', [[]],
                  {'fields': ['name', 'is_primary', 'member_count', 'method']})
    assert {s['method'] for s in schemes} == {'pareto', 'quantile', 'grid'}
    assert all(s['member_count'] >= 200 for s in schemes)
    [primary] = [s for s in schemes if s['is_primary']]
    groups = rpc('res.partner', 'read_group', [
        [('ref', '=like', 'R%')], ['rfm_monetary', 'tier_id'], ['tier_id']])
    revenue = {g['tier_id'][1]: g['rfm_monetary'] for g in groups if g['tier_id']}
    counts = {g['tier_id'][1]: g['tier_id_count'] for g in groups if g['tier_id']}
    assert sum(counts.values()) == 200, 'every retailer has a tier in the primary scheme'
    key = next(name for name in revenue if name.startswith('A '))
    assert 70 <= revenue[key] * 100 / sum(revenue.values()) <= 90
    assert counts[key] < 200 * 0.5
    shop = rpc('res.partner', 'search_read', [[('tier_id', '!=', False)]],
               {'fields': ['tier_explanation', 'tier_policy_id'], 'limit': 1})[0]
    assert shop['tier_explanation'] and shop['tier_policy_id']
    simulation = rpc('crm.tier.scheme', 'action_simulate', [[primary['id']]])
    lines = rpc('crm.tier.simulation.line', 'search_read',
                [[('simulation_id', '=', simulation['res_id'])]], {'fields': ['new_count']})
    assert sum(line['new_count'] for line in lines) >= 200
    assert rpc('crm.tier.scheme', 'action_recompute', [[primary['id']]]) is True


def test_override_requested_and_approved_over_rpc(demo):
    manager = demo.rpc('sales_manager')
    [pending] = manager('crm.tier.assignment', 'search_read', [
        [('approval_state', '=', 'pending')]], {'fields': ['partner_id', 'tier_id', 'user_id']})
    requester = manager('res.users', 'read', [[pending['user_id'][0]], ['login']])[0]['login']
    with pytest.raises(Exception, match='Only tiering managers'):
        demo.rpc(requester)('crm.tier.assignment', 'action_approve', [[pending['id']]], EN)
    manager('crm.tier.assignment', 'action_approve', [[pending['id']]])
    partner = manager('res.partner', 'read', [[pending['partner_id'][0]], ['tier_id']])[0]
    assert partner['tier_id'][0] == pending['tier_id'][0]


def test_compliance_class_only_by_the_officer(demo):
    am = demo.rpc('am1')
    [shop] = am('res.partner', 'search', [[('user_id.login', '=', 'am1')]], {'limit': 1})
    with pytest.raises(Exception, match='compliance officers'):
        am('res.partner', 'write', [[shop], {'compliance_class': 'W'}], EN)
    demo.rpc('compliance')('res.partner', 'write', [[shop], {'compliance_class': 'W'}])
    history = am('crm.tier.assignment', 'search_read', [
        [('partner_id', '=', shop), ('kind', '=', 'compliance')]], {'fields': ['compliance_class']})
    assert history[0]['compliance_class'] == 'W'


def test_routes_cover_the_districts(demo):
    rpc = demo.rpc('am1')
    routes = rpc('crm.visit.route', 'search_read', [[('user_id.login', '=', 'am1')]],
                 {'fields': ['stop_count', 'distance_km']})
    assert len(routes) == 2
    assert all(r['stop_count'] == 20 and 0 < r['distance_km'] < 200 for r in routes)
    manager = demo.rpc('sales_manager')
    assert manager('crm.visit.route.stop', 'search_count', [[]]) == 200


def test_visits_planned_played_and_taken_over_rpc(demo):
    rpc = demo.rpc('am1')
    uid = rpc('res.users', 'search', [[('login', '=', 'am1')]])[0]
    visits = rpc('crm.visit', 'search_read', [[]], {
        'fields': ['user_id', 'partner_id', 'state', 'outcome', 'order_count', 'date'],
        'order': 'date'})
    assert {v['user_id'][0] for v in visits} == {uid}, 'account managers see their own'
    states = collections.Counter(v['state'] for v in visits)
    assert states['done'] > 10 * states['missed'] > 0 and states['planned'] > 0
    ordered = [v for v in visits if v['outcome'] == 'ordered']
    assert ordered and all(v['order_count'] for v in ordered)
    regulars = {v['partner_id'][0] for v in ordered}
    visit = next(v for v in visits if v['state'] == 'planned' and v['partner_id'][0] in regulars)
    action = rpc('crm.visit', 'action_take_order', [[visit['id']]])
    order = rpc('sale.order', 'read', [[action['res_id']], ['visit_id', 'order_line', 'state']])[0]
    assert (order['visit_id'][0], order['state']) == (visit['id'], 'draft')
    assert order['order_line'], 'the usual weekly quantities are proposed'
    assert rpc('crm.visit', 'read', [[visit['id']], ['state']])[0]['state'] == 'in_progress'
    due = rpc('crm.visit.due', 'search_read', [[]], {'fields': ['user_id', 'overdue_days']})
    assert all(row['user_id'][0] == uid and row['overdue_days'] >= 0 for row in due)


def test_tomorrows_delivery_batches_for_the_driver(demo):
    rpc = demo.rpc('delivery')
    tomorrow = max(b['delivery_date'] for b in rpc(
        'stock.picking.batch', 'search_read', [[]], {'fields': ['delivery_date']}))
    batches = rpc('stock.picking.batch', 'search_read',
                  [[('route_id', '!=', False), ('delivery_date', '=', tomorrow)]],
                  {'fields': ['route_id', 'user_id', 'delivery_date', 'picking_ids']})
    assert batches, 'the orders of the last day wait for tomorrow'
    assert all(b['user_id'][1] == '孙师傅' and b['picking_ids'] for b in batches)
    assert len({b['route_id'][0] for b in batches}) == len(batches), 'one batch per route'


def test_service_requests_with_sla_and_escalations(demo):
    rpc = demo.rpc('service_desk')
    requests = rpc('crm.service.request', 'search_read', [[]], {
        'fields': ['is_closed', 'rating', 'resolved_on_time', 'response_escalated',
                   'date_response_deadline']})
    assert len(requests) == 40
    closed = [r for r in requests if r['is_closed']]
    assert closed and all(1 <= r['rating'] <= 5 for r in closed)
    assert {r['resolved_on_time'] for r in closed} == {True, False}
    assert any(r['response_escalated'] for r in requests if not r['is_closed'])


def test_lifecycle_stages_follow_the_histories(demo):
    [(misplaced_churned, misplaced_stable, stable)] = crmdb.sql("""
        WITH last AS (SELECT p.commercial_partner_id AS id, max(so.date_order) AS at
                        FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                       WHERE so.state IN ('sale', 'done') GROUP BY 1)
        SELECT count(*) FILTER (WHERE last.at < now() - interval '100 days'
                                  AND s.code NOT IN ('churned', 'decline')),
               count(*) FILTER (WHERE s.code = 'stable' AND last.at < now() - interval '45 days'),
               count(*) FILTER (WHERE s.code = 'stable')
          FROM res_partner p
          JOIN crm_lifecycle_stage s ON s.id = p.lifecycle_stage_id
          JOIN last ON last.id = p.id""", None, DB)
    assert misplaced_churned == 0, 'shops that stopped ordering are churned or declining'
    assert misplaced_stable == 0 and stable >= 50, 'regular shops are stable'
    rpc = demo.rpc('am1')
    action = rpc('res.partner', 'action_at_risk', [])
    at_risk = rpc('res.partner', 'search_read', [action['domain']], {
        'fields': ['churn_risk', 'churn_risk_factors', 'lifecycle_stage_id'],
        'order': 'churn_risk desc'})
    assert at_risk and all(row['churn_risk_factors'] for row in at_risk)
    assert at_risk == sorted(at_risk, key=lambda row: -row['churn_risk'])


def test_kpi_workbook_shows_real_numbers_and_opens_in_libreoffice(demo, tmp_path):
    """The KPI viewer's workbook of the last twelve months: every sheet has rows,
    and LibreOffice converts it to PDF without complaint."""
    import base64
    import io
    import subprocess

    import openpyxl

    rpc = demo.rpc('kpi_viewer')
    # The day the demo history ends, in the company's time zone (not the UTC date).
    today = datetime.date.fromisoformat(crmdb.get_param(DB, 'crm_demo.anchor_date'))
    start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    wizard = rpc('crm.kpi.workbook', 'create', [{'date_from': start.isoformat(),
                                                 'date_to': today.isoformat()}])
    rpc('crm.kpi.workbook', 'action_export', [[wizard]])
    [read] = rpc('crm.kpi.workbook', 'read', [[wizard], ['data', 'filename']])
    data = base64.b64decode(read['data'])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sections = rpc('crm.kpi.section', 'search_count', [[]])
    assert len(book.sheetnames) > sections
    empty = [ws.title for ws in book.worksheets if ws.max_row < 2]
    assert not empty, 'sheets without numbers in the demo: %s' % empty
    path = tmp_path / read['filename']
    path.write_bytes(data)
    done = subprocess.run(
        ['soffice', '--headless', '--norestore', '-env:UserInstallation=file://%s/lo' % tmp_path,
         '--convert-to', 'pdf', '--outdir', str(tmp_path), str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    pdf = path.with_suffix('.pdf')
    assert done.returncode == 0 and pdf.exists(), done.stdout.decode()
    assert pdf.read_bytes().startswith(b'%PDF') and pdf.stat().st_size > 10000
