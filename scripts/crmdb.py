"""Databases of the project: templates, the demo database, throwaway copies.

Building a database from nothing costs minutes, so each stage is kept as a
PostgreSQL template named after a digest of its inputs:

- ``crm_tpl_deps_<digest>``: the Odoo modules the project addons depend on,
  a Chinese company (CNY, zh_CN, Chinese chart of accounts), no demo data;
- ``crm_tpl_demo_<digest>``: the above plus the project addons and the
  generated demo history.

A later run copies a template (``CREATE DATABASE ... TEMPLATE``, plus the
filestore) in seconds. Every Odoo run's log is kept under ``var/log`` and
checked: an ERROR or CRITICAL line fails the step.

Command line (run with the virtualenv's Python)::

    crmdb.py ensure-demo [NAME]      create NAME (default crm_demo) or upgrade it
    crmdb.py deps-template           build the dependencies template
    crmdb.py demo-template           build the demo template
    crmdb.py export-pot              write each addon's i18n/<addon>.pot
    crmdb.py drop NAME
"""
import ast
import configparser
import contextlib
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytz

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / 'odoo.conf'
ADDONS_DIR = ROOT / 'addons'
LOG_DIR = ROOT / 'var' / 'log'
PYTHON = ROOT / '.venv' / 'bin' / 'python'
ODOO_BIN = ROOT / 'scripts' / 'odoo-bin'
ODOO_EXEC = ROOT / 'scripts' / 'odoo_exec.py'
ODOO_TEST = ROOT / 'scripts' / 'odoo_test.py'
DEMO_DIR = ROOT / 'scripts' / 'demodata'

# Bump when the build steps below change: this file is not part of the digests,
# so that editing an unrelated command does not rebuild the templates.
DEPS_RECIPE = 1
DEMO_RECIPE = 1
# The demo company's time zone (demodata.generate.TIMEZONE): its history ends on
# that zone's today, so a demo template serves one local day only.
DEMO_TIMEZONE = 'Asia/Shanghai'

# Modules the demo company needs beyond what the addons depend on.
EXTRA_MODULES = ['l10n_cn_small_business']
LANGUAGE = 'zh_CN'
# odoo.conf says without_demo = all; this loads the project addons' demo data
# (Odoo 11 also runs addon tests only on modules installed with demo data).
WITH_DEMO = '--without-demo='
ADDONS_DIGEST_PARAM = 'crm_suite.addons_digest'

STEP_TIMEOUT = 1800  # seconds; a step waiting on a lock must not hang make test
BAD_LOG_LINE = re.compile(r'^\S+ \S+ \d+ (ERROR|CRITICAL) ', re.M)


# A checkout's test databases carry its own suffix: test runs of two checkouts on
# one machine never drop each other's databases.
CHECKOUT = hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]


def test_db(name):
    return '%s_%s' % (name, CHECKOUT)


class StepFailed(Exception):
    """An Odoo run exited non-zero or logged an error; the message says where."""


# -- inputs and digests ------------------------------------------------------

def project_addons():
    return sorted(p.name for p in ADDONS_DIR.iterdir() if (p / '__manifest__.py').exists())


def _manifest(addon):
    return ast.literal_eval((ADDONS_DIR / addon / '__manifest__.py').read_text())


def external_dependencies():
    """Odoo modules outside the project that the project addons depend on."""
    ours = set(project_addons())
    deps = {d for a in ours for d in _manifest(a).get('depends', [])}
    return sorted((deps - ours) | set(EXTRA_MODULES))


def _digest(paths, *extra):
    sha = hashlib.sha256()
    for item in extra:
        sha.update(repr(item).encode())
    for path in paths:
        files = sorted(path.rglob('*')) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and '__pycache__' not in f.parts and f.suffix != '.pyc':
                sha.update(str(f.relative_to(ROOT)).encode())
                sha.update(f.read_bytes())
    return sha.hexdigest()[:12]


def addons_digest():
    return _digest([ADDONS_DIR])


def deps_template_name():
    # The test tools' requirements do not change a database.
    inputs = [ROOT / 'requirements.txt', ROOT / 'requirements-oca.txt', CONF, ODOO_EXEC,
              DEMO_DIR / 'company.py']
    return 'crm_tpl_deps_' + _digest(inputs, DEPS_RECIPE, LANGUAGE, external_dependencies())


def demo_template_name():
    today = datetime.datetime.now(pytz.timezone(DEMO_TIMEZONE)).date()
    return 'crm_tpl_demo_' + _digest(
        [ADDONS_DIR, DEMO_DIR, ODOO_EXEC], DEMO_RECIPE, deps_template_name(), str(today))


# -- PostgreSQL and filestore ------------------------------------------------

def _options():
    parser = configparser.RawConfigParser()
    parser.read(str(CONF))
    return dict(parser.items('options'))


def connect(dbname='postgres'):
    opts = _options()
    conn = psycopg2.connect(
        dbname=dbname, host=opts.get('db_host') or None, port=opts.get('db_port') or None,
        user=opts.get('db_user'), password=opts.get('db_password'))
    conn.autocommit = True
    return conn


def sql(query, params=None, dbname='postgres'):
    """Run one autocommitted statement; return its rows (or None)."""
    conn = connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def filestore(dbname):
    from odoo.tools.config import _get_default_datadir  # Odoo's own default
    data_dir = _options().get('data_dir') or _get_default_datadir()
    return Path(data_dir) / 'filestore' / dbname


def list_databases(prefix):
    pattern = prefix.replace('_', r'\_') + '%'
    rows = sql("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])
    return sorted(r[0] for r in rows)


def db_exists(name):
    return bool(sql("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _ident(name):
    if not re.match(r'^[a-z0-9_]+$', name):
        raise ValueError('unsafe database name: %r' % name)
    return '"%s"' % name


def drop_db(name):
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
    sql('DROP DATABASE IF EXISTS ' + _ident(name))
    shutil.rmtree(str(filestore(name)), ignore_errors=True)


def create_db(name, template=None):
    drop_db(name)
    query = 'CREATE DATABASE %s ENCODING \'UTF8\' TEMPLATE %s' % (
        _ident(name), _ident(template) if template else 'template0')
    if not template:
        query += " LC_COLLATE 'C' LC_CTYPE 'C'"
    sql(query)
    if template and filestore(template).is_dir():
        shutil.copytree(str(filestore(template)), str(filestore(name)))


def rename_db(old, new):
    sql('ALTER DATABASE %s RENAME TO %s' % (_ident(old), _ident(new)))
    if filestore(old).is_dir():
        shutil.rmtree(str(filestore(new)), ignore_errors=True)
        filestore(new).parent.mkdir(parents=True, exist_ok=True)
        filestore(old).rename(filestore(new))


def get_param(dbname, key):
    rows = sql("SELECT value FROM ir_config_parameter WHERE key = %s", [key], dbname)
    return rows[0][0] if rows else None


def set_param(dbname, key, value):
    sql("INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
        "VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC') "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [key, value], dbname)


# -- running Odoo ------------------------------------------------------------

def odoo_env():
    env = dict(os.environ)
    env['PATH'] = '%s:%s' % (ROOT / 'node_modules' / '.bin', env.get('PATH', ''))
    env.pop('PYTHONPATH', None)
    return env


def bad_log_lines(text):
    return [line for line in text.splitlines() if BAD_LOG_LINE.match(line)]


def run(command, log_name, check_log=True, extra_env=None, timeout=STEP_TIMEOUT):
    """Run a command of the virtualenv's Python from the project root, log to var/log.

    With ``check_log`` false, neither the exit code nor the log is checked:
    the caller reads the log.
    """
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / (log_name + '.log')
    env = dict(odoo_env(), **(extra_env or {}))
    try:
        with open(str(log_path), 'w') as log:
            proc = subprocess.run([str(PYTHON)] + [str(c) for c in command], cwd=str(ROOT),
                                  env=env, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepFailed('%s took over %d s and was stopped, see %s' % (
            log_name, timeout, log_path.relative_to(ROOT)))
    text = log_path.read_text()
    if not check_log:
        return text
    bad = bad_log_lines(text)
    if proc.returncode or bad:
        first = bad[0] if bad else text.strip().splitlines()[-1:] or ['(no output)']
        raise StepFailed('%s failed (exit %s), see %s: %s' % (
            log_name, proc.returncode, log_path.relative_to(ROOT),
            first if isinstance(first, str) else first[0]))
    return text


def odoo(dbname, args, log_name, check_log=True, program=ODOO_BIN, extra_env=None):
    """Run Odoo once on one database (no HTTP) and check its log."""
    return run([program, '-c', CONF, '-d', dbname, '--db-filter', '^%s$' % dbname,
                '--no-http', '--stop-after-init', '--log-level=info'] + list(args),
               log_name, check_log, extra_env)


def odoo_exec(dbname, target, log_name, *args):
    """Call ``module:function(env, *args)`` inside the database and commit."""
    return run([ODOO_EXEC, dbname, target] + list(args), log_name)


def say(msg):
    print('crmdb: %s' % msg, flush=True)


# -- templates ---------------------------------------------------------------

def _age_days(dbname):
    path = filestore(dbname)
    return (time.time() - path.stat().st_mtime) / 86400 if path.is_dir() else float('inf')


@contextlib.contextmanager
def _build_lock(name):
    """One build of a template at a time, across checkouts and test runs: two
    builds would drop each other's scratch database."""
    conn = connect()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
        yield
    finally:
        conn.close()  # releases the lock


def _build(name, steps):
    """Build template ``name`` through a scratch database, then rename it."""
    if db_exists(name) and filestore(name).is_dir():
        return name
    with _build_lock(name):
        if db_exists(name) and filestore(name).is_dir():
            return name  # built by another run while this one waited
        prefix = name.rsplit('_', 1)[0] + '_'
        scratch = name + '_build'
        start = time.time()
        steps(scratch)
        for old in list_databases(prefix):
            if old != scratch and _age_days(old) > 1:
                drop_db(old)  # keeps the templates of other recent checkouts
        rename_db(scratch, name)
        say('built %s in %.0f s' % (name, time.time() - start))
    return name


def deps_template():
    def steps(db):
        say('building %s: Odoo modules the addons depend on (about 2 minutes, once)' % db)
        create_db(db)
        odoo(db, ['-i', 'base', '--without-demo=all', '--load-language', LANGUAGE],
             'deps-1-base')
        odoo_exec(db, 'demodata.company:configure', 'deps-2-company')
        odoo(db, ['-i', ','.join(external_dependencies()), '--without-demo=all'],
             'deps-3-modules')
        odoo_exec(db, 'demodata.company:check', 'deps-4-check')
    return _build(deps_template_name(), steps)


def demo_template():
    name = demo_template_name()
    if db_exists(name) and filestore(name).is_dir():
        return name
    deps = deps_template()

    def steps(db):
        say('building %s: project addons and demo history (a few minutes, once)' % db)
        create_db(db, template=deps)
        odoo(db, ['-i', ','.join(project_addons()), WITH_DEMO], 'demo-1-addons')
        odoo_exec(db, 'demodata.generate:generate', 'demo-2-generate')
        # Fresh planner statistics: the bulk-loaded history would otherwise be
        # planned as near-empty tables until autovacuum comes by.
        sql('ANALYZE', dbname=db)
        set_param(db, ADDONS_DIGEST_PARAM, addons_digest())
    return _build(name, steps)


def upgrade_addons(dbname, log_name):
    odoo(dbname, ['-u', ','.join(project_addons())], log_name)
    set_param(dbname, ADDONS_DIGEST_PARAM, addons_digest())


def ensure_demo(name='crm_demo'):
    """Create the demo database from its template, or upgrade it if the addons changed."""
    if not db_exists(name):
        template = demo_template()
        create_db(name, template=template)
        say('created %s from %s' % (name, template))
    elif get_param(name, ADDONS_DIGEST_PARAM) != addons_digest():
        say('upgrading the project addons in %s' % name)
        upgrade_addons(name, name + '-upgrade')
    return name


def export_pot(target_dir=None):
    """Write each addon's translation template, from a scratch install, to
    addons/<addon>/i18n/<addon>.pot, or to ``target_dir``/<addon>.pot."""
    db = test_db('crm_i18n_export')
    create_db(db, template=deps_template())
    try:
        odoo(db, ['-i', ','.join(project_addons())], 'i18n-install')
        for addon in project_addons():
            pot = (Path(target_dir) if target_dir else ADDONS_DIR / addon / 'i18n') \
                / (addon + '.pot')
            pot.parent.mkdir(exist_ok=True)
            tmp = LOG_DIR / (addon + '.po')  # Odoo picks the format from the extension
            odoo(db, ['--i18n-export=%s' % tmp, '--modules=%s' % addon], 'i18n-' + addon)
            tmp.rename(pot)
            say('wrote %s' % pot)
    finally:
        drop_db(db)


def main(argv):
    commands = {
        'export-pot': export_pot,
        'ensure-demo': lambda *a: ensure_demo(*a),
        'deps-template': deps_template,
        'demo-template': demo_template,
        'drop': drop_db,
    }
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    try:
        commands[argv[0]](*argv[1:])
    except StepFailed as exc:
        print('crmdb: %s' % exc, file=sys.stderr)
        return 1
    except psycopg2.OperationalError as exc:
        print('crmdb: PostgreSQL refused the connection (%s); run scripts/setup.sh.'
              % str(exc).strip().splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
