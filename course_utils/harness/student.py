"""The student edition: every notebook with its exercise solutions replaced by stubs.

Solutions sit between nbgrader's markers, ``### BEGIN SOLUTION`` and ``### END SOLUTION``, always
inside a function body or as the value of a named answer whose starter (``answer = None``) comes
just before the markers. Inside a function the block becomes nbgrader's stub (``# YOUR CODE HERE``
and ``raise NotImplementedError()``); at the top level of a cell only the comment is left, so the
starter's ``None`` stands and the notebook still runs top to bottom. (nbgrader's own
``ClearSolutions`` would put the ``raise`` at top level too and stop the notebook there.)
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import nbformat

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.notebooks import notebook_paths

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUDENT_DIR = PROJECT_ROOT / "build" / "student"
# what a learner needs besides the notebooks (tests and benchmarks hold solutions or are not needed)
HANDOUT_FILES = (
    "README.md",
    "Makefile",
    "pyproject.toml",
    "environment.yml",
    "data/README.md",
    "LICENSE",
    "LICENSE-CONTENT.md",
    "tools/find-python",
)
HANDOUT_DIRS = ("course_utils",)
_MARKER = re.compile(r"^(?P<indent>[ \t]*)### (?P<kind>BEGIN|END) SOLUTION[ \t]*$")


class SolutionMarkerError(ValueError):
    """Unbalanced or nested solution markers."""


def clear_solutions(source: str) -> str:
    """``source`` with every solution block replaced by its stub."""
    out, indent = [], None
    for number, line in enumerate(source.splitlines(), 1):
        match = _MARKER.match(line)
        if match and match["kind"] == "BEGIN":
            if indent is not None:
                raise SolutionMarkerError(f"line {number}: {BEGIN} inside another solution")
            indent = match["indent"]
            out.append(f"{indent}# YOUR CODE HERE")
            if indent:  # inside a function body
                out.append(f"{indent}raise NotImplementedError()")
        elif match:
            if indent is None:
                raise SolutionMarkerError(f"line {number}: {END} without {BEGIN}")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise SolutionMarkerError(f"{BEGIN} without {END}")
    return "\n".join(out)


def has_solution(source: str) -> bool:
    return any(_MARKER.match(line) for line in source.splitlines())


def student_notebook(nb):
    """A copy of ``nb`` with solutions cleared and every output removed."""
    nb = nbformat.from_dict(nb)  # a copy
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if has_solution(cell.source):
            cell.source = clear_solutions(cell.source)
        cell.outputs, cell.execution_count = [], None
    return nb


def nbgrader_notebook(nb, stem: str):
    """A copy of ``nb`` whose solution and check cells carry nbgrader's cell metadata.

    Solution cells become nbgrader "solution" cells; each check cell becomes a graded, locked
    "tests" cell worth one point (with ``COURSE_STRICT_CHECKS=1`` a check that does not pass raises,
    which is how ``nbgrader autograde`` scores a cell).
    """
    nb = nbformat.from_dict(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        base = {"schema_version": 3, "task": False, "grade_id": f"{stem}-cell-{index}"}
        if has_solution(cell.source):
            cell.metadata["nbgrader"] = {**base, "solution": True, "grade": False, "locked": False}
        elif re.search(r"\bcheck\.ex\d\d_\w+\(", cell.source):
            cell.metadata["nbgrader"] = {**base, "solution": False, "grade": True, "locked": True, "points": 1}
        cell.outputs, cell.execution_count = [], None
    return nb


def write_nbgrader_source(course_dir: Path, *, notebooks: list[Path] | None = None) -> list[Path]:
    """nbgrader's layout, ``<course_dir>/source/<assignment>/<notebook>.ipynb``, one assignment per notebook."""
    written = []
    for path in notebooks or notebook_paths():
        target = Path(course_dir) / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_notebook(nbformat.read(path, as_version=4), path.stem), target)
        written.append(target)
    return written


def build_student_edition(out_dir: Path = STUDENT_DIR, *, notebooks: list[Path] | None = None) -> Path:
    """Write the student edition to ``out_dir`` and a zip of it beside; returns the zip's path."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "notebooks").mkdir(parents=True)
    for path in notebooks or notebook_paths():
        nb = student_notebook(nbformat.read(path, as_version=4))
        nbformat.write(nb, out_dir / "notebooks" / path.name)
    for name in HANDOUT_FILES:
        if (PROJECT_ROOT / name).is_file():
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, out_dir / name)
    for name in HANDOUT_DIRS:
        shutil.copytree(PROJECT_ROOT / name, out_dir / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    archive = out_dir.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for file in sorted(p for p in out_dir.rglob("*") if p.is_file()):
            bundle.write(file, Path(out_dir.name) / file.relative_to(out_dir))
    return archive
