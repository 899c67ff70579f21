"""What the checker tests share: the untouched starter, and asserting a failure with its hint."""

from __future__ import annotations

from course_utils.checks import FAILED


def starter(*args, **kwargs):
    """An exercise's function as the student edition hands it out."""
    raise NotImplementedError()


def assert_failed(verdict, *phrases: str) -> None:
    """The verdict is a failure whose message contains every phrase (the hint a learner reads)."""
    assert verdict.status == FAILED, verdict
    for phrase in phrases:
        assert phrase in verdict.message, verdict
