# One entry point for the course. Every target sets up what it needs first (idempotent).
PYTHON ?= $(shell tools/find-python 2>/dev/null)  # the first CPython 3.10-3.13 on PATH
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KERNEL := mnist-to-imagenet
TEST_WORKERS ?= 2  # pytest-xdist processes for make test; --dist loadfile keeps each notebook's nbval cells on one kernel

.PHONY: setup run run-fast check-results test test-unit test-notebooks lint format export student lab data clean help

help:
	@echo "make run        execute the whole course headless (build/executed, build/html, build/results.json)"
	@echo "make run-fast   the same in fast mode (small data, few epochs)"
	@echo "make check-results  check build/results.json of the last run against tests/notebook_bounds.py"
	@echo "make test       the full test suite: unit tests, papermill notebook tests, nbval"
	@echo "make lab        open the course in JupyterLab with the course's kernel"
	@echo "make lint       ruff: lint and format check (code and notebooks)"
	@echo "make export     regenerate course_utils/lessons/ from the notebooks' '#| export' cells"
	@echo "make student    the student edition (solutions cleared) in build/student/ and build/student.zip"
	@echo "make data       pre-fetch every dataset and weight file (for an offline classroom)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { tools/find-python >/dev/null; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3 (MNIST to ImageNet)" >/dev/null
	touch $(STAMP)

run: setup
	$(PY) -m course_utils run $(NOTEBOOKS)

run-fast: setup
	$(PY) -m course_utils run --fast $(NOTEBOOKS)

check-results: setup
	$(PY) tests/check_results.py build/results.json

test: setup
	COURSE_FAST=1 COURSE_HEADLESS=1 $(PY) -m pytest tests notebooks -n $(TEST_WORKERS) --dist loadfile \
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

lab: setup
	$(VENV)/bin/jupyter lab notebooks/00_start_here.ipynb

data: setup
	$(PY) -m course_utils data fetch

clean:
	rm -rf build .pytest_cache
