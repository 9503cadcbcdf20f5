# Kansrijk: `make demo` runs the application with demo data, `make test` runs the tests.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
KANSRIJK := $(BIN)/kansrijk
PYTHON ?= python3
PG_TEST_URL := postgres://postgres@127.0.0.1:5432/test
STATIC_SOURCES := $(shell find src/kansrijk -path '*/static/*' -type f 2>/dev/null)

.PHONY: install demo test test-sqlite test-postgres lint format bench browser messages screenshots clean

install: $(VENV)/.installed node_modules/.installed var/static/.collected .env

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/static/.collected: $(VENV)/.installed node_modules/.installed $(STATIC_SOURCES)
	DEBUG=true $(KANSRIJK) collectstatic --noinput -v0
	touch $@

# A development .env: DEBUG on and fresh random keys. Production sets real values in
# the environment (see README, configuration) and never uses this file.
.env:
	$(BIN)/python -m kansrijk.devenv > $@

# Debian's Chromium for the browser tests (never a test tool's own browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium ontbreekt: installeer het Debian-pakket 'chromium' voor de browsertests."; fi; \
	fi

# The web server and beside it the task worker that runs uploaded case imports
# (`kansrijk db_worker`, docs/decisions/0016). The worker stops when runserver stops
# (Ctrl-C, an error, a closed session), also without a terminal: its stdin is /dev/null
# and it runs without a reloader, so no child process is left behind.
demo: install
	$(KANSRIJK) migrate --noinput
	$(KANSRIJK) load_reference_data
	$(KANSRIJK) load_demo
	@$(KANSRIJK) db_worker --no-reload --no-startup-delay </dev/null & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM HUP; \
	$(KANSRIJK) runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	DEBUG=true $(KANSRIJK) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# The suite on SQLite, then again on PostgreSQL when DATABASE_URL points to one.
# In CI (CI=true) PostgreSQL is required: an unreachable database fails the run.
test: install browser lint test-sqlite
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$CI" ]; then echo "CI: DATABASE_URL must point to PostgreSQL ($(PG_TEST_URL))"; exit 1; \
	else echo "DATABASE_URL is niet gezet: de PostgreSQL-ronde wordt overgeslagen."; fi

# In parallel (pytest-xdist, decision 0049): one worker per core (`make test WORKERS=1`
# for one), a module to one worker and the packages that share the loaded demo
# (tests/demo, tests/fuzz) whole to one (conftest.py). The 25 slowest tests close each round.
WORKERS ?= auto
PYTEST_ROUND := -n $(WORKERS) --dist loadscope --durations=25

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ROUND)

test-postgres: install
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ROUND)

# The pictures in the README: the journey tests (tests/browser/test_journeys.py) take the
# home page and main task of each role at 1280 and 390 px.
screenshots: install browser
	KANSRIJK_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser/test_journeys.py -p no:cacheprovider

bench: install
	$(BIN)/python bench/run.py

messages: install
	cd src/kansrijk && ../../$(KANSRIJK) makemessages -l en --no-obsolete && ../../$(KANSRIJK) compilemessages

clean:
	rm -rf $(VENV) node_modules var/static
