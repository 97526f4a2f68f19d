#!/usr/bin/env bash
# flake8 on all Python code, pylint-odoo on the addons (configured for 11.0).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
.venv/bin/flake8 addons scripts tests bench || status=1
.venv/bin/pylint --rcfile=.pylintrc addons/* || status=1
exit $status
