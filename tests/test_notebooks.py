"""Every notebook runs in fast mode as learners run it, in one kernel: each code cell twice in a row,
then Run All again. After that last pass its results are in bounds and every exercise check passes
with the solutions in place. Then, in the same kernel, the student edition's exercise section runs
(solutions cleared, the lesson cells above it being the same) and every check says "not done"."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from notebook_bounds import BOUNDS, out_of_bounds

from course_utils.checks import NOT_DONE, PASSED, verdicts_from_notebook
from course_utils.harness.exercises import exercises
from course_utils.harness.notebooks import notebook_paths
from course_utils.harness.rerun import PASSES, run_schedule
from course_utils.harness.student import student_notebook

NOTEBOOKS = notebook_paths()
PER_NOTEBOOK_TIMEOUT_S = 900
STUDENT_STEP = "the student edition's exercises"


def test_every_notebook_has_bounds():
    assert {p.stem for p in NOTEBOOKS} <= set(BOUNDS), "declare bounds in tests/notebook_bounds.py"


def _with_student_exercises(nb):
    """``nb`` followed by the student edition of its exercise section; returns it and the first appended cell."""
    headings = (i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    start = next(headings, len(nb.cells))
    combined = nbformat.from_dict(nb)
    appended = student_notebook(nb).cells[start:]
    for cell in appended:
        cell.id = f"student-{cell.id}"
    combined.cells.extend(appended)
    return combined, len(nb.cells)


def _run_as_learners_do(path, work):
    shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nb = nbformat.read(path, as_version=4)
    combined, first_student = _with_student_exercises(nb)
    nbformat.write(combined, work / path.name)
    code = [i for i, c in enumerate(combined.cells) if c.cell_type == "code"]
    lesson = [p for p, i in enumerate(code) if i < first_student]
    student = [p for p, i in enumerate(code) if i >= first_student]
    schedule = {PASSES[0]: [p for p in lesson for _ in range(2)], PASSES[1]: lesson, STUDENT_STEP: student}
    report = run_schedule(work / path.name, schedule, cwd=work, cell_timeout=PER_NOTEBOOK_TIMEOUT_S)
    assert report.ok, str(report.failure)
    executed = report.notebook
    lesson_nb = nbformat.from_dict({**executed, "cells": executed.cells[:first_student]})
    student_nb = nbformat.from_dict({**executed, "cells": executed.cells[first_student:]})
    return nb, lesson_nb, student_nb


def _check(path, tmp_path):
    from course_utils.harness.session import results_from_notebook

    nb, executed, student = _run_as_learners_do(path, tmp_path / "notebooks")
    results = results_from_notebook(executed)
    assert results.get("fast_mode") is True, "the notebook must record fast_mode"
    failures = out_of_bounds(results, BOUNDS.get(path.stem, {}))
    assert not failures, f"results out of bounds (value, bound): {failures}"
    expected = len(exercises(nb))
    verdicts = verdicts_from_notebook(executed)
    assert len(verdicts) == expected, "every exercise's check must run"
    assert all(v["status"] == PASSED for v in verdicts), [v for v in verdicts if v["status"] != PASSED]
    student_verdicts = verdicts_from_notebook(student)
    assert len(student_verdicts) == expected, f"{len(student_verdicts)} student checks ran, {expected} exercises"
    assert all(v["status"] == NOT_DONE for v in student_verdicts), student_verdicts


# One class per notebook: with pytest-xdist's --dist loadscope each class is a unit of work, so the
# notebooks spread over the workers (nbval's cells stay together: their scope is their notebook file).
for _path in NOTEBOOKS:
    _name = f"TestNotebook{_path.stem[:2]}"

    def _test(self, tmp_path, path=_path):
        _check(path, tmp_path)

    _test.__name__ = f"test_{_path.stem}_runs_reruns_and_its_student_edition_runs"
    _test = pytest.mark.notebooks(pytest.mark.timeout(PER_NOTEBOOK_TIMEOUT_S)(_test))
    globals()[_name] = type(_name, (), {_test.__name__: _test, "__doc__": f"{_path.name}, run as learners do."})
del _path, _name, _test
