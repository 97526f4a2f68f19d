"""Installing and upgrading the project addons leaves a clean log and the data."""
import re

import requests

import crmdb
from conftest import OdooServer

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


def _counts(dbname):
    tables = ['res_partner', 'sale_order', 'sale_order_line', 'stock_move', 'account_invoice',
              'account_move_line', 'account_payment', 'res_groups']
    return {t: crmdb.sql('SELECT count(*) FROM ' + t, None, dbname)[0][0] for t in tables}


def test_upgrade_is_clean_and_keeps_data(demo_template, scratch_db):
    crmdb.create_db(scratch_db, template=demo_template)
    crmdb.sql("UPDATE res_partner SET name = 'Renamed before upgrade' WHERE ref = 'R0001'",
              None, scratch_db)
    before = _counts(scratch_db)
    crmdb.upgrade_addons(scratch_db, 'upgrade-all')
    assert _counts(scratch_db) == before
    assert crmdb.sql("SELECT name FROM res_partner WHERE ref = 'R0001'", None, scratch_db) \
        == [('Renamed before upgrade',)]
    assert crmdb.get_param(scratch_db, crmdb.ADDONS_DIGEST_PARAM) == crmdb.addons_digest()


def _bundles(html):
    return re.findall(r'(?:href|src)="(/web/content/[^"]+\.(?:css|js))"', html)


def test_web_client_serves_login_and_compiled_assets(demo_template, scratch_db):
    crmdb.create_db(scratch_db, template=demo_template)
    with OdooServer(scratch_db, 'web-assets') as server:
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
        log = server.log()
    assert not crmdb.bad_log_lines(log), crmdb.bad_log_lines(log)
    assert 'error occured while compiling the bundle' not in log
