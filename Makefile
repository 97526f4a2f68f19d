# Entry points. Each one runs the idempotent set-up first (seconds when nothing changed).
.PHONY: run test bench lint setup

run:
	@scripts/run.sh

test: setup
	@.venv/bin/python -m pytest tests

# Benchmarks on a generated company, not part of `make test`: make bench SCALE=S|M|L
SCALE ?= S
bench: setup
	@.venv/bin/python bench/run.py --scale $(SCALE)

lint: setup
	@scripts/lint.sh

setup:
	@scripts/setup.sh
