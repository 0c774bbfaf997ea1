# Streha: a newcomer's commands are `make run` and `make test`; each does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

# Page text: the .po catalogues in the repo, compiled to .mo (not committed) before run and test.
PO := $(wildcard placement/web/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
CHROMIUM := /usr/bin/chromium

.PHONY: venv run test test-sqlite test-postgres lint bench clean demo-reset translations browser

venv: $(STAMP)

translations: $(MO)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

# The browser tests drive Debian's Chromium (Playwright's own browser download does not work
# here); install it when missing, and fail loudly if that is not possible.
browser: $(CHROMIUM)

$(CHROMIUM):
	@echo "== $(CHROMIUM) is missing: installing Debian's chromium for the browser tests"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	@test -x $(CHROMIUM) || { echo "chromium could not be installed: the browser tests cannot run" >&2; exit 1; }

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

instance/secrets.json: | $(STAMP)
	$(FLASK) secrets init

run: $(STAMP) $(MO) instance/secrets.json
	$(FLASK) db upgrade
	$(FLASK) network load --default
	$(FLASK) demo accounts
	$(BIN)/python -m placement.devserver --host $(HOST) --port $(PORT)

test: $(STAMP) lint test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .

test-sqlite: $(STAMP) $(MO) browser
	STREHA_TEST_BACKEND=sqlite $(BIN)/python -m pytest

# Runs only when TEST_DATABASE_URL names a PostgreSQL database (CI sets it).
test-postgres: $(STAMP) $(MO) browser
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass (TEST_DATABASE_URL)"; \
		STREHA_TEST_BACKEND=postgres $(BIN)/python -m pytest tests/placement; \
	else \
		echo "== TEST_DATABASE_URL not set: PostgreSQL pass skipped"; \
	fi

# Never part of `make test`: solver scales, the proposals and occupancy endpoints' latency,
# the snapshot job's time (PostgreSQL figures when TEST_DATABASE_URL is set), the API through
# gunicorn under 8 clients (p50/p95/p99, CPU per request, body size; Kosovo and 2,500 shelters),
# what a run stores and answers per unplaced request at 2,500 shelters,
# and a 1,000-request optimizer run through gunicorn and the worker while probes time the API.
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.proposals
	$(BIN)/python -m bench.privacy_area
	$(BIN)/python -m bench.occupancy
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.sqlite_reads
	$(BIN)/python -m bench.run_explanations
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(BIN)/python -m bench.proposals_scale && $(BIN)/python -m bench.audit_writers; \
	else \
		echo "== TEST_DATABASE_URL not set: proposals at 2,500 shelters and audited writers skipped"; \
	fi
	$(BIN)/python -m bench.runs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

demo-reset: $(STAMP) instance/secrets.json
	$(FLASK) demo accounts --reset
