# Nexus — the three commands a newcomer needs (see README.md).
#   make run      install, migrate, seed demo data, serve HTTP + WebSocket on 127.0.0.1:8000
#   make test     lint (ruff) and the whole test suite
#   make install  create .venv and install the pinned dependencies (idempotent)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Absolute links in emails follow the address served (0.0.0.0 is reached as 127.0.0.1).
NEXUS_BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
DEV_ENV := DJANGO_DEBUG=true NEXUS_BASE_URL=$(NEXUS_BASE_URL)

.PHONY: install env-file run test lint format test-unit test-e2e test-outage test-api-fuzz test-graphql-fuzz lock audit bench-serve bench-pages bench-live check-deploy clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements/bootstrap.txt requirements/base.txt requirements/dev.txt
	@if [ ! -x $(PY) ]; then \
		python=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		$$python -m venv $(VENV) || exit 1; \
	fi
	@# Every file is pinned with hashes: a package whose hash differs is refused, not installed.
	@# Bytecode is compiled at install: each process would otherwise compile ~1,200 modules
	@# (seconds per start) wherever PYTHONDONTWRITEBYTECODE is set.
	@echo "Installing the pinned dependencies into $(VENV) (about a minute the first time)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bootstrap.txt \
		&& $(VENV)/bin/uv pip sync --quiet --require-hashes --compile-bytecode --python $(PY) requirements/base.txt requirements/dev.txt \
		|| $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt -r requirements/dev.txt
	@touch $@

# The ignored .env: a local secret, and that this machine's loopback address is meant
# (idempotent: an older .env gets the missing line).
env-file:
	@$(PY) scripts/make_env.py

run: install env-file
	@$(DEV_ENV) $(PY) manage.py prepare_dev
	@echo "Nexus is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Browser journeys run in their own pytest process: Playwright's sync API leaves an event
# loop in the main thread, which breaks async_to_sync in later tests of the same process.
test-unit: install
	$(PY) -m pytest -m "not e2e and not outage" $(PYTEST_ARGS)

# Outage drills: services of their own on ports 21700-21799 stopped and started again,
# figures printed (-s). A few minutes; .ci/run runs them.
test-outage: install
	$(PY) -m pytest -m outage -s -q $(PYTEST_ARGS)

# schemathesis against the live API schema as anonymous, a learner and a mentor (0 server
# errors, 0 responses outside the schema); its own SQLite and port 21850. About 2 minutes.
test-api-fuzz: install
	@scripts/api_fuzz.sh

test-graphql-fuzz: install
	@scripts/graphql_fuzz.sh

test-e2e: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m e2e $(PYTEST_ARGS)

test: lint test-unit test-e2e

check-deploy: install
	@scripts/check_deploy.sh

# Recompile the pinned requirements, every package with its sha256 hashes (install refuses
# any file that does not match). Then `make audit`.
UV_COMPILE := ../$(VENV)/bin/uv pip compile --quiet --python-version 3.12 --universal --generate-hashes
lock:
	$(PY) -m pip install --quiet --require-hashes -r requirements/bootstrap.txt
	cd requirements && $(UV_COMPILE) bootstrap.in -o bootstrap.txt
	cd requirements && $(UV_COMPILE) base.in -o base.txt
	cd requirements && $(UV_COMPILE) dev.in -o dev.txt

# Known vulnerabilities in the pinned requirements (pip-audit, exceptions with reasons in
# requirements/audit-exceptions.toml).
audit: install
	@$(PY) scripts/audit_deps.py

# Every main page against the floor (hello world) in one table: gunicorn, PostgreSQL with
# 50,000 questions / 200,000 answers (seeded once), Redis, wrk; then the live fan-out.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

bench-serve: install
	$(PY) bench/serve.py

# Seeds 20,000 questions into the database in DATABASE_URL (SQLite by default) and prints
# server-side p50/p99 per page: DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_bench
bench-pages: install
	$(PY) bench/pages.py

# WebSocket fan-out from commit to receipt, 100/500/1,000 clients, uvicorn + Redis layer.
bench-live: install
	$(PY) bench/live.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
