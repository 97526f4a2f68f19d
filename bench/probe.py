#!/usr/bin/env python3
"""Run one measurement in this process and print its figures as JSON.

    probe.py DBNAME MEASUREMENT

Odoo loads the registry first (not timed), the measurement's setup runs (not
timed), then its work, timed; everything is rolled back. The peak resident
memory is this process's, so it includes the loaded registry (``rss_base_mb``
is the peak before the measured work).
"""
import json
import os
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

from bench.timer import peak_rss_mb  # noqa: E402


def probe(dbname, name):
    odoo.tools.config.parse_config(['-c', os.path.join(ROOT, 'odoo.conf'), '-d', dbname,
                                    '--log-level=warn'])
    odoo.netsvc.init_logger()
    from bench import measure  # the addons are importable once the configuration is read
    # The crons' own convention: no intermediate commits, so the run can be rolled back.
    threading.currentThread().testing = True
    registry = odoo.registry(dbname)
    measurement = measure.get(name)
    with api.Environment.manage():
        cr = registry.cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            state = measurement.setup(env)
            base = peak_rss_mb()
            start = time.perf_counter()
            extra = measurement.run(env, state) or {}
            seconds = time.perf_counter() - start
        finally:
            cr.rollback()
            cr.close()
    result = dict(extra, seconds=seconds, rss_mb=peak_rss_mb(), rss_base_mb=base)
    print(json.dumps(result))


if __name__ == '__main__':
    probe(*sys.argv[1:])
