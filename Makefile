# ovzoo: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ovzoo-installed
PYTEST_ARGS ?=

.PHONY: setup compat accuracy-check onnx-route demo test test-fast bench lint clean

setup: $(STAMP)

# Older OpenVINO releases, each in its own venv, for the IR compatibility tests (2023.3 LTS, 2024 LTS).
COMPAT_2023 := .venv-ov2023
COMPAT_2024 := .venv-ov2024
compat: $(COMPAT_2023)/.installed $(COMPAT_2024)/.installed

# The real accuracy_check (openvino-dev 2023.3 with mxnet 1.9.1) for tests/test_accuracy_checker.py.
ACCURACY_CHECK := .venv-accuracy-check
accuracy-check: $(ACCURACY_CHECK)/.installed

$(ACCURACY_CHECK)/.installed: requirements-accuracy-check.lock
	test -x $(ACCURACY_CHECK)/bin/python || $(PYTHON) -m venv $(ACCURACY_CHECK)
	$(ACCURACY_CHECK)/bin/python -m pip install --quiet -r requirements-accuracy-check.lock
	touch $@

.venv-ov%/.installed: requirements-compat-%.lock
	test -x .venv-ov$*/bin/python || $(PYTHON) -m venv .venv-ov$*
	.venv-ov$*/bin/python -m pip install --quiet -r requirements-compat-$*.lock
	touch $@

# The ONNX route of benchmarks/compare_onnx_route.py (mxnet, numpy 1.23.5, onnx 1.18, ovc); not used by the tests.
ONNX_ROUTE := .venv-onnx-route
onnx-route: $(ONNX_ROUTE)/.installed

$(ONNX_ROUTE)/.installed: requirements-onnx-route.lock
	test -x $(ONNX_ROUTE)/bin/python || $(PYTHON) -m venv $(ONNX_ROUTE)
	$(ONNX_ROUTE)/bin/python -m pip install --quiet --no-deps -r requirements-onnx-route.lock
	touch $@

# Re-install only when the lock or the package metadata changed.
$(STAMP): requirements.lock requirements-test.lock setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.3.1
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -r requirements-test.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: setup
	$(VENV)/bin/ovzoo demo

test: setup compat accuracy-check
	OVZOO_REQUIRE_ALL=1 \
	OVZOO_OPENVINO_2023_PYTHON=$(CURDIR)/$(COMPAT_2023)/bin/python \
	OVZOO_ACCURACY_CHECK_PYTHON=$(CURDIR)/$(ACCURACY_CHECK)/bin/python \
	OVZOO_OPENVINO_2024_PYTHON=$(CURDIR)/$(COMPAT_2024)/bin/python \
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/download.py
	$(PY) benchmarks/convert.py
	$(PY) benchmarks/quantize.py

lint: setup
	$(VENV)/bin/ruff check tools tests benchmarks
	$(VENV)/bin/ruff format --check tools tests benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(COMPAT_2023) $(COMPAT_2024) $(ACCURACY_CHECK) $(ONNX_ROUTE) demo-out build *.egg-info tools/*.egg-info
