"""Each demo role does its job in the web client, in headless Chromium.

One server on a copy of the demo database; every test prepares its records over
RPC, runs one scenario of ``browser/driver.py`` as the role's user (phone-sized
for field staff), then checks the outcome in the database. Any JavaScript error
in the page fails the test. Screenshots are kept in ``var/screenshots``.
"""
import datetime
import json
import subprocess

import openpyxl
import pytest
import pytz

from conftest import ROOT, demo_server

DRIVER = ROOT / 'tests' / 'browser' / 'driver.py'
BROWSER_PYTHON = ROOT / '.venv-browser' / 'bin' / 'python'
SCREENSHOTS = ROOT / 'var' / 'screenshots'
# Button labels the scenarios click, looked up in the user's language.
BUTTONS = ['Recompute', 'Plan Visits', 'Plan', 'Check In', 'Take Order', 'Confirm Sale',
           'Check Out', 'Delivered', 'Export', 'Open Request']


@pytest.fixture(scope='module')
def server(demo_template):
    # Threaded: the web client's long poll needs a proxy in front of a prefork server.
    with demo_server(demo_template, 'crm_test_browser', 'browser') as odoo:
        yield odoo


@pytest.fixture(scope='module')
def admin(server):
    return server.rpc('admin', 'admin')


@pytest.fixture(scope='module')
def zh_cn(admin):
    """Run a scenario in Chinese: the locale and the button labels."""
    rows = admin('ir.translation', 'search_read', [[
        ('lang', '=', 'zh_CN'), ('name', '=', 'ir.ui.view,arch_db'), ('src', 'in', BUTTONS),
        ('value', '!=', False)]], {'fields': ['src', 'value']})
    labels = {row['src']: row['value'] for row in rows}
    assert sorted(labels) == sorted(BUTTONS), 'untranslated buttons'
    return {'locale': 'zh-CN', 'labels': labels}


def run(server, scenario, refusals=0, **args):
    """Run one scenario; return the facts it read off the screen. ``refusals``:
    the number of error dialogs (quota, credit...) the scenario expects."""
    proc = subprocess.run(
        [str(BROWSER_PYTHON), str(DRIVER), scenario, server.url, server.dbname,
         str(SCREENSHOTS / scenario), json.dumps(args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    lines = proc.stdout.strip().splitlines()
    assert lines, 'the driver printed nothing:\n' + proc.stderr
    result = json.loads(lines[-1])
    assert result['error'] is None, '%s (screenshots in %s)' % (
        result['error'], SCREENSHOTS / scenario)
    assert result['console_errors'] == [], 'JavaScript errors: %s' % result['console_errors']
    assert len(result['facts'].get('refusals', [])) == refusals, result['facts']['refusals']
    return result['facts']


def ref(admin, xmlid):
    return admin('ir.model.data', 'xmlid_to_res_id', [xmlid])


def user_id(admin, login):
    return admin('res.users', 'search', [[('login', '=', login)]])[0]


def company_today(admin):
    company = admin('res.users', 'read', [[admin.uid], ['company_id']])[0]['company_id'][0]
    partner = admin('res.company', 'read', [[company], ['partner_id']])[0]['partner_id'][0]
    tz = admin('res.partner', 'read', [[partner], ['tz']])[0]['tz'] or 'UTC'
    return datetime.datetime.now(pytz.timezone(tz)).date()


def test_sales_manager_recomputes_tiers_and_reads_a_policy(server, admin, zh_cn):
    scheme = admin('crm.tier.scheme', 'search', [[('is_primary', '=', True)]])[0]
    partner = admin('res.partner', 'search_read', [[('tier_policy_id', '!=', False)]],
                    {'fields': ['tier_policy_id'], 'limit': 1})[0]
    before = admin('crm.tier.member', 'search_count', [[('scheme_id', '=', scheme)]])
    admin('crm.tier.member', 'unlink', [admin('crm.tier.member', 'search', [[
        ('scheme_id', '=', scheme), ('partner_id', '!=', partner['id'])]])])

    facts = run(server, 'recompute_and_see_policy', **zh_cn,
                scheme_id=scheme, partner_id=partner['id'])

    # The recompute graded every customer again.
    assert admin('crm.tier.member', 'search_count', [[('scheme_id', '=', scheme)]]) == before
    policy = admin('crm.tier.policy', 'read', [[partner['tier_policy_id'][0]], ['name']],
                   {'context': {'lang': 'zh_CN'}})[0]['name']
    assert facts['policy'] == policy


def test_sales_manager_plans_a_routes_visits(server, admin, zh_cn):
    route = admin('crm.visit.route', 'search', [[]], {'limit': 1})[0]
    today = str(company_today(admin))
    admin('crm.visit', 'unlink', [admin('crm.visit', 'search', [[
        ('route_id', '=', route), ('state', '=', 'planned'), ('date', '>', today)]])])

    run(server, 'plan_visits', **zh_cn, route_id=route)

    assert admin('crm.visit', 'search_count', [[
        ('route_id', '=', route), ('state', '=', 'planned'), ('date', '>', today)]]) > 0


def _over_quota_quotation(admin, am_uid):
    """A quotation of the account manager's customer beyond its weekly quota."""
    quotas = {quota['policy_id'][0]: quota for quota in admin('crm.tier.quota', 'search_read', [[
        ('product_id', '!=', False), ('period', '=', 'week')]],
        {'fields': ['policy_id', 'product_id', 'max_qty']})}
    partner = admin('res.partner', 'search_read', [[
        ('user_id', '=', am_uid), ('tier_policy_id', 'in', list(quotas)),
        ('compliance_class', 'not in', ['C', 'W'])]],
        {'fields': ['tier_policy_id'], 'limit': 1})[0]
    quota = quotas[partner['tier_policy_id'][0]]
    order = admin('sale.order', 'create', [{
        'partner_id': partner['id'], 'user_id': am_uid, 'order_line': [(0, 0, {
            'product_id': quota['product_id'][0], 'product_uom_qty': quota['max_qty'] + 50})]}])
    return order, quota['product_id'][1]


def test_account_manager_visits_a_shop_and_takes_an_order_on_a_phone(server, admin, zh_cn):
    am = user_id(admin, 'am1')
    today = str(company_today(admin))
    visited = admin('crm.visit', 'search_read', [[('date', '=', today)]],
                    {'fields': ['partner_id']})
    # A key customer of am1 not visited today, with the least owed, so that the
    # credit check lets the usual order through.
    customers = admin('res.partner', 'search_read', [[
        ('user_id', '=', am), ('tier_policy_id', '=', ref(admin, 'crm_tiering.policy_key')),
        ('compliance_class', 'not in', ['C', 'W']),
        ('id', 'not in', [v['partner_id'][0] for v in visited])]], {'fields': ['credit']})
    shop = min(customers, key=lambda customer: customer['credit'])['id']
    route = admin('crm.visit.route.stop', 'search_read', [[('partner_id', '=', shop)]],
                  {'fields': ['route_id']})[0]['route_id'][0]
    visit = admin('crm.visit', 'create', [{
        'partner_id': shop, 'route_id': route, 'user_id': am, 'date': today}])
    over_quota, product = _over_quota_quotation(admin, am)

    facts = run(server, 'visit_and_take_order', refusals=1, **zh_cn, login='am1',
                visit_id=visit, over_quota_order_id=over_quota)

    state, orders = [admin('crm.visit', 'read', [[visit], ['state', 'order_ids']])[0][f]
                     for f in ('state', 'order_ids')]
    assert state == 'done'
    assert [o['state'] for o in admin('sale.order', 'read', [orders, ['state']])] == ['sale']
    assert facts['order_lines'] > 0
    assert admin('sale.order', 'read', [[over_quota], ['state']])[0]['state'] == 'draft'
    assert product in facts['refusal'] and '每周限量' in facts['refusal']
    # Phone-sized: one large tap target a step, nothing wider than the screen.
    assert facts['check_in_height'] >= 40
    assert facts['form_menu'] == '操作'  # the form's actions, "Task" untranslated before
    assert facts['fits_checked_in'] and facts['fits_order'] and facts['fits_refusal']


def test_manager_batches_and_driver_delivers_on_a_phone(server, admin, zh_cn):
    run(server, 'plan_deliveries', **zh_cn,
        plan_action='crm_service.crm_delivery_plan_action')
    picking = admin('stock.picking', 'search_read', [[
        ('batch_id.route_id', '!=', False), ('state', '=', 'assigned')]],
        {'fields': ['name', 'batch_id'], 'limit': 1})[0]

    facts = run(server, 'deliver_stop', **zh_cn, batch_id=picking['batch_id'][0],
                picking=picking['name'], action='crm_service.stock_picking_batch_delivery_action')

    assert admin('stock.picking', 'read', [[picking['id']], ['state', 'delivery_outcome']])[0] \
        == {'id': picking['id'], 'state': 'done', 'delivery_outcome': 'delivered'}
    assert facts['deliver_height'] >= 40
    assert facts['fits_batch']


def test_service_desk_opens_a_complaint_with_its_sla_deadlines(server, admin):
    partner = admin('res.partner', 'search_read', [[('tier_policy_id', '!=', False)]],
                    {'fields': ['name', 'tier_policy_id'], 'limit': 1})[0]

    facts = run(server, 'open_complaint', subject='Broken bottles in the last delivery',
                partner_name=partner['name'], action='crm_service.crm_service_request_action')

    request = admin('crm.service.request', 'search_read', [[
        ('name', '=', 'Broken bottles in the last delivery')]],
        {'fields': ['partner_id', 'request_type', 'date_response_deadline',
                    'sla_response_hours']})
    assert len(request) == 1 and request[0]['partner_id'][0] == partner['id']
    assert request[0]['request_type'] == 'complaint'
    policy_hours = admin('crm.tier.policy', 'read', [
        [partner['tier_policy_id'][0]], ['sla_response_hours']])[0]['sla_response_hours']
    assert request[0]['sla_response_hours'] == policy_hours
    assert facts['response_deadline'] and facts['resolution_deadline']


def test_account_manager_records_a_complaint_on_a_visit_on_a_phone(server, admin, zh_cn):
    visit = admin('crm.visit', 'search_read', [[('user_id.login', '=', 'am2')]],
                  {'fields': ['partner_id'], 'limit': 1})[0]

    facts = run(server, 'complaint_on_a_visit', **zh_cn, login='am2', visit_id=visit['id'],
                subject='冰柜不制冷')

    request = admin('crm.service.request', 'search_read', [[('name', '=', '冰柜不制冷')]],
                    {'fields': ['partner_id', 'visit_id', 'request_type', 'channel']})
    assert [(r['partner_id'][0], r['visit_id'][0], r['request_type'], r['channel'])
            for r in request] == [(visit['partner_id'][0], visit['id'], 'complaint', 'visit')]
    assert facts['response_deadline'] and facts['fits_request']


def test_compliance_officer_classes_a_shop(server, admin):
    partner = admin('res.partner', 'search', [[
        ('customer', '=', True), ('compliance_class', '=', 'A'), ('tier_id', '!=', False)]],
        {'limit': 1})[0]
    labels = {}  # the officer works in Chinese; no button is clicked by its label
    run(server, 'set_compliance_class', locale='zh-CN', labels=labels, partner_id=partner,
        compliance='C')

    assert admin('res.partner', 'read', [[partner], ['compliance_class']])[0][
        'compliance_class'] == 'C'
    history = admin('crm.tier.assignment', 'search_read', [[
        ('partner_id', '=', partner), ('kind', '=', 'compliance')]],
        {'fields': ['previous_compliance', 'compliance_class', 'user_id']})
    assert [(h['previous_compliance'], h['compliance_class'], h['user_id'][1])
            for h in history][-1:] == [('A', 'C', '冯稽查')]


def test_order_desk_takes_an_order_by_phone(server, admin):
    partner = admin('res.partner', 'search_read', [[
        ('customer', '=', True), ('tier_policy_id', '=', ref(admin, 'crm_tiering.policy_key')),
        ('compliance_class', 'not in', ['C', 'W'])]],
        {'fields': ['name', 'credit'], 'order': 'credit', 'limit': 1})[0]
    product = admin('product.product', 'search_read', [[('sale_ok', '=', True)]],
                    {'fields': ['name'], 'limit': 1})[0]

    facts = run(server, 'take_a_phone_order', action='sale.action_quotations',
                partner_name=partner['name'], product_name=product['name'], quantity=2)

    order = admin('sale.order', 'search_read', [[('name', '=', facts['order'])]],
                  {'fields': ['partner_id', 'state', 'order_line']})[0]
    assert (order['partner_id'][0], order['state']) == (partner['id'], 'sale')
    lines = admin('sale.order.line', 'read', [order['order_line'],
                                              ['product_id', 'product_uom_qty']])
    assert [(line['product_id'][0], line['product_uom_qty']) for line in lines] \
        == [(product['id'], 2)]


def test_finance_reads_the_customer_invoices(server, admin):
    facts = run(server, 'read_invoices', action='account.action_invoice_tree1')
    assert facts['rows'] == min(80, admin('account.invoice', 'search_count', [[
        ('type', 'in', ['out_invoice', 'out_refund'])]]))


def test_account_manager_opens_the_at_risk_list(server, admin, zh_cn):
    facts = run(server, 'at_risk_list', login='am1', **zh_cn,
                action='crm_lifecycle.action_server_at_risk_customers')
    am1 = server.rpc('am1')
    domain = am1('res.partner', 'action_at_risk', [])['domain']
    riskiest = am1('res.partner', 'search_read', [domain],
                   {'fields': ['name', 'churn_risk'], 'order': 'churn_risk desc'})
    assert facts['rows'] == min(len(riskiest), 80) > 0
    top = [p['name'] for p in riskiest if p['churn_risk'] == riskiest[0]['churn_risk']]
    assert any(name in facts['first_row'] for name in top)


def test_kpi_viewer_exports_the_workbook(server):
    facts = run(server, 'export_workbook', action='crm_kpi.crm_kpi_workbook_action')
    workbook = openpyxl.load_workbook(facts['workbook'], read_only=True)
    assert len(workbook.sheetnames) > 5
    summary = workbook[workbook.sheetnames[0]]
    assert summary.max_row > 5


def test_html_and_script_in_names_and_notes_stay_text(server, admin):
    """Names, notes and reasons holding HTML are shown as text wherever they appear,
    chatter messages the addons write included, and none of it runs."""
    marker = '<img src=x onerror="window.__injected=true">'
    am1 = server.rpc('am1')
    visit = admin('crm.visit', 'search_read', [[('user_id.login', '=', 'am1')]],
                  {'fields': ['partner_id', 'route_id'], 'limit': 1})[0]
    partner, route = visit['partner_id'][0], visit['route_id'][0]
    admin('res.partner', 'write', [[partner], {'name': 'Shop ' + marker,
                                               'comment': '<script>window.__injected=true'
                                                          '</script>'}])
    admin('crm.visit.route', 'write', [[route], {'name': 'Route ' + marker}])
    admin('crm.visit', 'write', [[visit['id']], {'note': marker}])
    request = admin('crm.service.request', 'create', [{
        'name': 'Complaint ' + marker, 'partner_id': partner, 'description': marker}])
    # The approval's chatter message quotes the reason and the customer.
    current = admin('res.partner', 'read', [[partner], ['tier_id']])[0]['tier_id']
    tier = admin('crm.tier', 'search', [[
        ('scheme_id.is_primary', '=', True), ('id', '!=', current and current[0])]],
        {'limit': 1})
    override = am1('crm.tier.assignment', 'create', [{
        'partner_id': partner, 'tier_id': tier[0], 'reason': 'Reason ' + marker,
        'expiry_date': str(datetime.date.today() + datetime.timedelta(days=30))}])
    server.rpc('sales_manager')('crm.tier.assignment', 'action_approve', [[override]])
    pages = ['model=res.partner&id=%d&view_type=form' % partner,
             'model=crm.visit.route&id=%d&view_type=form' % route,
             'model=crm.visit&id=%d&view_type=form' % visit['id'],
             'model=crm.service.request&id=%d&view_type=form' % request,
             'action=crm_service.crm_visit_route_action&view_type=list']

    facts = run(server, 'read_hostile_names', pages=pages, marker=marker)

    assert facts['dialogs'] == []
    for page in facts['pages']:
        assert not page['ran'], page
        assert page['shown'] >= 1, page
    # The partner form shows the name and the approval message quoting the reason.
    assert facts['pages'][0]['shown'] >= 2
