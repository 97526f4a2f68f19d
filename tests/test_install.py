"""Installing, upgrading and uninstalling the project addons: clean logs, data kept."""
import datetime
import re

import requests

import crmdb
from conftest import PREFORK, OdooServer, hold_crons

ADDONS = ','.join(crmdb.project_addons())


def _installed(dbname):
    rows = crmdb.sql("SELECT name, state, demo FROM ir_module_module WHERE name = ANY(%s)",
                     [crmdb.project_addons()], dbname)
    return {name: (state, demo) for name, state, demo in rows}


def test_fresh_install_without_demo_is_clean(deps_template, scratch_db):
    crmdb.create_db(scratch_db, template=deps_template)
    crmdb.odoo(scratch_db, ['-i', ADDONS], 'install-without-demo')  # raises on an ERROR line
    assert _installed(scratch_db) == {a: ('installed', False) for a in crmdb.project_addons()}


def test_fresh_install_with_demo_is_clean(deps_template, scratch_db):
    crmdb.create_db(scratch_db, template=deps_template)
    crmdb.odoo(scratch_db, ['-i', ADDONS, crmdb.WITH_DEMO], 'install-with-demo')
    assert _installed(scratch_db) == {a: ('installed', True) for a in crmdb.project_addons()}


# What an administrator changes before `-u`, over XML-RPC as the UI does, and
# must find after it. The addons ship these as noupdate data (data/*.xml) or
# demo configuration; the records made by the demo generator have no XML id and
# are found by a domain. Read back in the language they were written in.
#
#   addon      record                          values changed
#   tiering    crons: tier recompute,          interval, active
#              value metrics
#              policy_basic, a weekly quota    credit limit, visit interval; max qty
#              scheme_pyramid                  manager weight, hysteresis, window
#   service    crons: plan visits, escalate    active; interval
#              request stage "Waiting"         name, fold
#              failure reasons                 name and sequence; archived
#              service request sequence        padding
#   lifecycle  cron: evaluation                interval
#              stages Stable, Decline          name and sequence; Chinese name
#              rules churned, decline,         thresholds, priority; activity;
#              won back -> development         archived
#              at-risk digest template         subject in English and Chinese
#   kpi        cron: monthly workbook          switched on (ships off)
#              a workbook section              name, sequence
#              a customer strategy             text
EN, ZH = 'en_US', 'zh_CN'
CONFIGURATION = [
    ('ir.cron', 'crm_tiering.ir_cron_recompute_tiers', EN,
     {'interval_number': 2, 'interval_type': 'weeks'}),
    ('ir.cron', 'crm_tiering.ir_cron_compute_value_metrics', EN, {'active': False}),
    ('crm.tier.policy', 'crm_tiering.policy_basic', EN,
     {'credit_limit': 5000.0, 'visit_interval_days': 21}),
    ('crm.tier.quota', [('policy_id.name', '=', 'Key account service'), ('period', '=', 'week')],
     EN, {'max_qty': 9.0}),
    ('crm.tier.scheme', 'crm_tiering.scheme_pyramid', EN,
     {'manager_weight': 0.5, 'hysteresis_runs': 3, 'hysteresis_margin': 0.25,
      'window_days': 180}),
    ('ir.cron', 'crm_service.ir_cron_plan_visits', EN, {'active': False}),
    ('ir.cron', 'crm_service.ir_cron_escalate_service_requests', EN, {'interval_number': 30}),
    ('crm.service.request.stage', 'crm_service.stage_request_waiting', EN,
     {'name': 'Waiting on Supplier', 'fold': True}),
    ('crm.delivery.failure.reason', 'crm_service.delivery_failure_refused', EN,
     {'name': 'Refused by the owner', 'sequence': 5}),
    ('crm.delivery.failure.reason', 'crm_service.delivery_failure_no_payment', EN,
     {'active': False}),
    ('ir.sequence', 'crm_service.seq_service_request', EN, {'padding': 6}),
    ('ir.cron', 'crm_lifecycle.ir_cron_compute_lifecycle', EN,
     {'interval_number': 12, 'interval_type': 'hours'}),
    ('crm.lifecycle.stage', 'crm_lifecycle.stage_stable', EN,
     {'name': 'Loyal', 'sequence': 45}),
    ('crm.lifecycle.stage', 'crm_lifecycle.stage_decline', ZH, {'name': '下滑期'}),
    ('crm.lifecycle.rule', 'crm_lifecycle.rule_churned', EN,
     {'min_last_order_days': 120, 'sequence': 15}),
    ('crm.lifecycle.rule', 'crm_lifecycle.rule_decline', EN,
     {'activity_summary': 'Visit the owner this week', 'activity_deadline_days': 1,
      'create_visit': True}),
    ('crm.lifecycle.rule', 'crm_lifecycle.rule_won_back_development', EN, {'active': False}),
    ('mail.template', 'crm_lifecycle.mail_template_at_risk_digest', EN,
     {'subject': 'At-risk customers of the day'}),
    ('mail.template', 'crm_lifecycle.mail_template_at_risk_digest', ZH,
     {'subject': '今日流失预警客户'}),
    ('ir.cron', 'crm_kpi.cron_mail_monthly_workbook', EN, {'active': True}),
    ('crm.kpi.section', 'crm_kpi.section_inventory', EN, {'name': 'Stock', 'sequence': 5}),
    ('crm.kpi.strategy', [('tier_id.code', '=', 'A'), ('relationship_band', '=', 'high')], EN,
     {'strategy': '每周拜访，新品优先试销。'}),
]

# The settings page (res.config.settings) of the four addons, saved at once.
# Many2one values are XML ids or (model, domain).
SETTINGS = {
    'tier_primary_scheme_id': 'crm_tiering.scheme_pyramid',
    'tier_metrics_window_days': 180,
    'tier_check_credit': False,
    'tier_check_weekday': False,
    'visit_plan_weeks': 3,
    'service_response_hours': 12.0,
    'service_resolution_hours': 48.0,
    'service_escalation_user_id': ('res.users', [('login', '=', 'sales_manager')]),
    'lifecycle_risk_threshold': 70,
    'lifecycle_digest': True,
    'kpi_mail_group_id': 'crm_kpi.group_kpi_manager',
    # Odoo's "Share partners to all companies" switches base.res_partner_rule
    # off; crm_tiering switches the rule on again on every update, as the
    # README says: after `-u` the setting reads False.
    'company_share_partner': True,
}
SWITCHED_BACK_BY_UPDATE = {'company_share_partner': False}

# Business tables whose row counts `-u` must not change.
BUSINESS_TABLES = [
    'res_partner', 'sale_order', 'sale_order_line', 'stock_move', 'account_invoice',
    'account_move_line', 'account_payment', 'crm_tier_assignment', 'crm_tier_member',
    'crm_lifecycle_event', 'crm_visit', 'crm_service_request', 'crm_delivery_attempt',
    'crm_visit_route_stop', 'stock_picking_batch', 'crm_kpi_strategy', 'mail_activity',
    'res_groups',
]


def _counts(dbname):
    return {t: crmdb.sql('SELECT count(*) FROM ' + t, None, dbname)[0][0]
            for t in BUSINESS_TABLES}


def _plain(value):
    """A read value as written: a many2one's id instead of (id, name)."""
    return value[0] if isinstance(value, list) and len(value) == 2 else value


def _find(admin, model, record):
    if isinstance(record, str):
        return admin('ir.model.data', 'xmlid_to_res_id', [record, True])
    [found] = admin(model, 'search', [record], {'limit': 1, 'context': {'active_test': False}})
    return found


def _ref(admin, value):
    if isinstance(value, str):
        return admin('ir.model.data', 'xmlid_to_res_id', [value, True])
    return _find(admin, *value)


def _configure(admin):
    """Change CONFIGURATION and SETTINGS; return {label: value} as written."""
    written = {}
    for model, record, lang, values in CONFIGURATION:
        record_id = _find(admin, model, record)
        admin(model, 'write', [[record_id], values], {'context': {'lang': lang}})
        written.update({'%s %s %s %s' % (model, record, lang, name): value
                        for name, value in values.items()})
    settings = {name: _ref(admin, value) if isinstance(value, (str, tuple)) else value
                for name, value in SETTINGS.items()}
    wizard = admin('res.config.settings', 'create', [settings])
    admin('res.config.settings', 'execute', [[wizard]])
    written.update({'settings ' + name: value for name, value in settings.items()})
    return written


def _read_configuration(admin):
    found = {}
    for model, record, lang, values in CONFIGURATION:
        [row] = admin(model, 'read', [[_find(admin, model, record)], list(values)],
                      {'context': {'lang': lang}})
        found.update({'%s %s %s %s' % (model, record, lang, name): _plain(row[name])
                      for name in values})
    # What the settings page shows: a new settings record.
    wizard = admin('res.config.settings', 'create', [{}])
    [row] = admin('res.config.settings', 'read', [[wizard], list(SETTINGS)])
    found.update({'settings ' + name: _plain(row[name]) for name in SETTINGS})
    return found


def _make_business_records(server, admin):
    """A tier override (requested by am1, approved by admin), a manual lifecycle
    move, a visit, a service request and a renamed customer: their ids."""
    [scheme] = admin('crm.tier.scheme', 'search', [[('name', '=', 'ABC by revenue')]])
    [shop] = admin('res.partner', 'search', [[
        ('user_id.login', '=', 'am1'), ('customer', '=', True), ('parent_id', '=', False)]],
        {'limit': 1, 'order': 'ref'})
    [member] = admin('crm.tier.member', 'search_read', [[
        ('partner_id', '=', shop), ('scheme_id', '=', scheme)]], {'fields': ['tier_id']})
    [tier] = admin('crm.tier', 'search', [[
        ('scheme_id', '=', scheme), ('id', '!=', member['tier_id'][0])]], {'limit': 1})
    expiry = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    override = server.rpc('am1')('crm.tier.assignment', 'create', [{
        'partner_id': shop, 'tier_id': tier, 'reason': 'New supermarket next door',
        'expiry_date': expiry}])
    admin('crm.tier.assignment', 'action_approve', [[override]])
    current = admin('res.partner', 'read', [[shop], ['lifecycle_stage_id']])[0]
    [stage] = admin('crm.lifecycle.stage', 'search', [[
        ('id', '!=', _plain(current['lifecycle_stage_id']))]], {'limit': 1})
    change = admin('crm.lifecycle.stage.change', 'create', [{
        'partner_id': shop, 'stage_id': stage, 'reason': 'Owner retiring'}])
    admin('crm.lifecycle.stage.change', 'action_apply', [[change]])
    [event] = admin('crm.lifecycle.event', 'search', [[
        ('partner_id', '=', shop), ('reason', '=', 'Owner retiring')]])
    [stop] = admin('crm.visit.route.stop', 'search_read', [[('partner_id', '=', shop)]],
                   {'fields': ['route_id']})
    visit = admin('crm.visit', 'create', [{
        'partner_id': shop, 'route_id': stop['route_id'][0], 'note': 'Bring the new catalogue',
        'date': (datetime.date.today() + datetime.timedelta(days=3)).isoformat()}])
    request = admin('crm.service.request', 'create', [{
        'name': 'Broken cooler', 'request_type': 'complaint', 'partner_id': shop,
        'description': 'The cooler we lent stopped working.'}])
    admin('res.partner', 'write', [[shop], {'name': 'Renamed before upgrade'}])
    return {
        'crm.tier.assignment': (override, ['approval_state', 'tier_id', 'reason', 'expiry_date']),
        'crm.tier.member': (member['id'], ['tier_id', 'override_id']),
        'crm.lifecycle.event': (event, ['partner_id', 'to_stage_id', 'origin', 'reason']),
        'res.partner': (shop, ['name', 'lifecycle_stage_id', 'tier_id']),
        'crm.visit': (visit, ['partner_id', 'date', 'state', 'note']),
        'crm.service.request': (request, [
            'reference', 'stage_id', 'date_response_deadline', 'date_resolution_deadline']),
    }


def _read_records(admin, records):
    return {model: {name: _plain(value) for name, value in admin(
        model, 'read', [[record_id], fields])[0].items()}
        for model, (record_id, fields) in records.items()}


def test_upgrade_keeps_configuration_and_business_data(demo_template, scratch_db, capsys):
    crmdb.create_db(scratch_db, template=demo_template)
    hold_crons(scratch_db)
    with OdooServer(scratch_db, 'upgrade-before', PREFORK) as server:
        admin = server.rpc('admin', 'admin')
        written = _configure(admin)
        configured = _read_configuration(admin)
        records = _make_business_records(server, admin)
        business = _read_records(admin, records)
        assert not server.bad_log_lines()
    assert configured == written, 'the changes did not all take'
    before = _counts(scratch_db)
    crmdb.upgrade_addons(scratch_db, 'upgrade-all')  # raises on an ERROR line
    with OdooServer(scratch_db, 'upgrade-after', PREFORK) as server:
        admin = server.rpc('admin', 'admin')
        after = _read_configuration(admin)
        assert _read_records(admin, records) == business
        assert not server.bad_log_lines()
    expected = dict(written, **{'settings ' + name: value
                                for name, value in SWITCHED_BACK_BY_UPDATE.items()})
    lost = {key: (expected[key], after[key]) for key in expected if after[key] != expected[key]}
    assert not lost, 'changed by -u (expected, found): %s' % lost
    assert _counts(scratch_db) == before
    assert crmdb.get_param(scratch_db, crmdb.ADDONS_DIGEST_PARAM) == crmdb.addons_digest()
    with capsys.disabled():
        print('\nupgrade: %d configuration values (%d fields of %d records, %d settings), '
              '%d business records and the rows of %d tables kept; the partner company rule '
              'switched on again, as documented' % (
                  len(written), len(written) - len(SETTINGS),
                  len({(model, repr(record)) for model, record, _lang, _values in CONFIGURATION}),
                  len(SETTINGS), len(records), len(before)))


def _bundles(html):
    return re.findall(r'(?:href|src)="(/web/content/[^"]+\.(?:css|js))"', html)


def _web_client_bundles(server):
    """Log in as admin through the login page, open the web client and fetch its
    CSS and JavaScript bundles; return the bundles."""
    web = requests.Session()
    login_page = web.get(server.url + '/web/login')
    assert login_page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
    web.post(server.url + '/web/login', data={
        'login': 'admin', 'password': 'admin', 'csrf_token': token})
    home = web.get(server.url + '/web')
    assert home.status_code == 200 and 'odoo.session_info' in home.text
    bundles = set(_bundles(login_page.text)) | set(_bundles(home.text))
    assert any('web.assets_backend' in b and b.endswith('.css') for b in bundles), bundles
    for bundle in sorted(bundles):
        response = web.get(server.url + bundle)
        assert response.status_code == 200, bundle
        assert len(response.content) > 1000, bundle
    return bundles


def test_web_client_serves_login_and_compiled_assets(demo_template, scratch_db):
    crmdb.create_db(scratch_db, template=demo_template)
    with OdooServer(scratch_db, 'web-assets') as server:
        _web_client_bundles(server)
        log = server.log()
    assert not crmdb.bad_log_lines(log), crmdb.bad_log_lines(log)
    assert 'error occured while compiling the bundle' not in log


# What uninstalling crm_kpi must leave behind in PostgreSQL and in Odoo: nothing.
KPI_LEFTOVERS = {
    'tables and views': r"""SELECT relname FROM pg_class
                             WHERE relname LIKE 'crm\_kpi\_%' AND relkind IN ('r', 'v', 'm')""",
    'columns': r"""SELECT table_name || '.' || column_name FROM information_schema.columns
                    WHERE table_schema = 'public' AND column_name LIKE 'kpi\_%'""",
    'models': "SELECT model FROM ir_model WHERE model LIKE 'crm.kpi.%'",
    'records': "SELECT model || ' ' || name FROM ir_model_data WHERE module = 'crm_kpi'",
}

# Work for the jobs run after the uninstall, as in tests/test_crash_recovery.py:
# the primary scheme's tiers and every customer's lifecycle stage and metrics
# are cleared, so that the jobs must do them again.
WORK = """
    DELETE FROM crm_tier_member
     WHERE scheme_id IN (SELECT id FROM crm_tier_scheme WHERE is_primary);
    UPDATE res_partner SET tier_id = NULL;
    UPDATE res_partner SET lifecycle_stage_id = NULL, lifecycle_stage_date = NULL,
                           lifecycle_metrics_date = NULL WHERE customer
"""


def _count(dbname, query):
    return crmdb.sql(query, None, dbname)[0][0]


def _the_other_addons_work(server):
    """Run each remaining addon's main jobs over XML-RPC as admin; return what they did."""
    db, admin = server.dbname, server.rpc('admin', 'admin')
    done = {}
    [scheme] = admin('crm.tier.scheme', 'search', [[('is_primary', '=', True)]])
    retailers = "SELECT count(*) FROM res_partner WHERE customer AND ref LIKE 'R%'"
    graded = _count(db, retailers)
    assert admin('crm.tier.scheme', 'action_recompute', [[scheme]]) is True
    done['customers graded'] = _count(db, retailers + ' AND tier_id IS NOT NULL')
    assert done['customers graded'] == graded
    events = _count(db, 'SELECT count(*) FROM crm_lifecycle_event')
    cron = admin('ir.model.data', 'xmlid_to_res_id', ['crm_lifecycle.ir_cron_compute_lifecycle'])
    admin('ir.cron', 'method_direct_trigger', [[cron]])
    assert not _count(db, """SELECT count(*) FROM res_partner WHERE customer AND active
                              AND (lifecycle_stage_id IS NULL OR lifecycle_metrics_date IS NULL)""")
    done['lifecycle events'] = _count(db, 'SELECT count(*) FROM crm_lifecycle_event') - events
    assert done['lifecycle events'] >= graded
    plan = admin('crm.visit.plan', 'create', [{'weeks': 4}])
    visits = admin('crm.visit.plan', 'action_plan', [[plan]])['domain'][0][2]
    done['visits planned'] = len(visits)
    assert visits
    # A confirmed order of a route's customer, then tomorrow's deliveries.
    [stop] = admin('crm.visit.route.stop', 'search_read', [[]],
                   {'fields': ['partner_id'], 'limit': 1, 'order': 'id'})
    [product] = admin('product.product', 'search', [[('default_code', '=', 'P101')]])
    order = admin('sale.order', 'create', [{'partner_id': stop['partner_id'][0], 'order_line': [
        (0, 0, {'product_id': product, 'product_uom_qty': 1})]}])
    admin('sale.order', 'action_confirm_override', [[order]])
    plan = admin('crm.delivery.plan', 'create', [{}])
    batches = admin('crm.delivery.plan', 'action_plan', [[plan]])['domain'][0][2]
    [picking] = admin('sale.order', 'read', [[order], ['picking_ids']])[0]['picking_ids']
    assert admin('stock.picking', 'read', [[picking], ['batch_id']])[0]['batch_id'][0] in batches
    done['delivery batches'] = len(batches)
    request = admin('crm.service.request', 'create', [{
        'name': 'Late delivery', 'request_type': 'complaint',
        'partner_id': stop['partner_id'][0]}])
    [request] = admin('crm.service.request', 'read', [[request], [
        'reference', 'stage_id', 'date_response_deadline']])
    assert request['reference'].startswith('SR') and request['stage_id']
    assert request['date_response_deadline']
    done['service request'] = 1
    return done


def test_uninstalling_kpi_leaves_the_other_addons_working(demo_template, scratch_db, capsys):
    crmdb.create_db(scratch_db, template=demo_template)
    hold_crons(scratch_db)
    with OdooServer(scratch_db, 'uninstall-kpi', PREFORK) as server:
        admin = server.rpc('admin', 'admin')
        [kpi] = admin('ir.module.module', 'search', [[('name', '=', 'crm_kpi')]])
        admin('ir.module.module', 'button_immediate_uninstall', [[kpi]])
        assert not server.bad_log_lines()
    assert {name: state for name, (state, _demo) in _installed(scratch_db).items()} == dict(
        {a: 'installed' for a in crmdb.project_addons()}, crm_kpi='uninstalled')
    leftovers = {what: crmdb.sql(query, None, scratch_db) for what, query in KPI_LEFTOVERS.items()}
    assert not any(leftovers.values()), leftovers
    for statement in WORK.split(';'):
        crmdb.sql(statement, dbname=scratch_db)
    with OdooServer(scratch_db, 'uninstall-kpi-after', PREFORK) as server:
        bundles = _web_client_bundles(server)
        done = _the_other_addons_work(server)
        assert not server.bad_log_lines()
        assert 'error occured while compiling the bundle' not in server.log()
    with capsys.disabled():
        print('\nuninstall crm_kpi: no KPI table, view, column, model or record left; the web '
              'client serves %d bundles; then %s' % (
                  len(bundles), ', '.join('%s %s' % (n, what) for what, n in done.items())))
