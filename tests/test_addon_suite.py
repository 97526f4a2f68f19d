"""The addons' own tests, run by Odoo's runner while it installs them on a
copy of the dependencies template; each Odoo test becomes one pytest test."""
import json
import re

import pytest

import crmdb

DB = crmdb.test_db('crm_test_addons')
RESULTS = crmdb.LOG_DIR / 'addon-tests.jsonl'
# Lines Odoo logs at ERROR for a failing test; the test itself reports those.
TEST_REPORT = re.compile(r' odoo\.addons\.\w+\.tests\.\S+: '
                         r'| odoo\.modules\.module: Module \w+: \d+ failures, \d+ errors$'
                         r'| odoo\.modules\.loading: At least one test failed')

_run = {}


def run_addon_tests():
    """Install the project addons with tests on, once per session."""
    if not _run:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if RESULTS.exists():
            RESULTS.unlink()
        crmdb.create_db(DB, template=crmdb.deps_template())
        try:
            log = crmdb.odoo(DB, ['-i', ','.join(crmdb.project_addons()), '--test-enable',
                                  crmdb.WITH_DEMO],
                             'addon-tests', check_log=False, program=crmdb.ODOO_TEST,
                             extra_env={'CRM_TEST_RESULTS': str(RESULTS)})
        finally:
            crmdb.drop_db(DB)
        results = [json.loads(line) for line in RESULTS.read_text().splitlines()] \
            if RESULTS.exists() else []
        _run.update(log=log, results=results)
    return _run


def pytest_generate_tests(metafunc):
    if 'addon_test' in metafunc.fixturenames:
        results = run_addon_tests()['results']
        metafunc.parametrize('addon_test', results, ids=[r['id'] for r in results])


def test_each_addon_has_tests():
    ran = {r['id'].split('.')[2] for r in run_addon_tests()['results']
           if r['id'].startswith('odoo.addons.')}
    assert ran >= set(crmdb.project_addons())


def test_install_log_is_clean():
    bad = [line for line in crmdb.bad_log_lines(run_addon_tests()['log'])
           if not TEST_REPORT.search(line)]
    assert not bad, '\n'.join(bad)


def test_addon(addon_test):
    if addon_test['outcome'] != 'passed':
        pytest.fail('%s %s\n%s' % (addon_test['id'], addon_test['outcome'], addon_test['detail']),
                    pytrace=False)
