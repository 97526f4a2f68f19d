"""A partner list page and a partner form, loaded over JSON-RPC from a real
server (the system tests' ``OdooServer``), as the web client asks for them."""
import statistics
import sys
import time

import requests

from bench.db import crmdb

sys.path.insert(0, str(crmdb.ROOT / 'tests'))
from conftest import OdooServer  # noqa: E402  (the system tests' server helper)

LOGIN = 'sales_manager'  # the demo users' password is their login
PAGE = 80
REQUESTS = 10


class Client(object):
    def __init__(self, url, dbname):
        self.url, self.session = url, requests.Session()
        self.call('/web/session/authenticate', db=dbname, login=LOGIN, password=LOGIN)

    def call(self, path, **params):
        reply = self.session.post(self.url + path, json={
            'jsonrpc': '2.0', 'method': 'call', 'params': params}, timeout=120).json()
        if 'error' in reply:
            raise RuntimeError('%s: %s' % (path, reply['error'].get('data', reply['error'])))
        return reply['result']

    def call_kw(self, model, method, args, **kwargs):
        return self.call('/web/dataset/call_kw/%s/%s' % (model, method), model=model,
                         method=method, args=args, kwargs=kwargs)


def view_fields(client, view_type):
    view = client.call_kw('res.partner', 'load_views', [[[False, view_type]]], options={})
    return list(view['fields_views'][view_type]['fields'])


def timed(func, count=REQUESTS):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def server_peak_rss_mb(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0
    return None


def measure(dbname):
    """{'rpc_list': {...}, 'rpc_form': {...}} with median seconds per request."""
    with OdooServer(dbname, 'bench-rpc-server') as server:
        client = Client(server.url, dbname)
        list_fields, form_fields = view_fields(client, 'list'), view_fields(client, 'form')
        domain = [['customer', '=', True]]
        ids = client.call_kw('res.partner', 'search', [domain], limit=PAGE)

        def list_page():
            client.call('/web/dataset/search_read', model='res.partner', fields=list_fields,
                        domain=domain, offset=0, limit=PAGE, sort='')

        one = ids[len(ids) // 2:len(ids) // 2 + 1]

        def form():
            client.call_kw('res.partner', 'read', [one, form_fields])
        list_page(), form()  # warm the server's caches once, as a user's session would
        results = {'rpc_list': timed(list_page), 'rpc_form': timed(form)}
        rss = server_peak_rss_mb(server.proc.pid)
    return {name: {'seconds': [value], 'rss_mb': [rss], 'extra': {'requests': REQUESTS}}
            for name, value in results.items()}
