# Streha: a newcomer's commands are `make run` and `make test`; each does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: venv run test test-sqlite test-postgres lint bench clean demo-reset

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

instance/secrets.json: | $(STAMP)
	$(FLASK) secrets init

run: $(STAMP) instance/secrets.json
	$(FLASK) db upgrade
	$(FLASK) network load --default
	$(FLASK) demo accounts
	$(BIN)/python -m placement.devserver --host $(HOST) --port $(PORT)

test: $(STAMP) lint test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .

test-sqlite: $(STAMP)
	STREHA_TEST_BACKEND=sqlite $(BIN)/python -m pytest

# Runs only when TEST_DATABASE_URL names a PostgreSQL database (CI sets it).
test-postgres: $(STAMP)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass (TEST_DATABASE_URL)"; \
		STREHA_TEST_BACKEND=postgres $(BIN)/python -m pytest tests/placement; \
	else \
		echo "== TEST_DATABASE_URL not set: PostgreSQL pass skipped"; \
	fi

# Never part of `make test`: solver scales, the proposals and occupancy endpoints' latency,
# and the snapshot job's time (PostgreSQL figures when TEST_DATABASE_URL is set).
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.proposals
	$(BIN)/python -m bench.occupancy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

demo-reset: $(STAMP) instance/secrets.json
	$(FLASK) demo accounts --reset
