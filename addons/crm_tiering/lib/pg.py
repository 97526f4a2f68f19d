"""PostgreSQL settings for the heavy aggregates."""


def jit_off(cr):
    """No JIT compilation for the rest of the transaction.

    At 20,000 customers the estimated cost of the big aggregates passes
    jit_optimize_above_cost, and PostgreSQL then spends seconds compiling them
    (6 s for the scoring aggregate, 4 s for the invoicing view) to save less.
    """
    if cr.connection.server_version >= 110000:  # PostgreSQL 11 brought JIT
        cr.execute("SET LOCAL jit = off")
