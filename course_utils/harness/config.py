"""Where the course keeps its files, and the switches it reads from the environment.

Environment variables (all optional):

``COURSE_DATA_DIR``
    Download cache. Default: ``data/`` in the project root. It must be a folder this user can
    write to (it is created if missing); otherwise :class:`DataDirError` says what is wrong.
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

PROJECT_ROOT = Path(__file__).resolve().parents[2]

_TRUE = {"1", "true", "yes", "on"}


def _from_project_root(value: str) -> Path:
    """``value`` as a path, relative ones taken from the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(PROJECT_ROOT / path))


class DataDirError(OSError):
    """The download cache cannot be used: its path is a file, or cannot be created or written."""


_SET_DATA_DIR = "Set COURSE_DATA_DIR to a folder you can write to (it is created if missing)"


def writable_folder(path: Path, named_by: str, fix: str = _SET_DATA_DIR) -> Path:
    """Create ``path`` if missing and check that files can be written in it; return it.

    Raises:
        DataDirError: naming ``named_by`` (where the path came from), the path, what is wrong
            and ``fix`` (what to do), instead of a bare ``NotADirectoryError`` or ``PermissionError``.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        problem = None if os.access(path, os.W_OK | os.X_OK) else "is a folder this user cannot write to"
    except FileExistsError:
        problem = "is a file, not a folder"
    except NotADirectoryError:
        problem = "cannot be created: part of that path is a file, not a folder"
    except OSError as error:
        problem = f"cannot be created ({error.strerror or error})"
    if problem is None:
        return path
    raise DataDirError(f"{named_by} names {path}, which {problem}.\n{fix}.")


def data_dir() -> Path:
    """The download cache directory (created if missing).

    Raises:
        DataDirError: the folder is a file, or cannot be created or written; the message says
            which variable, which path, and what to do.
    """
    value = os.environ.get("COURSE_DATA_DIR", "").strip()
    default = PROJECT_ROOT / "data"
    if not value:
        return writable_folder(default, "the default download cache (COURSE_DATA_DIR is unset)")
    return writable_folder(
        _from_project_root(value), f"COURSE_DATA_DIR={value!r}", f"{_SET_DATA_DIR}, or unset it to use {default}"
    )


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
