# OpenClear: `make run` to try it, `make test` to prove it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install browser run test test-fast lint typecheck fmt migrate services worker schema clean-var bench profile chaos audit

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m devstack run

test: install browser
	$(PY) -m devstack test $(PYTEST_ARGS)

# While working: no browser, chaos or stack tests, nor the slow ones (the dataset evaluation, the
# schema run over the API); CI runs `make test`, which has them all.
test-fast: install
	$(PY) -m devstack test -m "not browser and not integration and not slow" $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium; as root, install it when missing.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2; exit 1; \
	  fi; }

services: install
	$(PY) -m devstack services

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint --lint $$(git ls-files '*.html')

# Services and selectors, strictly, with Django's and DRF's stubs (settings load: services must be reachable).
typecheck: install
	$(PY) -m devstack typecheck

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install
	$(PY) manage.py migrate

worker: install
	$(PY) -m celery -A config worker --loglevel INFO

schema: install
	$(PY) manage.py spectacular --file openapi.yaml --validate

clean-var:
	rm -rf var

bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

# Where ingest's and scoring's time goes, in one process under cProfile.
profile: install
	$(PY) -m bench.profile $(PROFILE_ARGS)

# Faults injected into a stack of its own (PostgreSQL, Redis, gunicorn, Celery).
chaos: install
	$(PY) -m bench.chaos $(CHAOS_ARGS)

# Known vulnerabilities in the pinned dependencies (needs PyPI's JSON API or OSV).
audit: install
	$(PY) -m pip_audit -r requirements-dev.txt --progress-spinner off
