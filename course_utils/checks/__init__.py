"""Checks for the exercises: a verdict a learner can act on, never a bare traceback.

Each notebook's checkers live in ``course_utils.checks.nbNN`` and are called from the exercise's
check cell, e.g. ``check.ex04_dilation(conv2d_dilated)``. A checker compares the learner's answer
with references computed at check time (TensorFlow, ``GradientTape``, scikit-learn, the course's
own lesson functions), never with a stored solution, and returns a :class:`Verdict`:

- ``passed``: ✓ and what was checked;
- ``not done``: the starter is untouched (``NotImplementedError`` or an answer left at ``None``);
- ``failed``: which case failed, and a hint (shape, dtype, configuration, largest error and tolerance).

With ``COURSE_STRICT_CHECKS=1`` a verdict other than ``passed`` also raises ``AssertionError``, so
that an autograder that scores cells by whether they raise (nbgrader's ``autograde``) can use the
check cells as graded cells.
"""

from __future__ import annotations

import numbers
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CHECK_MIME = "application/vnd.course-check+json"
PASSED, NOT_DONE, FAILED = "passed", "not done", "failed"
_SYMBOL = {PASSED: "✓", NOT_DONE: "…", FAILED: "✗"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one exercise's check."""

    exercise: str
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        head = {PASSED: "passed", NOT_DONE: "not done yet", FAILED: "not right yet"}[self.status]
        return f"{_SYMBOL[self.status]} Exercise {self.exercise}: {head}. {self.message}".rstrip()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": str(self), CHECK_MIME: {"exercise": self.exercise, "status": self.status}}

    def __repr__(self) -> str:
        return str(self)


class CaseFailed(Exception):
    """Raised inside a checker when one case is wrong; its message names the case and the hint."""


def passed(exercise: str, message: str) -> Verdict:
    return Verdict(exercise, PASSED, message)


def not_done(exercise: str, message: str = "Replace the starter's `raise NotImplementedError()` or `None`.") -> Verdict:
    return Verdict(exercise, NOT_DONE, message)


def failed(exercise: str, message: str) -> Verdict:
    return Verdict(exercise, FAILED, message)


def strict() -> bool:
    """True when failed or unfinished checks must raise (``COURSE_STRICT_CHECKS=1``)."""
    return os.environ.get("COURSE_STRICT_CHECKS", "").strip().lower() in {"1", "true", "yes", "on"}


def run_check(exercise: str, body: Callable[[], str]) -> Verdict:
    """Run ``body`` (which returns the success message) and turn what happens into a verdict.

    ``NotImplementedError`` means the starter is untouched; :class:`CaseFailed` carries the hint;
    any other exception raised by the learner's code is reported with its type, message and the
    line of the learner's code where it happened.
    """
    try:
        verdict = passed(exercise, body())
    except NotImplementedError:
        verdict = not_done(exercise)
    except CaseFailed as error:
        verdict = failed(exercise, str(error))
    except Exception as error:  # the learner's code raised: say what and where, no traceback
        frames = [f for f in traceback.extract_tb(error.__traceback__) if "course_utils" not in f.filename]
        where = f" (line {frames[-1].lineno}: `{frames[-1].line}`)" if frames and frames[-1].line else ""
        verdict = failed(exercise, f"your code raised {type(error).__name__}: {error}{where}")
    if strict() and not verdict.ok:
        raise AssertionError(str(verdict))
    return verdict


def require(condition: bool, message: str) -> None:
    """Fail the current case with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CaseFailed(message)


def answered(value, exercise: str) -> None:
    """An answer left at ``None`` means the exercise is not done."""
    if value is None:
        raise NotImplementedError(exercise)


def direction(got: float, expected: float) -> str:
    """'too high' or 'too low': the hint for a wrong number, without giving the number away."""
    return "too high" if got > expected else "too low"


def whole_numbers(answer, count: int, what: str) -> list[int]:
    """The answer as ``count`` whole numbers, or a hint saying what shape it should have."""
    if isinstance(answer, numbers.Number) or not hasattr(answer, "__len__") or len(answer) != count:
        raise CaseFailed(f"give {count} whole numbers in a tuple: {what}")
    values = []
    for value in answer:
        require(
            isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer(),
            f"{value!r} is not a whole number: give {what}",
        )
        values.append(int(value))
    return values


def count_weights(weights) -> int:
    """How many numbers a list of weight tensors holds (e.g. a model's ``trainable_weights``)."""
    return int(sum(int(np.prod(w.shape)) for w in weights))


def compare_arrays(got, expected, *, case: str, atol: float = 1e-6, rtol: float = 1e-6, name: str = "result") -> None:
    """Fail with a hint unless ``got`` matches ``expected`` in shape and values (dtype kind too)."""
    expected = np.asarray(expected)
    if got is None:
        raise CaseFailed(f"{case}: {name} is None; did you forget a `return`?")
    try:
        got = np.asarray(got)
    except Exception as error:  # e.g. a ragged list
        raise CaseFailed(f"{case}: {name} is not an array ({type(got).__name__}): {error}") from None
    if got.shape != expected.shape:
        raise CaseFailed(f"{case}: {name} has shape {got.shape}, expected {expected.shape}")
    if expected.dtype.kind == "f" and got.dtype.kind not in "fc":
        raise CaseFailed(f"{case}: {name} has dtype {got.dtype}, expected floating point like {expected.dtype}")
    if not np.all(np.isfinite(got)):
        raise CaseFailed(f"{case}: {name} holds NaN or inf")
    error = float(np.max(np.abs(got - expected))) if got.size else 0.0
    tolerance = atol + rtol * float(np.max(np.abs(expected))) if expected.size else atol
    if error > tolerance:
        where = np.unravel_index(int(np.argmax(np.abs(got - expected))), got.shape) if got.size else ()
        raise CaseFailed(
            f"{case}: {name} differs from the reference by up to {error:.3g} (tolerance {tolerance:.3g}), "
            f"largest at index {tuple(int(i) for i in where)}: yours {got[where]!r}, reference {expected[where]!r}"
        )


def verdicts_from_notebook(nb) -> list[dict]:
    """Every check verdict displayed in an executed notebook: ``{"exercise", "status"}`` dicts."""
    found = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if CHECK_MIME in data:
                found.append(dict(data[CHECK_MIME]))
    return found
