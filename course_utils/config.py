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
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """The download cache directory (created if missing)."""
    path = Path(os.environ.get("COURSE_DATA_DIR") or PROJECT_ROOT / "data").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_mirror() -> str | None:
    """The local mirror (directory or URL prefix) to try first, or ``None``."""
    value = os.environ.get("COURSE_DATA_MIRROR", "").strip()
    return value or None


def fast_mode(fast: bool = False) -> bool:
    """True when a notebook should run in fast mode.

    A notebook passes its own ``FAST`` parameter; ``COURSE_FAST=1`` in the environment
    switches fast mode on as well (nbval cannot inject papermill parameters).
    """
    return bool(fast) or os.environ.get("COURSE_FAST", "").strip().lower() in _TRUE


def headless() -> bool:
    """True when the notebook runs without a person at a frontend (``COURSE_HEADLESS=1``)."""
    return os.environ.get("COURSE_HEADLESS", "").strip().lower() in _TRUE
