# Jixiao — the two commands: `make run` (app with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install npm run run-prod test test-sqlite test-postgres bench bench-timers bench-inbox bench-load demo-deadline lint system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## browser assets (bpmn-js) from the committed package-lock.json, served from node_modules
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

npm: $(NPM_STAMP)

system-deps:
	./scripts/ensure-system-deps.sh

## make run: migrate an SQLite database under instance/, deploy bpmn/, load demo data, serve on 127.0.0.1:5000
run: install npm
	./scripts/ensure-system-deps.sh --documents
	$(BIN)/jixiao db upgrade
	if [ -d bpmn ]; then $(BIN)/jixiao deploy bpmn/; else echo "no bpmn/ folder yet: nothing to deploy"; fi
	$(BIN)/jixiao demo load
	$(BIN)/python -m server

## make run-prod: production on PostgreSQL (JIXIAO_DATABASE_URL required): migrate and deploy bpmn/ once,
## then gunicorn (JIXIAO_WORKERS workers, default 2 x cores) and the timer scheduler as its own process
run-prod: install npm
	$(BIN)/python -m server.production

## make test: the whole suite on SQLite, then on a throwaway PostgreSQL
test: install system-deps test-sqlite test-postgres

test-sqlite: install npm
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: install system-deps
	./scripts/test-postgres.sh -n 2 -m "'not sqlite_only and not browser'" $(PYTEST_ARGS)

bench: install bench-inbox
	$(BIN)/python bench/engine_overhead.py
	$(BIN)/python bench/http_complete.py
	$(BIN)/python bench/timers.py
	pg_virtualenv -t sh -c 'JIXIAO_DATABASE_URL=postgresql+psycopg:// $(BIN)/python bench/timers.py --skip idle lag'
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/portfolio.py
	pg_virtualenv -t sh -c 'JIXIAO_DATABASE_URL=postgresql+psycopg:// $(BIN)/python bench/portfolio.py'
	$(BIN)/python bench/poverty.py
	pg_virtualenv -t sh -c 'JIXIAO_DATABASE_URL=postgresql+psycopg:// $(BIN)/python bench/poverty.py'
	$(BIN)/python bench/reports.py
	pg_virtualenv -t sh -c 'JIXIAO_DATABASE_URL=postgresql+psycopg:// $(BIN)/python bench/reports.py'
	$(MAKE) bench-load

## make bench-load: LOAD_USERS (200) people for LOAD_SECONDS (300) against run-prod on a throwaway PostgreSQL
bench-load: install system-deps
	$(BIN)/python bench/load.py --users $(or $(LOAD_USERS),200) --duration $(or $(LOAD_SECONDS),300)

## make bench-timers: idle scheduler pass at 1k vs 100k parked timers, 10,000 due at once (1 and 2
## processes), wake-up lag on SQLite; then the 10,000 burst on a throwaway PostgreSQL (1 and 2 processes)
bench-timers: install system-deps
	$(BIN)/python bench/timers.py
	pg_virtualenv -t sh -c 'JIXIAO_DATABASE_URL=postgresql+psycopg:// $(BIN)/python bench/timers.py --skip idle lag'

## make demo-deadline: (beside `make run`) start demo_deadline with a deadline 3 minutes away
demo-deadline: install
	$(BIN)/jixiao timers demo --minutes $(or $(MINUTES),3)

## inbox query cost at 10k and 1M human_task rows, SQLite then PostgreSQL (issue 4)
bench-inbox: install system-deps
	$(BIN)/python bench/inbox.py
	pg_virtualenv -t sh -c 'JIXIAO_DATABASE_URL=postgresql+psycopg:// $(BIN)/python bench/inbox.py'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance node_modules
