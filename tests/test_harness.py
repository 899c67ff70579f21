"""record() and the runner's collection of results."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from course_utils.harness import RESULT_MIME, _plain, record, results_from_notebook
from course_utils.runner import NotebookReport, summary_table


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
    table = summary_table([NotebookReport("01.ipynb", "ok", 3.0, {"a": 1}),
                           NotebookReport("02.ipynb", "failed", 1.0, error="ValueError: x")])
    assert "1 ok, 1 failed" in table and "ValueError" in table
