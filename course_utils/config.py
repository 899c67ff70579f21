"""Where the course keeps its files, and the switches it reads from the environment.

Environment variables (all optional):

``COURSE_DATA_DIR``
    Download cache. Default: ``data/`` in the project root.
``COURSE_DATA_MIRROR``
    A directory or URL prefix tried before the public servers, laid out like the cache
    (``mnist/train-images-idx3-ubyte.gz`` ...). Useful in a classroom without internet.
``COURSE_FAST``
    ``1`` turns every notebook's fast mode on (used by CI and nbval).
``COURSE_HEADLESS``
    ``1`` when no one is looking at the notebook (papermill, nbval, CI): interactive widgets
    are skipped and their default setting is drawn as a static figure.

A relative path in ``COURSE_DATA_DIR`` or ``COURSE_DATA_MIRROR`` is taken from the project
root, not from the working folder, so that it means the same in a shell at the root and in a
notebook kernel (which runs in ``notebooks/``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def _from_project_root(value: str) -> Path:
    """``value`` as a path, relative ones taken from the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(PROJECT_ROOT / path))


def data_dir() -> Path:
    """The download cache directory (created if missing)."""
    value = os.environ.get("COURSE_DATA_DIR", "").strip()
    path = _from_project_root(value) if value else PROJECT_ROOT / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_mirror() -> str | None:
    """The local mirror (directory or URL prefix) to try first, or ``None``."""
    value = os.environ.get("COURSE_DATA_MIRROR", "").strip()
    if not value:
        return None
    if "://" in value:
        return value
    return str(_from_project_root(value))


def fast_mode(fast: bool = False) -> bool:
    """True when a notebook should run in fast mode.

    A notebook passes its own ``FAST`` parameter; ``COURSE_FAST=1`` in the environment
    switches fast mode on as well (nbval cannot inject papermill parameters).
    """
    return bool(fast) or os.environ.get("COURSE_FAST", "").strip().lower() in _TRUE


def headless() -> bool:
    """True when the notebook runs without a person at a frontend (``COURSE_HEADLESS=1``)."""
    return os.environ.get("COURSE_HEADLESS", "").strip().lower() in _TRUE
