"""Learners re-run cells: execute a notebook the way they do, and say which cell breaks.

One kernel runs every code cell twice in a row (Shift-Enter, Shift-Enter), then the whole notebook
once more from the top (Run All again). The notebook that comes back carries the outputs of that last
pass, so its recorded results and exercise verdicts can be checked as after any run.

    python -m course_utils.harness.rerun notebooks/02_preprocessing.ipynb [--full]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from course_utils.harness.notebooks import EXECUTION_KERNEL, _environment

PASSES = ("each cell twice in a row", "Run All again")


@dataclass
class CellFailure:
    """Where a re-run broke: the pass, the code cell's position (0-based) and its first line."""

    step: str
    code_index: int
    first_line: str
    error: str

    def __str__(self) -> str:
        return f"code cell {self.code_index} ({self.first_line!r}) failed during '{self.step}':\n{self.error}"


@dataclass
class RerunReport:
    """What a re-run did: the executed notebook (last pass), seconds per pass, the first failure."""

    notebook: Any
    seconds: dict[str, float] = field(default_factory=dict)
    failure: CellFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")[:80]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython's colours in a traceback


def _error_text(exc: Exception) -> str:
    text = _ANSI.sub("", str(exc)).strip().splitlines()
    return "\n".join(text[-12:])


def run_schedule(
    path: Path | str,
    schedule: dict[str, list[int]],
    *,
    fast: bool = True,
    cwd: Path | str | None = None,
    cell_timeout: int = 600,
) -> RerunReport:
    """Execute the code cells of ``path`` in one fresh kernel, step by step, in the order given.

    ``schedule`` maps a step's name to the positions (0-based, among the code cells) to run, repeats
    allowed. Stops at the first cell that raises and reports it. ``COURSE_FAST`` decides the mode (the
    notebook's ``setup_notebook`` honours it); ``COURSE_HEADLESS`` is set, both restored afterwards.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    workdir = str(cwd if cwd is not None else path.parent)
    client = NotebookClient(
        nb, kernel_name=EXECUTION_KERNEL, timeout=cell_timeout, resources={"metadata": {"path": workdir}}
    )
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    report = RerunReport(notebook=nb)
    with _environment(COURSE_FAST="1" if fast else None, COURSE_HEADLESS="1"), client.setup_kernel():
        for step, positions in schedule.items():
            start = time.perf_counter()
            for position in positions:
                index, cell = code[position]
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as exc:
                    report.failure = CellFailure(step, position, _first_line(cell.source), _error_text(exc))
                    return report
            report.seconds[step] = time.perf_counter() - start
    return report


def rerun(path: Path | str, **options: Any) -> RerunReport:
    """Execute ``path`` in one fresh kernel: each code cell twice in a row, then all cells again.

    Options as for :func:`run_schedule`.
    """
    count = sum(cell.cell_type == "code" for cell in nbformat.read(path, as_version=4).cells)
    twice = [position for position in range(count) for _ in range(2)]
    return run_schedule(path, {PASSES[0]: twice, PASSES[1]: list(range(count))}, **options)


def rerun_copy(path: Path | str, schedule: dict[str, list[int]] | None = None, **options: Any) -> RerunReport:
    """:func:`rerun` (or :func:`run_schedule`) on a copy of the notebook's folder, so that the files a
    notebook writes stay out of the tree."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "notebooks"
        shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.log"))
        if schedule is not None:
            return run_schedule(work / path.name, schedule, cwd=work, **options)
        return rerun(work / path.name, cwd=work, **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--full", action="store_true", help="full mode instead of fast mode")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        print(f"{path.name}: re-running ({' then '.join(PASSES)}) ...", flush=True)
        report = rerun_copy(path, fast=not args.full)
        if report.ok:
            times = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in report.seconds.items())
            print(f"{path.name}: every cell ran twice in a row and the notebook ran again ({times})")
        else:
            print(f"{path.name}: {report.failure}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
