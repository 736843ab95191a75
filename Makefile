# The two commands of the README, and what they need. Each target sets up what it uses, so
# both work on a fresh machine: `make demo` (no server needed) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
POSTGRESQL_ADMIN_URL ?= postgresql://postgres@127.0.0.1/postgres

.PHONY: demo example test lint install postgresql chromium java messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# The main job on the embedded store (./scs-demo.db): a synthetic city at Rongcheng's scale,
# generated, ingested, scored and summed up.
demo: install
	$(BIN)/scs demo

# The public conformance case, end to end, on a throwaway ./scs.db.
example: install
	cd tests/conformance/example && rm -f scs.db scs.db-wal scs.db-shm && \
	  ../../../$(BIN)/scs catalog publish catalog-v1.yaml && \
	  ../../../$(BIN)/scs catalog publish catalog-v2.yaml && \
	  for pair in charity-fed:csv court:jsonl market-reg:csv tax-office:jsonl traffic-police:csv; do \
	    source=$${pair%%:*}; extension=$${pair##*:}; \
	    ../../../$(BIN)/scs ingest records-$$source.$$extension --source $$source \
	      --rejects /tmp/scs-demo-rejects-$$source.csv || exit 1; \
	  done && \
	  ../../../$(BIN)/scs score --as-of 2026-11-20 --out /tmp/scs-demo-scores.csv && \
	  ../../../$(BIN)/scs show 425109197302262178 --as-of 2023-06-30 && \
	  rm -f scs.db scs.db-wal scs.db-shm

postgresql:
	@$(BIN)/python scripts/ensure_postgresql.py "$(POSTGRESQL_ADMIN_URL)"

# The browser tests drive Debian's Chromium (never a downloaded browser) and need CJK fonts
# for the Chinese pages' screenshots. Quick when both are there already.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi micro hei"; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

# The Spark tests run PySpark in local mode, which needs a Java runtime (17 or later for
# PySpark 4): Debian's, when there is none.
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

# Lint first, in seconds: ruff's rules and format (config in pyproject.toml), and the import
# contracts of the layers (import-linter, [tool.importlinter] in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Tests run in one worker per core (pytest-xdist), a test file per worker at a time, so that a
# module's shared fixture (a browser, a Spark session) starts once. TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
test: install lint postgresql chromium java
	SCS_TEST_POSTGRESQL="$(POSTGRESQL_ADMIN_URL)" $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The web pages' texts: extract them, merge into each language's catalogue, compile the .mo
# files (committed, so that `pip install .` ships them). Translate what is new in between.
LOCALE := src/socialcredit/web/locale
messages: install
	$(BIN)/pybabel extract -F babel.cfg -o $(LOCALE)/messages.pot --no-location --omit-header -k _ -k gettext -k ngettext:1,2 .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-location --no-fuzzy-matching
	$(BIN)/pybabel compile -d $(LOCALE)

bench: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	cd bench && for script in catalogue ingest score score_rules synth demo scale simulate; do ../$(BIN)/python $$script.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
