"""Fixtures and row comparison for checking the bulk loader against the ORM flow."""
import datetime

from demodata import plan

# (name, list price, cost, tax xml id suffix or None for the company default)
FIXTURE_PRODUCTS = [('Water 24', 36.0, 27.5), ('Cola 24', 52.0, 41.0), ('Tea 15', 45.0, 35.0),
                    ('Chips 20', 96.0, 76.0), ('Oil 5L', 268.0, 226.0)]


def make_fixture(env, tag):
    """Two partners (immediate and 30-day terms) and five products named after ``tag``."""
    user = env['res.users'].search([('login', '=', 'admin')], limit=1)
    team = env.ref('sales_team.team_sales_department')
    terms = [env.ref('account.account_payment_term_immediate'),
             env.ref('account.account_payment_term_net')]
    partners = [env['res.partner'].create({
        'name': '%s shop %d' % (tag, i), 'customer': True, 'is_company': True,
        'user_id': user.id, 'team_id': team.id, 'property_payment_term_id': term.id,
    }) for i, term in enumerate(terms)]
    taxes = env['account.tax'].search([('type_tax_use', '=', 'sale')], order='amount desc')
    products = []
    for i, (name, price, cost) in enumerate(FIXTURE_PRODUCTS):
        vals = {'name': '%s %s' % (tag, name), 'type': 'product', 'list_price': price,
                'standard_price': cost, 'invoice_policy': 'delivery', 'sale_ok': True}
        if i == 4:  # one product on the other VAT rate, so invoices carry two taxes
            vals['taxes_id'] = [(6, 0, taxes[-1].ids)]
        products.append(env['product.product'].create(vals))
    return partners, products


def sample_orders(today):
    """A handful of orders covering the cases the loader must get right."""
    day = lambda n: today - datetime.timedelta(days=n)
    at = lambda n, h=9: datetime.datetime.combine(day(n), datetime.time(h, 15))

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
