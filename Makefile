# summitry: `make run` and `make test` are the whole quickstart; each bootstraps .venv itself.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
SYNCED := $(VENV)/.synced
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --inexact --compile-bytecode
	@touch $@

install: $(SYNCED) ## create .venv with the locked dependencies (uv.lock)

run: $(SYNCED) ## run the pipeline on the bundled sample corpus into warehouse/warehouse.duckdb
	$(VENV)/bin/summitry run

chromium: ## headless Chromium for the report's browser test (Debian's package, installed as root)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "could not install chromium: the report's browser test will skip"; \
	else echo "chromium missing and not root: the report's browser test will skip"; fi

test: $(SYNCED) chromium ## ruff (lint + format check), mypy, then the test suite (two workers: 2 cores)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy flows
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: $(SYNCED) ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy flows

format: $(SYNCED) ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

serve: $(SYNCED) ## serve the flow on its cron schedule (starts a local Prefect server if none runs)
	exec $(VENV)/bin/summitry serve

server: $(SYNCED) ## keep a local Prefect server running: `make run` then skips Prefect's start-up
	exec $(VENV)/bin/summitry server

bench: $(SYNCED) ## benchmark the pipeline on 1k and 10k synthetic articles (tables in benchmark/)
	$(VENV)/bin/summitry benchmark --sizes 1000 10000 --workdir benchmark

report: $(SYNCED) ## rebuild warehouse/warehouse_report.html (every publish does it too)
	$(VENV)/bin/summitry report

superset: $(SYNCED) ## Superset in .superset/ with the warehouse read-only and a dashboard, on :8088
	UV=$(UV) bash bi/superset/setup.sh
	SUPERSET_HOME=$(CURDIR)/.superset SUPERSET_CONFIG_PATH=$(CURDIR)/bi/superset/superset_config.py \
		.superset/venv/bin/superset run --host 127.0.0.1 --port 8088 --with-threads

status: $(SYNCED) ## recent pipeline runs
	$(VENV)/bin/summitry status

clean: ## delete the warehouse files (raw data can be rebuilt from seeds/articles)
	rm -f warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*_report.html

.PHONY: help install run test lint format serve server bench status clean chromium report superset
