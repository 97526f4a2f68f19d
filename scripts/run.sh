#!/usr/bin/env bash
# Set up, create or upgrade the demo database, and serve the web client.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8069}

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "run: port $PORT is busy: stop what listens there ('ss -ltnp | grep :$PORT') or run 'PORT=8070 make run'." >&2
    exit 1
fi
scripts/setup.sh
.venv/bin/python scripts/crmdb.py ensure-demo crm_demo

cat <<MSG

  Odoo is starting on http://127.0.0.1:$PORT  (database crm_demo)
  Log in as admin / admin, or as a demo role (password = login):
    sales_manager, am1 ... am5 (account managers), order_desk, delivery,
    service_desk, kpi_viewer, compliance, finance
  Stop with Ctrl+C.

MSG
export PATH="$PWD/node_modules/.bin:$PATH"
exec .venv/bin/python scripts/odoo-bin -c odoo.conf --http-port "$PORT"
