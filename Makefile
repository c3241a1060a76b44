# Two commands for a fresh machine:
#   make serve   set up .venv if needed, then serve the lab at http://127.0.0.1:8050
#   make test    the same set-up plus a browser, then lint, the layer contract and every test
#                (tests/test_audit.py runs pip-audit on the installed dependencies; skipped offline)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8050
WORKERS ?= 1
LOAD_ARGS ?=

.PHONY: serve test setup browser redis postgres cc lint benchmark load clean

serve: $(STAMP) cc
	$(BIN)/neuralab serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: $(STAMP) browser redis postgres cc lint
	$(BIN)/python -m pytest -q

setup: $(STAMP)

# pyproject.toml pins every dependency (torch==2.13.0 is the CPU wheel these machines carry).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,celery]"
	@touch $(STAMP)

# Debian's chromium where apt exists; otherwise Playwright's own build.
browser: $(STAMP)
	@if command -v chromium >/dev/null 2>&1; then \
		echo "browser: $$(command -v chromium)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		$(BIN)/python -m playwright install chromium; \
	fi

# Debian's Redis server, for the test of the Celery job backend (the tests start and stop their own).
redis:
	@if command -v redis-server >/dev/null 2>&1; then \
		echo "redis: $$(command -v redis-server)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	else \
		echo "redis: no redis-server and no apt; the Celery backend test will skip"; \
	fi

# Debian's PostgreSQL server, for the tests of studies shared by workers (they start a throwaway cluster:
# initdb in a temporary directory, a free port). Debian keeps initdb and pg_ctl in /usr/lib/postgresql/*/bin.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
		echo "postgres: $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1 || command -v initdb)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	else \
		echo "postgres: no PostgreSQL and no apt; the PostgreSQL study tests will skip"; \
	fi

# gcc, to compile and check the int8 C export (Debian's, where apt exists).
cc:
	@if command -v gcc >/dev/null 2>&1; then \
		echo "cc: $$(command -v gcc)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev; \
	else \
		echo "cc: no gcc and no apt; the C export tests will skip"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

benchmark: $(STAMP)
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/browser_latency.py

# The load test (benchmarks/load/): Locust from the "load" extra, then 25, 50 and 100 simulated learners
# against `neuralab serve --workers 4`, about 4 minutes each; figures printed, and tabled in load-report.md.
# Run it on an otherwise idle machine. LOAD_ARGS="--users 100 --duration 300" changes the run.
load: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[load]"
	$(BIN)/python benchmarks/load/run.py --markdown load-report.md $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .import_linter_cache
