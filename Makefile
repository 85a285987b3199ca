# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint typecheck pytest bench messages openapi clean

setup: $(STAMP) $(NPM_STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Bootstrap's CSS (served by Django from node_modules/, never from a CDN) and axe-core for
# the browser tests, exactly as package-lock.json pins them; no install scripts run.
$(NPM_STAMP): package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $(NPM_STAMP)

run: setup
	@mkdir -p var
	$(PY) -m amanah.manage migrate --noinput
	$(PY) -m amanah.manage compilemessages --ignore '.venv' -v 0
	$(PY) -m amanah.manage collectstatic --noinput -v 0
	$(PY) -m amanah.manage load_demo
	@echo
	@echo "  Amanah is starting on http://$(HOST):$(PORT)/"
	@echo "    home page:            http://$(HOST):$(PORT)/"
	@echo "    the log's checkpoint: http://$(HOST):$(PORT)/log/checkpoint"
	@echo "    one entry + receipt:  http://$(HOST):$(PORT)/entries/0/   (Arabic: /ar/entries/0/)"
	@echo "    the fund at a glance: http://$(HOST):$(PORT)/fund/   (Arabic: /ar/fund/)"
	@echo "    the board's motions:  http://$(HOST):$(PORT)/motions/   (Arabic: /ar/motions/)"
	@echo "    an allocation round:  http://$(HOST):$(PORT)/rounds/R-2026-01/"
	@echo "    projects and access:  http://$(HOST):$(PORT)/monitoring/projects/  http://$(HOST):$(PORT)/access/"
	@echo "    damage and rebuilding: http://$(HOST):$(PORT)/assets/   (Arabic: /ar/assets/)"
	@echo "    how to verify:        http://$(HOST):$(PORT)/about/"
	@echo "    record, as demo-secretariat: http://$(HOST):$(PORT)/fund/record/"
	@echo "    the API and its docs: http://$(HOST):$(PORT)/api/v1/docs"
	@echo "    verify it yourself:   $(BIN)/amanah-verify log http://$(HOST):$(PORT)/log --key \"\$$(cat var/log-key.pub)\""
	@echo "    recompute the figures: $(BIN)/amanah audit http://$(HOST):$(PORT)/log --key \"\$$(cat var/log-key.pub)\" --against http://$(HOST):$(PORT)"
	@echo "  Stop with Ctrl-C."
	@echo
	$(BIN)/gunicorn amanah.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy --strict src/amanah/transparency src/amanah/governance/rules.py src/amanah/governance/replay.py src/amanah/testing src/amanah/cli/verify.py src/amanah/cli/log.py src/amanah/cli/audit.py src/amanah/cli/board.py src/amanah/cli/fund.py src/amanah/funds/money.py src/amanah/funds/postings.py src/amanah/funds/earmarks.py src/amanah/funds/chart.py src/amanah/funds/flows.py src/amanah/funds/book.py src/amanah/reference src/amanah/core/charts.py src/amanah/rounds/optimiser.py src/amanah/cli/rounds.py src/amanah/access/lifecycle.py src/amanah/access/replay.py src/amanah/materials/reconcile.py src/amanah/materials/replay.py src/amanah/logreplay.py src/amanah/assets/conditions.py src/amanah/assets/replay.py

# pytest exits 5 when it collected no test; that is not a failure of the code.
pytest: setup
	$(PY) -m amanah.manage compilemessages --ignore '.venv' -v 0
	$(BIN)/pytest; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

test: lint typecheck pytest

# The bench extra (django-simple-history, the fund benchmark's peer) only for `make bench`.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# bench/run.py: the transparency core; bench/fund.py: the fund's services (a few minutes).
bench: $(BENCH_STAMP)
	$(PY) bench/run.py
	$(PY) bench/fund.py

messages: setup
	$(PY) -m amanah.manage makemessages -l ar --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'

# docs/openapi.json is committed; tests/api/test_api_openapi.py fails when it drifts.
openapi: setup
	$(PY) -m amanah.manage export_openapi_schema --api amanah.api.main.api --indent 2 --sorted --output docs/openapi.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
