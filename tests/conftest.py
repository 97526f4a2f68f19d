"""System tests: real Odoo servers on real databases, driven as a client would."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

import crmdb  # noqa: E402  (lives in scripts/)


# Production mode: two HTTP workers and a cron worker.
PREFORK = ['--workers=2', '--max-cron-threads=1']


def hold_crons(dbname):
    """Keep the scheduled jobs of a copied database for next week: a test's cron
    worker then runs only what the test starts."""
    crmdb.sql("UPDATE ir_cron SET nextcall = now() + interval '7 days'", dbname=dbname)


@contextlib.contextmanager
def demo_server(template, name, log_name, extra_args=(), clean_log=True):
    """A server on a throwaway copy of the demo database (its crons held),
    dropped afterwards; with ``clean_log``, its log must hold no error."""
    dbname = crmdb.test_db(name)
    crmdb.create_db(dbname, template=template)
    hold_crons(dbname)
    try:
        with OdooServer(dbname, log_name, extra_args) as server:
            yield server
            bad = server.bad_log_lines() + (['Traceback'] if 'Traceback' in server.log() else [])
            assert not (clean_log and bad), bad
    finally:
        crmdb.drop_db(dbname)


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class OdooServer(object):
    """An Odoo HTTP server on its own port and database, logging to var/log."""

    def __init__(self, dbname, log_name, extra_args=()):
        self.dbname = dbname
        self.port = free_port()
        # In prefork mode the longpolling process listens on a port of its own:
        # the default 8072 is taken by any other prefork server on the machine.
        self.longpolling_port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log_path = crmdb.LOG_DIR / (log_name + '.log')
        self.args = list(extra_args)
        self.proc = None

    def __enter__(self):
        crmdb.LOG_DIR.mkdir(parents=True, exist_ok=True)
        self._log = open(str(self.log_path), 'w')
        self.proc = subprocess.Popen(
            [str(crmdb.PYTHON), str(crmdb.ODOO_BIN), '-c', str(crmdb.CONF),
             '-d', self.dbname, '--db-filter', '^%s$' % self.dbname,
             '--http-port', str(self.port), '--longpolling-port', str(self.longpolling_port),
             '--max-cron-threads', '0'] + self.args,
            cwd=str(ROOT), env=crmdb.odoo_env(), stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)  # a process group, for kill()
        try:
            self._wait_ready()
        except Exception:
            self.__exit__()
            raise
        return self

    def _wait_ready(self):
        deadline = time.time() + 120
        # An HTTP request while the registry still loads makes Odoo import the
        # addons from two threads at once, which can break the registry: wait
        # for the load to finish before the first request.
        while 'odoo.modules.loading: Modules loaded.' not in self.log():
            if self.proc.poll() is not None or 'Failed to initialize database' in self.log():
                raise RuntimeError('Odoo could not load %s, see %s' % (self.dbname, self.log_path))
            if time.time() > deadline:
                raise RuntimeError('Odoo did not load within 120 s, see %s' % self.log_path)
            time.sleep(0.5)
        while time.time() < deadline:
            try:
                if requests.get(self.url + '/web/login', timeout=30).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise RuntimeError('Odoo did not answer within 120 s, see %s' % self.log_path)

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def kill(self):
        """kill -9 the server and its workers, as a crash would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def log(self):
        return self.log_path.read_text()

    def bad_log_lines(self):
        return crmdb.bad_log_lines(self.log())

    def rpc(self, login, password=None):
        return Rpc(self, login, password or login)


class Rpc(object):
    """XML-RPC as a user: ``rpc('res.partner', 'search_count', [[]])``."""

    def __init__(self, server, login, password):
        self.server = server
        self.password = password
        common = xmlrpc.client.ServerProxy(server.url + '/xmlrpc/2/common')
        self.uid = common.authenticate(server.dbname, login, password, {})
        if not self.uid:
            raise AssertionError('login refused for %s' % login)
        self.models = xmlrpc.client.ServerProxy(server.url + '/xmlrpc/2/object', allow_none=True)

    def __call__(self, model, method, args, kwargs=None):
        return self.models.execute_kw(self.server.dbname, self.uid, self.password,
                                      model, method, args, kwargs or {})


@pytest.fixture(scope='session')
def deps_template():
    return crmdb.deps_template()


@pytest.fixture(scope='session')
def demo_template():
    return crmdb.demo_template()


@pytest.fixture
def scratch_db(request):
    """A throwaway database name, dropped after the test."""
    name = 'crm_test_' + request.node.name.lower().strip('_')[:40]
    name = ''.join(c if c.isalnum() or c == '_' else '_' for c in name)
    name = crmdb.test_db(name)
    yield name
    crmdb.drop_db(name)
