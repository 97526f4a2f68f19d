"""make lint is part of make test."""
import subprocess

from conftest import ROOT


def test_lint_is_clean():
    proc = subprocess.run([str(ROOT / 'scripts' / 'lint.sh')], cwd=str(ROOT),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    assert proc.returncode == 0, proc.stdout


def test_pylint_checks_sql_injection_and_commit():
    """The two checks this project must never break are on."""
    proc = subprocess.run(
        [str(ROOT / '.venv' / 'bin' / 'pylint'), '--rcfile', str(ROOT / '.pylintrc'),
         '--list-msgs-enabled'],
        cwd=str(ROOT), stdout=subprocess.PIPE, universal_newlines=True)
    enabled = proc.stdout.split('Disabled messages:')[0]
    assert 'sql-injection' in enabled
    assert 'invalid-commit' in enabled
