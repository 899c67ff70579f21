"""Every notebook runs top to bottom through papermill in fast mode; its results are in bounds."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from notebook_bounds import BOUNDS, out_of_bounds

from course_utils.harness import results_from_notebook
from course_utils.notebooks import execute, notebook_paths

NOTEBOOKS = notebook_paths()
PER_NOTEBOOK_TIMEOUT_S = 600


def test_every_notebook_has_bounds():
    assert {p.stem for p in NOTEBOOKS} <= set(BOUNDS), "declare bounds in tests/notebook_bounds.py"


@pytest.mark.notebooks
@pytest.mark.timeout(PER_NOTEBOOK_TIMEOUT_S)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_fast_mode(path, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    executed = tmp_path / f"executed-{path.name}"
    execute(work / path.name, executed, fast=True, cwd=work, cell_timeout=PER_NOTEBOOK_TIMEOUT_S)
    results = results_from_notebook(nbformat.read(executed, as_version=4))
    assert results.get("fast_mode") is True, "the notebook must record fast_mode"
    failures = out_of_bounds(results, BOUNDS.get(path.stem, {}))
    assert not failures, f"results out of bounds (value, bound): {failures}"
