# Everyday commands. `make run` and `make test` each set up everything they need on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
WORKERS ?= 1
STAMP := $(VENV)/.installed-stamp

.PHONY: help setup index run test lint typecheck browser clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: this version is the CPU build; anything looser pulls CUDA packages
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project (torch CPU first)

index: setup  ## build the index over corpus/ if it is missing or stale
	$(BIN)/alliance-qa ingest --if-stale

run: index  ## set up, build the index if needed, and serve on http://127.0.0.1:8000 (WORKERS=2 for throughput)
	$(BIN)/alliance-qa serve --workers $(WORKERS)

browser:  ## install Debian's chromium for the browser tests, if missing and we may
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (browser tests will be skipped)"; fi; }

lint: setup  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy --strict over the packages
	$(BIN)/mypy

test: setup browser lint typecheck  ## set up, then lint, type-check and run the whole test suite
	$(BIN)/python -m pytest

clean:  ## remove the built index and caches (keeps .venv)
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
