"""Consistency checks of sales, stock and accounting data, whoever wrote it.

``problems(env)`` recomputes what Odoo derives (residuals, partner balances,
on-hand stock, delivered and invoiced quantities) from the underlying rows,
in a few set-based queries, and compares it with what is stored or what the
ORM computes. It returns readable strings; an empty list means consistent.
"""

LIMIT = 20  # problems reported per check; the count says how many there are


def problems(env, orm=True):
    """All checks; ``orm=False`` leaves out the ORM recomputation (slow: ~40 s
    for a year of demo history)."""
    env['account.move.line'].recompute()  # pending ORM recomputations first, so SQL sees them
    env.cr.execute("CREATE OR REPLACE TEMP VIEW demo_line_residual AS " + RESIDUALS)
    found = []
    for check in (unbalanced_moves, line_residuals, invoice_residuals, partner_balances,
                  quants, delivered_quantities, invoiced_quantities, duplicate_names):
        found += check(env)
    if orm:
        found += orm_recomputed(env)
    return found


def _report(title, rows, fmt):
    out = [title + ': ' + fmt(row) for row in rows[:LIMIT]]
    if len(rows) > LIMIT:
        out.append('%s: %d more' % (title, len(rows) - LIMIT))
    return out


def unbalanced_moves(env):
    env.cr.execute("""
        SELECT m.name, sum(l.debit), sum(l.credit)
          FROM account_move m JOIN account_move_line l ON l.move_id = m.id
         GROUP BY m.id, m.name
        HAVING abs(sum(l.debit) - sum(l.credit)) >= 0.005
         ORDER BY m.id""")
    return _report('unbalanced entry', env.cr.fetchall(),
                   lambda r: '%s debit %s credit %s' % r)


# Residual of each line of a reconcilable account, from its partial reconciles
# (the temporary view demo_line_residual).
RESIDUALS = """
    SELECT l.id, l.partner_id, l.invoice_id, l.account_id, l.amount_residual AS stored,
           round(l.balance - coalesce(d.amount, 0) + coalesce(c.amount, 0), 2) AS residual
      FROM account_move_line l
      JOIN account_account a ON a.id = l.account_id AND a.reconcile
      LEFT JOIN (SELECT debit_move_id AS id, sum(amount) AS amount
                   FROM account_partial_reconcile GROUP BY 1) d ON d.id = l.id
      LEFT JOIN (SELECT credit_move_id AS id, sum(amount) AS amount
                   FROM account_partial_reconcile GROUP BY 1) c ON c.id = l.id
"""


def line_residuals(env):
    env.cr.execute("""
        SELECT l.id, l.stored, l.residual, ml.reconciled FROM demo_line_residual l
          JOIN account_move_line ml ON ml.id = l.id
         WHERE abs(l.stored - l.residual) >= 0.005 OR ml.reconciled <> (l.residual = 0)
         ORDER BY l.id""")
    return _report('journal item residual', env.cr.fetchall(),
                   lambda r: 'line %s stores %s (reconciled %s), partials leave %s'
                   % (r[0], r[1], r[3], r[2]))


def invoice_residuals(env):
    """Stored residual and state of each invoice against its receivable lines."""
    env.cr.execute("""
        SELECT i.id, i.number, i.state, i.residual, abs(coalesce(sum(l.residual), 0))
          FROM account_invoice i
          LEFT JOIN demo_line_residual l ON l.invoice_id = i.id AND l.account_id = i.account_id
         WHERE i.state IN ('open', 'paid')
         GROUP BY i.id""")
    bad = []
    for inv_id, number, state, stored, residual in env.cr.fetchall():
        expected_state = 'paid' if abs(residual) < 0.005 else 'open'
        if abs(float(stored) - float(residual)) >= 0.005 or state != expected_state:
            bad.append((number or inv_id, stored, state, residual, expected_state))
    return _report('invoice', bad, lambda r: '%s stores residual %s (%s), lines leave %s (%s)' % r)


def partner_balances(env):
    """res.partner.credit, as the ORM computes it, against the open receivable lines."""
    env.cr.execute("""
        SELECT l.partner_id, sum(l.residual) FROM demo_line_residual l
          JOIN account_account a ON a.id = l.account_id AND a.internal_type = 'receivable'
         WHERE l.partner_id IS NOT NULL GROUP BY 1""")
    expected = dict(env.cr.fetchall())
    partners = env['res.partner'].browse(list(expected)).with_context(prefetch_fields=False)
    bad = []
    for partner in partners:
        if abs(partner.credit - float(expected[partner.id])) >= 0.005:
            bad.append((partner.display_name, partner.credit, expected[partner.id]))
    return _report('partner receivable', bad, lambda r: '%s: credit %s, open items %s' % r)


def quants(env):
    env.cr.execute("""
        WITH moved AS (
            SELECT product_id, location_dest_id AS location_id, product_qty AS qty
              FROM stock_move WHERE state = 'done'
            UNION ALL
            SELECT product_id, location_id, -product_qty FROM stock_move WHERE state = 'done'),
        expected AS (SELECT product_id, location_id, sum(qty) AS qty FROM moved GROUP BY 1, 2),
        stored AS (SELECT product_id, location_id, sum(quantity) AS qty
                     FROM stock_quant GROUP BY 1, 2)
        SELECT coalesce(e.product_id, s.product_id), coalesce(e.location_id, s.location_id),
               coalesce(e.qty, 0), coalesce(s.qty, 0)
          FROM expected e FULL JOIN stored s
            ON s.product_id = e.product_id AND s.location_id = e.location_id
          JOIN product_product p ON p.id = coalesce(e.product_id, s.product_id)
          JOIN product_template t ON t.id = p.product_tmpl_id AND t.type = 'product'
         WHERE abs(coalesce(e.qty, 0) - coalesce(s.qty, 0)) >= 0.0005
         ORDER BY 1, 2""")
    return _report('stock', env.cr.fetchall(),
                   lambda r: 'product %s in location %s: moves give %s, quants hold %s' % r)


def delivered_quantities(env):
    env.cr.execute("""
        SELECT l.id, l.qty_delivered, coalesce(sum(CASE
                   WHEN dest.usage = 'customer' THEN m.product_qty
                   WHEN src.usage = 'customer' AND m.to_refund THEN -m.product_qty
                   ELSE 0 END), 0)
          FROM sale_order_line l
          LEFT JOIN stock_move m ON m.sale_line_id = l.id AND m.state = 'done'
          LEFT JOIN stock_location src ON src.id = m.location_id
          LEFT JOIN stock_location dest ON dest.id = m.location_dest_id
          JOIN product_product p ON p.id = l.product_id
          JOIN product_template t ON t.id = p.product_tmpl_id AND t.type IN ('product', 'consu')
         GROUP BY l.id
        HAVING abs(l.qty_delivered - coalesce(sum(CASE
                   WHEN dest.usage = 'customer' THEN m.product_qty
                   WHEN src.usage = 'customer' AND m.to_refund THEN -m.product_qty
                   ELSE 0 END), 0)) >= 0.0005
         ORDER BY l.id""")
    return _report('sale line delivered', env.cr.fetchall(),
                   lambda r: 'line %s stores %s, done moves give %s' % r)


def invoiced_quantities(env):
    env.cr.execute("""
        SELECT l.id, l.qty_invoiced, l.qty_to_invoice, l.qty_delivered,
               coalesce(sum(CASE i.type WHEN 'out_invoice' THEN il.quantity
                                        WHEN 'out_refund' THEN -il.quantity END), 0)
          FROM sale_order_line l
          LEFT JOIN sale_order_line_invoice_rel r ON r.order_line_id = l.id
          LEFT JOIN account_invoice_line il ON il.id = r.invoice_line_id
          LEFT JOIN account_invoice i ON i.id = il.invoice_id AND i.state <> 'cancel'
         GROUP BY l.id
         ORDER BY l.id""")
    bad = []
    for row in env.cr.fetchall():
        line_id, invoiced, to_invoice, delivered, expected = [row[0]] + [float(v) for v in row[1:]]
        if abs(invoiced - expected) >= 0.0005:
            bad.append((line_id, 'qty_invoiced %s, invoice lines give %s' % (invoiced, expected)))
        elif abs(to_invoice - (delivered - invoiced)) >= 0.0005:
            bad.append((line_id, 'qty_to_invoice %s, delivered %s - invoiced %s'
                        % (to_invoice, delivered, invoiced)))
    return _report('sale line invoiced', bad, lambda r: 'line %s: %s' % r)


NUMBERED = [('sale_order', 'name'), ('stock_picking', 'name'), ('account_invoice', 'number'),
            ('account_move', 'name'), ('account_payment', 'name'),
            ('account_full_reconcile', 'name')]


def duplicate_names(env):
    """Document numbers given twice, e.g. by a sequence left behind by a bulk load."""
    found = []
    for table, column in NUMBERED:
        env.cr.execute('SELECT %s FROM %s WHERE %s IS NOT NULL AND %s <> %%s '
                       'GROUP BY 1 HAVING count(*) > 1' % (column, table, column, column), ['/'])
        found += _report('%s.%s used twice' % (table, column), env.cr.fetchall(),
                         lambda r: r[0])
    return found


def orm_recomputed(env):
    """Let the ORM recompute the residuals of journal items and invoices and
    compare them with the stored ones (quantities are checked in SQL above).

    ``compute_value`` leaves its results in the cache only (draft mode), so
    nothing is written; the cache is dropped at the end.
    """
    env.cache.invalidate()
    env.cr.execute("""SELECT l.id, l.amount_residual FROM account_move_line l
                        JOIN account_account a ON a.id = l.account_id WHERE a.reconcile""")
    line_residual = dict(env.cr.fetchall())
    env.cr.execute("SELECT id, residual FROM account_invoice WHERE state IN ('open', 'paid')")
    invoice_residual = dict(env.cr.fetchall())
    lines = env['account.move.line'].browse(list(line_residual))
    invoices = env['account.invoice'].browse(list(invoice_residual))
    try:
        lines._fields['amount_residual'].compute_value(lines)
        invoices._fields['residual'].compute_value(invoices)
        bad_lines = [(r.id, line_residual[r.id], r.amount_residual) for r in lines
                     if abs(float(line_residual[r.id]) - r.amount_residual) >= 0.005]
        bad_invoices = [(r.number, invoice_residual[r.id], r.residual) for r in invoices
                        if abs(float(invoice_residual[r.id]) - r.residual) >= 0.005]
    finally:
        env.cache.invalidate()
    return (_report('journal item residual (ORM)', bad_lines,
                    lambda r: '#%s stores %s, the ORM computes %s' % r)
            + _report('invoice residual (ORM)', bad_invoices,
                      lambda r: '%s stores %s, the ORM computes %s' % r))
