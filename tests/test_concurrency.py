"""Concurrent clients cannot overrun a quota or a credit limit, nor check in twice.

A prefork server (2 workers and a cron worker) on a copy of the demo database.
Eight clients, each a process with its own XML-RPC connection, confirm orders of
one customer at the same moment: 20 rounds against a weekly quota, 20 against
the credit limit. What is confirmed never exceeds the limit, and every other
client gets the quota or credit message, never a server error or a raw
serialization failure (Odoo retries the losers of the customer lock). Orders
are also confirmed while the tiers are recomputed, and two people check in to
the same visit at once.
"""
import multiprocessing
import threading
import xmlrpc.client

import pytest

import crmdb
from conftest import PREFORK, demo_server

CLIENTS = 8
ROUNDS = 20

SALESMAN = 'concurrency_salesman'
QUOTA, QTY = 10, 3  # three orders of 3 fit a weekly quota of 10

_connections = {}  # per client process and login: (uid, proxy)


def _connect(url, dbname, login):
    if login not in _connections:
        common = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/common')
        _connections[login] = (common.authenticate(dbname, login, login, {}),
                               xmlrpc.client.ServerProxy(url + '/xmlrpc/2/object',
                                                         allow_none=True))
    return _connections[login]


def _call_together(task):
    """In a client process: wait for the other clients, then call the method."""
    url, dbname, login, model, method, ids, barrier = task
    uid, models = _connect(url, dbname, login)
    barrier.wait(60)
    try:
        models.execute_kw(dbname, uid, login, model, method, [ids])
        return 'done', ids, ''
    except xmlrpc.client.Fault as fault:
        return 'refused', ids, fault.faultString
    except Exception as error:  # reported to the test, which fails on it
        return 'crashed', ids, repr(error)


class Race(object):
    """The server, its admin and a pool of client processes, for every round."""

    def __init__(self, server):
        self.server = server
        self.admin = server.rpc('admin', 'admin')
        self.pool = multiprocessing.Pool(CLIENTS)
        self.manager = multiprocessing.Manager()

    def run(self, calls):
        """[(login, model, method, ids)] all at once; [(outcome, ids, message)]."""
        barrier = self.manager.Barrier(len(calls))
        return self.pool.map(_call_together, [
            (self.server.url, self.server.dbname, login, model, method, ids, barrier)
            for login, model, method, ids in calls], chunksize=1)

    def close(self):
        self.pool.terminate()
        self.manager.shutdown()


@pytest.fixture(scope='module')
def race(demo_template):
    with demo_server(demo_template, 'crm_test_concurrency', 'concurrency', PREFORK) as server:
        race = Race(server)
        try:
            yield race
        finally:
            race.close()


@pytest.fixture(scope='module')
def shop(race):
    """A new customer of a plain salesperson, graded by the primary scheme."""
    admin = race.admin

    def ref(xmlid):
        return admin('ir.model.data', 'xmlid_to_res_id', [xmlid])
    salesman = admin('res.users', 'create', [{
        'name': 'Concurrency Salesman', 'login': SALESMAN, 'password': SALESMAN,
        'lang': 'en_US', 'email': SALESMAN + '@example.com',
        'groups_id': [(6, 0, [ref('sales_team.group_sale_salesman')])]}])
    partner = admin('res.partner', 'create', [{
        'name': 'Concurrent Shop', 'customer': True, 'is_company': True, 'user_id': salesman}])
    scheme = admin('crm.tier.scheme', 'search', [[('is_primary', '=', True)]])
    admin('crm.tier.scheme', 'action_recompute', [scheme])
    policy = admin('res.partner', 'read', [[partner], ['tier_policy_id']])[0]['tier_policy_id']
    assert policy, 'the new customer got no tier'
    # Every day an ordering day: the races are about quotas and credit, on any date.
    admin('crm.tier.policy', 'write', [[policy[0]], {
        'order_%s' % day: True for day in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')}])
    unit = ref('product.product_uom_unit')
    products = [admin('product.product', 'create', [{
        'name': name, 'type': 'consu', 'uom_id': unit, 'uom_po_id': unit,
        'taxes_id': [(6, 0, [])]}]) for name in ('Quota Beer', 'Credit Wine')]
    admin('crm.tier.quota', 'create', [{
        'policy_id': policy[0], 'product_id': products[0], 'period': 'week',
        'max_qty': QUOTA, 'uom_id': unit}])
    limit = admin('crm.tier.policy', 'read', [[policy[0]], ['credit_limit']])[0]['credit_limit']
    assert limit > 0
    return {'partner': partner, 'salesman': salesman, 'quota_product': products[0],
            'credit_product': products[1], 'credit_limit': limit}


def _quotations(admin, shop, product, qty, price, count=CLIENTS):
    values = {'partner_id': shop['partner'], 'user_id': shop['salesman'],
              'order_line': [(0, 0, {'product_id': product, 'product_uom_qty': qty,
                                     'price_unit': price, 'tax_id': [(6, 0, [])]})]}
    return [admin('sale.order', 'create', [values]) for _ in range(count)]


def _confirm_race(race, shop, product, qty, price):
    """Eight quotations of the shop confirmed at once; return (confirmed, refusals)
    and cancel what was confirmed, so that the next round starts afresh."""
    admin = race.admin
    orders = _quotations(admin, shop, product, qty, price)
    outcomes = race.run([(SALESMAN, 'sale.order', 'action_confirm', [order])
                         for order in orders])
    assert not [o for o in outcomes if o[0] == 'crashed'], outcomes
    confirmed = [ids[0] for outcome, ids, _text in outcomes if outcome == 'done']
    states = admin('sale.order', 'read', [orders, ['state']])
    assert sorted(o['id'] for o in states if o['state'] == 'sale') == sorted(confirmed)
    if confirmed:
        admin('sale.order', 'action_cancel', [confirmed])
    return confirmed, [text for outcome, _ids, text in outcomes if outcome == 'refused']


def _assert_clear(refusal, *expected):
    for text in expected:
        assert text in refusal, refusal
    assert 'serializ' not in refusal.lower() and 'Traceback' not in refusal, refusal


def test_eight_clients_never_overrun_the_weekly_quota(race, shop, capsys):
    for _ in range(ROUNDS):
        confirmed, refusals = _confirm_race(race, shop, shop['quota_product'], QTY, 10)
        assert len(confirmed) == QUOTA // QTY
        for refusal in refusals:
            _assert_clear(refusal, 'Quota Beer is limited to %d' % QUOTA, 'Concurrent Shop')
    _report(capsys, race, 'quota: %d rounds of %d clients, %d confirmed each'
            % (ROUNDS, CLIENTS, QUOTA // QTY))


def test_eight_clients_never_overrun_the_credit_limit(race, shop, capsys):
    # Two orders fit the limit, a third does not.
    price = shop['credit_limit'] * 0.4
    for _ in range(ROUNDS):
        confirmed, refusals = _confirm_race(race, shop, shop['credit_product'], 1, price)
        assert len(confirmed) == 2
        for refusal in refusals:
            _assert_clear(refusal, 'above the credit limit', 'Concurrent Shop')
    _report(capsys, race, 'credit: %d rounds of %d clients, 2 confirmed each'
            % (ROUNDS, CLIENTS))


def test_orders_confirmed_while_the_tiers_are_recomputed(race, shop, capsys):
    admin = race.admin
    schemes = admin('crm.tier.scheme', 'search', [[]])
    members = admin('crm.tier.member', 'search_count', [[]])
    recomputes = []
    for _ in range(5):
        orders = _quotations(admin, shop, shop['quota_product'], 1, 10, CLIENTS - 1)
        recompute = threading.Thread(target=lambda: recomputes.append(
            admin('crm.tier.scheme', 'action_recompute', [schemes])))
        recompute.start()
        outcomes = race.run([(SALESMAN, 'sale.order', 'action_confirm', [order])
                             for order in orders])
        recompute.join(120)
        assert [outcome for outcome, _ids, _text in outcomes] == ['done'] * len(orders), \
            outcomes
        admin('sale.order', 'action_cancel', [orders])
    assert recomputes == [True] * 5
    assert admin('crm.tier.member', 'search_count', [[]]) == members
    _report(capsys, race, 'recompute: 5 tier recomputes of every scheme, each beside %d '
            'confirmations, all done' % (CLIENTS - 1))


def test_two_people_check_in_to_one_visit(race, capsys):
    admin = race.admin
    visit = admin('crm.visit', 'search', [[
        ('state', '=', 'planned'), ('user_id.login', '=', 'am1')]], {'limit': 1})
    company, customer = (admin('crm.visit', 'read', [visit, ['company_id', 'partner_id']])[0][f]
                         for f in ('company_id', 'partner_id'))
    partner = admin('res.company', 'read', [[company[0]], ['partner_id']])[0]['partner_id'][0]
    tz = admin('res.partner', 'read', [[partner], ['tz']])[0]['tz'] or 'UTC'
    messages = admin('mail.message', 'search_count', [[
        ('model', '=', 'crm.visit'), ('res_id', '=', visit[0])]])
    for _ in range(ROUNDS):
        # Back to planned for today, as the round before found it.
        crmdb.sql("UPDATE crm_visit SET state = 'planned', check_in = NULL, "
                  "date = (now() AT TIME ZONE %s)::date WHERE id = %s",
                  [tz, visit[0]], dbname=race.server.dbname)
        outcomes = race.run([(login, 'crm.visit', 'action_check_in', visit)
                             for login in ('am1', 'sales_manager')])
        assert sorted(o[0] for o in outcomes) == ['done', 'refused'], outcomes
        refusal = [text for outcome, _ids, text in outcomes if outcome == 'refused'][0]
        _assert_clear(refusal, customer[1], '已于')  # "... was checked in at 9:05 already"
    # One "Checked in." note a round: the refused call left nothing behind.
    assert admin('mail.message', 'search_count', [[
        ('model', '=', 'crm.visit'), ('res_id', '=', visit[0])]]) == messages + ROUNDS
    _report(capsys, race, 'check-in: %d rounds of 2 people on one visit, one check-in each'
            % ROUNDS)


def _report(capsys, race, text):
    with capsys.disabled():
        print('\nconcurrency: %s; %d serialization retries so far' % (
            text, race.server.log().count('SERIALIZATION_FAILURE, retry')))
