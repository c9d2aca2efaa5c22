# Attendandt — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
UV ?= uv
B ?=

.PHONY: help sync run test test-deploy lint fmt typecheck pytest unit bench schemas asyncapi web web-test

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

sync: ## Install every package and the dev tools into .venv (uv.lock, frozen)
	$(UV) sync --all-packages --frozen

run: sync web ## Run the whole system locally (embedded NATS, Postgres, Mews simulator)
	$(UV) run attendandt dev

test: sync lint typecheck web-test pytest ## Everything CI runs: sync, lint, type-check, tests

test-deploy: sync ## Build the images and check the compose stack end to end (needs Docker)
	deploy/tests/test-deploy.sh

lint: ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

fmt: ## Format and autofix
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

SRC_DIRS = $(wildcard libs/*/src services/*/src tools/*/src)
typecheck: ## mypy strict over every package's code
	MYPYPATH=$(subst $(eval) ,:,$(SRC_DIRS)) $(UV) run mypy $(SRC_DIRS)

PYTEST_WORKERS ?= 2
pytest: ## The test suite on real nats-server and Postgres (the web app end to end in Chromium), in PYTEST_WORKERS processes (0: one)
	$(UV) run pytest -n $(PYTEST_WORKERS)

unit: sync ## Only the unit tests (tests/unit of every package: no NATS, Postgres or browser)
	$(UV) run pytest -n $(PYTEST_WORKERS) libs/*/tests/unit services/*/tests/unit tools/*/tests/unit

web: ## Build the web app into web/dist (the gateway serves it); skipped without npm
	@if command -v npm >/dev/null 2>&1; then \
		cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build; \
	else echo "npm not found: the API runs, the web app is not built (install Node.js 20+)"; fi

web-test: ## The web app's type-check, lint and component tests
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run typecheck && npm run lint && npm test

bench: sync ## Run benchmarks: `make bench` all, `make bench B=<name>` one
	$(UV) run attendandt-bench $(B)

schemas: ## Re-snapshot contract JSON schemas after an additive payload change (and the catalogue)
	$(UV) run attendandt contracts snapshot
	$(UV) run attendandt contracts asyncapi

asyncapi: ## Regenerate the AsyncAPI event catalogue (libs/contracts/.../asyncapi.json)
	$(UV) run attendandt contracts asyncapi
