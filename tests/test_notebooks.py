"""Every notebook runs in fast mode as learners run it: each code cell twice in a row, then Run All
again, in one kernel. After that last pass its results are in bounds and every exercise check passes
with the solutions in place."""

from __future__ import annotations

import nbformat
import pytest
from notebook_bounds import BOUNDS, out_of_bounds

from course_utils.checks import PASSED, verdicts_from_notebook
from course_utils.harness.exercises import exercises
from course_utils.harness.notebooks import notebook_paths
from course_utils.harness.rerun import rerun_copy
from course_utils.harness.session import results_from_notebook

NOTEBOOKS = notebook_paths()
PER_NOTEBOOK_TIMEOUT_S = 900


def test_every_notebook_has_bounds():
    assert {p.stem for p in NOTEBOOKS} <= set(BOUNDS), "declare bounds in tests/notebook_bounds.py"


@pytest.mark.notebooks
@pytest.mark.timeout(PER_NOTEBOOK_TIMEOUT_S)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_reruns_in_fast_mode(path):
    report = rerun_copy(path, fast=True, cell_timeout=PER_NOTEBOOK_TIMEOUT_S)
    assert report.ok, str(report.failure)
    executed_nb = report.notebook
    results = results_from_notebook(executed_nb)
    assert results.get("fast_mode") is True, "the notebook must record fast_mode"
    failures = out_of_bounds(results, BOUNDS.get(path.stem, {}))
    assert not failures, f"results out of bounds (value, bound): {failures}"
    verdicts = verdicts_from_notebook(executed_nb)
    assert len(verdicts) == len(exercises(nbformat.read(path, as_version=4))), "every exercise's check must run"
    assert all(v["status"] == PASSED for v in verdicts), [v for v in verdicts if v["status"] != PASSED]
