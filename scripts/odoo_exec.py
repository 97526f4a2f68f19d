#!/usr/bin/env python3
"""Call a function inside an Odoo database and commit.

    odoo_exec.py DBNAME module:function [ARG ...]

The module is imported from scripts/; the function gets a superuser
environment and the extra arguments. Odoo's configuration is odoo.conf.
"""
import importlib
import os
import sys

import odoo
from odoo import SUPERUSER_ID, api

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(dbname, target, *args):
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    odoo.tools.config.parse_config(['-c', os.path.join(ROOT, 'odoo.conf'), '-d', dbname])
    odoo.netsvc.init_logger()
    module_name, func_name = target.split(':')
    func = getattr(importlib.import_module(module_name), func_name)
    registry = odoo.registry(dbname)
    with api.Environment.manage(), registry.cursor() as cr:
        func(api.Environment(cr, SUPERUSER_ID, {}), *args)


if __name__ == '__main__':
    main(*sys.argv[1:])
