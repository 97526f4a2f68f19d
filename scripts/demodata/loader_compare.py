"""Fixtures and row comparison for checking the bulk loader against the ORM flow."""
import collections
import datetime
import json
import re

from demodata import checks, plan

# (name, list price, cost)
FIXTURE_PRODUCTS = [('Water 24', 36.0, 27.5), ('Cola 24', 52.0, 41.0), ('Tea 15', 45.0, 35.0),
                    ('Chips 20', 96.0, 76.0), ('Oil 5L', 268.0, 226.0)]


def make_fixture(env, tag):
    """Two partners (immediate and 30-day terms) and five products; both runs get
    their own set, with the same names, told apart by the partners' ``ref``."""
    user = env['res.users'].search([('login', '=', 'admin')], limit=1)
    team = env.ref('sales_team.team_sales_department')
    terms = [env.ref('account.account_payment_term_immediate'),
             env.ref('account.account_payment_term_net')]
    partners = [env['res.partner'].create({
        'name': 'Shop %d' % i, 'ref': '%s%d' % (tag, i), 'customer': True, 'is_company': True,
        'user_id': user.id, 'team_id': team.id, 'property_payment_term_id': term.id,
    }) for i, term in enumerate(terms)]
    default_taxes = env['product.template'].default_get(['taxes_id']).get('taxes_id') or []
    default_ids = default_taxes
    if default_taxes and isinstance(default_taxes[0], (list, tuple)):  # [(6, 0, ids)]
        default_ids = default_taxes[0][2]
    other_tax = env['account.tax'].search(
        [('type_tax_use', '=', 'sale'), ('id', 'not in', default_ids)], limit=1)
    products = []
    for i, (name, price, cost) in enumerate(FIXTURE_PRODUCTS):
        vals = {'name': name, 'type': 'product', 'list_price': price,
                'standard_price': cost, 'invoice_policy': 'delivery', 'sale_ok': True}
        if i == 4:  # one product on the other VAT rate, so invoices carry two taxes
            vals['taxes_id'] = [(6, 0, other_tax.ids)]
        products.append(env['product.product'].create(vals))
    return partners, products


def sample_orders(today):
    """A handful of orders covering the cases the loader must get right."""
    def day(n):
        return today - datetime.timedelta(days=n)

    def at(n, h=9):
        return datetime.datetime.combine(day(n), datetime.time(h, 15))

    def order(cust, n, lines, payments, refund=None):
        placed = at(n)
        delivered = placed + datetime.timedelta(days=1, hours=2)
        return plan.Order(customer=cust, date_order=placed, lines=lines,
                          delivered_at=delivered, invoiced_on=delivered.date(),
                          payments=payments, refund=refund)

    return [
        # paid in cash on the invoice day, several lines and both taxes
        order(0, 60, [(0, 5), (1, 3), (4, 2)], [(day(59), 1.0)]),
        # paid by bank three days later
        order(0, 50, [(2, 4), (3, 1)], [(day(46), 1.0)]),
        # slow payer: half now, half later
        order(1, 45, [(0, 2), (3, 6), (4, 1)], [(day(30), 0.5), (day(10), 0.5)]),
        # slow payer: half paid, rest open
        order(1, 40, [(1, 7), (2, 2)], [(day(20), 0.5)]),
        # unpaid, overdue
        order(1, 35, [(0, 9), (4, 3)], []),
        # refund before payment: credit note reconciled with the invoice
        order(1, 30, [(1, 4), (3, 2)], [(day(5), 1.0)], refund=(day(27), [(3, 1)])),
        # refund after full payment: credit stays open
        order(0, 25, [(0, 6), (2, 3)], [(day(24), 1.0)], refund=(day(21), [(0, 3)])),
        # not paid yet, refund reconciled
        order(1, 20, [(4, 4)], [], refund=(day(18), [(4, 2)])),
    ]


# -- comparing what two runs wrote ------------------------------------------------

# Sequence-made names differ between the runs; keep their prefix only.
NAME_RE = re.compile(r'(SO|WH/OUT/|WH/IN/|INV/\d{4}/|CUST\.IN/\d{4}/|CUST\.OUT/\d{4}/|'
                     r'[A-Z]{3,4}\d?/\d{4}/|STJ/\d{4}/)\d+')
UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
IGNORED = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}

# table: (SQL selecting the ids of one run's rows from its partner ids %(partners)s and
#         product ids %(products)s, columns forming the row's natural key)
TABLES = collections.OrderedDict([
    ('sale_order', ("SELECT id FROM sale_order WHERE partner_id IN %(partners)s",
                    ['partner_id', 'date_order'])),
    ('sale_order_line', ("SELECT id FROM sale_order_line WHERE order_partner_id IN %(partners)s",
                         ['order_id', 'product_id'])),
    ('procurement_group', ("SELECT id FROM procurement_group WHERE partner_id IN %(partners)s",
                           ['sale_id'])),
    ('stock_picking', ("SELECT id FROM stock_picking WHERE partner_id IN %(partners)s",
                       ['sale_id'])),
    ('stock_inventory', ("SELECT DISTINCT inventory_id FROM stock_move "
                         "WHERE product_id IN %(products)s AND inventory_id IS NOT NULL",
                         ['date', 'location_id'])),
    ('stock_inventory_line', ("SELECT id FROM stock_inventory_line "
                              "WHERE product_id IN %(products)s",
                              ['inventory_id', 'product_id'])),
    ('stock_move', ("SELECT id FROM stock_move WHERE product_id IN %(products)s",
                    ['picking_id', 'inventory_id', 'product_id'])),
    ('stock_move_line', ("SELECT id FROM stock_move_line WHERE product_id IN %(products)s",
                         ['move_id'])),
    ('account_invoice', ("SELECT id FROM account_invoice WHERE partner_id IN %(partners)s",
                         ['type', 'partner_id', 'date_invoice', 'amount_total'])),
    ('account_invoice_line', ("SELECT id FROM account_invoice_line "
                              "WHERE partner_id IN %(partners)s",
                              ['invoice_id', 'product_id'])),
    ('account_invoice_tax', ("SELECT t.id FROM account_invoice_tax t JOIN account_invoice i "
                             "ON i.id = t.invoice_id WHERE i.partner_id IN %(partners)s",
                             ['invoice_id', 'tax_id'])),
    ('account_payment', ("SELECT id FROM account_payment WHERE partner_id IN %(partners)s",
                         ['partner_id', 'payment_date', 'amount'])),
    ('account_move', ("SELECT id FROM account_move WHERE partner_id IN %(partners)s "
                      "UNION SELECT m.id FROM account_move m JOIN stock_move s "
                      "ON s.id = m.stock_move_id WHERE s.product_id IN %(products)s",
                      ['journal_id', 'date', 'partner_id', 'amount', 'stock_move_id'])),
    ('account_move_line', ("SELECT id FROM account_move_line WHERE move_id IN "
                           "(SELECT id FROM account_move WHERE partner_id IN %(partners)s)",
                           ['move_id', 'account_id', 'product_id', 'tax_line_id', 'debit',
                            'credit'])),
    ('account_partial_reconcile', ("SELECT p.id FROM account_partial_reconcile p JOIN "
                                   "account_move_line l ON l.id = p.debit_move_id "
                                   "WHERE l.partner_id IN %(partners)s",
                                   ['debit_move_id', 'credit_move_id'])),
    ('account_full_reconcile', ("SELECT DISTINCT full_reconcile_id FROM account_move_line "
                                "WHERE partner_id IN %(partners)s "
                                "AND full_reconcile_id IS NOT NULL",
                                [])),
])

# relation table: (column, table it points to) twice
RELATIONS = {
    'account_tax_sale_order_line_rel': (('sale_order_line_id', 'sale_order_line'),
                                        ('account_tax_id', None)),
    'sale_order_line_invoice_rel': (('order_line_id', 'sale_order_line'),
                                    ('invoice_line_id', 'account_invoice_line')),
    'account_invoice_line_tax': (('invoice_line_id', 'account_invoice_line'), ('tax_id', None)),
    'account_invoice_payment_rel': (('invoice_id', 'account_invoice'),
                                    ('payment_id', 'account_payment')),
    'account_invoice_account_move_line_rel': (('account_invoice_id', 'account_invoice'),
                                              ('account_move_line_id', 'account_move_line')),
    'account_move_line_account_tax_rel': (('account_move_line_id', 'account_move_line'),
                                          ('account_tax_id', None)),
    'stock_move_move_rel': (('move_orig_id', 'stock_move'), ('move_dest_id', 'stock_move')),
}


def _foreign_keys(cr):
    cr.execute("""
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f'""")
    fks = collections.defaultdict(dict)
    for table, column, target in cr.fetchall():
        fks[table][column] = target
    return fks


def _plain(value):
    if isinstance(value, str):
        value = NAME_RE.sub(lambda m: m.group(1) + '#', value)
        return 'uuid' if UUID_RE.match(value) else value
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, 'quantize'):  # Decimal
        return round(float(value), 6)
    return value


class Side(object):
    """The rows one run wrote, with ids replaced by natural keys."""

    def __init__(self, cr, partners, products, fks):
        self.cr, self.fks = cr, fks
        self.labels = {'res_partner': {p: 'partner%d' % i for i, p in enumerate(partners)},
                       'product_product': {p: 'product%d' % i for i, p in enumerate(products)}}
        cr.execute("SELECT id, product_tmpl_id FROM product_product WHERE id IN %s",
                   [tuple(products)])
        tmpl = dict(cr.fetchall())
        self.labels['product_template'] = {tmpl[p]: 'tmpl%d' % i for i, p in enumerate(products)}
        self.params = {'partners': tuple(partners), 'products': tuple(products)}
        self.rows = {}
        for table, (query, _key) in TABLES.items():
            cr.execute(query, self.params)
            ids = [r[0] for r in cr.fetchall()]
            self.labels[table] = {i: None for i in ids}
            self.rows[table] = self._fetch(table, ids)
        for table in TABLES:
            self._label(table)

    def _fetch(self, table, ids):
        if not ids:
            return {}
        self.cr.execute('SELECT * FROM %s WHERE id IN %%s' % table, [tuple(ids)])
        names = [d[0] for d in self.cr.description]
        return {row[0]: dict(zip(names, row)) for row in self.cr.fetchall()}

    def ref(self, table, column, value):
        target = self.fks.get(table, {}).get(column)
        if value is None or target not in self.labels:
            return _plain(value)
        label = self.labels[target].get(value)
        if label is None and target in TABLES and value in self.labels[target]:
            self._label(target)
            label = self.labels[target][value]
        return label if label is not None else ('foreign', target, value)

    def _label(self, table):
        """Natural key per row; ties broken by the rest of the row."""
        if all(v is not None for v in self.labels[table].values()):
            return
        key_cols = TABLES[table][1]
        for rid in self.labels[table]:
            self.labels[table][rid] = ('pending', rid)
        keyed = []
        for rid, row in self.rows[table].items():
            key = tuple(repr(self.ref(table, c, row[c])) for c in key_cols)
            keyed.append((key, rid))
        if table == 'account_full_reconcile':
            parts = collections.defaultdict(list)
            for prow in self.rows['account_partial_reconcile'].values():
                if prow['full_reconcile_id']:
                    parts[prow['full_reconcile_id']].append(
                        repr(self.labels['account_partial_reconcile'][prow['id']]))
            keyed = [(tuple(sorted(parts[rid])), rid) for _k, rid in keyed]
        keyed.sort(key=lambda kr: (kr[0], repr(self.content(table, kr[1], skip_fk=True))))
        seen = collections.Counter()
        for key, rid in keyed:
            seen[key] += 1
            self.labels[table][rid] = (table,) + key + ((seen[key],) if seen[key] > 1 else ())

    def content(self, table, rid, skip_fk=False):
        row = self.rows[table][rid]
        out = {}
        for col, value in row.items():
            if col in IGNORED:
                continue
            if skip_fk and col in self.fks.get(table, {}):
                continue
            out[col] = self.ref(table, col, value)
            if (table, col) == ('account_full_reconcile', 'name'):
                out[col] = re.sub(r'\d+$', '#', value)
        return out

    def table(self, table):
        return {repr(self.labels[table][rid]): self.content(table, rid) for rid in self.rows[table]}

    def relation(self, rel):
        (col1, t1), (col2, t2) = RELATIONS[rel]
        side_ids = [i for t in (t1, t2) if t for i in self.labels[t]]
        if not side_ids:
            return []
        first = t1 or t2
        col = col1 if t1 else col2
        self.cr.execute('SELECT %s, %s FROM %s WHERE %s IN %%s' % (col1, col2, rel, col),
                        [tuple(self.labels[first])])
        out = []
        for a, b in self.cr.fetchall():
            out.append(repr((self.labels[t1][a] if t1 else a, self.labels[t2].get(b, ('?', b))
                             if t2 else b)))
        return sorted(out)

    def quants(self):
        self.cr.execute("""SELECT product_id, location_id, sum(quantity) FROM stock_quant
                            WHERE product_id IN %(products)s GROUP BY 1, 2""", self.params)
        return {repr((self.labels['product_product'][p], loc)): float(q)
                for p, loc, q in self.cr.fetchall()}


def compare(env, flow_partners, flow_products, load_partners, load_products):
    """Differences between the rows of the two runs, as readable strings."""
    cr = env.cr
    fks = _foreign_keys(cr)
    a = Side(cr, flow_partners, flow_products, fks)
    b = Side(cr, load_partners, load_products, fks)
    diffs = []
    for table in TABLES:
        ra, rb = a.table(table), b.table(table)
        for key in sorted(set(ra) | set(rb)):
            if key not in rb:
                diffs.append('%s: only the ORM made %s' % (table, key))
            elif key not in ra:
                diffs.append('%s: only the loader made %s' % (table, key))
            else:
                for col in sorted(ra[key]):
                    if ra[key][col] != rb[key].get(col):
                        diffs.append('%s %s .%s: ORM %r, loader %r' % (
                            table, key, col, ra[key][col], rb[key].get(col)))
    for rel in RELATIONS:
        ra, rb = a.relation(rel), b.relation(rel)
        if ra != rb:
            diffs.append('%s: ORM %s, loader %s' % (
                rel, sorted(set(ra) - set(rb)), sorted(set(rb) - set(ra))))
    qa, qb = a.quants(), b.quants()
    if qa != qb:
        diffs.append('stock_quant: ORM %s, loader %s' % (qa, qb))
    counts = {t: (len(a.rows[t]), len(b.rows[t])) for t in TABLES}
    return diffs, counts


# -- the two runs of the comparison test (called through odoo_exec.py) ------------------

TODAY = datetime.date(2025, 6, 30)
NOW = datetime.datetime(2025, 6, 30, 12, 0)
STOCK_TARGETS = {0: 5, 1: 7, 2: 0, 3: 3, 4: 2}


def _dump(path, data):
    with open(path, 'w') as f:
        json.dump(data, f, indent=1, default=str)


def _ids_of(partners, products):
    return {'partners': [p.id for p in partners], 'products': [p.id for p in products]}


def run_flow_side(env, path):
    """The sample orders through the ORM, after the opening stock the loader would write."""
    from demodata import flow, loader
    partners, products = make_fixture(env, 'F')
    orders = sample_orders(TODAY)
    delivered = collections.Counter()
    for order in orders:
        for p_index, qty in order.lines:
            delivered[p_index] += qty
    flow.stock_in(env, products, [delivered[i] + STOCK_TARGETS.get(i, 0)
                                  for i in range(len(products))], loader.opening_date(orders))
    for order in orders:
        flow.run_order(env, order, partners[order.customer], products, NOW)
    _dump(path, _ids_of(partners, products))


def run_loader_side(env, path):
    from demodata import loader
    partners, products = make_fixture(env, 'L')
    loader.load_history(env, sample_orders(TODAY), partners, products, STOCK_TARGETS, now=NOW)
    _dump(path, _ids_of(partners, products))


def compare_sides(env, flow_path, load_path, path):
    a, b = json.load(open(flow_path)), json.load(open(load_path))
    diffs, counts = compare(env, a['partners'], a['products'], b['partners'], b['products'])
    _dump(path, {'diffs': diffs, 'counts': counts})


def run_checks(env, path):
    _dump(path, {'problems': checks.problems(env)})


def run_after_load(env, load_path, path):
    """One more order through the ORM for the loaded customers: its names must be new."""
    from demodata import flow
    ids = json.load(open(load_path))
    partners = env['res.partner'].browse(ids['partners'])
    products = env['product.product'].browse(ids['products'])
    order = sample_orders(TODAY)[2]._replace(date_order=datetime.datetime(2025, 6, 20, 9, 0))
    order = order._replace(delivered_at=order.date_order + datetime.timedelta(days=1),
                           invoiced_on=datetime.date(2025, 6, 21),
                           payments=[(datetime.date(2025, 6, 21), 0.5),
                                     (datetime.date(2025, 6, 28), 0.5)])
    flow.run_order(env, order, partners[1], products, NOW)
    _dump(path, {'duplicates': checks.duplicate_names(env)})
