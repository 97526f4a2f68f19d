"""The set-up explains a missing prerequisite in one line, not a traceback."""
import os
import socket
import subprocess

from conftest import ROOT, free_port


def _run(command, **env):
    proc = subprocess.run([str(ROOT / 'scripts' / command)], cwd=str(ROOT),
                          env=dict(os.environ, **env), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    return proc.returncode, proc.stderr.strip().splitlines()


def test_busy_port_is_explained():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', port))
        sock.listen(1)
        code, errors = _run('run.sh', PORT=str(port))
    assert code == 1
    assert len(errors) == 1 and 'port %d is busy' % port in errors[0], errors


def test_missing_python37_is_explained(tmp_path):
    code, errors = _run('setup.sh', CRM_VENV=str(tmp_path / 'venv'), PATH='/usr/bin:/bin',
                        PYENV_ROOT=str(tmp_path / 'no-pyenv'))
    assert code == 1
    assert len(errors) == 1 and 'Python 3.7 not found' in errors[0], errors
    assert not (tmp_path / 'venv').exists()


def test_unreachable_postgresql_is_explained():
    code, errors = _run('setup.sh', CRM_PGPORT=str(free_port()))
    assert code == 1
    assert len(errors) == 1 and 'PostgreSQL does not answer' in errors[0], errors
