"""The bulk loader of the demo history writes what Odoo's own flow writes.

One copy of a handful of planned orders goes through ``flow.run_order`` (the
ORM), an identical copy through ``loader.load_history`` (bulk SQL), each for
its own partners and products. The rows of every table they touch must then be
equal, column by column, once ids, sequence numbers and audit columns are
normalised away; and the checks must find the database consistent.
"""
import json
import os
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import crmdb  # noqa: E402

DB = crmdb.test_db('test_demo_loader')


@pytest.fixture(scope='module')
def runs():
    """Both runs in one database; the paths of what they report."""
    crmdb.create_db(DB, template=crmdb.deps_template())
    tmp = tempfile.mkdtemp(prefix='demo_loader_')
    paths = {k: os.path.join(tmp, k + '.json') for k in ('flow', 'load', 'diff', 'checks', 'after')}
    try:
        crmdb.odoo_exec(DB, 'demodata.loader_compare:run_flow_side', 'test-loader-flow',
                        paths['flow'])
        crmdb.odoo_exec(DB, 'demodata.loader_compare:run_loader_side', 'test-loader-load',
                        paths['load'])
        crmdb.odoo_exec(DB, 'demodata.loader_compare:compare_sides', 'test-loader-compare',
                        paths['flow'], paths['load'], paths['diff'])
        crmdb.odoo_exec(DB, 'demodata.loader_compare:run_checks', 'test-loader-checks',
                        paths['checks'])
        crmdb.odoo_exec(DB, 'demodata.loader_compare:run_after_load', 'test-loader-after',
                        paths['load'], paths['after'])
        yield {k: json.load(open(p)) for k, p in paths.items()}
    finally:
        crmdb.drop_db(DB)


def test_both_runs_wrote_every_kind_of_row(runs):
    counts = runs['diff']['counts']
    for table, (flow_rows, load_rows) in counts.items():
        assert flow_rows > 0, 'the ORM flow wrote no %s rows' % table
        assert flow_rows == load_rows, '%s: ORM %d rows, loader %d' % (table, flow_rows, load_rows)


def test_loader_rows_equal_orm_rows(runs):
    assert runs['diff']['diffs'] == []


def test_checks_find_nothing(runs):
    assert runs['checks']['problems'] == []


def test_orm_after_load_gets_fresh_names(runs):
    assert runs['after']['duplicates'] == []
