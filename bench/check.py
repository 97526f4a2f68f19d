"""Does the ORM read the generated data as it reads its own?

``demodata.checks`` proves the bulk-loaded rows consistent in set-based SQL
(its full ORM recomputation takes minutes at scale); here the ORM recomputes
the computed fields of a sample of documents and aggregates every document
with ``read_group``, and both must agree with what is stored.
"""
from demodata import checks

SAMPLE = 300
# model: stored computed fields the ORM recomputes on the sample
RECOMPUTED = {
    'res.partner': ['display_name', 'commercial_partner_id', 'commercial_company_name',
                    'commercial_partner_country_id', 'partner_share'],
    'sale.order': ['amount_untaxed', 'amount_tax', 'amount_total', 'invoice_status'],
    'sale.order.line': ['price_subtotal', 'qty_delivered', 'qty_invoiced', 'qty_to_invoice'],
    'account.invoice': ['amount_untaxed', 'amount_total', 'residual', 'state'],
    'account.move.line': ['amount_residual', 'reconciled'],
    'stock.picking': ['state'],
}
# model, domain, summed field, SQL giving the same sum
TOTALS = [
    ('sale.order', [('state', '=', 'sale')], 'amount_total',
     "SELECT sum(amount_total) FROM sale_order WHERE state = 'sale'"),
    ('account.invoice', [('state', 'in', ['open', 'paid'])], 'amount_total_signed',
     "SELECT sum(amount_total_signed) FROM account_invoice WHERE state IN ('open', 'paid')"),
    ('account.move.line', [], 'balance', 'SELECT sum(balance) FROM account_move_line'),
]


def sample_ids(env, table, size=SAMPLE):
    env.cr.execute('SELECT id FROM %s ORDER BY md5(id::text) LIMIT %%s' % table, [size])
    return [row[0] for row in env.cr.fetchall()]


def differs(stored, computed):
    if isinstance(stored, float) or isinstance(computed, float):
        return abs((stored or 0.0) - (computed or 0.0)) >= 0.005
    return stored != computed


def recomputed_problems(env, model, names):
    """Fields of a sample of ``model`` whose ORM recomputation differs from the row."""
    records = env[model].browse(sample_ids(env, env[model]._table))
    stored = {r['id']: r for r in records.read(names)}
    env.cache.invalidate()
    found = []
    try:
        for name in names:
            field = records._fields[name]
            if field.compute:
                field.compute_value(records)
            for record in records:
                value = field.convert_to_read(record[name], record)
                if differs(stored[record.id][name], value):
                    found.append('%s %s.%s: stored %r, the ORM computes %r' % (
                        model, record.id, name, stored[record.id][name], value))
    finally:
        env.cache.invalidate()
    return found


def total_problems(env, model, domain, field, query):
    groups = env[model].read_group(domain, [field], [])
    env.cr.execute(query)
    expected = float(env.cr.fetchone()[0] or 0)
    got = groups[0][field] if groups else 0.0
    if abs((got or 0.0) - expected) >= 0.01:
        return ['%s: read_group sums %s to %s, SQL to %s' % (model, field, got, expected)]
    return []


def partner_problems(env):
    """Every shop reads back with its payment term and district tag."""
    shops = env['res.partner'].search([('customer', '=', True), ('is_company', '=', True),
                                       ('ref', '=like', 'B%')])
    bad = shops.filtered(lambda s: not s.property_payment_term_id or len(s.category_id) != 1)
    return ['shop %s: payment term %r, tags %r' % (
        shop.ref, shop.property_payment_term_id.name, shop.category_id.mapped('name'))
        for shop in bad]


def problems(env):
    found = checks.problems(env, orm=False) + partner_problems(env)
    for model, names in RECOMPUTED.items():
        found += recomputed_problems(env, model, names)
    for model, domain, field, query in TOTALS:
        found += total_problems(env, model, domain, field, query)
    return found


def verify(env):
    found = problems(env)
    if found:
        raise RuntimeError('benchmark data is inconsistent:\n' + '\n'.join(found[:30]))
