"""The lesson modules are generated from the notebooks and are up to date."""

from __future__ import annotations

import importlib
import subprocess
import sys

import nbformat
import pytest

from course_utils.harness import export
from course_utils.harness.config import PROJECT_ROOT


def _notebook(tmp_path, *sources: str, name: str = "02_preprocessing.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 02 · A title")] + [nbformat.v4.new_code_cell(s) for s in sources]
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, str(folder / name))
    return folder


def test_generated_lessons_match_the_notebooks():
    stale = export.stale_files()
    assert not stale, f"run `python -m course_utils export`: out of date: {stale}"


@pytest.mark.parametrize("module", sorted(set(export.LESSON_MODULES.values())))
def test_every_lesson_module_imports(module):
    if not (export.LESSONS_DIR / f"{module}.py").exists():
        pytest.skip(f"no notebook exports {module} yet")
    importlib.import_module(f"course_utils.lessons.{module}")


def test_only_marked_cells_are_exported_with_imports_first(tmp_path):
    folder = _notebook(
        tmp_path,
        "import numpy as np\nx = np.zeros(3)",  # not marked: stays in the notebook
        "#| export\nimport math\n\n\ndef double(v):\n    return 2 * v",
        "#| export\nfrom pathlib import Path\nimport numpy as np\n\nSCALE = 3.0",
    )
    text = export.render_all(folder)["preprocessing.py"]
    assert "generated from notebooks/02_preprocessing.ipynb".lower() in text.lower()
    body = text.split('"""', 2)[2]
    assert "x = np.zeros(3)" not in body and "#| export" not in body
    # isort's order: standard library (straight imports first), then third party, then the code
    order = ["import math", "from pathlib import Path", "import numpy as np", "def double", "SCALE = 3.0"]
    assert [body.index(line) for line in order] == sorted(body.index(line) for line in order)
    namespace: dict = {}
    exec(compile(text, "preprocessing.py", "exec"), namespace)
    assert namespace["double"](2) == 4


def test_a_cell_that_runs_work_cannot_be_exported(tmp_path):
    folder = _notebook(tmp_path, "#| export\ndef f():\n    return 1\n\n\nprint(f())")
    with pytest.raises(export.ExportError, match="cell 1, line 5.*Expr"):
        export.render_all(folder)


def test_export_writes_and_check_reports(tmp_path):
    folder = _notebook(tmp_path, "#| export\ndef f():\n    return 1")
    lessons = tmp_path / "lessons"
    assert export.export(lessons, folder) == ["__init__.py", "preprocessing.py"]
    assert export.stale_files(lessons, folder) == []
    (lessons / "preprocessing.py").write_text("# edited by hand\n")
    (lessons / "orphan.py").write_text("")
    assert export.stale_files(lessons, folder) == ["orphan.py", "preprocessing.py"]


def test_cli_check_exits_zero_when_in_sync():
    done = subprocess.run(
        [sys.executable, "-m", "course_utils", "export", "--check"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
