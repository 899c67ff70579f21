"""record() and the runner's collection of results."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from course_utils.harness.notebooks import KERNELSPEC
from course_utils.harness.runner import NotebookReport, summary_table
from course_utils.harness.session import RESULT_MIME, _plain, record, results_from_notebook


def test_plain_converts_numpy():
    assert _plain({"a": np.float32(0.5), "b": np.arange(3)}) == {"a": 0.5, "b": [0, 1, 2]}


def test_record_outside_ipython_prints(capsys):
    record("accuracy", np.float64(0.9876))
    assert "recorded accuracy = 0.9876" in capsys.readouterr().out


def test_record_rejects_nan_and_unserialisable():
    with pytest.raises(ValueError):
        record("bad", float("nan"))
    with pytest.raises(TypeError):
        record("bad", object())


def test_results_from_notebook():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={RESULT_MIME: {"name": "a", "value": 1}, "text/plain": "a"}),
        nbformat.v4.new_output("display_data", data={RESULT_MIME: json.dumps({"name": "b", "value": [1, 2]})}),
    ]
    nb.cells.append(cell)
    assert results_from_notebook(nb) == {"a": 1, "b": [1, 2]}


def test_summary_table_counts_failures():
    table = summary_table(
        [
            NotebookReport("01.ipynb", "ok", 3.0, {"a": 1}),
            NotebookReport("02.ipynb", "failed", 1.0, error="ValueError: x"),
        ]
    )
    assert "1 ok, 1 failed" in table and "ValueError" in table


def _tiny_notebook(path, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("FAST = False\nSIZE = 2")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)


@pytest.mark.notebooks
def test_run_course_goes_on_after_a_failure_and_passes_parameters(tmp_path, capsys):
    from course_utils.harness.cli import main
    from course_utils.harness.runner import run_course

    _tiny_notebook(tmp_path / "01_fails.ipynb", "raise RuntimeError('broken on purpose')")
    _tiny_notebook(tmp_path / "02_works.ipynb", "import course_utils as cu\ncu.record('size', SIZE)")
    paths = [str(tmp_path / "01_fails.ipynb"), str(tmp_path / "02_works.ipynb")]
    build = tmp_path / "build"
    assert run_course(paths, fast=True, build=build, parameters={"SIZE": 5}) == 1
    report = json.loads((build / "results.json").read_text())
    failed, worked = report["notebooks"]["01_fails.ipynb"], report["notebooks"]["02_works.ipynb"]
    assert failed["status"] == "failed" and "broken on purpose" in failed["error"]
    assert "raise RuntimeError" in failed["failing_source"]
    assert worked["status"] == "ok" and worked["results"] == {"size": 5}
    assert report["parameters"] == {"SIZE": 5}
    assert (build / "html" / "02_works.html").is_file() and (build / "executed" / "01_fails.ipynb").is_file()
    assert "1 ok, 1 failed" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["run", paths[1], "-p", "SIZE"])  # not NAME=VALUE: a usage error, nothing runs


def test_parse_parameter():
    from course_utils.harness.runner import parse_parameter

    assert parse_parameter("EPOCHS=3") == ("EPOCHS", 3)
    assert parse_parameter("DATASET=offline") == ("DATASET", "offline")
    assert parse_parameter("SIZES=[100, 300]") == ("SIZES", [100, 300])
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_parameter("3=EPOCHS")
