# Entry points. Each one runs the idempotent set-up first (seconds when nothing changed).
.PHONY: run test lint setup

run:
	@scripts/run.sh

test: setup
	@.venv/bin/python -m pytest tests

lint: setup
	@scripts/lint.sh

setup:
	@scripts/setup.sh
