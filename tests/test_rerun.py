"""The re-run harness catches the cells that break when a learner runs them again."""

from __future__ import annotations

import pytest

from course_utils.harness.notebooks import build
from course_utils.harness.rerun import PASSES, main, rerun

pytestmark = pytest.mark.timeout(120)


def _notebook(tmp_path, *code: str):
    path = tmp_path / "nb.ipynb"
    build([("parameters", "FAST = False"), *(("code", source) for source in code)], path)
    return path


def test_a_cell_that_fails_the_second_time_is_named(tmp_path):
    path = _notebook(tmp_path, "import os", "os.mkdir('quarantine')  # not re-runnable", "x = 1")
    report = rerun(path)
    assert not report.ok
    assert (report.failure.step, report.failure.code_index) == (PASSES[0], 2)
    assert "FileExistsError" in report.failure.error and "os.mkdir" in report.failure.first_line


def test_a_clean_up_that_breaks_an_earlier_cell_is_caught_on_run_all(tmp_path):
    (tmp_path / "data.txt").write_text("7")
    path = _notebook(
        tmp_path,
        "value = int(open('data.txt').read())",
        "import os\nif os.path.exists('data.txt'):\n    os.remove('data.txt')",
    )
    report = rerun(path)
    assert (report.failure.step, report.failure.code_index) == (PASSES[1], 1)
    assert "FileNotFoundError" in report.failure.error


def test_a_growing_list_is_caught_by_the_notebooks_own_assert(tmp_path):
    path = _notebook(tmp_path, "rates = []", "rates.append(0.9)\nassert len(rates) == 1, rates")
    assert not rerun(path).ok
    fixed = _notebook(tmp_path, "rates = {}", "rates['with'] = 0.9\nassert len(rates) == 1, rates")
    assert rerun(fixed).ok


def test_a_re_runnable_notebook_comes_back_with_the_last_pass_outputs(tmp_path, capsys):
    path = _notebook(tmp_path, "runs = globals().get('runs', [])", "runs.append(1)\nprint(len(runs))")
    report = rerun(path)
    assert report.ok and set(report.seconds) == set(PASSES)
    printed = report.notebook.cells[-1].outputs[0]["text"].strip()
    assert printed == "3", "twice in a row, then once more in the Run All pass"
    assert main([str(path)]) == 0
    assert "every cell ran twice in a row" in capsys.readouterr().out


def test_the_command_line_fails_on_a_broken_notebook(tmp_path, capsys):
    assert main([str(_notebook(tmp_path, "import os", "os.mkdir('q')"))]) == 1
    assert "FileExistsError" in capsys.readouterr().err
