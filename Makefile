# Ephedra: `make run` serves the demo on the embedded default; `make test` runs the suite.
# Each setup step prints one "[n/7]" line when it runs; a step already done is skipped.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/uv/bin/uv
ASSETS := static/build/.built
PORT ?= 8000
# Bytecode is written on first import, so migrate, seed_demo, runserver and the worker do
# not each recompile Django (~6 s apiece) where the environment sets this. (uv's
# --compile-bytecode would compile all of site-packages: slower than it saves.)
unexport PYTHONDONTWRITEBYTECODE
# Locks from pyproject.toml (`make lock`): installs take exactly these files, hashes checked.
LOCK_COMPILE = $(UV) pip compile --quiet --universal --python-version 3.12 --generate-hashes

.PHONY: run demo-db test bench lint format lock clean mutants replicate

# Set-up runs in parallel (the Python packages then the database, beside the npm packages
# then the front-end build), then runserver on 127.0.0.1:$(PORT) with a real Celery worker
# and beat beside it on the filesystem transport (.celery/): scripts/run-embedded.
run:
	@$(MAKE) -s --no-print-directory -j3 $(VENV)/.installed-run $(ASSETS) demo-db
	@PORT=$(PORT) PYTHON=$(PY) scripts/run-embedded

# Migrations, then the demo world (idempotent: it refreshes the demo logins and dates).
demo-db: $(VENV)/.installed-run
	@echo "[6/7] Database: migrate and the demo world ($${DATABASE_URL:-ephedra.sqlite3})"
	@DEBUG=true $(PY) manage.py migrate --noinput -v 0
	@DEBUG=true $(PY) manage.py seed_demo

# The unit suite, then the browser tests (tests/e2e/: Playwright + Debian's Chromium on
# live_server, axe-core checks, screenshots in test-artifacts/) as their own run, since
# Playwright's sync API needs DJANGO_ALLOW_ASYNC_UNSAFE. Both must pass.
test: $(VENV)/.installed-dev $(ASSETS)
	$(PY) -m pytest --ignore=tests/e2e
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest tests/e2e

# Force-scale dataset in PostgreSQL (drops and recreates the ephedra_bench database, or the
# one BENCH_DATABASE_URL names), measurements side by side, results in BENCHMARKS.md.
# SCALE=national: every force of England and Wales (about 25 million crime rows) beside the
# same 32 areas; each scale rewrites only its own section of BENCHMARKS.md.
SCALE ?= force
bench: $(VENV)/.installed-bench $(ASSETS)
	$(PY) -m bench --scale $(SCALE) --output BENCHMARKS.md

# The Evidence page's replication study (docs/evaluation.md): coverage of the 95% intervals
# and what the page says, over simulated worlds with the truth known; WORLDS a row (200).
WORLDS ?= 200
replicate: $(VENV)/.installed-dev
	$(PY) scripts/replicate_evaluation.py --worlds $(WORLDS) --write

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
	echo "[1/7] Python virtualenv $(VENV) ($$python)"; \
	if [ ! -x $(PY) ] || [ "$$($(PY) -c 'import sys; print(sys.version_info >= (3, 12))')" != True ]; then \
		"$$python" -m venv --clear --without-pip $(VENV); \
	fi
	@touch $@

# uv installs several times faster than pip; it is itself hash-checked from tools.lock and
# kept in $(VENV)/uv/, outside site-packages, so `uv pip sync` never removes it. Where it
# cannot be installed, the installs below fall back to pip on the same lock files.
$(VENV)/.uv: $(VENV)/.python requirements/tools.lock
	@echo "[2/7] uv, the installer (requirements/tools.lock)"
	@rm -rf $(VENV)/uv
	@python=$$(scripts/find-python) || exit 1; \
	"$$python" -m pip --version >/dev/null 2>&1 || { $(PY) -m ensurepip -q && python=$(PY); }; \
	"$$python" -m pip install -qq --disable-pip-version-check --require-hashes --no-deps \
		--target $(VENV)/uv -r requirements/tools.lock \
		|| { rm -rf $(VENV)/uv; echo "      uv could not be installed: pip will install (slower)"; }
	@touch $@

# `uv pip sync` makes the venv exactly the lock (removing anything else), then the project
# itself goes in editable, without dependencies: the lock already holds them.
define install_lock
	@echo "[3/7] Python packages ($(1), hashes checked)"
	@if [ -x $(UV) ]; then \
		$(UV) pip sync --quiet --require-hashes --python $(PY) $(1) \
		&& $(UV) pip install --quiet --python $(PY) --no-deps -e .; \
	else \
		{ $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip -q; } \
		&& $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(1) \
		&& $(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .; \
	fi
endef

# Each lock is a superset of the one before (run < dev < bench): a sync to a smaller one
# removes tools the larger stamps promised, so it clears those stamps.
$(VENV)/.installed-run: $(VENV)/.uv requirements/run.lock pyproject.toml
	$(call install_lock,requirements/run.lock)
	@rm -f $(VENV)/.installed-dev $(VENV)/.installed-bench
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.uv requirements/dev.lock pyproject.toml
	$(call install_lock,requirements/dev.lock)
	@rm -f $(VENV)/.installed-bench
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: $(VENV)/.uv requirements/bench.lock pyproject.toml
	$(call install_lock,requirements/bench.lock)
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed-run

# Regenerate the locks after editing pyproject.toml (pins already locked are kept; add
# UPGRADE=--upgrade to move every unpinned dependency to its newest release). The largest
# set is solved first and constrains the smaller ones, so a package has one version in all.
lock: $(VENV)/.uv
	@[ -x $(UV) ] || { echo "make lock needs uv ($(VENV)/uv/bin/uv)" >&2; exit 1; }
	$(LOCK_COMPILE) $(UPGRADE) pyproject.toml --extra dev --extra bench -o requirements/bench.lock
	$(LOCK_COMPILE) pyproject.toml --extra dev -c requirements/bench.lock -o requirements/dev.lock
	$(LOCK_COMPILE) pyproject.toml -c requirements/dev.lock -o requirements/run.lock
	$(LOCK_COMPILE) $(UPGRADE) requirements/tools.in -o requirements/tools.lock
	$(LOCK_COMPILE) $(UPGRADE) requirements/audit.in -o requirements/audit.lock

# Front-end assets: GOV.UK/MOJ Frontend, htmx, Leaflet from npm (package-lock.json),
# compiled and copied into static/build/ by assets/build.mjs. No CDN at run time.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Ephedra needs Node.js and npm to build its assets." >&2; exit 1; }
	@echo "[4/7] Front-end packages (npm ci, package-lock.json)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS): node_modules/.installed $(shell find assets -type f)
	@echo "[5/7] Front-end build (static/build/)"
	@npm run --silent build
	@touch $@

clean:
	rm -rf $(VENV) ephedra.sqlite3 staticfiles static/build node_modules .pytest_cache .celery mutants
