#!/usr/bin/env python3
"""The benchmark: build (or reuse) the database of a scale, measure, and write
bench/RESULTS.md and bench/results/<scale>.json.

    run.py [--scale S|M|L] [--runs N] [--only NAME ...]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import db, report, rpc, scales  # noqa: E402
from bench.db import crmdb  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / 'results'
PROBE = BENCH_DIR / 'probe.py'
HEAVY = ['tier_recompute', 'raw_sql', 'naive_tiering', 'lifecycle', 'lifecycle_week',
         'lifecycle_replay',
         'visit_plan', 'batching', 'workbook', 'confirm_checks', 'confirm_nochecks', 'tier_checks']
# Minutes per run: measured once (the table says so).
SINGLE_RUN = {'lifecycle_replay'}
# The naive reference is measured at S only (the reference point).
NAIVE_SCALES = ('XS', 'S')


def say(msg):
    print('bench: %s' % msg, flush=True)


def probe(dbname, name):
    """One run of one measurement in its own process: its JSON figures."""
    proc = subprocess.run([str(crmdb.PYTHON), str(PROBE), dbname, name], cwd=str(crmdb.ROOT),
                          env=crmdb.odoo_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=crmdb.STEP_TIMEOUT)
    if proc.returncode:
        raise RuntimeError('measurement %s failed:\n%s' % (name, proc.stderr[-3000:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def kpi_views(dbname):
    rows = crmdb.sql("SELECT model FROM ir_model WHERE model LIKE 'crm.kpi.%%' "
                     "AND model NOT IN ('crm.kpi.report', 'crm.kpi.section', "
                     "'crm.kpi.strategy', 'crm.kpi.workbook') ORDER BY model", dbname=dbname)
    return ['kpi:' + row[0] for row in rows]


def vacuum(dbname):
    """Clear the dead rows the previous, rolled-back runs left (the jobs rewrite every
    customer row), so that each measurement starts from a table as the night finds it."""
    crmdb.sql('VACUUM ANALYZE', dbname=dbname)


def measure(dbname, names, runs):
    """{name: {'seconds': [...], 'rss_mb': [...], ...}}, ``runs`` runs each."""
    results = {}
    for name in names:
        vacuum(dbname)
        samples = [probe(dbname, name) for _ in range(1 if name in SINGLE_RUN else runs)]
        # A measurement may report its own figure (a per-order latency) instead of its wall time.
        seconds = [s['value'] if 'value' in s else s['seconds'] for s in samples]
        results[name] = {'seconds': seconds, 'rss_mb': [s['rss_mb'] for s in samples],
                         'rss_base_mb': [s['rss_base_mb'] for s in samples],
                         'extra': {k: v for k, v in samples[-1].items()
                                   if k not in ('seconds', 'value', 'rss_mb', 'rss_base_mb')}}
        shown = ', '.join('%.3f' % s for s in seconds if s is not None)
        say('%-40s median %.3f s  (%s)' % (name, report.stats.median(seconds) or 0, shown))
    return results


def machine():
    cpu = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo')
                if line.startswith('model name')), platform.processor())
    mem = {line.split(':')[0]: int(line.split()[1]) // 1024 for line in open('/proc/meminfo')}
    version = crmdb.sql('SHOW server_version')[0][0]
    return '%d × %s, %s MB RAM (%s MB available at start), load average %s, PostgreSQL %s, ' \
        'Python %s' % (os.cpu_count(), cpu, '{:,}'.format(mem['MemTotal']),
                       '{:,}'.format(mem['MemAvailable']),
                       ' '.join('%.2f' % x for x in os.getloadavg()), version,
                       platform.python_version())


def other_scale(scale):
    """The run of the scale the per-customer growth compares with, if there is one."""
    name = 'M' if scale.name != 'M' else 'S'
    path = RESULTS_DIR / ('%s.json' % name)
    return json.loads(path.read_text()) if path.exists() else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scale', default='S', help='S, M or L (default S)')
    parser.add_argument('--runs', type=int, default=3, help='runs per measurement (default 3)')
    parser.add_argument('--only', nargs='*', help='measure these only (no RESULTS.md)')
    parser.add_argument('--no-rpc', action='store_true', help='skip the RPC measurements')
    parser.add_argument('--report', action='store_true',
                        help='only write RESULTS.md again from results/<scale>.json')
    args = parser.parse_args(argv)
    scale = scales.get(args.scale)
    if args.report:
        results = json.loads((RESULTS_DIR / ('%s.json' % scale.name)).read_text())
        return write_report(results, scale)
    started = datetime.datetime.utcnow()
    host = machine()
    dbname = db.ensure(scale)
    names = [n for n in HEAVY if n != 'naive_tiering' or scale.name in NAIVE_SCALES]
    names = args.only or names + kpi_views(dbname)
    measurements = measure(dbname, names, args.runs)
    if not args.no_rpc and not args.only:
        vacuum(dbname)
        measurements.update(rpc.measure(dbname))
    if args.only:
        return 0
    results = {
        'scale': scale.name, 'customers': scale.customers, 'runs': args.runs,
        'date': started.strftime('%Y-%m-%d %H:%M UTC'), 'machine': host,
        'generator': db.generator_stats(dbname), 'measurements': measurements,
        'base_rss_mb': report.stats.median(
            [b for m in measurements.values() for b in m.get('rss_base_mb', [])]),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / ('%s.json' % scale.name)).write_text(json.dumps(results, indent=1) + '\n')
    return write_report(results, scale)


def write_report(results, scale):
    (BENCH_DIR / 'RESULTS.md').write_text(report.render(results, other_scale(scale)))
    say('wrote %s' % (BENCH_DIR / 'RESULTS.md').relative_to(crmdb.ROOT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
