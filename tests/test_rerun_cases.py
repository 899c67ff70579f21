"""Cells that once broke when a learner ran them again, each run again in the order that broke it.

Cells are named by their ids (kept when a notebook is edited); a probe cell appended to the notebook
asserts what the re-run must leave behind.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.rerun import run_schedule

pytestmark = [pytest.mark.notebooks, pytest.mark.timeout(900)]

NB02 = "02_preprocessing"
# parameters, set-up, the imports (two cells) and working folder, MNIST, write the PNG folder, load it,
# "stopped", quarantine
FOLDER_CELLS = [
    *("5429a985", "36cbbef9", "3864b4f8", "d58c17ea", "b1e056a8"),
    *("f49adcfd", "fc66ec8a", "cbb04f7f", "2c912124"),
]
NB03 = "03_data_augmentation"
SEEDS_LOOP, SEEDS_TABLE = "696a0a6c", "4bc5f78b"


def _run(tmp_path, stem: str, order: list[str], probe: str | None = None):
    """Run the cells with these ids (or ``"*"``: every code cell) in this order, then ``probe``."""
    work = tmp_path / "notebooks"
    shutil.copytree(PROJECT_ROOT / "notebooks", work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = work / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    if probe is not None:
        nb.cells.append(nbformat.v4.new_code_cell(probe))
        nbformat.write(nb, path)
    ids = [cell.id for cell in nb.cells if cell.cell_type == "code"]
    missing = [i for i in order if i != "*" and i not in ids]
    assert not missing, f"cells {missing} are gone from {stem}: update this test"
    positions = [p for i in order for p in (range(len(ids) - (probe is not None)) if i == "*" else [ids.index(i)])]
    if probe is not None:
        positions.append(len(ids) - 1)
    report = run_schedule(path, {"the case": positions}, cwd=work)
    assert report.ok, str(report.failure)


def test_02_quarantine_cell_runs_twice(tmp_path):
    _run(tmp_path, NB02, [*FOLDER_CELLS, FOLDER_CELLS[-1]])


def test_02_stopped_check_holds_after_the_quarantine(tmp_path):
    _run(tmp_path, NB02, [*FOLDER_CELLS, "cbb04f7f", "fc66ec8a"], probe="assert stopped is False")


def test_02_the_folder_is_still_there_after_the_last_cell(tmp_path):
    _run(tmp_path, NB02, ["*", "f49adcfd", "fc66ec8a"], probe="assert digits_dir.is_dir()")


def test_03_with_and_without_keep_their_places_when_the_seeds_loop_runs_again(tmp_path):
    nb = nbformat.read(PROJECT_ROOT / "notebooks" / f"{NB03}.ipynb", as_version=4)
    ids = [cell.id for cell in nb.cells if cell.cell_type == "code"]
    upto = ids[: ids.index(SEEDS_TABLE) + 1]
    at = upto.index(SEEDS_LOOP)
    order = [*upto[: at + 1], SEEDS_LOOP, *upto[at + 1 :]]
    probe = "assert len(table) == REPEATS and list(table.columns[:2]) == ['without', 'with'], table"
    _run(tmp_path, NB03, order, probe=probe)
