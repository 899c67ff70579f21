"""The exercise-check core: verdicts, hints, and what a learner's exception turns into."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import checks


def test_a_passing_body_passes_and_displays_a_tick():
    verdict = checks.run_check("04.1 demo", lambda: "all 3 cases agree")
    assert verdict.ok and verdict.status == checks.PASSED
    bundle = verdict._repr_mimebundle_()
    assert bundle["text/plain"].startswith("✓ Exercise 04.1 demo: passed")
    assert bundle[checks.CHECK_MIME] == {"exercise": "04.1 demo", "status": "passed"}


def test_an_untouched_starter_is_not_done():
    def starter():
        raise NotImplementedError()

    verdict = checks.run_check("04.1 demo", lambda: starter())
    assert verdict.status == checks.NOT_DONE and "not done yet" in str(verdict)


def test_a_none_answer_is_not_done():
    def body():
        checks.answered(None, "04.1")
        return "never"

    assert checks.run_check("04.1", body).status == checks.NOT_DONE


def test_a_learners_exception_is_reported_with_its_line_not_a_traceback():
    def learners_code():
        return [1, 2][5]

    verdict = checks.run_check("04.1", lambda: learners_code())
    assert verdict.status == checks.FAILED
    assert "IndexError" in verdict.message and "return [1, 2][5]" in verdict.message
    assert "Traceback" not in verdict.message


@pytest.mark.parametrize(
    ("got", "phrase"),
    [
        (None, "forget a `return`"),
        (np.zeros((2, 4)), "shape (2, 4), expected (2, 3)"),
        (np.zeros((2, 3), dtype=int), "dtype int64"),
        (np.full((2, 3), np.nan), "NaN"),
        (np.ones((2, 3)), "differs from the reference by up to 1"),
    ],
)
def test_compare_arrays_names_what_is_wrong(got, phrase):
    with pytest.raises(checks.CaseFailed, match="case A") as info:
        checks.compare_arrays(got, np.zeros((2, 3)), case="case A")
    assert phrase in str(info.value)


def test_compare_arrays_accepts_agreement_within_tolerance():
    checks.compare_arrays(np.full(3, 1e-9), np.zeros(3), case="c", atol=1e-8)


def test_verdicts_are_read_back_from_a_notebook():
    nb = {"cells": [{"outputs": [{"data": {checks.CHECK_MIME: {"exercise": "1", "status": "passed"}}}]}]}
    assert checks.verdicts_from_notebook(nb) == [{"exercise": "1", "status": "passed"}]


def test_strict_mode_raises_for_an_autograder(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    assert checks.run_check("1", lambda: "fine").ok
    with pytest.raises(AssertionError, match="not done yet"):
        checks.run_check("1", lambda: checks.answered(None, "1"))
