#!/usr/bin/env bash
# Idempotent set-up: Python 3.7 virtualenv, lessc, PostgreSQL and its role, LibreOffice.
# Each step keeps a stamp of its inputs and is skipped when they have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${CRM_VENV:-.venv}
BROWSER_VENV=${CRM_BROWSER_VENV:-.venv-browser}
PG_PORT=${CRM_PGPORT:-5432}
PG_ROLE=odoo

die() { echo "setup: $*" >&2; exit 1; }
say() { echo "setup: $*"; }
digest() { cat "$@" | sha256sum | cut -c1-16; }

find_python37() {
    local candidates=()
    if command -v pyenv >/dev/null 2>&1; then
        candidates+=("$(pyenv root)/versions/3.7.16/bin/python")
        candidates+=("$(pyenv root)"/versions/3.7.*/bin/python)
    fi
    candidates+=("$(command -v python3.7 || true)")
    for py in "${candidates[@]}"; do
        if [ -n "$py" ] && [ -x "$py" ] \
                && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 7))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    return 1
}

setup_venv() {
    local stamp
    stamp=$(digest requirements.txt requirements-oca.txt requirements-dev.txt scripts/setup.sh)
    if [ -f "$VENV/.stamp" ] && [ "$(cat "$VENV/.stamp")" = "$stamp" ]; then
        return 0
    fi
    local py
    py=$(find_python37) || die "Python 3.7 not found: install it (e.g. 'pyenv install 3.7.16') or put python3.7 on PATH, then re-run."
    say "building the Python 3.7 virtualenv in $VENV (a few minutes, once)"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
    local pip=("$VENV/bin/python" -m pip -q --disable-pip-version-check)
    pip_install() {
        # The machine's pip config lists local indexes that may be absent: hide that noise.
        "${pip[@]}" install "$@" 2>&1 | { grep -v "is ignored" || true; }
    }
    # vatnumber only builds with an old setuptools and without build isolation.
    pip_install "pip<24" "setuptools<58" wheel \
        && pip_install --no-build-isolation -r requirements.txt \
        && pip_install --no-deps -r requirements-oca.txt \
        && pip_install -r requirements-dev.txt \
        || die "pip could not install the requirements; the reason is above."
    "$VENV/bin/python" -c 'import odoo.addons.report_xlsx, odoo.addons.web_responsive, psycopg2, pytest' \
        || die "the virtualenv is incomplete; see the pip output above."
    echo "$stamp" > "$VENV/.stamp"
}

setup_browser_venv() {
    local stamp
    stamp=$(digest requirements-browser.txt scripts/setup.sh)
    if [ -f "$BROWSER_VENV/.stamp" ] && [ "$(cat "$BROWSER_VENV/.stamp")" = "$stamp" ]; then
        return 0
    fi
    local py
    py=$(find_python37) || die "Python 3.7 not found: install it (e.g. 'pyenv install 3.7.16') or put python3.7 on PATH, then re-run."
    say "building the browser driver's virtualenv in $BROWSER_VENV (once)"
    rm -rf "$BROWSER_VENV"
    "$py" -m venv "$BROWSER_VENV"
    "$BROWSER_VENV/bin/python" -m pip -q --disable-pip-version-check \
            install -r requirements-browser.txt 2>&1 | { grep -v "is ignored" || true; } \
        && "$BROWSER_VENV/bin/python" -c 'import playwright.sync_api' \
        || die "Playwright did not install into $BROWSER_VENV; see the pip output above."
    echo "$stamp" > "$BROWSER_VENV/.stamp"
}

setup_lessc() {
    local stamp
    stamp=$(digest package.json package-lock.json)
    if [ -f node_modules/.stamp ] && [ "$(cat node_modules/.stamp)" = "$stamp" ]; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js (apt install nodejs npm), then re-run."
    say "installing lessc into node_modules"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    [ -x node_modules/.bin/lessc ] || die "lessc did not install; run 'npm ci' to see why."
    echo "$stamp" > node_modules/.stamp
}

setup_postgres() {
    if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
        local version
        version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
        [ -n "$version" ] || die "PostgreSQL is not installed: install it (apt install postgresql), then re-run."
        say "starting PostgreSQL $version"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
            sleep 1
        done
        pg_isready -q -h 127.0.0.1 -p "$PG_PORT" \
            || die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT: start it (pg_ctlcluster $version main start), then re-run."
    fi
    local admin=(psql -w -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAq)
    if ! "${admin[@]}" -c 'select 1' >/dev/null 2>&1; then
        admin=(runuser -u postgres -- psql -d postgres -tAq)
    fi
    if [ "$("${admin[@]}" -c "select 1 from pg_roles where rolname = '$PG_ROLE'")" != "1" ]; then
        say "creating the PostgreSQL role $PG_ROLE"
        "${admin[@]}" -c "create role $PG_ROLE login superuser password '$PG_ROLE'" >/dev/null \
            || die "could not create the PostgreSQL role $PG_ROLE; create it as a superuser, then re-run."
    fi
}

apt_install() {
    # apt_install CHECK PACKAGE...: install the packages with apt unless CHECK succeeds.
    local check=$1; shift
    eval "$check" >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 || die "'$check' failed: install $*, then re-run."
    say "installing $* with apt, once"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@")
    "${apt[@]}" >/dev/null \
        || { "${sudo[@]}" apt-get update -q >/dev/null && "${apt[@]}" >/dev/null; } \
        || die "apt could not install $*; install them, then re-run."
}

setup_system_packages() {
    # LibreOffice: the system tests open the KPI workbook with it.
    apt_install "command -v soffice" libreoffice-calc-nogui
    # Chromium and Chinese fonts: the browser tests and their screenshots.
    apt_install "command -v chromium" chromium
    apt_install "fc-list :lang=zh family | grep -q ." fonts-noto-cjk
}

setup_venv
setup_browser_venv
setup_lessc
setup_postgres
setup_system_packages
