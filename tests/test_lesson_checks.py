"""A learner who breaks a lesson function sees the notebook's own check below it fail.

The notebook is run cell by cell on a fresh kernel (fast mode) after one taught function has been
broken the way a learner might break it; the run must stop, with an ``AssertionError``, at a check
cell a few cells below the definition, before anything further runs.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.notebooks import EXECUTION_KERNEL

# notebook, function, code appended to its defining cell (the learner's mistake), most code cells until the check
BREAKS = [
    (
        "04_convolution_and_pooling",
        "conv2d_backward",
        "_correct_backward = conv2d_backward\n\n\n"
        "def conv2d_backward(*args, **kwargs):  # a sign error in dx\n"
        "    dx, dw, db = _correct_backward(*args, **kwargs)\n"
        "    return -dx, dw, db",
        4,
    ),
    (
        "04_convolution_and_pooling",
        "dilate",
        "def dilate(g, stride):  # forgets the zeros between the entries\n    return g",
        2,
    ),
]


def _defining_cell(nb, function: str) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and f"def {function}(" in cell.source:
            return index
    raise AssertionError(f"no cell defines {function}")


@pytest.mark.notebooks
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("stem", "function", "mistake", "within"), BREAKS, ids=[b[1] for b in BREAKS])
def test_a_broken_lesson_function_fails_the_check_below_it(stem, function, mistake, within, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_HEADLESS", "1")
    path = PROJECT_ROOT / "notebooks" / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    broken = _defining_cell(nb, function)
    nb.cells[broken].source += "\n\n\n" + mistake
    client = NotebookClient(
        nb, kernel_name=EXECUTION_KERNEL, timeout=600, resources={"metadata": {"path": str(path.parent)}}
    )
    failed_at = None
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                failed_at, message = index, str(error)
                break
    assert failed_at is not None, f"breaking {function} went unnoticed by every cell of {stem}"
    code_cells_between = sum(c.cell_type == "code" for c in nb.cells[broken + 1 : failed_at + 1])
    assert failed_at > broken, f"the notebook failed at cell {failed_at}, above the broken definition"
    assert code_cells_between <= within, f"the first failing check is {code_cells_between} code cells below"
    assert "AssertionError" in message
