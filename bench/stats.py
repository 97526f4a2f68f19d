"""Pure helpers: medians, ratios, budgets and table cells. No Odoo, no database."""
import statistics


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def verdict(value, limit):
    """'PASS', 'FAIL' or 'n/a' for ``value`` against an upper ``limit``."""
    if value is None or limit is None:
        return 'n/a'
    return 'PASS' if value <= limit else 'FAIL'


def worst(verdicts):
    """One verdict for several conditions of one budget."""
    if 'FAIL' in verdicts:
        return 'FAIL'
    if 'n/a' in verdicts:
        return 'n/a'
    return 'PASS'


def fmt_seconds(value):
    if value is None:
        return 'n/a'
    return '%.3f s' % value if value < 10 else '%.1f s' % value


def fmt_mb(value):
    return 'n/a' if value is None else '%.0f MB' % value


def fmt_ratio(value):
    return 'n/a' if value is None else '%.2f×' % value


def fmt_rate(count, seconds):
    if not seconds:
        return 'n/a'
    return '{:,.0f}/s'.format(count / seconds)


def markdown_table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)
