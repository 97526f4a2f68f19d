"""Concurrent confirmations of one customer cannot overrun its tier quota.

A prefork server (2 workers) on a scratch database: six clients, each with its
own XML-RPC connection, confirm an order of 3 units at the same moment against
a weekly quota of 10. Three fit (9 units); the others get the quota message,
never a serialization error: Odoo retries the losers of the customer lock.
"""
import multiprocessing
import time
import xmlrpc.client

import crmdb
from conftest import OdooServer

CLIENTS = 6
QTY = 3
QUOTA = 10
SALESMAN = 'quota_salesman'


def _confirm_order(url, dbname, partner_id, product_id, barrier, results):
    """One client: create a quotation, wait for the others, confirm."""
    try:
        uid = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/common').authenticate(
            dbname, SALESMAN, SALESMAN, {})
        models = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/object', allow_none=True)

        def call(method, args):
            return models.execute_kw(dbname, uid, SALESMAN, 'sale.order', method, args)
        order = call('create', [{'partner_id': partner_id, 'order_line': [(0, 0, {
            'product_id': product_id, 'product_uom_qty': QTY, 'price_unit': 10,
            'tax_id': [(6, 0, [])]})]}])
        barrier.wait(60)
        try:
            call('action_confirm', [[order]])
            results.put(('confirmed', order, ''))
        except xmlrpc.client.Fault as fault:
            results.put(('refused', order, fault.faultString))
    except Exception as error:  # reported to the test, which fails on it
        results.put(('crashed', None, repr(error)))


def _set_up(admin):
    def ref(xmlid):
        return admin('ir.model.data', 'xmlid_to_res_id', [xmlid])
    unit = ref('product.product_uom_unit')
    company = admin('res.users', 'read', [[admin.uid], ['company_id']])[0]['company_id'][0]
    product = admin('product.product', 'create', [{
        'name': 'Quota Beer', 'type': 'product', 'uom_id': unit, 'uom_po_id': unit,
        'list_price': 10, 'taxes_id': [(6, 0, [])]}])
    policy = admin('crm.tier.policy', 'create', [{
        'name': 'Quota policy', 'company_id': company, 'quota_ids': [(0, 0, {
            'product_id': product, 'period': 'week', 'max_qty': QUOTA, 'uom_id': unit})]}])
    primary = admin('crm.tier.scheme', 'search', [[('is_primary', '=', True)]])
    if primary:
        admin('crm.tier.scheme', 'write', [primary, {'is_primary': False}])
    scheme = admin('crm.tier.scheme', 'create', [{
        'name': 'Quota scheme', 'company_id': company, 'is_primary': True,
        'method': 'threshold', 'metric': 'revenue', 'tier_ids': [(0, 0, {
            'name': 'All', 'code': 'ALL', 'rank': 1, 'lower_bound': 0,
            'policy_id': policy})]}])
    tier = admin('crm.tier', 'search', [[('scheme_id', '=', scheme)]])[0]
    customer = admin('res.partner', 'create', [{
        'name': 'Concurrent Shop', 'customer': True, 'is_company': True}])
    # A customer without history gets the default tier when the scheme runs.
    admin('crm.tier.scheme', 'write', [[scheme], {'default_tier_id': tier}])
    admin('crm.tier.scheme', 'action_recompute', [[scheme]])
    assert admin('crm.tier.member', 'search_count', [[
        ('partner_id', '=', customer), ('tier_id', '=', tier)]]) == 1
    admin('res.users', 'create', [{
        'name': 'Quota Salesman', 'login': SALESMAN, 'password': SALESMAN,
        'email': SALESMAN + '@example.com', 'lang': 'en_US',
        'groups_id': [(6, 0, [ref('sales_team.group_sale_salesman')])]}])
    return customer, product


def test_concurrent_confirmations_respect_the_quota(deps_template, scratch_db):
    crmdb.create_db(scratch_db, template=deps_template)
    crmdb.odoo(scratch_db, ['-i', 'crm_tiering'], 'quota-concurrency-install')
    with OdooServer(scratch_db, 'quota-concurrency', ['--workers=2']) as server:
        admin = server.rpc('admin', 'admin')
        customer, product = _set_up(admin)

        barrier, results = multiprocessing.Barrier(CLIENTS), multiprocessing.Queue()
        clients = [multiprocessing.Process(
            target=_confirm_order,
            args=(server.url, scratch_db, customer, product, barrier, results))
            for _ in range(CLIENTS)]
        start = time.time()
        for client in clients:
            client.start()
        outcomes = [results.get(timeout=120) for _ in clients]
        for client in clients:
            client.join(10)
        elapsed = time.time() - start

        assert not [o for o in outcomes if o[0] == 'crashed'], outcomes
        confirmed = [order for kind, order, _text in outcomes if kind == 'confirmed']
        refusals = [text for kind, _order, text in outcomes if kind == 'refused']
        assert len(confirmed) == QUOTA // QTY, outcomes
        for text in refusals:
            assert 'product Quota Beer is limited to %d' % QUOTA in text, text
            assert 'Concurrent Shop' in text and 'already ordered' in text, text
            assert 'serializ' not in text.lower() and 'Traceback' not in text, text
        states = admin('sale.order', 'search_read', [[('partner_id', '=', customer)]],
                       {'fields': ['state']})
        assert sorted(o['id'] for o in states if o['state'] == 'sale') == sorted(confirmed)
        lines = admin('sale.order.line', 'search_read', [[('order_id', 'in', confirmed)]],
                      {'fields': ['product_uom_qty']})
        assert sum(line['product_uom_qty'] for line in lines) == QUOTA // QTY * QTY
        log = server.log()
    assert not crmdb.bad_log_lines(log), crmdb.bad_log_lines(log)
    print('%d clients in %.1f s, %d serialization retries' % (
        CLIENTS, elapsed, log.count('SERIALIZATION_FAILURE, retry')))
