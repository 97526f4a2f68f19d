"""bench/RESULTS.md from the figures of a run: pure functions over plain data
(``results``: the JSON that ``bench.run`` keeps per scale in bench/results/)."""
from bench import scales, stats

MB = 'MB'
# name, label, upper limit, unit ('s', 'MB', 'ratio' or 'share', an added fraction): the
# issue's budgets, set for M.
BUDGETS = [
    ('tier_recompute', 'Tier recompute, all schemes', 10.0, 's'),
    ('lifecycle', 'Lifecycle evaluation, nightly re-run', 10.0, 's'),
    ('lifecycle_week', 'Lifecycle evaluation, the night a week on (rules act)', 10.0, 's'),
    ('lifecycle_replay', 'Lifecycle evaluation, first run (rules act)', 10.0, 's'),
    ('visit_plan', 'One-week visit plan', 15.0, 's'),
    ('workbook', 'Full XLSX workbook, time', 20.0, 's'),
    ('workbook_rss', 'Full XLSX workbook, peak RSS', 300.0, MB),
    ('checks_added', 'Quota and credit checks, added to confirmation', 0.15, 'share'),
    ('vs_raw_sql', 'Our recompute / raw SQL aggregate', 3.0, 'ratio'),
    ('per_customer_growth', 'Per-customer recompute cost, S → M', 1.3, 'ratio'),
]
LABELS = {
    'tier_recompute': 'Tier recompute, all schemes (`action_recompute`)',
    'raw_sql': 'Raw SQL scoring aggregate (`METRICS_QUERY` alone)',
    'naive_tiering': 'Naive ORM tier scoring (a query per customer)',
    'lifecycle': 'Lifecycle evaluation, nightly re-run (`_run_company`)',
    'lifecycle_week': 'Lifecycle evaluation, the night a week on: rules move customers and act',
    'lifecycle_replay': 'Lifecycle evaluation, first run: every customer staged, rules act',
    'visit_plan': 'Visit planning, one week, all routes',
    'batching': 'Delivery batching, one day, all routes',
    'workbook': 'Full XLSX workbook, all sections, one year',
    'confirm_checks': 'Sale order confirmation, with tier checks (per order)',
    'confirm_nochecks': 'Sale order confirmation, checks off (per order)',
    'tier_checks': 'Tier checks alone, `_check_tier_policy` (per order)',
    'rpc_list': 'Partner list page over RPC (80 rows; median of the requests)',
    'rpc_form': 'Partner form over RPC (median of the requests)',
}


def summary(samples):
    """Median seconds, fastest, slowest and highest peak RSS of one measurement's runs."""
    seconds = [s for s in samples.get('seconds', []) if s is not None]
    rss = [r for r in samples.get('rss_mb', []) if r is not None]
    return {'median': stats.median(seconds), 'min': min(seconds) if seconds else None,
            'max': max(seconds) if seconds else None, 'rss': max(rss) if rss else None,
            'runs': len(seconds)}


def figures(results, other=None):
    """The values the budgets are checked on. ``other``: the run of the other
    scale (S for M, M for S), for the per-customer growth."""
    m = {name: summary(s) for name, s in results['measurements'].items()}
    med = {name: v['median'] for name, v in m.items()}
    customers = results['customers']
    per_customer = stats.ratio(med.get('tier_recompute'), customers)
    growth = None
    if other:
        other_cost = stats.ratio(summary(other['measurements'].get('tier_recompute', {}))
                                 ['median'], other['customers'])
        small, large = sorted([(customers, per_customer), (other['customers'], other_cost)])
        growth = stats.ratio(large[1], small[1])
    checks = stats.ratio(med.get('confirm_checks'), med.get('confirm_nochecks'))
    # The naive scoring runs at S only (minutes per run at M): M shows S's ratio.
    vs_naive, naive_scale = stats.ratio(med.get('tier_recompute'), med.get('naive_tiering')), \
        results['scale']
    if vs_naive is None and other and 'naive_tiering' in other['measurements']:
        other_med = {name: summary(other['measurements'][name])['median']
                     for name in ('tier_recompute', 'naive_tiering')}
        vs_naive = stats.ratio(other_med['tier_recompute'], other_med['naive_tiering'])
        naive_scale = other['scale']
    return {
        'tier_recompute': med.get('tier_recompute'), 'lifecycle': med.get('lifecycle'),
        'lifecycle_week': med.get('lifecycle_week'),
        'lifecycle_replay': med.get('lifecycle_replay'),
        'visit_plan': med.get('visit_plan'), 'workbook': med.get('workbook'),
        'workbook_rss': m.get('workbook', {}).get('rss'),
        'checks_added': None if checks is None else checks - 1,
        'vs_raw_sql': stats.ratio(med.get('tier_recompute'), med.get('raw_sql')),
        'vs_naive': vs_naive,
        'per_customer_ms': None if per_customer is None else per_customer * 1000,
        'per_customer_growth': growth, 'naive_scale': naive_scale,
    }


def fmt(value, unit):
    if unit == 's':
        return stats.fmt_seconds(value)
    if unit == MB:
        return stats.fmt_mb(value)
    if value is None:
        return 'n/a'
    return '%+.0f%%' % (value * 100) if unit == 'share' else stats.fmt_ratio(value)


def budget_rows(values):
    rows = []
    for name, label, limit, unit in BUDGETS:
        rows.append([label, fmt(values.get(name), unit), fmt(limit, unit),
                     stats.verdict(values.get(name), limit)])
    return rows


def measurement_rows(results):
    rows = []
    for name, samples in sorted(results['measurements'].items(), key=_order):
        s = summary(samples)
        label = LABELS.get(name) or 'KPI view `%s`, one year by month (`read_group`)' % name[4:]
        rows.append([label, s['runs'], stats.fmt_seconds(s['median']),
                     '%s – %s' % (stats.fmt_seconds(s['min']), stats.fmt_seconds(s['max'])),
                     stats.fmt_mb(s['rss']), notes(samples.get('extra'))])
    return rows


def notes(extra):
    """What a measurement reported besides its time (last run), e.g. the rows it made."""
    return ', '.join('%s %s' % (key, value) for key, value in sorted((extra or {}).items()))


def _order(item):
    name = item[0]
    known = list(LABELS)
    return (known.index(name) if name in known else len(known), name)


def generator_rows(gen):
    rows = [[phase, stats.fmt_seconds(seconds)] for phase, seconds in gen.get('phases', [])]
    total = sum(seconds for _p, seconds in gen.get('phases', []))
    rows.append(['**total**', stats.fmt_seconds(total)])
    return rows, total


def loader_lines(results):
    """The bulk loader's speed, and the time it projects for the larger scales
    (rows grow with the customers: same shop profiles)."""
    gen = results.get('generator', {})
    seconds = dict(gen.get('phases', [])).get('history (bulk loader)')
    rows = gen.get('loaded_rows')
    if not seconds or not rows:
        return []
    projections = ['%s %s min' % (scale.name, '{:,.0f}'.format(
        seconds * scale.customers / results['customers'] / 60))
        for scale in scales.SCALES.values() if scale.customers > results['customers']]
    return ['Bulk loader: %s rows of the tables below in %s, %s rows/s; projected at the '
            'same speed: %s.'
            % ('{:,}'.format(rows), stats.fmt_seconds(seconds), stats.fmt_rate(rows, seconds)
               .replace('/s', ''), ', '.join(projections) or 'n/a'), '']


def render(results, other=None):
    values = figures(results, other)
    gen = results.get('generator', {})
    gen_rows, gen_total = generator_rows(gen)
    rows_written = sum(gen.get('rows', {}).values())
    lines = [
        '# Benchmark results', '',
        'Regenerated by `make bench` (see [README.md](README.md) for how to read it).', '',
        '- Scale: **%s**, %s customers, %s orders with %s lines in the bulk-loaded year' % (
            results['scale'], '{:,}'.format(results['customers']),
            '{:,}'.format(gen.get('orders', 0)), '{:,}'.format(gen.get('lines', 0))),
        '- Date: %s' % results['date'],
        '- Machine: %s' % results['machine'],
        '- Each figure: the median of %s runs, each in its own process; peak RSS is the '
        'highest of the runs and includes the loaded Odoo registry (about %s).' % (
            results['runs'], stats.fmt_mb(results.get('base_rss_mb'))),
        '', '## Budgets', '',
        'The budgets apply at scale M; at other scales they are printed for reference.', '',
        stats.markdown_table(['Budget', 'Measured', 'Limit', 'Verdict'], budget_rows(values)),
        '', '## Reference points', '',
        stats.markdown_table(['Reference', 'Value'], [
            ['Our tier recompute / naive ORM scoring (at %s)' % values['naive_scale'],
             stats.fmt_ratio(values['vs_naive'])],
            ['Our tier recompute / raw SQL aggregate', stats.fmt_ratio(values['vs_raw_sql'])],
            ['Tier recompute per customer',
             'n/a' if values['per_customer_ms'] is None
             else '%.2f ms' % values['per_customer_ms']],
        ]),
        '', '## Measurements', '',
        stats.markdown_table(['Measurement', 'Runs', 'Median', 'Fastest – slowest',
                              'Peak RSS', 'Last run made'], measurement_rows(results)),
        '', '## Generator', '',
        'Generator, all phases: %s rows in the tables below after %s.' % (
            '{:,}'.format(rows_written), stats.fmt_seconds(gen_total)), '']
    lines += loader_lines(results) + [
        stats.markdown_table(['Phase', 'Time'], gen_rows), '',
        stats.markdown_table(['Table', 'Rows'], [
            ['`%s`' % table, '{:,}'.format(count)]
            for table, count in sorted(gen.get('rows', {}).items())]),
        '',
    ]
    return '\n'.join(lines)
