"""The checker for a run's build/results.json applies the right bounds and reports failures."""

from __future__ import annotations

import json

from check_results import main, problems_in
from notebook_bounds import FULL_BOUNDS


def _report(fast: bool, status: str = "ok", **results) -> dict:
    return {"fast": fast, "notebooks": {"05_fcn_and_cnn_on_mnist.ipynb": {"status": status, "results": results}}}


def _inside(bound: object) -> object:
    """A value within ``bound``: the middle of a range (or next to its open end), or the exact value."""
    if isinstance(bound, tuple):
        low, high = bound
        return low if high is None else (high if low is None else (low + high) / 2)
    return bound


def test_full_run_is_checked_against_full_bounds():
    good = {name: _inside(bound) for name, bound in FULL_BOUNDS["05_fcn_and_cnn_on_mnist"].items()}
    assert "fcn_test_accuracy" in good
    assert problems_in(_report(False, **good)) == []
    low = problems_in(_report(False, **{**good, "fcn_test_accuracy": 0.96}))
    assert len(low) == 1 and "fcn_test_accuracy = 0.96" in low[0]


def test_fast_run_uses_fast_bounds_and_missing_values_fail():
    problems = problems_in(_report(True, fcn_test_accuracy=0.96))
    assert any("cnn_test_accuracy = <not recorded>" in p for p in problems)
    assert not any(p.startswith("05_fcn_and_cnn_on_mnist: fcn_test_accuracy") for p in problems)


def test_a_failed_notebook_is_a_problem_and_main_exits_nonzero(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(_report(False, status="failed")))
    assert main([str(path)]) == 1
    assert "did not run" in capsys.readouterr().out
