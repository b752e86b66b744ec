# ovzoo: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ovzoo-installed
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast bench lint clean

setup: $(STAMP)

# Re-install only when the lock or the package metadata changed.
$(STAMP): requirements.lock setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.3.1
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: setup
	$(VENV)/bin/ovzoo demo

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/download.py
	$(PY) benchmarks/convert.py

lint: setup
	$(VENV)/bin/ruff check tools tests benchmarks
	$(VENV)/bin/ruff format --check tools tests benchmarks

clean:
	rm -rf $(VENV) demo-out build *.egg-info tools/*.egg-info
