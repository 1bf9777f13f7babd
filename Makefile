# Ephedra: `make run` serves the demo on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ASSETS := static/build/.built

.PHONY: run test bench lint format migrate clean mutants

run: $(VENV)/.installed-run $(ASSETS)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# The unit suite, then the browser tests (tests/e2e/: Playwright + Debian's Chromium on
# live_server, axe-core checks, screenshots in test-artifacts/) as their own run, since
# Playwright's sync API needs DJANGO_ALLOW_ASYNC_UNSAFE. Both must pass.
test: $(VENV)/.installed-dev $(ASSETS)
	$(PY) -m pytest --ignore=tests/e2e
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest tests/e2e

# Force-scale dataset in PostgreSQL (drops and recreates the ephedra_bench database, or the
# one BENCH_DATABASE_URL names), measurements side by side, results in BENCHMARKS.md.
bench: $(VENV)/.installed-bench $(ASSETS)
	$(PY) -m bench --output BENCHMARKS.md

# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml; not part of `make
# test`, it takes long): each mutant must fail a test. MUTATE narrows it to a file or folder,
# e.g. `make mutants MUTATE=accounts/services.py`. Results are kept in mutants/ between runs;
# `$(PY) scripts/mutants.py show NAME` prints one mutant. docs/mutation-testing.md.
MUTATE ?=
MUTMUT_CHILDREN ?= 2
mutants: $(VENV)/.installed-dev
	$(PY) scripts/mutants.py run --max-children $(MUTMUT_CHILDREN) $(MUTATE)
	$(PY) scripts/mutants.py results

# ruff, then the layers (import-linter contracts in pyproject.toml; ARCHITECTURE.md).
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# A virtualenv built by another (or an older) Python is rebuilt from scratch.
$(VENV)/.python: scripts/find-python
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || [ "$$($(PY) -c 'import sys; print(sys.version_info >= (3, 12))')" != True ]; then \
		echo "Creating $(VENV) with $$python"; "$$python" -m venv --clear $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed-run: $(VENV)/.python pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.python pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: $(VENV)/.python pyproject.toml
	$(PY) -m pip install --quiet -e ".[bench]"
	touch $@ $(VENV)/.installed-run

# Front-end assets: GOV.UK/MOJ Frontend, htmx, Leaflet from npm (package-lock.json),
# compiled and copied into static/build/ by assets/build.mjs. No CDN at run time.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Ephedra needs Node.js and npm to build its assets." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): node_modules/.installed $(shell find assets -type f)
	npm run --silent build
	touch $@

clean:
	rm -rf $(VENV) ephedra.sqlite3 staticfiles static/build node_modules .pytest_cache mutants
