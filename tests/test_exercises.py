"""Exercises: complete in every notebook, solutions cleared in the student edition (which
``tests/test_notebooks.py`` runs, after each notebook, with every check saying "not done")."""

from __future__ import annotations

import nbformat
import pytest

from course_utils.harness.exercises import exercises
from course_utils.harness.notebooks import notebook_paths
from course_utils.harness.student import SolutionMarkerError, build_student_edition, clear_solutions

NOTEBOOKS = notebook_paths()
WITH_EXERCISES = [p for p in NOTEBOOKS if not p.stem.startswith("00_")]  # 00 keeps its short ones


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_has_statement_time_starter_solution_and_check(path):
    found = exercises(nbformat.read(path, as_version=4))
    assert 4 <= len(found) <= 8, f"{path.name}: {len(found)} exercises, expected 4 to 8"
    problems = [problem for exercise in found for problem in exercise.problems()]
    assert not problems, problems
    number = path.stem[:2]
    assert all(e.number.startswith(f"{number}.") for e in found), [e.number for e in found]
    assert len({e.kind for e in found}) >= 2, "mix the kinds: implement, predict, experiment"


def test_clearing_a_solution_inside_a_function_leaves_nbgraders_stub():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n\ny = 1"
    assert clear_solutions(source) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n\ny = 1"


def test_clearing_a_named_answer_keeps_its_starter():
    source = "answer = None  # your prediction\n### BEGIN SOLUTION\nanswer = (13, 13, 8)\n### END SOLUTION"
    cleared = clear_solutions(source)
    assert cleared == "answer = None  # your prediction\n# YOUR CODE HERE"
    namespace: dict = {}
    exec(cleared, namespace)  # no bare raise at top level: the notebook goes on
    assert namespace["answer"] is None


@pytest.mark.parametrize(
    "source",
    [
        "### BEGIN SOLUTION\nx = 1",
        "x = 1\n### END SOLUTION",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    ],
)
def test_unbalanced_markers_are_refused(source):
    with pytest.raises(SolutionMarkerError):
        clear_solutions(source)


def test_student_edition_has_no_solution_and_no_output(tmp_path):
    archive = build_student_edition(tmp_path / "student")
    folder = tmp_path / "student"
    assert archive.is_file() and (folder / "course_utils" / "checks" / "__init__.py").is_file()
    assert not (folder / "tests").exists(), "the tests hold the solutions' cases"
    for path in NOTEBOOKS:
        instructor = nbformat.read(path, as_version=4)
        student = nbformat.read(folder / "notebooks" / path.name, as_version=4)
        assert len(student.cells) == len(instructor.cells)
        for mine, theirs in zip(student.cells, instructor.cells, strict=True):
            assert "BEGIN SOLUTION" not in mine.source and "END SOLUTION" not in mine.source
            assert mine.cell_type != "code" or not mine.outputs
            if "BEGIN SOLUTION" not in theirs.source:
                assert mine.source == theirs.source  # everything else identical


def test_nbgrader_source_marks_solution_and_check_cells(tmp_path):
    from course_utils.harness.student import write_nbgrader_source

    written = write_nbgrader_source(tmp_path, notebooks=WITH_EXERCISES[:1])
    nb = nbformat.read(written[0], as_version=4)
    assert written[0] == tmp_path / "source" / WITH_EXERCISES[0].stem / WITH_EXERCISES[0].name
    marked = [cell.metadata["nbgrader"] for cell in nb.cells if "nbgrader" in cell.metadata]
    solutions = [m for m in marked if m["solution"]]
    graded = [m for m in marked if m["grade"]]
    assert len(solutions) >= len(exercises(nb)) and len(graded) == len(exercises(nb))
    assert all(m["locked"] and m["points"] == 1 for m in graded)
    assert len({m["grade_id"] for m in marked}) == len(marked)  # nbgrader needs unique ids


def test_the_instructor_guide_lists_every_notebook_and_exercise_as_they_are_now():
    from course_utils.harness.exercises import guide_tables

    guide = (NOTEBOOKS[0].parent.parent / "INSTRUCTORS.md").read_text()
    tables = guide_tables(WITH_EXERCISES)
    assert tables in guide, "regenerate INSTRUCTORS.md's tables: python -m course_utils.harness.exercises"
