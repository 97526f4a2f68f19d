"""The benchmark database of one scale, built once and reused.

Like ``crmdb``'s templates: ``crm_bench_<scale>`` is built in a scratch
database (the dependencies template, the project addons without demo data,
then ``bench.generate``) and renamed when complete. It is rebuilt when the
generator's inputs (generator, demo data code, recipe) change; when only the
addons change, they are upgraded in it (``-u``, minutes instead of an hour at M),
and the data stays as the earlier addons generated it.
"""
import json
import sys
import time
from pathlib import Path

from bench import scales

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'scripts'))
import crmdb  # noqa: E402  (lives in scripts/)

BENCH_DIR = crmdb.ROOT / 'bench'
DIGEST_PARAM = 'crm_bench.digest'
RECIPE = 1  # bump when the build steps below change
# Generating scale M takes about an hour on this machine, L several.
BUILD_TIMEOUT = 6 * 3600
GENERATOR_FILES = ['generate.py', 'master.py', 'check.py', 'scales.py', 'timer.py']


def digest(scale):
    inputs = [crmdb.DEMO_DIR, crmdb.ODOO_EXEC] + [BENCH_DIR / name for name in GENERATOR_FILES]
    return crmdb._digest(inputs, RECIPE, scale, crmdb.deps_template_name())


def say(msg):
    print('bench: %s' % msg, flush=True)


def _build(scale, name, wanted):
    scratch = name + '_build'
    start = time.time()
    say('building %s from %s (scale %s, once)' % (name, crmdb.deps_template(), scale.name))
    crmdb.create_db(scratch, template=crmdb.deps_template())
    # The addons as installed: an edit during the (long) generation is upgraded next time.
    addons = crmdb.addons_digest()
    crmdb.odoo(scratch, ['-i', ','.join(crmdb.project_addons()), '--without-demo=all'],
               'bench-%s-1-addons' % scale.name)
    crmdb.run([crmdb.ODOO_EXEC, scratch, 'bench.generate:generate', scale.name],
              'bench-%s-2-generate' % scale.name, extra_env={'PYTHONPATH': str(crmdb.ROOT)},
              timeout=BUILD_TIMEOUT)
    crmdb.sql('ANALYZE', dbname=scratch)
    crmdb.set_param(scratch, crmdb.ADDONS_DIGEST_PARAM, addons)
    crmdb.set_param(scratch, DIGEST_PARAM, wanted)
    crmdb.drop_db(name)
    crmdb.rename_db(scratch, name)
    say('built %s in %.0f s' % (name, time.time() - start))


def ensure(scale):
    """The name of the scale's database, built first if missing or stale."""
    name = scales.database(scale)
    wanted = digest(scale.name)
    if crmdb.db_exists(name) and crmdb.get_param(name, DIGEST_PARAM) == wanted:
        if crmdb.get_param(name, crmdb.ADDONS_DIGEST_PARAM) != crmdb.addons_digest():
            say('upgrading the project addons in %s (the generator is unchanged)' % name)
            crmdb.upgrade_addons(name, 'bench-%s-upgrade' % scale.name)
        else:
            say('reusing %s (inputs unchanged)' % name)
    else:
        _build(scale, name, wanted)
    return name


def generator_stats(name):
    return json.loads(crmdb.get_param(name, scales.STATS_PARAM) or '{}')
