"""One planned order pushed through Odoo's own sale, stock and accounting flow.

This is the reference the bulk loader (``loader.py``) imitates: whatever rows
this module makes through the ORM, the loader writes with SQL. Both follow the
same rules, decided here:

- events happen in date order: confirm, deliver, invoice, then payments and
  the refund by date (payments first on the same day);
- a payment pays ``share`` of the invoice total, but never more than is still
  open; the payment that completes the plan's shares pays whatever is open;
- a payment made on the invoice day is cash (cash on delivery), later ones go
  through the bank;
- the refund credits the refunded quantities at the invoiced price and is
  reconciled with the invoice as far as the invoice is still open; what is
  left (the invoice was already paid) stays an open credit of the customer.
"""
import datetime

from odoo import fields

QUIET = dict(tracking_disable=True, mail_notrack=True, mail_create_nolog=True)
DT = fields.Datetime.to_string
D = fields.Date.to_string


def payment_journal(env, order, paid_on):
    kind = 'cash' if paid_on == order.invoiced_on else 'bank'
    return env['account.journal'].search([('type', '=', kind)], limit=1)


def events(order, now):
    """The money events of an order due by ``now``: (date, kind, payload), in order."""
    today = now.date()
    todo = []
    if order.invoiced_on > today:
        return todo
    shares = 0.0
    for paid_on, share in order.payments:
        if paid_on <= today:
            shares += share
            todo.append((paid_on, 0, 'payment', (share, shares >= 0.999)))
    if order.refund and order.refund[0] <= today:
        todo.append((order.refund[0], 1, 'refund', order.refund[1]))
    todo.sort(key=lambda e: (e[0], e[1]))
    return [(day, kind, payload) for day, _rank, kind, payload in todo]


def payment_amount(total, residual, share, last, currency):
    """What a payment of ``share`` of ``total`` pays when ``residual`` is still open."""
    amount = residual if last else min(currency.round(total * share), residual)
    return currency.round(amount)


def run_order(env, order, partner, products, now):
    env = env(context=dict(env.context, **QUIET))
    sale = _create_order(env, order, partner, products)
    sale.action_confirm()
    # Odoo stamps confirmation and planned dates with the clock; use the plan's.
    sale.write({'confirmation_date': DT(order.date_order)})
    sale.picking_ids.write({'date': DT(order.date_order), 'scheduled_date': DT(
        order.date_order + datetime.timedelta(days=1))})
    if order.delivered_at > now:
        return sale
    _deliver(sale, order.delivered_at)
    if order.invoiced_on > now.date():
        return sale
    invoice = _invoice(sale, order.invoiced_on)
    for day, kind, payload in events(order, now):
        if kind == 'payment':
            _pay(env, order, invoice, day, *payload)
        else:
            _refund(invoice, day, payload, products)
    return sale


def stock_in(env, products, quantities, when, name='期初库存'):
    """Opening stock as an inventory adjustment dated ``when`` (what the loader writes)."""
    env = env(context=dict(env.context, **QUIET))
    warehouse = env['stock.warehouse'].search(
        [('company_id', '=', env.user.company_id.id)], limit=1)
    inventory = env['stock.inventory'].create({
        'name': name, 'location_id': warehouse.lot_stock_id.id, 'filter': 'partial'})
    inventory.action_start()
    inventory.write({'date': DT(when), 'line_ids': [
        (0, 0, {'product_id': product.id, 'product_uom_id': product.uom_id.id,
                'location_id': warehouse.lot_stock_id.id, 'product_qty': qty})
        for product, qty in zip(products, quantities) if qty]})
    inventory.action_done()
    inventory.move_ids.write({'date': DT(when), 'date_expected': DT(when)})
    inventory.move_ids.mapped('move_line_ids').write({'date': DT(when)})
    return inventory


def _create_order(env, order, partner, products):
    SaleOrder = env['sale.order']
    vals = {'partner_id': partner.id, 'date_order': DT(order.date_order)}
    draft = SaleOrder.new(vals)
    draft.onchange_partner_id()
    draft.onchange_partner_shipping_id()
    vals.update(draft._convert_to_write(draft._cache))
    vals.update({
        'partner_id': partner.id, 'date_order': DT(order.date_order),
        'user_id': partner.user_id.id or env.uid,
        'company_id': env.user.company_id.id,
        'team_id': partner.team_id.id or vals.get('team_id'),
        'warehouse_id': env['stock.warehouse'].search(
            [('company_id', '=', env.user.company_id.id)], limit=1).id,
        'pricelist_id': partner.property_product_pricelist.id,
        'order_line': [(0, 0, {'product_id': products[p].id, 'product_uom_qty': qty})
                       for p, qty in order.lines],
    })
    return SaleOrder.create(vals)


def _deliver(sale, delivered_at):
    """Validate the whole delivery, dated when the plan says it happened."""
    when = DT(delivered_at)
    for picking in sale.picking_ids:
        picking.action_assign()
        for move in picking.move_lines:
            move.quantity_done = move.product_uom_qty
        picking.action_done()
        picking.write({'date_done': when})
        picking.move_lines.write({'date': when})
        picking.move_line_ids.write({'date': when})


def _invoice(sale, invoiced_on):
    invoice = sale.env['account.invoice'].browse(sale.action_invoice_create())
    invoice.write({'date_invoice': D(invoiced_on)})
    invoice.action_invoice_open()
    return invoice


def _pay(env, order, invoice, day, share, last):
    amount = payment_amount(invoice.amount_total, invoice.residual, share, last,
                            invoice.currency_id)
    if amount <= 0:
        return None
    journal = payment_journal(env, order, day)
    payment = env['account.payment'].create({
        'payment_type': 'inbound', 'partner_type': 'customer',
        'partner_id': invoice.partner_id.commercial_partner_id.id,
        'amount': amount, 'currency_id': invoice.currency_id.id,
        'journal_id': journal.id, 'payment_date': D(day),
        'payment_method_id': env.ref('account.account_payment_method_manual_in').id,
        'communication': invoice.number,
        'invoice_ids': [(6, 0, invoice.ids)],
    })
    payment.post()
    return payment


def _refund(invoice, day, lines, products):
    """A credit note for part of the delivered goods (no goods come back)."""
    Invoice = invoice.env['account.invoice']
    vals = Invoice._prepare_refund(invoice, date_invoice=D(day), date=D(day),
                                   description='退货折让 %s' % invoice.number)
    by_product = {ln.product_id.id: ln for ln in invoice.invoice_line_ids}
    refund_lines = []
    for p, qty in lines:
        src = by_product[products[p].id]
        line_vals = Invoice._refund_cleanup_lines(src)[0][2]
        line_vals.update(quantity=qty, sale_line_ids=[(6, 0, src.sale_line_ids.ids)])
        refund_lines.append((0, 0, line_vals))
    vals.update(invoice_line_ids=refund_lines, tax_line_ids=[])
    refund = Invoice.create(vals)
    refund.compute_taxes()
    refund.action_invoice_open()
    if invoice.state == 'open':
        credit = refund.move_id.line_ids.filtered(
            lambda l: l.account_id == refund.account_id and not l.reconciled)
        invoice.assign_outstanding_credit(credit.id)
    return refund
