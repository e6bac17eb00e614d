# The README's commands. Everything a fresh clone needs is installed and started from here.
SHELL := /bin/bash
# The first Python 3.11+ that really runs (pyenv shims exist for versions that are not active).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
  $$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
# Runs a command with PostgreSQL (DATABASE_URL, else an embedded server under .data/).
WITH_SERVICES := $(PY) -m comptoir.devenv
PYTEST_WORKERS ?= 2
# make dev PORT=8080 serves there (and e-mailed links name that port).
PORT ?= 8000

.PHONY: dev test test-smoke bench lint messages setup browser clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is needed"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

setup: $(VENV)/.installed
	$(WITH_SERVICES) $(PY) manage.py platform_setup

## make dev: set everything up, seed three demo towns (once), serve them on $(PORT) (8000);
## without STRIPE_SECRET_KEY, the offline Stripe fake serves beside them (tests/fakes).
dev: setup
	SITE_PORT=$(PORT) $(WITH_SERVICES) $(PY) manage.py seed_demo
	$(WITH_SERVICES) bash -c '\
	  pids=""; \
	  if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	    SITE_PORT=$(PORT) DJANGO_SETTINGS_MODULE=comptoir.settings.dev $(PY) -m tests.fakes.stripe_server & \
	    pids="$$pids $$!"; \
	  fi; \
	  if [ -n "$$REDIS_URL" ]; then \
	    DJANGO_SETTINGS_MODULE=comptoir.settings.dev $(VENV)/bin/celery -A comptoir worker --beat --loglevel=warning --concurrency=2 & \
	    pids="$$pids $$!"; \
	  fi; \
	  trap "kill $$pids 2>/dev/null" EXIT; \
	  SITE_PORT=$(PORT) $(PY) manage.py runserver 0.0.0.0:$(PORT)'

## Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by tests).
browser:
	@command -v chromium >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium (apt-get install chromium) for the browser tests"; exit 1; fi; }

## make test: set everything up and run the whole suite.
test: $(VENV)/.installed browser
	$(WITH_SERVICES) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## The subset CI also runs on the embedded PostgreSQL, without Redis.
test-smoke: $(VENV)/.installed
	env -u DATABASE_URL -u REDIS_URL $(WITH_SERVICES) $(VENV)/bin/pytest -m smoke $(PYTEST_ARGS)

## make bench: provisioning and routing, then the search and the pages of a 50,000-product town,
## then billing (the webhook intake and card checkouts: served, with a real worker on Redis).
bench: setup
	$(WITH_SERVICES) $(PY) -m tests.bench
	$(WITH_SERVICES) $(PY) -m tests.bench.search
	$(WITH_SERVICES) $(PY) -m tests.bench.marketplace
	$(WITH_SERVICES) $(PY) -m tests.bench.billing
	$(WITH_SERVICES) $(PY) -m tests.bench.registry

## make lint: ruff, the layers (import-linter: no module imports a layer above its own), then
## the types (mypy with django-stubs and DRF's stubs; what it checks is in pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=.data --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.data

## make clean: stop the embedded PostgreSQL (as it was started), then delete .data/ — never
## under a running server: when the stop fails, nothing is deleted.
clean:
	if [ -x $(PY) ]; then $(PY) -m comptoir.devenv --stop; fi
	rm -rf .data
