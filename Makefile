# One entry point for the course. Every target sets up what it needs first (idempotent).
PYTHON ?= $(shell tools/find-python 2>/dev/null)  # the first CPython 3.10-3.13 on PATH
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
UV     ?= $(or $(wildcard $(VENV)/bin/uv),uv)
KERNEL := mnist-to-imagenet
TEST_WORKERS ?= 2  # pytest-xdist processes for make test; --dist loadscope keeps each notebook's nbval cells on one kernel

.PHONY: setup setup-latest lock run run-fast check-results test test-unit test-notebooks lint format export student lab data clean help

help:
	@echo "make run        execute the whole course headless (build/executed, build/html, build/results.json)"
	@echo "make run-fast   the same in fast mode (small data, few epochs)"
	@echo "make check-results  check build/results.json of the last run against tests/notebook_bounds.py"
	@echo "make test       the full test suite: unit tests, papermill notebook tests, nbval"
	@echo "make lab        open the course in JupyterLab with the course's kernel"
	@echo "make lint       ruff: lint and format check (code and notebooks)"
	@echo "make export     regenerate course_utils/lessons/ from the notebooks' '#| export' cells"
	@echo "make student    the student edition (solutions cleared) in build/student/ and build/student.zip"
	@echo "make site       the committed notebooks as a static site that works offline (build/site/index.html)"
	@echo "make test-browser  only the browser tests (JupyterLab and the site in chromium; make test runs them too)"
	@echo "make data       pre-fetch every dataset and weight file (for an offline classroom)"
	@echo "make setup-latest  install from pyproject.toml's version ranges instead of requirements.lock"
	@echo "make lock       regenerate requirements.lock from pyproject.toml (LOCK_ARGS=--upgrade: newest releases)"

setup: $(STAMP)

# setup installs the exact versions in requirements.lock; setup-latest pyproject.toml's ranges (newest releases
# in a fresh .venv). `make -B setup` returns to the lock.
setup-latest:
	$(MAKE) --always-make $(STAMP) INSTALL_FROM=ranges

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || test -n "$(PYTHON)" || { tools/find-python >/dev/null; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
ifeq ($(INSTALL_FROM),ranges)
	$(PY) -m pip install --quiet -e '.[test]'
else
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
endif
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3 (MNIST to ImageNet)" >/dev/null
	touch $(STAMP)

# Keeps today's pins where pyproject.toml still allows them; LOCK_ARGS=--upgrade moves to the newest releases.
lock:
	@command -v $(UV) >/dev/null || { echo "make lock needs uv: make setup installs it, or pip install uv" >&2; exit 1; }
	$(UV) pip compile pyproject.toml --extra test --universal --python-version 3.10 \
		--custom-compile-command "make lock" --quiet -o $(LOCK) $(LOCK_ARGS)

# PARAMS="DATASET=offline MODEL=mobilenet_v2" becomes -p DATASET=offline -p MODEL=mobilenet_v2
run: setup
	$(PY) -m course_utils run $(NOTEBOOKS) $(foreach p,$(PARAMS),-p '$(p)')

run-fast: setup
	$(PY) -m course_utils run --fast $(NOTEBOOKS) $(foreach p,$(PARAMS),-p '$(p)')

check-results: setup
	$(PY) tests/check_results.py build/results.json

test: setup
	COURSE_FAST=1 COURSE_HEADLESS=1 $(PY) -m pytest tests notebooks -n $(TEST_WORKERS) --dist loadscope \
		--nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest tests -m "not notebooks" $(PYTEST_ARGS)

test-notebooks: setup
	COURSE_FAST=1 COURSE_HEADLESS=1 $(PY) -m pytest tests/test_notebooks.py notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

export: setup
	$(PY) -m course_utils export

student: setup
	$(PY) -m course_utils student

# The committed notebooks, not executed, rendered with nbconvert into pages that fetch nothing from the network.
.PHONY: site test-browser
site: setup
	$(PY) -m course_utils.harness.site

test-browser: setup
	COURSE_FAST=1 $(PY) -m pytest tests/test_browser.py -m browser $(PYTEST_ARGS)

lab: setup
	$(VENV)/bin/jupyter lab notebooks/00_start_here.ipynb

data: setup
	$(PY) -m course_utils data fetch

clean:
	rm -rf build .pytest_cache
