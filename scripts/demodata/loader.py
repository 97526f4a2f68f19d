"""Bulk loader of the demo ordering history: the rows ``flow.run_order`` would make.

Pushing a year of orders through the ORM takes hours on this machine, so the
history is written with a few large INSERTs instead. What to write is decided
in Python first (``Book``: one per order, with every amount Odoo would compute,
using Odoo's own tax, payment-term and sequence code on cached records), then
written table by table. ``loader_compare`` and ``tests/test_demo_loader.py``
prove the rows equal to the ORM's, column by column.

Scope: company currency only, no discounts, pricelists without quantity
breaks, periodic (``manual_periodic``) valuation at standard cost, products
that have no stock moves before the load, and orders that are delivered and
invoiced by ``now``.
"""
import collections
import datetime
import io
import math
import uuid

from psycopg2.extras import execute_values

from odoo import _, fields
from odoo.tools import float_is_zero, float_round, split_every

from demodata import flow

DT = fields.Datetime.to_string
D = fields.Date.to_string
COPY_PAGE = 50000
PREFETCH = 1000
STANDARD_TAXES = ('percent', 'fixed', 'division', 'group')
# What sale.order's partner onchanges read on each shop.
PARTNER_FIELDS = ('property_product_pricelist', 'property_payment_term_id',
                  'property_account_position_id', 'commercial_partner_id', 'child_ids',
                  'user_id', 'team_id', 'lang', 'vat', 'country_id', 'state_id')


# -- what is written: one Book per order ------------------------------------------

class Line(object):
    __slots__ = ('index', 'product', 'qty', 'price_unit', 'taxes', 'subtotal', 'tax', 'total',
                 'cost', 'margin', 'id', 'move_id', 'refunded', 'refund_total', 'inv_total',
                 'name_for_move')


class Book(object):
    """Everything one order writes; ids are filled in when allocated."""

    def __init__(self, index, order, partner):
        self.index, self.order, self.partner = index, order, partner
        self.lines = []
        self.moves = []        # account.move dicts (invoice, refund, payments)
        self.payments = []
        self.invoice = None
        self.refund = None
        self.partials = []     # (debit line, credit line, amount, date)
        self.fulls = []        # [partials], lines


class Money(object):
    """The company currency's rounding as res.currency applies it, without the ORM's
    per-call cost (over a million calls at scale S)."""

    def __init__(self, currency):
        self.id, self.rounding = currency.id, currency.rounding

    def round(self, amount):
        return float_round(amount, precision_rounding=self.rounding)

    def is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.rounding)


class Setup(object):
    """Records and accounts the history uses, read once through the ORM."""

    def __init__(self, env, partners, products):
        self.env = env
        company = env.user.company_id
        self.company = company
        self.currency = company.currency_id
        self.money = Money(self.currency)
        self.uid = env.uid
        self.now = DT(datetime.datetime.utcnow())
        self.lang = env.context.get('lang') or env.user.lang
        self.warehouse = env['stock.warehouse'].search([('company_id', '=', company.id)], limit=1)
        self.picking_type = self.warehouse.out_type_id
        self.stock_loc = self.warehouse.lot_stock_id
        self.customer_loc = env.ref('stock.stock_location_customers')
        self.rule = self.warehouse.delivery_route_id.pull_ids.filtered(
            lambda r: r.location_id == self.customer_loc)[:1]
        Journal = env['account.journal']
        self.sale_journal = Journal.search([('type', '=', 'sale'), ('company_id', '=', company.id)],
                                           limit=1)
        self.journals = {k: Journal.search([('type', '=', k), ('company_id', '=', company.id)],
                                           limit=1) for k in ('bank', 'cash')}
        self.method_in = env.ref('account.account_payment_method_manual_in')
        self.products = products
        self.partners = partners
        self._descr, self._price, self._terms = {}, {}, {}
        self.income = {p.id: p.product_tmpl_id.get_product_accounts()['income'] for p in products}
        self.taxes = {p.id: p.taxes_id.filtered(lambda t: t.company_id == company)
                      for p in products}
        # only python-coded taxes ('code') read the product and partner compute_all is given
        used = self.env['account.tax'].union(*self.taxes.values())
        while used.mapped('children_tax_ids') - used:
            used |= used.mapped('children_tax_ids')
        self._taxes_by_party = any(t.amount_type not in STANDARD_TAXES for t in used)
        self._order_defaults = {}
        self._tax_cache = {}
        self._fiscal_positions = env['account.fiscal.position'].with_context(
            active_test=False).search_count([])
        self._prefetch_partners()
        for product in products:
            if product.valuation == 'real_time':
                raise ValueError('the loader writes no stock valuation entries: %s is real-time'
                                 % product.display_name)

    def _prefetch_partners(self):
        """Read for all shops at once what the order form's onchanges read shop by shop
        (properties, pricelists, addresses): the onchanges then find it in the cache."""
        ids = [p.id for p in self.partners]
        for chunk in split_every(PREFETCH, ids):
            shops = self.env['res.partner'].browse(chunk)
            for name in PARTNER_FIELDS:
                shops.mapped(name)

    def order_defaults(self, partner):
        """The values the sale order form's onchanges give for ``partner``."""
        if partner.id not in self._order_defaults:
            draft = self.env['sale.order'].new({'partner_id': partner.id})
            draft.onchange_partner_id()
            if self._fiscal_positions:
                draft.onchange_partner_shipping_id()
            else:
                # get_fiscal_position finds nothing (after a handful of searches per shop)
                draft.fiscal_position_id = False
            vals = draft._convert_to_write(draft._cache)
            self._order_defaults[partner.id] = vals
        return self._order_defaults[partner.id]

    def description(self, product, partner):
        key = (product.id, partner.lang)
        if key not in self._descr:
            p = product.with_context(lang=partner.lang, partner=partner.id)
            name = p.name_get()[0][1]
            if p.description_sale:
                name += '\n' + p.description_sale
            self._descr[key] = name
        return self._descr[key]

    def price(self, pricelist, product, partner, qty, date):
        key = (pricelist.id, product.id)
        if key not in self._price:
            p = product.with_context(lang=partner.lang, partner=partner.id, quantity=qty,
                                     date=date, pricelist=pricelist.id, uom=product.uom_id.id)
            self._price[key] = self.env['account.tax']._fix_tax_included_price_company(
                p.price, product.taxes_id, self.taxes[product.id], self.company)
        return self._price[key]

    def compute_taxes(self, taxes, price, qty, product, partner):
        key = (taxes.ids and tuple(taxes.ids), price, qty)
        if self._taxes_by_party:
            key += (product.id, partner.id)
        if key not in self._tax_cache:
            self._tax_cache[key] = taxes.compute_all(price, self.currency, qty, product, partner)
        return self._tax_cache[key]

    def due_lines(self, term, total, date):
        """(date, amount) of the receivable lines, as the payment term splits them."""
        if not term:
            return [(date, total)]
        key = (term.id, total, date)
        if key not in self._terms:
            self._terms[key] = term.with_context(currency_id=self.currency.id).compute(
                total, date)[0]
        return self._terms[key]

    def tr(self, source):
        """``source`` translated as Odoo's code translates it for this user."""
        context = {'lang': self.lang}  # noqa: F841 -- odoo's _() reads the caller's `context`
        return _(source)


# -- planning in Python -----------------------------------------------------------

def plan_books(setup, orders, partners, products, now):
    books = []
    for index, order in enumerate(orders):
        if order.delivered_at > now or order.invoiced_on > now.date():
            raise ValueError('order %d of customer %d is not delivered and invoiced by %s; '
                             'run it through flow.run_order' % (index, order.customer, now))
        book = Book(index, order, partners[order.customer])
        _plan_order(setup, book, products)
        _plan_invoice(setup, book)
        for day, kind, payload in flow.events(order, now):
            if kind == 'payment':
                _plan_payment(setup, book, day, *payload)
            else:
                _plan_refund(setup, book, day, payload, products)
        books.append(book)
    return books


def _plan_order(setup, book, products):
    partner = book.partner
    defaults = setup.order_defaults(partner)
    book.pricelist = partner.property_product_pricelist
    book.shipping = setup.env['res.partner'].browse(defaults['partner_shipping_id'])
    book.invoice_partner = setup.env['res.partner'].browse(defaults['partner_invoice_id'])
    book.defaults = defaults
    book.team = partner.team_id.id or defaults.get('team_id') or None
    date = DT(book.order.date_order)
    for p_index, qty in book.order.lines:
        product = products[p_index]
        line = Line()
        line.index, line.product, line.qty = p_index, product, float(qty)
        line.price_unit = setup.price(book.pricelist, product, partner, qty, date)
        line.taxes = setup.taxes[product.id]
        res = setup.compute_taxes(line.taxes, line.price_unit, line.qty, product, book.shipping)
        line.subtotal, line.total = res['total_excluded'], res['total_included']
        line.tax = sum(t.get('amount', 0.0) for t in res['taxes'])
        line.cost = product.standard_price
        line.margin = setup.money.round(line.subtotal - line.cost * line.qty)
        line.refunded, line.refund_total = 0.0, 0.0
        book.lines.append(line)
    book.amount_untaxed = setup.money.round(sum(ln.subtotal for ln in book.lines))
    book.amount_tax = setup.money.round(sum(ln.tax for ln in book.lines))
    book.margin = sum(ln.margin for ln in book.lines)


def _invoice_doc(setup, book, kind, date, lines, name, origin, date_due=None):
    """An invoice or credit note: its lines, taxes and accounting entry."""
    partner = book.invoice_partner
    doc = dict(type=kind, date=date, name=name, origin=origin, lines=[],
               taxes=collections.OrderedDict())
    for line, qty in lines:
        res = setup.compute_taxes(line.taxes, line.price_unit, qty, line.product, partner)
        doc['lines'].append(dict(line=line, qty=qty, subtotal=res['total_excluded'],
                                 total=res['total_included'],
                                 account=setup.income[line.product.id].id))
        for tax in res['taxes']:
            account = tax['account_id'] if kind == 'out_invoice' else tax['refund_account_id']
            key = (tax['id'], account or setup.income[line.product.id].id)
            entry = doc['taxes'].setdefault(key, dict(tax=tax, amount=0.0, base=0.0))
            entry['amount'] += tax['amount']
            entry['base'] += tax['base']
    cur = setup.money
    doc['untaxed'] = sum(ln['subtotal'] for ln in doc['lines'])
    doc['tax'] = sum(cur.round(t['amount']) for t in doc['taxes'].values())
    doc['total'] = doc['untaxed'] + doc['tax']
    doc['account'] = partner.property_account_receivable_id.id
    term = book.partner.property_payment_term_id if kind == 'out_invoice' else None
    doc['term'] = term
    doc['due'] = setup.due_lines(term, doc['total'], D(date)) if term else [
        (date_due or D(date), doc['total'])]
    doc['date_due'] = max(d for d, _a in doc['due'])
    doc['move'] = _invoice_move(setup, book, doc)
    return doc


def _invoice_move(setup, book, doc):
    """The journal entry of an invoice, as action_move_create builds it."""
    sign = 1 if doc['type'] == 'out_invoice' else -1
    lines = []
    for ln in doc['lines']:
        lines.append(dict(kind='src', name=ln['line'].name_for_move, amount=-sign * ln['subtotal'],
                          account=ln['account'], product=ln['line'].product.id,
                          uom=ln['line'].product.uom_id.id, qty=ln['qty'],
                          tax_ids=ln['line'].taxes.ids, invoice_line=ln))
    for key, t in doc['taxes'].items():
        lines.append(dict(kind='tax', name=t['tax']['name'],
                          amount=-sign * setup.money.round(t['amount']),
                          account=key[1], tax_line=t['tax']['id'], qty=1.0, tax_ids=[]))
    for due, amount in doc['due']:
        lines.append(dict(kind='dest', name=doc['name'] or '/', amount=sign * amount,
                          account=doc['account'], date_maturity=due, qty=1.0, tax_ids=[]))
    return dict(journal=setup.sale_journal, date=doc['date'], ref=None, lines=lines,
                partner=book.invoice_partner.commercial_partner_id.id, kind=doc['type'],
                seq_date=doc['date'])


def _plan_invoice(setup, book):
    descr = [setup.description(ln.product, book.partner) for ln in book.lines]
    for line, name in zip(book.lines, descr):
        line.name_for_move = name.split('\n')[0][:64]
    book.line_names = descr
    doc = _invoice_doc(setup, book, 'out_invoice', book.order.invoiced_on,
                       [(ln, ln.qty) for ln in book.lines], None, None)
    book.invoice = doc
    for ln in doc['lines']:
        ln['line'].inv_total = ln['total']
    book.open_lines = [ml for ml in doc['move']['lines'] if ml['kind'] == 'dest']
    for ml in book.open_lines:
        ml['residual'] = ml['amount']


def _receivable_residual(book):
    return sum(ml['residual'] for ml in book.open_lines)


def _reconcile(setup, book, debit_lines, credit_line, day):
    """Pair ``credit_line`` with the open invoice lines, as auto_reconcile_lines does."""
    cur = setup.money
    for debit in sorted(debit_lines, key=lambda ln: (ln['date_maturity'],)):
        if credit_line['residual'] >= 0 or cur.is_zero(debit['residual']):
            continue
        amount = min(debit['residual'], -credit_line['residual'])
        debit['residual'] = cur.round(debit['residual'] - amount)
        credit_line['residual'] = cur.round(credit_line['residual'] + amount)
        partial = dict(debit=debit, credit=credit_line, amount=amount, full=None)
        book.partials.append(partial)
        _check_full(setup, book, partial)


def _check_full(setup, book, partial):
    """A full reconcile once the lines linked by partials balance (_compute_partial_lines)."""
    lines, parts, todo = [], [], [partial]
    while todo:
        part = todo.pop()
        if any(part is p for p in parts):
            continue
        parts.append(part)
        for ml in (part['debit'], part['credit']):
            if not any(ml is ln for ln in lines):
                lines.append(ml)
                todo += [p for p in book.partials if p['debit'] is ml or p['credit'] is ml]
    debit = sum(ml['amount'] for ml in lines if ml['amount'] > 0)
    credit = -sum(ml['amount'] for ml in lines if ml['amount'] < 0)
    if setup.money.is_zero(debit - credit):
        full = dict(partials=parts, lines=lines)
        for part in parts:
            part['full'] = full
        for ml in lines:
            ml['full'] = full
        book.fulls.append(full)


def _plan_payment(setup, book, day, share, last):
    cur = setup.money
    residual = _receivable_residual(book)
    amount = flow.payment_amount(book.invoice['total'], residual, share, last, cur)
    if amount <= 0:
        return
    journal = setup.journals['cash' if day == book.order.invoiced_on else 'bank']
    partner = book.invoice_partner.commercial_partner_id.id
    counterpart = dict(kind='pay', name='pay', amount=-amount, account=book.invoice['account'],
                       date_maturity=D(day), qty=None, tax_ids=[], journal=journal)
    liquidity = dict(kind='liquidity', amount=amount, account=journal.default_credit_account_id.id,
                     date_maturity=D(day), qty=None, tax_ids=[])
    counterpart['residual'] = -amount
    move = dict(journal=journal, date=day, lines=[counterpart, liquidity], partner=partner,
                kind='payment', seq_date=day)
    payment = dict(amount=amount, date=day, journal=journal, move=move)
    move['payment'] = payment
    book.payments.append(payment)
    book.moves.append(move)
    _reconcile(setup, book, book.open_lines, counterpart, day)


def _plan_refund(setup, book, day, lines, products):
    by_product = {ln.product.id: ln for ln in book.lines}
    pairs = []
    for p_index, qty in lines:
        line = by_product[products[p_index].id]
        line.refunded += qty
        pairs.append((line, float(qty)))
    # the credit note copies the invoice's due date, moved up to its own date if earlier
    doc = _invoice_doc(setup, book, 'out_refund', day, pairs, None, None,
                       date_due=max(book.invoice['date_due'], D(day)))
    book.refund = doc
    credit = [ml for ml in doc['move']['lines'] if ml['kind'] == 'dest'][0]
    credit['residual'] = credit['amount']
    if not setup.money.is_zero(_receivable_residual(book)):
        _reconcile(setup, book, book.open_lines, credit, day)
    for ln in doc['lines']:
        ln['line'].refund_total += ln['total']


# -- ids and names ----------------------------------------------------------------

def _ids(cr, table, count):
    if not count:
        return []
    cr.execute("SELECT nextval(%s) FROM generate_series(1, %s)", ['%s_id_seq' % table, count])
    return [r[0] for r in cr.fetchall()]


def _names(seq, dates):
    """Next names of ``seq`` for records dated ``dates`` (in creation order)."""
    names = [None] * len(dates)
    if not seq.use_date_range:
        start = seq.number_next_actual
        prefix, suffix = seq._get_prefix_suffix()
        for i in range(len(dates)):
            names[i] = prefix + '%%0%sd' % seq.padding % (start + i) + suffix
        seq.write({'number_next_actual': start + len(dates)})
        return names
    by_range = collections.OrderedDict()
    for i, day in enumerate(dates):
        day = D(day)
        by_range.setdefault(day[:4], []).append((i, day))
    for _year, items in by_range.items():
        first = items[0][1]
        rng = seq.env['ir.sequence.date_range'].search(
            [('sequence_id', '=', seq.id), ('date_from', '<=', first), ('date_to', '>=', first)],
            limit=1) or seq._create_date_range_seq(first)
        number = rng.number_next_actual
        prefixes = {}
        for i, day in items:
            if day not in prefixes:
                prefixes[day] = seq.with_context(
                    ir_sequence_date=day, ir_sequence_date_range=rng.date_from)._get_prefix_suffix()
            prefix, suffix = prefixes[day]
            names[i] = prefix + '%%0%sd' % seq.padding % number + suffix
            number += 1
        rng.write({'number_next_actual': number})
    return names


def _by_code(env, code):
    return env['ir.sequence'].search([('code', '=', code),
                                      ('company_id', 'in', [env.user.company_id.id, False])],
                                     order='company_id', limit=1)


# -- writing ----------------------------------------------------------------------

class Writer(object):
    """Rows go in through COPY: parsing one large INSERT per page cost more than the rows."""

    def __init__(self, setup):
        self.cr = setup.env.cr
        self.audit = (setup.uid, setup.now, setup.uid, setup.now)

    def insert(self, table, columns, rows, audit=True):
        if not rows:
            return
        if audit:
            columns = list(columns) + ['create_uid', 'create_date', 'write_uid', 'write_date']
            tail = '\t' + '\t'.join(_copy_text(v) for v in self.audit)
        else:
            tail = ''
        query = 'COPY %s (%s) FROM STDIN' % (table, ', '.join(columns))
        for start in range(0, len(rows), COPY_PAGE):
            buf = io.StringIO()
            for row in rows[start:start + COPY_PAGE]:
                buf.write('\t'.join(map(_copy_text, row)) + tail + '\n')
            buf.seek(0)
            self.cr.copy_expert(query, buf)


# COPY's text format: its escapes, and each Python value as psycopg2 would send it.
_COPY_ESCAPES = str.maketrans({'\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})


def _copy_text(value):
    if value is None:
        return '\\N'
    if value is True:
        return 't'
    if value is False:
        return 'f'
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError('the loader writes finite amounts only: %r' % value)
        return repr(value)
    if isinstance(value, (int, datetime.date)):
        return str(value)
    raise TypeError('no COPY text for %r' % (value,))


def load_history(env, orders, partners, products, stock_targets, now=None):
    """Write ``orders`` (plan.Order, oldest first) as Odoo would have recorded them."""
    now = now or datetime.datetime.utcnow()
    setup = Setup(env, partners, products)
    books = plan_books(setup, orders, partners, products, now)
    writer = Writer(setup)
    _name_everything(setup, books)
    _write_opening_stock(setup, writer, books, products, stock_targets)
    _write_sale_orders(setup, writer, books)
    _write_sale_order_lines(setup, writer, books)
    _write_pickings(setup, writer, books)
    _write_stock_moves(setup, writer, books)
    _write_quants(setup, writer, books, products)
    _write_account_moves(setup, writer, books)
    _write_invoices(setup, writer, books)
    _write_payments(setup, writer, books)
    _write_fulls(setup, writer, books)
    _write_account_move_lines(setup, writer, books)
    _write_reconciliations(setup, writer, books)
    env.clear()  # the ORM cache holds none of the rows written above
    return books


def _name_everything(setup, books):
    """Names from Odoo's sequences, in date order, and the counters moved past them."""
    env = setup.env
    so_names = _names(_by_code(env, 'sale.order'), [b.order.date_order for b in books])
    pick_names = _names(setup.picking_type.sequence_id, [b.order.delivered_at for b in books])
    for book, so, pick in zip(books, so_names, pick_names):
        book.name, book.picking_name = so, pick
    # customer invoices and credit notes share the journal's sequence
    docs = [(b.invoice['date'], 0, b.index, b.invoice) for b in books]
    docs += [(b.refund['date'], 1, b.index, b.refund) for b in books if b.refund]
    docs.sort(key=lambda d: d[:3])
    for doc, name in zip(docs, _names(setup.sale_journal.sequence_id, [d[0] for d in docs])):
        doc[3]['number'] = name
    payments = sorted(((p['date'], b.index, i, p) for b in books for i, p in enumerate(b.payments)),
                      key=lambda p: p[:3])
    pay_seq = _by_code(env, 'account.payment.customer.invoice')
    for item, name in zip(payments, _names(pay_seq, [p[0] for p in payments])):
        item[3]['name'] = name
    for kind in ('bank', 'cash'):
        journal = setup.journals[kind]
        mine = [p for p in payments if p[3]['journal'] == journal]
        for item, name in zip(mine, _names(journal.sequence_id, [p[0] for p in mine])):
            item[3]['move_name'] = name
    fulls = [f for b in books for f in b.fulls]
    for full, name in zip(fulls, _names(_by_code(env, 'account.reconcile'), [None] * len(fulls))):
        full['name'] = name


def opening_date(orders):
    """When the opening stock is counted: the day before the first order."""
    first = min(o.date_order for o in orders)
    return datetime.datetime.combine(first.date() - datetime.timedelta(days=1), datetime.time(0))


# -- stock ------------------------------------------------------------------------

def _write_opening_stock(setup, writer, books, products, stock_targets):
    """An inventory adjustment bringing in what the history delivers plus the targets."""
    delivered = collections.Counter()
    for book in books:
        for line in book.lines:
            delivered[line.index] += line.qty
    qty = {i: delivered[i] + stock_targets.get(i, 0) for i in range(len(products))}
    qty = {i: q for i, q in qty.items() if q > 0}
    setup.opening = {}
    if not qty:
        return
    when = DT(opening_date([b.order for b in books])) if books else setup.now
    name = '期初库存'
    cr = writer.cr
    inv_id = _ids(cr, 'stock_inventory', 1)[0]
    loc = setup.stock_loc.id
    writer.insert('stock_inventory', ['id', 'name', 'date', 'state', 'company_id', 'location_id',
                                      'filter', 'exhausted'],
                  [(inv_id, name, when, 'done', setup.company.id, loc, 'partial', False)])
    items = sorted(qty.items())
    line_ids = _ids(cr, 'stock_inventory_line', len(items))
    move_ids = _ids(cr, 'stock_move', len(items))
    ml_ids = _ids(cr, 'stock_move_line', len(items))
    inv_rows, move_rows, ml_rows = [], [], []
    move_name = setup.tr('INV:') + name
    for (index, q), line_id, move_id, ml_id in zip(items, line_ids, move_ids, ml_ids):
        product = products[index]
        uom = product.uom_id.id
        src = product.property_stock_inventory.id
        cost = product.standard_price
        inv_rows.append((line_id, inv_id, product.id, uom, q, loc, setup.company.id, 0.0,
                         product.name, product.default_code or None, setup.stock_loc.complete_name))
        move_rows.append((move_id, move_name, 10, '1', when, setup.company.id, when, product.id,
                          q, q, q, uom, src, loc, 'done', cost, 'make_to_stock', False, True,
                          inv_id, False, move_name, False, cost * q, q, cost * q))
        ml_rows.append((ml_id, move_id, product.id, uom, 0.0, 0.0, 0.0, q, when, src, loc,
                        'done', move_name))
        setup.opening[product.id] = dict(move_id=move_id, remaining_qty=q, remaining_value=cost * q,
                                         location=src, qty=q, date=when)
    writer.insert('stock_inventory_line', ['id', 'inventory_id', 'product_id', 'product_uom_id',
                                           'product_qty', 'location_id', 'company_id',
                                           'theoretical_qty', 'product_name', 'product_code',
                                           'location_name'], inv_rows)
    writer.insert('stock_move', [
        'id', 'name', 'sequence', 'priority', 'date', 'company_id', 'date_expected', 'product_id',
        'ordered_qty', 'product_qty', 'product_uom_qty', 'product_uom', 'location_id',
        'location_dest_id', 'state', 'price_unit', 'procure_method', 'scrapped', 'propagate',
        'inventory_id', 'additional', 'reference', 'to_refund', 'value', 'remaining_qty',
        'remaining_value'], move_rows)
    writer.insert('stock_move_line', [
        'id', 'move_id', 'product_id', 'product_uom_id', 'product_qty', 'product_uom_qty',
        'ordered_qty', 'qty_done', 'date', 'location_id', 'location_dest_id', 'state',
        'reference'], ml_rows)


def _write_pickings(setup, writer, books):
    cr = writer.cr
    group_ids = _ids(cr, 'procurement_group', len(books))
    picking_ids = _ids(cr, 'stock_picking', len(books))
    groups, pickings = [], []
    ptype = setup.picking_type
    for book, group_id, picking_id in zip(books, group_ids, picking_ids):
        book.group_id, book.picking_id = group_id, picking_id
        ordered = DT(book.order.date_order)
        promised = DT(book.order.date_order + datetime.timedelta(days=1))
        groups.append((group_id, book.shipping.id, book.name, 'direct', book.id))
        pickings.append((picking_id, book.picking_name, book.name, 'direct', 'done', group_id, '1',
                         promised, ordered, DT(book.order.delivered_at), setup.stock_loc.id,
                         setup.customer_loc.id, ptype.id, book.shipping.id, setup.company.id,
                         False, True, book.id))
    writer.insert('procurement_group', ['id', 'partner_id', 'name', 'move_type', 'sale_id'], groups)
    writer.insert('stock_picking', [
        'id', 'name', 'origin', 'move_type', 'state', 'group_id', 'priority', 'scheduled_date',
        'date', 'date_done', 'location_id', 'location_dest_id', 'picking_type_id', 'partner_id',
        'company_id', 'printed', 'is_locked', 'sale_id'], pickings)
    cr.execute('UPDATE sale_order o SET procurement_group_id = g.id FROM procurement_group g '
               'WHERE g.sale_id = o.id AND o.id IN %s', [tuple(b.id for b in books)])


def _write_stock_moves(setup, writer, books):
    """Delivery moves, valued at standard cost and taken FIFO from the opening stock."""
    cr = writer.cr
    lines = [(b, ln) for b in books for ln in b.lines]
    move_ids = _ids(cr, 'stock_move', len(lines))
    ml_ids = _ids(cr, 'stock_move_line', len(lines))
    cur = setup.money
    moves, mls = [], []
    order = sorted(range(len(lines)), key=lambda i: (lines[i][0].order.delivered_at, i))
    for i in order:
        book, line = lines[i]
        _run_fifo(setup, line.product, line.qty)
    for i, ((book, line), move_id, ml_id) in enumerate(zip(lines, move_ids, ml_ids)):
        line.move_id = move_id
        done = DT(book.order.delivered_at)
        value = -cur.round(line.product.standard_price * line.qty)
        moves.append((move_id, book.line_names[book.lines.index(line)], 10, '1', done,
                      setup.company.id, DT(book.order.date_order + datetime.timedelta(days=1)),
                      line.product.id, line.qty,
                      line.qty, line.qty, line.product.uom_id.id, setup.stock_loc.id,
                      setup.customer_loc.id, book.shipping.id, book.picking_id, 'done',
                      value / line.qty, book.name, 'make_to_stock', False, book.group_id,
                      setup.rule.id, True, setup.picking_type.id, setup.warehouse.id, False,
                      book.picking_name, False, value, line.id))
        mls.append((ml_id, book.picking_id, move_id, line.product.id, line.product.uom_id.id,
                    0.0, 0.0, line.qty, line.qty, done, setup.stock_loc.id, setup.customer_loc.id,
                    'done', book.picking_name))
    writer.insert('stock_move', [
        'id', 'name', 'sequence', 'priority', 'date', 'company_id', 'date_expected', 'product_id',
        'ordered_qty', 'product_qty', 'product_uom_qty', 'product_uom', 'location_id',
        'location_dest_id', 'partner_id', 'picking_id', 'state', 'price_unit', 'origin',
        'procure_method', 'scrapped', 'group_id', 'rule_id', 'propagate', 'picking_type_id',
        'warehouse_id', 'additional', 'reference', 'to_refund', 'value', 'sale_line_id'], moves)
    writer.insert('stock_move_line', [
        'id', 'picking_id', 'move_id', 'product_id', 'product_uom_id', 'product_qty',
        'product_uom_qty', 'ordered_qty', 'qty_done', 'date', 'location_id', 'location_dest_id',
        'state', 'reference'], mls)
    rows = [(o['remaining_qty'], o['remaining_value'], o['move_id'])
            for o in setup.opening.values()]
    execute_values(cr, 'UPDATE stock_move m SET remaining_qty = v.q, remaining_value = v.v '
                       'FROM (VALUES %s) AS v(q, v, id) WHERE m.id = v.id', rows)


def _run_fifo(setup, product, qty):
    """Take ``qty`` from the opening stock move (stock_account's _run_fifo); the out
    move's own remaining_qty/value stay empty, as long as stock does not run out."""
    candidate = setup.opening.get(product.id)
    if candidate and candidate['remaining_qty'] > 0:
        take = min(qty, candidate['remaining_qty'])
        price = candidate['remaining_value'] / candidate['remaining_qty']
        candidate['remaining_qty'] -= take
        candidate['remaining_value'] -= take * price
        qty -= take
    if qty:
        raise ValueError('%s runs out of stock; raise its stock target' % product.display_name)


def _write_quants(setup, writer, books, products):
    """On-hand quantities: add the history's moves to the quants (one per product and place)."""
    delta = collections.Counter()
    first = {}
    for product_id, o in setup.opening.items():
        delta[(product_id, o['location'])] -= o['qty']
        delta[(product_id, setup.stock_loc.id)] += o['qty']
        first[(product_id, o['location'])] = first[(product_id, setup.stock_loc.id)] = o['date']
    for book in books:
        when = DT(book.order.delivered_at)
        for line in book.lines:
            delta[(line.product.id, setup.stock_loc.id)] -= line.qty
            delta[(line.product.id, setup.customer_loc.id)] += line.qty
            first.setdefault((line.product.id, setup.customer_loc.id), when)
    cr = writer.cr
    cr.execute("SELECT id, company_id FROM stock_location WHERE id IN %s",
               [tuple({loc for _p, loc in delta} or {0})])
    companies = dict(cr.fetchall())
    cr.execute("""SELECT product_id, location_id, min(id) FROM stock_quant
                   WHERE product_id IN %s AND lot_id IS NULL AND package_id IS NULL
                     AND owner_id IS NULL GROUP BY 1, 2""", [tuple(p.id for p in products)])
    existing = {(p, l): q for p, l, q in cr.fetchall()}
    updates = [(q, existing[k]) for k, q in delta.items() if k in existing]
    new = [k for k, q in delta.items() if k not in existing and q]
    if updates:
        execute_values(cr, 'UPDATE stock_quant q SET quantity = q.quantity + v.d FROM '
                           '(VALUES %s) AS v(d, id) WHERE q.id = v.id', updates)
        # Odoo drops quants that come to nothing
        cr.execute('DELETE FROM stock_quant WHERE id IN %s AND quantity = 0',
                   [tuple(i for _q, i in updates)])
    ids = _ids(cr, 'stock_quant', len(new))
    writer.insert('stock_quant', ['id', 'product_id', 'location_id', 'company_id', 'quantity',
                                  'reserved_quantity', 'in_date'],
                  [(i, p, l, companies[l], delta[(p, l)], 0.0, first[(p, l)])
                   for i, (p, l) in zip(ids, new)])


# -- sales ------------------------------------------------------------------------

def _line_state(line, delivered):
    """Invoicing fields of a delivered, invoiced sale line (sale's computes)."""
    qty_delivered = line.qty if delivered else 0.0
    qty_invoiced = line.qty - line.refunded
    to_invoice = qty_delivered - qty_invoiced
    if not float_is_zero(to_invoice, precision_digits=3):
        status = 'to invoice'
    elif qty_invoiced >= line.qty:
        status = 'invoiced'
    else:
        status = 'no'
    return qty_delivered, qty_invoiced, to_invoice, status


def _write_sale_orders(setup, writer, books):
    cr = writer.cr
    ids = _ids(cr, 'sale_order', len(books))
    rows = []
    for book, so_id in zip(books, ids):
        book.id = so_id
        d = book.defaults
        statuses = [_line_state(ln, True)[3] for ln in book.lines]
        if 'to invoice' in statuses:
            status = 'to invoice'
        elif all(s == 'invoiced' for s in statuses):
            status = 'invoiced'
        else:
            status = 'no'
        ordered = DT(book.order.date_order)
        rows.append((so_id, book.name, str(uuid.uuid4()), 'sale', ordered, ordered,
                     book.partner.user_id.id or setup.uid, book.partner.id, book.invoice_partner.id,
                     book.shipping.id, book.pricelist.id, status, d.get('note') or '',
                     book.amount_untaxed, book.amount_tax, book.amount_untaxed + book.amount_tax,
                     d.get('payment_term_id') or None, d.get('fiscal_position_id') or None,
                     setup.company.id, book.team,
                     book.margin, 'direct', setup.warehouse.id))
    writer.insert('sale_order', [
        'id', 'name', 'access_token', 'state', 'date_order', 'confirmation_date', 'user_id',
        'partner_id', 'partner_invoice_id', 'partner_shipping_id', 'pricelist_id',
        'invoice_status', 'note', 'amount_untaxed', 'amount_tax', 'amount_total',
        'payment_term_id', 'fiscal_position_id', 'company_id', 'team_id', 'margin',
        'picking_policy', 'warehouse_id'], rows)


def _write_sale_order_lines(setup, writer, books):
    cr = writer.cr
    lines = [(b, ln) for b in books for ln in b.lines]
    ids = _ids(cr, 'sale_order_line', len(lines))
    rows, tax_rows = [], []
    for (book, line), line_id in zip(lines, ids):
        line.id = line_id
        qty_delivered, qty_invoiced, to_invoice, status = _line_state(line, True)
        taxinc = line.total / line.qty
        invoiced_total = line.inv_total + line.refund_total
        rows.append((line_id, book.id, book.line_names[book.lines.index(line)], 10, status,
                     line.price_unit, line.subtotal, line.tax, line.total, line.price_unit, taxinc,
                     line.subtotal / line.qty, 0.0, line.product.id, line.qty,
                     line.product.uom_id.id, qty_delivered, to_invoice, qty_invoiced,
                     book.partner.user_id.id or setup.uid, setup.currency.id, setup.company.id,
                     book.partner.id, False, 'sale', 0.0,
                     taxinc * qty_delivered - invoiced_total,
                     invoiced_total - line.refund_total, line.margin, line.cost))
        tax_rows += [(line_id, t) for t in line.taxes.ids]
    writer.insert('sale_order_line', [
        'id', 'order_id', 'name', 'sequence', 'invoice_status', 'price_unit', 'price_subtotal',
        'price_tax', 'price_total', 'price_reduce', 'price_reduce_taxinc', 'price_reduce_taxexcl',
        'discount', 'product_id', 'product_uom_qty', 'product_uom', 'qty_delivered',
        'qty_to_invoice', 'qty_invoiced', 'salesman_id', 'currency_id', 'company_id',
        'order_partner_id', 'is_downpayment', 'state', 'customer_lead', 'amt_to_invoice',
        'amt_invoiced', 'margin', 'purchase_price'], rows)
    writer.insert('account_tax_sale_order_line_rel', ['sale_order_line_id', 'account_tax_id'],
                  tax_rows, audit=False)


# -- accounting -------------------------------------------------------------------

def _docs(books):
    for book in books:
        yield book, book.invoice
        if book.refund:
            yield book, book.refund


def _write_invoices(setup, writer, books):
    cr = writer.cr
    docs = list(_docs(books))
    inv_ids = _ids(cr, 'account_invoice', len(docs))
    for (book, doc), inv_id in zip(docs, inv_ids):
        doc['id'] = inv_id
    cur = setup.money
    rows, line_rows, tax_rows, line_tax_rel, sale_rel = [], [], [], [], []
    all_lines = [(book, doc, ln) for book, doc in docs for ln in doc['lines']]
    line_ids = iter(_ids(cr, 'account_invoice_line', len(all_lines)))
    tax_ids = iter(_ids(cr, 'account_invoice_tax', sum(len(d['taxes']) for _b, d in docs)))
    for book, doc in docs:
        refund = doc['type'] == 'out_refund'
        sign = -1 if refund else 1
        if refund:
            doc['name'] = '退货折让 %s' % book.invoice['number']
            doc['origin'] = book.invoice['number']
        else:
            doc['origin'] = book.name
        residual = abs(sum(ml['residual'] for ml in doc['move']['lines'] if ml['kind'] == 'dest'))
        reconciled = cur.is_zero(residual)
        partner = book.invoice_partner
        rows.append((doc['id'], doc['name'] or '', doc['origin'], doc['type'], str(uuid.uuid4()),
                     book.invoice['id'] if refund else None, doc['number'], doc['number'], 'none',
                     'paid' if reconciled else 'open', False, D(doc['date']), doc['date_due'],
                     partner.id, None if refund else (book.defaults.get('payment_term_id') or None),
                     D(doc['date']), doc['account'], doc['move']['id'], doc['untaxed'],
                     sign * doc['untaxed'], doc['tax'], doc['total'], sign * doc['total'],
                     sign * doc['total'], cur.id, setup.sale_journal.id, setup.company.id,
                     reconciled, residual, sign * residual, sign * residual,
                     book.partner.user_id.id or setup.uid,
                     book.defaults.get('fiscal_position_id') or None,
                     partner.commercial_partner_id.id, book.team,
                     book.shipping.id, None if refund else ''))
        for ln in doc['lines']:
            line = ln['line']
            ln['id'] = next(line_ids)
            # credit note lines are copies of the invoice lines (layout sequence included)
            line_rows.append((ln['id'], book.line_names[book.lines.index(line)], book.name,
                              10, doc['id'], line.product.uom_id.id, line.product.id, ln['account'],
                              line.price_unit, ln['subtotal'], ln['total'], sign * ln['subtotal'],
                              ln['qty'], 0.0, setup.company.id, partner.id, cur.id, False,
                              0 if refund else None))
            line_tax_rel += [(ln['id'], t) for t in line.taxes.ids]
            sale_rel.append((line.id, ln['id']))
        for (tax_id, account), t in doc['taxes'].items():
            tax_rows.append((next(tax_ids), doc['id'], t['tax']['name'], tax_id, account,
                             t['amount'], False, t['tax']['sequence'], setup.company.id, cur.id,
                             t['base']))
    writer.insert('account_invoice', [
        'id', 'name', 'origin', 'type', 'access_token', 'refund_invoice_id', 'number',
        'move_name', 'reference_type', 'state', 'sent', 'date_invoice', 'date_due', 'partner_id',
        'payment_term_id', 'date', 'account_id', 'move_id', 'amount_untaxed',
        'amount_untaxed_signed', 'amount_tax', 'amount_total', 'amount_total_signed',
        'amount_total_company_signed', 'currency_id', 'journal_id', 'company_id', 'reconciled',
        'residual', 'residual_signed', 'residual_company_signed', 'user_id', 'fiscal_position_id',
        'commercial_partner_id', 'team_id', 'partner_shipping_id', 'comment'], rows)
    writer.insert('account_invoice_line', [
        'id', 'name', 'origin', 'sequence', 'invoice_id', 'uom_id', 'product_id', 'account_id',
        'price_unit', 'price_subtotal', 'price_total', 'price_subtotal_signed', 'quantity',
        'discount', 'company_id', 'partner_id', 'currency_id', 'is_rounding_line',
        'layout_category_sequence'], line_rows)
    writer.insert('account_invoice_line_tax', ['invoice_line_id', 'tax_id'], line_tax_rel,
                  audit=False)
    writer.insert('sale_order_line_invoice_rel', ['order_line_id', 'invoice_line_id'], sale_rel,
                  audit=False)
    writer.insert('account_invoice_tax', [
        'id', 'invoice_id', 'name', 'tax_id', 'account_id', 'amount', 'manual', 'sequence',
        'company_id', 'currency_id', 'base'], tax_rows)


def _write_payments(setup, writer, books):
    cr = writer.cr
    payments = [(b, p) for b in books for p in b.payments]
    ids = _ids(cr, 'account_payment', len(payments))
    rows, rel = [], []
    for (book, p), pay_id in zip(payments, ids):
        p['id'] = pay_id
        rows.append((pay_id, setup.company.id, p['name'], 'posted', 'inbound', p['move_name'],
                     'open', 'Write-Off', setup.method_in.id, 'customer',
                     book.invoice_partner.commercial_partner_id.id, p['amount'], setup.currency.id,
                     D(p['date']), book.invoice['number'], p['journal'].id))
        rel.append((book.invoice['id'], pay_id))
    writer.insert('account_payment', [
        'id', 'company_id', 'name', 'state', 'payment_type', 'move_name',
        'payment_difference_handling', 'writeoff_label', 'payment_method_id', 'partner_type',
        'partner_id', 'amount', 'currency_id', 'payment_date', 'communication', 'journal_id'], rows)
    writer.insert('account_invoice_payment_rel', ['invoice_id', 'payment_id'], rel, audit=False)


def _all_moves(books):
    for book in books:
        yield book, book.invoice['move'], book.invoice
        if book.refund:
            yield book, book.refund['move'], book.refund
        for p in book.payments:
            yield book, p['move'], None


def _write_account_moves(setup, writer, books):
    cr = writer.cr
    cur = setup.money
    moves = list(_all_moves(books))
    move_ids = _ids(cr, 'account_move', len(moves))
    accounts = {}
    cr.execute("""SELECT a.id, a.reconcile, a.internal_type, a.user_type_id
                    FROM account_account a WHERE a.company_id = %s""", [setup.company.id])
    for acc_id, reconcile, internal_type, user_type in cr.fetchall():
        accounts[acc_id] = (reconcile or internal_type == 'liquidity', user_type, internal_type)
    setup.accounts = accounts
    for (book, move, doc), move_id in zip(moves, move_ids):
        move['id'] = move_id
    n_lines = sum(len(m['lines']) for _b, m, _d in moves)
    line_ids = iter(_ids(cr, 'account_move_line', n_lines))
    for _b, move, _d in moves:
        for ml in move['lines']:
            ml['id'] = next(line_ids)
            ml['date'] = D(move['date'])
    move_rows = []
    for book, move, doc in moves:
        payment = move.get('payment')
        if doc:
            name, ref = doc['number'], None
        else:
            name, ref = payment['move_name'], book.invoice['number']
        matched = _matched_percentage(setup, book, move, accounts)
        move['matched'] = matched
        debit_total = sum(ml['amount'] for ml in move['lines'] if ml['amount'] > 0)
        partner = book.invoice_partner.commercial_partner_id.id
        journal = move['journal']
        move_rows.append((move['id'], name, ref, D(move['date']), journal.id, cur.id, 'posted',
                          partner, debit_total, _narration(doc), setup.company.id, matched))
        move['name'], move['ref'], move['doc'] = name, ref, doc
    writer.insert('account_move', [
        'id', 'name', 'ref', 'date', 'journal_id', 'currency_id', 'state', 'partner_id', 'amount',
        'narration', 'company_id', 'matched_percentage'], move_rows)


def _narration(doc):
    """An invoice's entry carries its (empty) comment; credit notes and payments none."""
    return '' if doc and doc['type'] == 'out_invoice' else None


def _write_account_move_lines(setup, writer, books):
    cur = setup.money
    accounts = setup.accounts
    line_rows, tax_rel = [], []
    for book, move, doc in _all_moves(books):
        payment = move.get('payment')
        ref, matched = move['ref'], move['matched']
        invoice_id = doc['id'] if doc else None
        partner = book.invoice_partner.commercial_partner_id.id
        journal = move['journal']
        base_by_tax = collections.Counter()
        for ml in move['lines']:
            for t in ml['tax_ids']:
                base_by_tax[t] += ml['amount']
        for ml in move['lines']:
            amount = cur.round(ml['amount'])
            debit, credit = (amount, 0.0) if amount > 0 else (0.0, -amount)
            reconcilable, user_type, _itype = accounts[ml['account']]
            residual = cur.round(ml.get('residual', amount)) if reconcilable else 0.0
            reconciled = reconcilable and _itype != 'liquidity' and cur.is_zero(residual)
            if _itype == 'liquidity':
                reconciled = False
            if journal.type in ('sale', 'purchase'):
                dcb, ccb = debit * matched, credit * matched
            else:
                dcb, ccb = debit, credit
            kind = ml['kind']
            if kind == 'pay':
                ml_name = '%s: %s' % (setup.tr('Customer Payment'), book.invoice['number'])
            elif kind == 'liquidity':
                ml_name = payment['name']
            elif kind == 'dest':
                ml_name = doc['name'] or '/'
            else:
                ml_name = ml['name']
            full = ml.get('full')
            line_rows.append((
                ml['id'], ml_name, ml['qty'], ml.get('uom'), ml.get('product'), debit, credit,
                amount, dcb, ccb, dcb - ccb, 0.0, cur.id, None, residual, 0.0,
                abs(base_by_tax[ml['tax_line']]) if ml.get('tax_line') else 0.0,
                ml['account'], move['id'], ref, payment['id'] if payment else None, reconciled,
                full['id'] if full else None, journal.id, False,
                ml.get('date_maturity') or D(move['date']), D(move['date']), ml.get('tax_line'),
                setup.company.id, invoice_id, partner, user_type, True))
            tax_rel += [(ml['id'], t) for t in ml['tax_ids']]
    writer.insert('account_move_line', [
        'id', 'name', 'quantity', 'product_uom_id', 'product_id', 'debit', 'credit', 'balance',
        'debit_cash_basis', 'credit_cash_basis', 'balance_cash_basis', 'amount_currency',
        'company_currency_id', 'currency_id', 'amount_residual', 'amount_residual_currency',
        'tax_base_amount', 'account_id', 'move_id', 'ref', 'payment_id', 'reconciled',
        'full_reconcile_id', 'journal_id', 'blocked', 'date_maturity', 'date', 'tax_line_id',
        'company_id', 'invoice_id', 'partner_id', 'user_type_id', 'tax_exigible'], line_rows)
    writer.insert('account_move_line_account_tax_rel', ['account_move_line_id', 'account_tax_id'],
                  tax_rel, audit=False)


def _matched_percentage(setup, book, move, accounts):
    total, matched = 0.0, 0.0
    for ml in move['lines']:
        if accounts[ml['account']][2] in ('receivable', 'payable'):
            total += abs(ml['amount'])
            matched += sum(p['amount'] for p in book.partials
                           if p['debit'] is ml or p['credit'] is ml)
    return 1.0 if setup.money.is_zero(total) else matched / total


def _write_fulls(setup, writer, books):
    fulls = [f for b in books for f in b.fulls]
    for full, full_id in zip(fulls, _ids(writer.cr, 'account_full_reconcile', len(fulls))):
        full['id'] = full_id
    writer.insert('account_full_reconcile', ['id', 'name'], [(f['id'], f['name']) for f in fulls])


def _write_reconciliations(setup, writer, books):
    """Partial reconciles, and which lines paid which invoice (payment_move_line_ids)."""
    cr = writer.cr
    partials = [(b, p) for b in books for p in b.partials]
    ids = _ids(cr, 'account_partial_reconcile', len(partials))
    rows, rel = [], set()
    for (book, p), pid in zip(partials, ids):
        debit, credit = p['debit'], p['credit']
        rows.append((pid, debit['id'], credit['id'], p['amount'], 0.0, None, setup.company.id,
                     p['full']['id'] if p['full'] else None, max(debit['date'], credit['date'])))
        for doc in (book.invoice, book.refund):
            if doc is None:
                continue
            mine = [ml for ml in doc['move']['lines'] if ml['kind'] == 'dest']
            if any(debit is ml for ml in mine):
                rel.add((doc['id'], credit['id']))
            if any(credit is ml for ml in mine):
                rel.add((doc['id'], debit['id']))
    writer.insert('account_partial_reconcile', [
        'id', 'debit_move_id', 'credit_move_id', 'amount', 'amount_currency', 'currency_id',
        'company_id', 'full_reconcile_id', 'max_date'], rows)
    writer.insert('account_invoice_account_move_line_rel',
                  ['account_invoice_id', 'account_move_line_id'], sorted(rel), audit=False)
