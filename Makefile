# One command to set up and run the report on the embedded sample, one to run the tests.
# Only python3 (3.11) and make are needed; everything else comes from requirements.lock.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock

.PHONY: run test setup lock sample calibration clean-processed help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: setup  ## Build the environment and run the report cycle for the latest month (ingest, tables, gate, charts, report)
	$(BIN)/analysis run

test: setup  ## Build the environment; check layers, types and the test suite (what CI runs)
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

setup: $(STAMP)  ## Build .venv from requirements.lock (hash-checked, exact versions)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lock:  ## Re-resolve requirements.lock from pyproject.toml (needs uv; maintainers only)
	uv pip compile pyproject.toml build-requirements.in --extra dev --generate-hashes \
		--python-version 3.11 --universal --no-header -o requirements.lock

sample: setup  ## Regenerate the SYNTHETIC registry snapshots in data/raw (deterministic)
	$(BIN)/analysis sample generate

calibration: setup  ## Print the synthetic sample's calibration against published counts
	$(BIN)/analysis sample calibration

clean-processed:  ## Delete data/processed outputs (raw data is never touched)
	rm -rf data/processed/public data/processed/restricted
