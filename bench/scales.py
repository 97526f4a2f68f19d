"""The benchmark scales: how many customers, products and routes, and how much
history each one generates."""
import collections

Scale = collections.namedtuple('Scale', 'name customers products per_route max_lines pending')
# per_route: customers per visit route; max_lines: lines kept per planned order
# (the demo's shop profiles order ~5 lines; M should come to about 1M lines);
# pending: orders confirmed through the ORM and not delivered yet, for batching.

STATS_PARAM = 'crm_bench.generator'

SCALES = {
    # XS: a smoke test of the generator and the measurements, in a few minutes.
    'XS': Scale('XS', customers=100, products=40, per_route=50, max_lines=2, pending=6),
    'S': Scale('S', customers=2000, products=60, per_route=200, max_lines=2, pending=60),
    'M': Scale('M', customers=20000, products=200, per_route=200, max_lines=2, pending=300),
    'L': Scale('L', customers=100000, products=300, per_route=200, max_lines=2, pending=600),
}


def get(name):
    try:
        return SCALES[name.upper()]
    except KeyError:
        raise SystemExit('unknown scale %r: choose one of %s' % (name, ', '.join(SCALES)))


def database(scale):
    return 'crm_bench_%s' % scale.name.lower()
