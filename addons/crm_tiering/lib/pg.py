"""PostgreSQL settings for the heavy aggregates."""
import contextlib


def jit_off(cr):
    """No JIT compilation for the rest of the transaction.

    At 20,000 customers the estimated cost of the big aggregates passes
    jit_optimize_above_cost, and PostgreSQL then spends seconds compiling them
    (6 s for the scoring aggregate, 4 s for the invoicing view) to save less.
    """
    if cr.connection.server_version >= 110000:  # PostgreSQL 11 brought JIT
        cr.execute("SET LOCAL jit = off")


@contextlib.contextmanager
def hash_joins(cr):
    """Hash and merge joins only, for the statements run inside.

    The planner guesses a few hundred rows for aggregates that have one per
    customer or per delivery, and then looks them up row by row (nested loops):
    fine for hundreds, seconds for the hundreds of thousands of a city. After an
    error the setting lasts until the (failed) transaction ends.
    """
    cr.execute("SET LOCAL enable_nestloop = off")
    yield
    cr.execute("RESET enable_nestloop")
