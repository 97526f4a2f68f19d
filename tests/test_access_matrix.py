"""Who may create, read, write and delete what, proved over XML-RPC.

One prefork server (2 workers, as production runs) on a copy of the demo
template. Admin makes the records beforehand, inside the demo company; then
every role tries every operation on every user-facing model of the four addons
and on the customer fields a group guards. Each cell is tried for real and must
end as MATRIX says: done, or refused with an AccessError (XML-RPC fault code 4;
a UserError or a crash fails the cell). A refused write must leave the record
as it was, and what a role did is undone before the next cell.

The same server then proves that two companies see nothing of each other, in
records and in KPI figures, and that no context key lifts a check.
"""
import datetime
import xmlrpc.client

import pytest

import crmdb
from conftest import PREFORK, demo_server

REPORT = crmdb.LOG_DIR / 'access-matrix.txt'

# Column label -> login. The demo logins have their login as password; the
# matrix_* users are created below. The records the cells work on are am1's
# wherever ownership counts (their route, visit, customer), so the am2 column
# shows what another account manager may do with them.
ROLES = [
    ('sales', 'matrix_sales'),      # Sales / User only: a salesperson
    ('smgr', 'sales_manager'),      # manager of every area
    ('am1', 'am1'),                 # account manager: tiering, visits, lifecycle users
    ('am2', 'am2'),                 # another account manager
    ('deliv', 'delivery'),          # delivery staff
    ('desk', 'service_desk'),       # service agent
    ('kpi', 'kpi_viewer'),          # KPI viewer
    ('compl', 'compliance'),        # compliance officer (and tiering user)
    ('portal', 'matrix_portal'),    # a portal user
    # Odoo's own public user is archived and cannot log in: a user of the
    # public group (share user, like it) stands in for it over XML-RPC.
    ('public', 'matrix_public'),
]

# Cells: C R W D where the role may create, read, write, delete; '-' where it
# must be refused; '.' where the operation makes no sense (a customer field is
# not deleted; a computed field is not created or written). A field row is the
# customer model with that field: create a customer with it set, read it,
# write it. KPI report views (crm.kpi.* but strategy and section) are
# read-only SQL views. Why some cells are as they are:
# - crm.tier.member and crm.delivery.attempt are written by the recompute and
#   the stop buttons: nobody creates, writes or deletes them by hand;
# - history is corrected, never erased: a pending override request (the target
#   of crm.tier.assignment) is edited by its requester or a tiering manager;
#   lifecycle users log their own moves and managers correct them;
# - any account manager logs a service request, but reads only those they
#   logged, are assigned or whose customer they manage (am2: C---);
# - the compliance class is set by compliance officers only, the lifecycle
#   stage by lifecycle users only, whoever else may write the customer.
MATRIX = """
model                          sales smgr am1  am2  deliv desk kpi  compl portal public
crm.tier.scheme                -R--  CRWD -R-- -R-- ----  ---- -R-- -R--  ----   ----
crm.tier                       -R--  CRWD -R-- -R-- -R--  -R-- -R-- -R--  ----   ----
crm.tier.band                  -R--  CRWD -R-- -R-- ----  ---- ---- -R--  ----   ----
crm.tier.policy                -R--  CRWD -R-- -R-- -R--  -R-- -R-- -R--  ----   ----
crm.tier.quota                 -R--  CRWD -R-- -R-- ----  ---- ---- -R--  ----   ----
crm.tier.member                -R--  -R-- -R-- -R-- ----  ---- ---- -R--  ----   ----
crm.tier.assignment            ----  CRW- CRW- CR-- ----  ---- ---- CR--  ----   ----
crm.tier.initial.rule          ----  CRWD -R-- -R-- ----  ---- ---- -R--  ----   ----
crm.tier.excluded.period       ----  CRWD -R-- -R-- ----  ---- ---- -R--  ----   ----
crm.visit.route                ----  CRWD -RW- ---- -R--  ---- -R-- ----  ----   ----
crm.visit.route.stop           ----  CRWD CRWD ---- -R--  ---- ---- ----  ----   ----
crm.visit                      ----  CRWD CRW- ---- ----  -R-- ---- ----  ----   ----
crm.visit.shelf.line           ----  CRWD CRWD ---- ----  -R-- ---- ----  ----   ----
crm.visit.due                  ----  -R-- -R-- ---- ----  ---- ---- ----  ----   ----
crm.service.request            ----  CRWD CRW- C--- ----  CRW- ---- ----  ----   ----
crm.service.request.stage      ----  CRWD -R-- -R-- ----  -R-- -R-- ----  ----   ----
crm.delivery.failure.reason    ----  CRWD ---- ---- -R--  ---- -R-- ----  ----   ----
crm.delivery.attempt           ----  -R-- ---- ---- -R--  ---- ---- ----  ----   ----
crm.lifecycle.stage            -R--  CRWD -R-- -R-- -R--  -R-- -R-- -R--  ----   ----
crm.lifecycle.rule             ----  CRWD -R-- -R-- ----  ---- -R-- ----  ----   ----
crm.lifecycle.event            ----  CRW- CR-- CR-- ----  ---- ---- ----  ----   ----
crm.kpi.strategy               ----  CRWD ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.section                ----  -RW- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.sales                  ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.customer               ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.visit                  ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.delivery               ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.delivery.failure       ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.service                ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.lifecycle.stage        ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.lifecycle.transition   ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.stock                  ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.unreserved             ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.receivable             ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
crm.kpi.invoicing              ----  -R-- ---- ---- ----  ---- -R-- ----  ----   ----
res.partner:compliance_class   -R-.  -R-. -R-. -R-. -R-.  -R-. -R-. CRW.  ---.   ---.
res.partner:lifecycle_stage_id -R-.  CRW. CRW. CRW. -R-.  -R-. -R-. -R-.  ---.   ---.
res.partner:churn_risk         .-..  .R.. .R.. .R.. .-..  .-.. .-.. .-..  .-..   .-..
"""
OPERATIONS = 'CRWD'
KPI_VIEWS = [
    'crm.kpi.sales', 'crm.kpi.customer', 'crm.kpi.visit', 'crm.kpi.delivery',
    'crm.kpi.delivery.failure', 'crm.kpi.service', 'crm.kpi.lifecycle.stage',
    'crm.kpi.lifecycle.transition', 'crm.kpi.stock', 'crm.kpi.unreserved',
    'crm.kpi.receivable', 'crm.kpi.invoicing']

# Context keys a caller might hope to skip a check with: Odoo's own, made-up
# ones, and every key the addons read (grep "context.get("). The addons'
# private keys only work with a Python object no XML-RPC caller can send.
BYPASS_KEYS = {
    'tracking_disable': True, 'mail_notrack': True, 'mail_create_nolog': True,
    'skip_tier_check': True, 'install_mode': True, 'active_test': False,
    'uid': 1, 'su': True, 'sudo': True,
    'crm_tier_override': True, 'crm_tier_confirming': True,
    'crm_delivery_recording': True, 'lifecycle_reason': 'Context key test',
}
ACCESS_ERROR = 4  # the fault code of odoo.exceptions.AccessError over /xmlrpc/2
ACCESS_MESSAGE = 'cannot be completed due to security restrictions'
# Roles call in English, whatever their language, so that messages can be matched.
ENGLISH = {'lang': 'en_US'}
FAR_DATE = '2030-06-03'  # a Monday; visits planned by the test, far from the demo's


def parse_matrix(text):
    """{row: {role: 'CRWD'}}, checking that the table's columns are ROLES."""
    lines = text.strip().splitlines()
    header = lines[0].split()[1:]
    assert header == [label for label, _login in ROLES], header
    table = {}
    for line in lines[1:]:
        row, *cells = line.split()
        assert len(cells) == len(header) and all(len(c) == 4 for c in cells), line
        table[row] = dict(zip(header, cells))
    return table


def attempt(call):
    """('done', result), ('refused', message) for an AccessError, or ('error', text).

    Odoo 11 checks a new record's constraints before its record rules: a
    constraint that reads what the user may not read ends the create with the
    access-rights message inside a ValidationError. That is a refusal too.
    """
    try:
        return 'done', call()
    except xmlrpc.client.Fault as fault:
        message = fault.faultString.strip()
        refused = fault.faultCode == ACCESS_ERROR or (
            'Error while validating constraint' in message and ACCESS_MESSAGE in message)
        return ('refused' if refused else 'error'), message


def short(note):
    """The last line of a fault (a traceback's is the exception), or a result."""
    return str(note).strip().splitlines()[-1][:300] if note else repr(note)


class Case(object):
    """How to try the four operations on one row of the matrix.

    ``target``: the record read and written; ``fields``: what is read (and
    compared after a write); ``create``/``write``: values (None: '.'); ``victim``:
    makes a record to delete, as admin (None: '.'; for a view, its target,
    which nobody deletes); ``context``: sent with create and write.
    """

    def __init__(self, model, target, fields, create=None, write=None, victim=None,
                 context=None, view=False):
        self.model, self.target, self.fields = model, target, fields
        self.create, self.write, self.victim = create, write, victim
        self.context = context or {}
        self.view = view  # an SQL view: no write_date
        self.victim_id = None


class World(object):
    """The server, an admin session and the ids of the records made for the test."""

    def __init__(self, server):
        self.server = server
        self.admin = server.rpc('admin', 'admin')
        self.ids = {}

    def ref(self, xmlid):
        return self.admin('ir.model.data', 'xmlid_to_res_id', [xmlid])

    def make(self, model, vals, context=None):
        return self.admin(model, 'create', [vals], {'context': context or {}})

    def first(self, model, domain):
        ids = self.admin(model, 'search', [domain], {'limit': 1})
        assert ids, 'no %s matches %s in the demo' % (model, domain)
        return ids[0]

    def read(self, model, record_id, fields):
        rows = self.admin(model, 'read', [[record_id], fields])
        return rows[0] if rows else None

    def exists(self, model, record_id):
        return bool(self.admin(model, 'search_count', [[('id', '=', record_id)]],
                               {'context': {'active_test': False}}))


def _new_user(world, login, groups):
    company = world.ids['company']
    return world.make('res.users', {
        'name': login, 'login': login, 'password': login, 'lang': 'en_US',
        'email': login + '@example.com', 'company_id': company,
        'company_ids': [(6, 0, [company])],
        'groups_id': [(6, 0, [world.ref(group) for group in groups])],
    }, {'no_reset_password': True})


def build_world(world):
    """The demo company's records the cells work on, made as admin."""
    ids, make = world.ids, world.make
    admin_user = world.read('res.users', world.admin.uid, ['company_id'])
    company = ids['company'] = admin_user['company_id'][0]
    ids['company_partner'] = world.read('res.company', company, ['partner_id'])['partner_id'][0]
    _new_user(world, 'matrix_sales', ['sales_team.group_sale_salesman'])
    _new_user(world, 'matrix_portal', ['base.group_portal'])
    _new_user(world, 'matrix_public', ['base.group_public'])
    users = world.admin('res.users', 'search_read', [[('login', 'in', [
        'am1', 'delivery', 'sales_manager'])]], {'fields': ['login']})
    ids.update({'user_' + user['login']: user['id'] for user in users})
    am1 = ids['user_am1']
    stages = world.admin('crm.lifecycle.stage', 'search_read', [[('code', '!=', False)]],
                         {'fields': ['code']})
    ids.update({'stage_' + stage['code']: stage['id'] for stage in stages})

    def shop(name):
        return make('res.partner', {'name': name, 'customer': True, 'is_company': True,
                                    'company_id': company, 'user_id': am1})
    ids['shop'] = shop('Matrix Shop')             # am1's customer, on am1's route
    ids['shop_new'] = shop('Matrix Shop New')     # put on a route, in a scheme by cells
    ids['shop_victim'] = shop('Matrix Shop Victim')
    ids['field_shop'] = shop('Matrix Field Shop')  # its guarded fields are written
    world.admin('res.partner', 'write', [[ids['field_shop']], {
        'lifecycle_stage_id': ids['stage_exploration']}],
        {'context': {'lifecycle_reason': 'Matrix set-up'}})
    ids['unit'] = world.ref('product.product_uom_unit')
    ids['beer'] = make('product.product', {
        'name': 'Matrix Beer', 'type': 'consu', 'uom_id': ids['unit'],
        'uom_po_id': ids['unit'], 'list_price': 10, 'taxes_id': [(6, 0, [])]})
    ids.update(_company_records(world, company, ids['shop'], am1, ids['company_partner']))
    return world


def _company_records(world, company, shop, user, depot):
    """A tier scheme (not primary: the demo's tiers stay), policy, route, visit,
    service request and lifecycle move of ``shop`` in ``company``."""
    make = world.make
    policy = make('crm.tier.policy', {'name': 'Matrix policy', 'company_id': company})
    scheme = make('crm.tier.scheme', {
        'name': 'Matrix scheme', 'company_id': company, 'method': 'threshold',
        'metric': 'revenue', 'tier_ids': [
            (0, 0, {'name': 'Matrix top', 'code': 'MT', 'rank': 1, 'lower_bound': 1e6,
                    'policy_id': policy}),
            (0, 0, {'name': 'Matrix low', 'code': 'ML', 'rank': 2, 'lower_bound': 1e3})]})
    tiers = {tier['code']: tier['id'] for tier in world.admin(
        'crm.tier', 'search_read', [[('scheme_id', '=', scheme)]], {'fields': ['code']})}
    route = make('crm.visit.route', {
        'code': 'MX1', 'name': 'Matrix route', 'company_id': company, 'user_id': user,
        'visit_mon': True, 'depot_id': depot,
        'stop_ids': [(0, 0, {'partner_id': shop, 'sequence': 1})]})
    return {
        'policy': policy, 'scheme': scheme, 'tier_top': tiers['MT'], 'tier_low': tiers['ML'],
        'member': make('crm.tier.member', {'partner_id': shop, 'scheme_id': scheme,
                                           'tier_id': tiers['MT'], 'company_id': company}),
        'route': route,
        'stop': world.first('crm.visit.route.stop', [('route_id', '=', route)]),
        'visit': make('crm.visit', {'partner_id': shop, 'route_id': route, 'user_id': user,
                                    'company_id': company, 'date': FAR_DATE}),
        'request': make('crm.service.request', {
            'name': 'Matrix request', 'partner_id': shop, 'company_id': company}),
        # A manual move of the shop, as a stage change logs it.
        'event': make('crm.lifecycle.event', {
            'partner_id': shop, 'company_id': company, 'origin': 'manual',
            'to_stage_id': world.ids['stage_development'], 'reason': 'Matrix event'}),
    }


def build_cases(world):
    """One Case per row of MATRIX, with its records."""
    ids, make, first = world.ids, world.make, world.first
    company, scheme = ids['company'], ids['scheme']
    top, low, route = ids['tier_top'], ids['tier_low'], ids['route']
    am1, beer, unit = ids['user_am1'], ids['beer'], ids['unit']
    cases = {}

    def case(model, target, write, create, victim=None):
        """``target``: an id or the values to make it; ``victim``: values of the
        records to delete (default: ``create``; different where a unique
        constraint would refuse the create while the victim exists)."""
        if isinstance(target, dict):
            target = make(model, target)
        victim = victim or create
        cases[model] = Case(model, target, sorted(write), create=create, write=write,
                            victim=lambda: make(model, victim))

    case('crm.tier.scheme', scheme, {'sequence': 7},
         {'name': 'Matrix scheme 2', 'method': 'threshold', 'metric': 'revenue'})
    tier = {'scheme_id': scheme, 'name': 'Matrix new', 'code': 'MN', 'rank': 5,
            'lower_bound': 100}
    case('crm.tier', top, {'color': 3}, tier,
         dict(tier, code='MV', rank=9, lower_bound=10))
    band = {'scheme_id': scheme, 'axis': 'unit', 'lower_bound': 0}
    case('crm.tier.band', dict(band, axis='volume'), {'lower_bound': 7.0}, band,
         dict(band, lower_bound=50))
    case('crm.tier.policy', ids['policy'], {'sequence': 7}, {'name': 'Matrix policy 2'})
    quota = {'policy_id': ids['policy'], 'product_id': beer, 'period': 'week',
             'max_qty': 10, 'uom_id': unit}
    case('crm.tier.quota', quota, {'max_qty': 12.0}, dict(quota, period='month'))
    member = {'scheme_id': scheme, 'tier_id': top, 'company_id': company}
    case('crm.tier.member', ids['member'], {'value': 5.0},
         dict(member, partner_id=ids['shop_new']), dict(member, partner_id=ids['shop_victim']))
    # An override request of am1's, pending: the one kind of history entry that
    # is edited (its reason and expiry), by its requester or a manager only.
    expiry = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    request = {'partner_id': ids['shop'], 'tier_id': low, 'reason': 'Matrix request',
               'expiry_date': expiry}
    case('crm.tier.assignment',
         world.server.rpc('am1')('crm.tier.assignment', 'create', [request]),
         {'reason': 'Reason rewritten'}, request)
    case('crm.tier.initial.rule', {'scheme_id': scheme, 'shop_size': 'large', 'tier_id': low},
         {'sequence': 15}, {'scheme_id': scheme, 'shop_size': 'small', 'tier_id': low})
    case('crm.tier.excluded.period', {
        'name': 'Matrix festival', 'date_from': '2020-02-01', 'date_to': '2020-02-10',
        'company_id': company}, {'date_to': '2020-02-11'},
        {'name': 'Matrix holiday', 'date_from': '2020-10-01', 'date_to': '2020-10-07'})

    new_route = {'name': 'Matrix route 2', 'user_id': am1, 'visit_tue': True}
    case('crm.visit.route', route, {'delivery_offset_days': 2}, dict(new_route, code='MX2'),
         dict(new_route, code='MX9'))
    case('crm.visit.route.stop', ids['stop'], {'sequence': 5},
         {'route_id': route, 'partner_id': ids['shop_new']},
         {'route_id': route, 'partner_id': ids['shop_victim']})
    visit = {'partner_id': ids['shop'], 'route_id': route, 'user_id': am1}
    case('crm.visit', ids['visit'], {'note': 'Noted in the matrix'},
         dict(visit, date='2030-06-10'), dict(visit, date='2030-06-17'))
    shelf = {'visit_id': ids['visit'], 'product_id': beer, 'quantity': 3}
    case('crm.visit.shelf.line', shelf, {'quantity': 6.0}, dict(shelf, quantity=4))
    cases['crm.visit.due'] = _view_case(world, 'crm.visit.due', [('user_id', '=', am1)])
    case('crm.service.request', ids['request'], {'description': 'Noted in the matrix'},
         {'name': 'Matrix request 2', 'partner_id': ids['shop']})
    case('crm.service.request.stage', {'name': 'Matrix stage', 'sequence': 90},
         {'sequence': 93}, {'name': 'Matrix stage 2', 'sequence': 91})
    case('crm.delivery.failure.reason', {'name': 'Matrix reason', 'code': 'MX'},
         {'code': 'MXW'}, {'name': 'Matrix reason 2', 'code': 'MX2'})
    # Attempts come from the stop buttons; admin (the superuser) may log one.
    attempt_vals = {'picking_id': _outgoing_picking(world), 'company_id': company,
                    'route_id': route, 'user_id': ids['user_delivery'], 'outcome': 'failed',
                    'attempt': 1}
    case('crm.delivery.attempt', attempt_vals, {'note': 'Rewritten outcome'},
         dict(attempt_vals, outcome='delivered'))

    case('crm.lifecycle.stage', {'name': 'Matrix stage', 'sequence': 95}, {'color': 4},
         {'name': 'Matrix stage 2', 'sequence': 96})
    rule = {'name': 'Matrix rule', 'to_stage_id': ids['stage_development'], 'active': False,
            'company_id': company}
    case('crm.lifecycle.rule', rule, {'sequence': 77}, dict(rule, name='Matrix rule 2'))
    # The shop has no stage: logging a move from nowhere is consistent with it.
    case('crm.lifecycle.event', ids['event'], {'reason': 'Rewritten'}, {
        'partner_id': ids['shop'], 'to_stage_id': ids['stage_development'],
        'reason': 'Logged by hand'})

    strategy = {'company_id': company, 'tier_id': top, 'strategy': 'Matrix strategy'}
    case('crm.kpi.strategy', dict(strategy, relationship_band='high'),
         {'strategy': 'Rewritten'}, dict(strategy, relationship_band='medium'),
         dict(strategy, relationship_band='low'))
    section = {'name': 'Matrix section', 'code': 'matrix', 'model': 'crm.kpi.sales'}
    case('crm.kpi.section', first('crm.kpi.section', []), {'sequence': 77}, section,
         dict(section, code='matrix_victim'))
    for view in KPI_VIEWS:
        cases[view] = _view_case(world, view, [('company_id', '=', company)])

    new_shop = {'name': 'Matrix Shop Created', 'customer': True, 'is_company': True}
    cases['res.partner:compliance_class'] = Case(
        'res.partner', ids['field_shop'], ['compliance_class'],
        create=dict(new_shop, compliance_class='C'), write={'compliance_class': 'B'})
    cases['res.partner:lifecycle_stage_id'] = Case(
        'res.partner', ids['field_shop'], ['lifecycle_stage_id'],
        create=dict(new_shop, lifecycle_stage_id=ids['stage_development']),
        write={'lifecycle_stage_id': ids['stage_development']},
        context={'lifecycle_reason': 'Matrix check'})
    cases['res.partner:churn_risk'] = Case('res.partner', ids['field_shop'], ['churn_risk'])
    return cases


def _view_case(world, view, domain):
    """A row of an SQL view: read it; creating, writing or deleting must be refused."""
    target = world.first(view, domain)
    company = {'company_id': world.ids['company']}
    return Case(view, target, ['company_id'], create=company, write=company,
                victim=lambda: target, view=True)


def _outgoing_picking(world):
    return world.first('stock.picking', [('picking_type_code', '=', 'outgoing'),
                                         ('company_id', '=', world.ids['company'])])


def _plain(value):
    """A value as read, in the form it is written (many2one: the id)."""
    return value[0] if isinstance(value, list) and len(value) == 2 else value


def check_cell(world, rpc, case, operation):
    """Try one operation as ``rpc``'s user; return ('done' or 'refused' or 'error', note).

    Whatever was done is undone as admin; what was refused is checked to have
    left the record as it was.
    """
    admin, model = world.admin, case.model
    context = {'context': dict(case.context, **ENGLISH)}
    if operation == 'C':
        outcome, result = attempt(lambda: rpc(model, 'create', [case.create], context))
        if outcome == 'done':
            admin(model, 'unlink', [[result]])
        return outcome, result
    if operation == 'R':
        outcome, result = attempt(lambda: rpc(model, 'read', [[case.target], case.fields],
                                              context))
        if outcome == 'done' and result[0]['id'] != case.target:
            return 'error', 'read gave %r' % result
        return outcome, result
    if operation == 'W':
        stamp = [] if case.view else ['write_date']
        before = world.read(model, case.target, sorted(case.write) + stamp)
        outcome, result = attempt(lambda: rpc(model, 'write', [[case.target], case.write],
                                              context))
        after = world.read(model, case.target, sorted(case.write) + stamp)
        if outcome == 'done':
            if any(_plain(after[name]) != value for name, value in case.write.items()):
                return 'error', 'write reported done but the record reads %r' % after
            admin(model, 'write', [[case.target], {
                name: _plain(before[name]) for name in case.write}], {'context': case.context})
        elif after != before:
            return 'error', 'refused write changed the record: %r -> %r' % (before, after)
        return outcome, result
    if not case.victim_id:
        case.victim_id = case.victim()
    victim = case.victim_id
    outcome, result = attempt(lambda: rpc(model, 'unlink', [[victim]], context))
    if outcome == 'done':
        case.victim_id = None
    if world.exists(model, victim) == (outcome == 'done'):
        return 'error', 'unlink %s but the record %s' % (
            outcome, 'is still there' if outcome == 'done' else 'is gone')
    return outcome, result


@pytest.fixture(scope='module')
def server(demo_template):
    with demo_server(demo_template, 'crm_test_access_matrix', 'access-matrix', PREFORK) as odoo:
        yield odoo


@pytest.fixture(scope='module')
def world(server):
    REPORT.write_text('')
    return build_world(World(server))


def report(capsys, text):
    """Show the figures in pytest's output (even with -q) and keep them in var/log."""
    with capsys.disabled():
        print('\n' + text)
    with open(str(REPORT), 'a') as log:
        log.write(text + '\n')


def test_access_matrix(world, capsys):
    expected = parse_matrix(MATRIX)
    cases = build_cases(world)
    assert list(cases) == list(expected), 'MATRIX rows and cases differ'
    sessions = {label: world.server.rpc(login) for label, login in ROLES}
    observed, wrong = {}, []
    for row, case in cases.items():
        for label, _login in ROLES:
            cells = ''
            for operation, cell in zip(OPERATIONS, expected[row][label]):
                if cell == '.':
                    cells += '.'
                    continue
                outcome, note = check_cell(world, sessions[label], case, operation)
                cells += {'done': operation, 'refused': '-'}.get(outcome, '!')
                want = 'done' if cell == operation else 'refused'
                if outcome != want:
                    wrong.append('%s %s %s: expected %s, got %s: %s' % (
                        row, label, operation, want, outcome, short(note)))
            observed.setdefault(row, {})[label] = cells
    cells = [cell for row in expected.values() for cell in ''.join(row.values())]
    allowed = len([cell for cell in cells if cell in OPERATIONS])
    fields = len([row for row in cases if ':' in row])
    report(capsys, 'access matrix: %d roles x %d rows (%d models, %d guarded customer '
           'fields) x up to 4 operations = %d cells checked: %d allowed, %d refused' % (
               len(ROLES), len(cases), len(cases) - fields, fields,
               allowed + cells.count('-'), allowed, cells.count('-')))
    with open(str(REPORT), 'a') as log:
        log.write(format_matrix(observed) + '\n')
    assert not wrong, '%d cells differ from MATRIX:\n%s\nobserved:\n%s' % (
        len(wrong), '\n'.join(wrong), format_matrix(observed))


def format_matrix(table):
    """``table`` laid out as MATRIX is."""
    width = max(len(row) for row in table)
    lines = ['%-*s %s' % (width, 'model', ' '.join('%-6s' % label for label, _ in ROLES))]
    lines += ['%-*s %s' % (width, row, ' '.join('%-6s' % cells[label] for label, _ in ROLES))
              for row, cells in table.items()]
    return '\n'.join(line.rstrip() for line in lines)


@pytest.fixture(scope='module')
def branch(world):
    """A second company with its own customer, tier scheme and policy, route,
    visit, service request and lifecycle move, and a manager who belongs to it
    only and has the groups of the demo's sales manager."""
    ids, make = world.ids, world.make
    company = make('res.company', {'name': 'Matrix Branch', 'parent_id': False})
    depot = world.read('res.company', company, ['partner_id'])['partner_id'][0]
    groups = world.read('res.users', ids['user_sales_manager'], ['groups_id'])['groups_id']
    user = make('res.users', {
        'name': 'Branch Manager', 'login': 'matrix_branch', 'password': 'matrix_branch',
        'lang': 'en_US', 'company_id': company, 'company_ids': [(6, 0, [company])],
        'groups_id': [(6, 0, groups)]}, {'no_reset_password': True})
    shop = make('res.partner', {'name': 'Branch Shop', 'customer': True, 'is_company': True,
                                'company_id': company, 'user_id': user})
    records = _company_records(world, company, shop, user, depot)
    return {'company': company, 'user': user, 'shop': shop, 'records': records}


# What each company must keep to itself, as keys of _company_records (and the shop).
COMPANY_RECORDS = [
    ('res.partner', 'shop'), ('crm.tier.scheme', 'scheme'), ('crm.tier.policy', 'policy'),
    ('crm.tier', 'tier_top'), ('crm.tier.member', 'member'), ('crm.visit.route', 'route'),
    ('crm.visit.route.stop', 'stop'), ('crm.visit', 'visit'),
    ('crm.service.request', 'request'), ('crm.lifecycle.event', 'event')]


def test_companies_see_nothing_of_each_other(world, branch, capsys):
    head = world.ids
    other = dict(branch['records'], shop=branch['shop'], company=branch['company'])
    sides = [('sales_manager', world.server.rpc('sales_manager'), head, other),
             ('matrix_branch', world.server.rpc('matrix_branch'), other, head)]
    checks = 0
    for login, rpc, own, foreign in sides:
        context = {'context': dict(ENGLISH, active_test=False)}
        for model, key in COMPANY_RECORDS:
            assert rpc(model, 'search_count', [[('id', '=', own[key])]], context) == 1, \
                (login, model)
            rpc(model, 'read', [[own[key]], ['create_date']], context)
            assert rpc(model, 'search_count', [[('id', '=', foreign[key])]], context) == 0, \
                (login, model, 'sees the other company')
            outcome, note = attempt(lambda: rpc(model, 'read', [[foreign[key]], ['create_date']],
                                                context))
            assert outcome == 'refused', (login, model, outcome, short(note))
            checks += 4
    # The KPI views: every row a user aggregates is of their own company. Admin
    # sees both, which proves the branch has rows to leak in some views.
    with_branch_rows, groups = [], 0
    for view in KPI_VIEWS:
        rows = world.admin(view, 'read_group', [[], ['company_id'], ['company_id']])
        if any(row['company_id'] and row['company_id'][0] == branch['company'] for row in rows):
            with_branch_rows.append(view)
        for login, rpc, own, foreign in sides:
            rows = rpc(view, 'read_group', [[], ['company_id'], ['company_id']],
                       {'context': ENGLISH})
            companies = {row['company_id'] and row['company_id'][0] for row in rows}
            assert companies <= {own['company']}, (login, view, rows)
            assert rpc(view, 'search_count', [[('company_id', '=', foreign['company'])]]) == 0
            groups += len(rows)
    assert {'crm.kpi.visit', 'crm.kpi.service'} <= set(with_branch_rows), with_branch_rows
    report(capsys, 'multi-company: 2 companies x %d models = %d record checks (search_count '
           'and read, own and other); %d KPI views read_group by each company: %d groups, '
           'none of the other company (branch rows in %s)' % (
               len(COMPANY_RECORDS), checks, len(KPI_VIEWS), groups,
               ', '.join(view[len('crm.kpi.'):] for view in with_branch_rows)))


def _over_quota_order(world, rpc):
    """A salesperson's quotation of 8 Matrix Beer for a shop whose tier policy
    allows 5 a week: the shop is put in a tier of the primary scheme, whose
    policy gets that quota."""
    admin, ids = world.admin, world.ids
    tier = admin('crm.tier', 'search_read', [[('scheme_id.is_primary', '=', True),
                                              ('company_id', '=', ids['company']),
                                              ('policy_id', '!=', False)]],
                 {'fields': ['scheme_id', 'policy_id'], 'limit': 1})[0]
    world.make('crm.tier.quota', {'policy_id': tier['policy_id'][0], 'product_id': ids['beer'],
                                  'period': 'week', 'max_qty': 5, 'uom_id': ids['unit']})
    shop = world.make('res.partner', {'name': 'Matrix Quota Shop', 'customer': True,
                                      'is_company': True, 'company_id': ids['company']})
    world.make('crm.tier.member', {'partner_id': shop, 'scheme_id': tier['scheme_id'][0],
                                   'tier_id': tier['id'], 'company_id': ids['company']})
    return rpc('sale.order', 'create', [{'partner_id': shop, 'order_line': [(0, 0, {
        'product_id': ids['beer'], 'product_uom_qty': 8, 'price_unit': 10,
        'tax_id': [(6, 0, [])]})]}])


def test_no_context_key_lifts_a_check(world, branch, capsys):
    ids, admin = world.ids, world.admin
    keys = dict(BYPASS_KEYS, force_company=branch['company'], active_model='crm.visit.route',
                active_id=ids['route'], active_ids=[ids['route']])
    with_keys = {'context': dict(keys, **ENGLISH)}
    rpc = {login: world.server.rpc(login) for login in [
        'matrix_sales', 'am1', 'am2', 'compliance', 'delivery', 'kpi_viewer', 'sales_manager']}
    field_shop, visit, picking = ids['field_shop'], ids['visit'], _outgoing_picking(world)
    stage = world.read('crm.service.request', ids['request'], ['stage_id'])['stage_id'][0]
    other_stage = world.first('crm.service.request.stage', [('id', '!=', stage)])
    # (who, model, method, args, the record that must stay as it was, its fields)
    guarded = [
        ('matrix_sales', 'res.partner', 'write', [[field_shop], {'compliance_class': 'W'}],
         ('res.partner', field_shop, ['compliance_class'])),
        ('am1', 'res.partner', 'write', [[field_shop], {'compliance_class': 'W'}],
         ('res.partner', field_shop, ['compliance_class'])),
        ('am1', 'res.partner', 'create', [{'name': 'Keyed shop', 'compliance_class': 'W'}],
         None),
        ('compliance', 'res.partner', 'write', [[field_shop], {
            'lifecycle_stage_id': ids['stage_churned']}],
         ('res.partner', field_shop, ['lifecycle_stage_id'])),
        ('matrix_sales', 'res.partner', 'write', [[field_shop], {
            'lifecycle_stage_id': ids['stage_churned']}],
         ('res.partner', field_shop, ['lifecycle_stage_id'])),
        ('kpi_viewer', 'res.partner', 'write', [[field_shop], {'name': 'Renamed'}],
         ('res.partner', field_shop, ['name'])),
        ('am1', 'crm.tier.assignment', 'create', [{
            'partner_id': field_shop, 'kind': 'compliance', 'compliance_class': 'W'}], None),
        ('am1', 'crm.tier.assignment', 'create', [{
            'partner_id': field_shop, 'tier_id': ids['tier_low'], 'source': 'computed'}], None),
        ('am1', 'crm.lifecycle.event', 'create', [{
            'partner_id': ids['shop'], 'to_stage_id': ids['stage_churned'], 'origin': 'rule',
            'reason': 'Keyed'}], None),
        ('am1', 'crm.visit', 'create', [{
            'partner_id': ids['shop'], 'route_id': ids['route'], 'date': '2030-07-01',
            'state': 'done'}], None),
        ('am1', 'crm.visit', 'write', [[visit], {'check_in': '2030-06-03 08:00:00'}],
         ('crm.visit', visit, ['state', 'check_in'])),
        ('am1', 'crm.service.request', 'write', [[ids['request']], {'stage_id': other_stage}],
         ('crm.service.request', ids['request'], ['stage_id'])),
        ('delivery', 'crm.delivery.attempt', 'create', [{
            'picking_id': picking, 'company_id': ids['company'], 'outcome': 'delivered',
            'attempt': 1}], None),
        ('delivery', 'stock.picking', 'write', [[picking], {'delivery_outcome': 'delivered'}],
         ('stock.picking', picking, ['delivery_outcome'])),
        ('am2', 'crm.visit', 'read', [[visit], ['note']], None),
        ('am2', 'crm.visit.route', 'write', [[ids['route']], {'visit_sun': True}],
         ('crm.visit.route', ids['route'], ['visit_sun'])),
        ('sales_manager', 'crm.visit', 'read', [[branch['records']['visit']], ['note']], None),
        ('sales_manager', 'res.partner', 'read', [[branch['shop']], ['compliance_class']], None),
    ]
    failures = []
    for login, model, method, args, record in guarded:
        before = record and world.read(*record)
        # Refused with the keys as without them (the message may differ: with
        # tracking off, a write is refused before tracking reads the record).
        plain = attempt(lambda: rpc[login](model, method, args, {'context': ENGLISH}))
        keyed = attempt(lambda: rpc[login](model, method, args, with_keys))
        if keyed[0] != 'refused' or plain[0] != 'refused':
            failures.append('%s %s.%s: %s without the keys, %s with them: %s' % (
                login, model, method, plain[0], keyed[0], short(keyed[1])))
        if record and world.read(*record) != before:
            failures.append('%s %s.%s changed %r' % (login, model, method, before))
    # Hidden records stay hidden from searches too.
    for login, model, record_id in [('am2', 'crm.visit', visit),
                                    ('sales_manager', 'crm.visit', branch['records']['visit']),
                                    ('sales_manager', 'res.partner', branch['shop'])]:
        if rpc[login](model, 'search_count', [[('id', '=', record_id)]], with_keys):
            failures.append('%s finds %s %d' % (login, model, record_id))
    # am2 names am1's route to the visit planning wizard (and in the context
    # keys): am2 cannot read it, so the wizard plans am2's routes, none of am1's.
    on_route = [[('route_id', '=', ids['route'])]]
    visits = admin('crm.visit', 'search_count', on_route)
    plan = rpc['am2']('crm.visit.plan', 'create', [{
        'weeks': 1, 'route_ids': [(6, 0, [ids['route']])]}], with_keys)
    outcome, note = attempt(lambda: rpc['am2']('crm.visit.plan', 'action_plan', [[plan]],
                                               with_keys))
    if outcome == 'error' or admin('crm.visit', 'search_count', on_route) != visits:
        failures.append('am2 plans visits on am1\'s route: %s %s' % (outcome, short(note)))
    # A salesperson's over-quota order is refused whatever the context says.
    sales = rpc['matrix_sales']
    order = _over_quota_order(world, sales)
    for method, args in [('action_confirm', [[order]]),
                         ('write', [[order], {'state': 'sale'}])]:
        outcome, note = attempt(lambda: sales('sale.order', method, args, with_keys))
        if outcome != 'error' or 'Matrix Beer is limited to 5' not in note:
            failures.append('sale.order.%s over quota: %s %s' % (method, outcome, short(note)))
    outcome, note = attempt(lambda: sales('sale.order', 'action_confirm_override', [[order]],
                                          with_keys))
    if outcome != 'refused':
        failures.append('sale.order.action_confirm_override: %s %s' % (outcome, short(note)))
    state = world.read('sale.order', order, ['state'])['state']
    if state != 'draft':
        failures.append('the over-quota order is %s' % state)
    assert not failures, '\n'.join(failures)
    report(capsys, 'context keys: %d keys (%s) sent with %d guarded operations, 3 searches, '
           'a visit plan and 3 over-quota confirmations: none lifted a check' % (
               len(keys), ', '.join(sorted(keys)), len(guarded)))
