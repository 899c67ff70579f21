"""Lesson code, generated from the notebooks' ``#| export`` cells. Do not edit.

Regenerate with ``python -m course_utils export``.
"""
