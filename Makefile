# Ephedra: `make run` serves the demo on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
NPM_STAMP := node_modules/.installed

.PHONY: run test lint format migrate clean

run: $(VENV)/.installed-run
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

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

clean:
	rm -rf $(VENV) ephedra.sqlite3 staticfiles .pytest_cache
