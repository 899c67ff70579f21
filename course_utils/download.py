"""Download, verify and cache the files in the registry.

``fetch(name)`` returns a verified local path. It tries the local mirror first
(``COURSE_DATA_MIRROR``), then each public source in turn. A download goes to a temporary
file next to its destination, is checked for size and SHA-256, and only then is moved into
place (atomically), so no partial or unverified file is ever left where a later run would use
it. A file lock makes two processes fetching the same file at once both end with the right file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock
from tqdm.auto import tqdm

from . import config
from .registry import RemoteFile, get

CHUNK = 1 << 16
TIMEOUT_S = 30.0


class DownloadError(RuntimeError):
    """No source gave a verified copy of a file."""


def sha256_of(path: Path | str, *, decompress: bool = False) -> str:
    """SHA-256 of a file (of its gunzipped content if ``decompress``)."""
    digest = hashlib.sha256()
    opener = gzip.open if decompress else open
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(entry: RemoteFile, path: Path | str) -> str | None:
    """Check a local file against the registry. Returns ``None`` if good, else why not."""
    path = Path(path)
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if size == entry.size and sha256_of(path) == entry.sha256:
        return None
    if entry.content_sha256 is not None:
        try:
            if sha256_of(path, decompress=True) == entry.content_sha256:
                return None  # same content, recompressed (e.g. a Linux distribution's copy)
        except (OSError, EOFError, gzip.BadGzipFile):
            pass
    if size != entry.size:
        hint = " (truncated?)" if size < entry.size else ""
        return f"size {size:,} bytes, expected {entry.size:,}{hint}"
    return f"SHA-256 {sha256_of(path)[:16]}..., expected {entry.sha256[:16]}..."


def cached_path(entry: RemoteFile | str, data_dir: Path | str | None = None) -> Path:
    """Where a file lives in the cache (whether or not it is there yet)."""
    entry = get(entry) if isinstance(entry, str) else entry
    root = Path(data_dir) if data_dir is not None else config.data_dir()
    return root / entry.relpath


def sources(entry: RemoteFile, mirror: str | None = None) -> list[str]:
    """Every place a file is tried, in order: the mirror first, then the public URLs."""
    found = []
    if mirror:
        if "://" in mirror:
            found.append(mirror.rstrip("/") + "/" + entry.relpath)
        else:
            found.append(str(Path(mirror).expanduser() / entry.relpath))
    found.extend(entry.urls)
    return found


def _open_source(source: str) -> tuple[BinaryIO, int | None]:
    if "://" not in source:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"not in the mirror: {path}")
        return path.open("rb"), path.stat().st_size
    request = urllib.request.Request(source, headers={"User-Agent": "mnist-to-imagenet-course"})
    response = urllib.request.urlopen(request, timeout=TIMEOUT_S)  # noqa: S310 (http/https/file)
    length = response.headers.get("Content-Length")
    return response, int(length) if length else None


def _copy_to_temp(source: str, entry: RemoteFile, folder: Path, progress: bool) -> Path:
    handle, length = _open_source(source)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{entry.filename}.", suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with (
            handle,
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=length or entry.size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=entry.filename,
                disable=not progress,
                leave=False,
            ) as bar,
        ):
            for block in iter(lambda: handle.read(CHUNK), b""):
                out.write(block)
                bar.update(len(block))
        return tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _failure_message(entry: RemoteFile, dest: Path, failures: list[tuple[str, str]]) -> str:
    lines = [
        f"could not get a verified copy of {entry.name!r} ({entry.filename}, {entry.size:,} bytes, "
        f"SHA-256 {entry.sha256}).",
        "Sources tried:",
    ]
    lines += [f"  - {source}: {why}" for source, why in failures] or ["  (none)"]
    lines += [
        "To fix it by hand: download the file from any source above on a machine with internet,",
        f"then put it at {dest}",
        f"(or set COURSE_DATA_MIRROR to a folder that holds it as {entry.relpath}) and run again.",
    ]
    return "\n".join(lines)


def fetch(
    name: RemoteFile | str,
    *,
    data_dir: Path | str | None = None,
    mirror: str | None = None,
    progress: bool = True,
) -> Path:
    """Return a verified local copy of a registry file, downloading it if needed.

    Args:
        name: a registry name (``"mnist/train-images"``) or a :class:`RemoteFile`.
        data_dir: cache directory; default ``COURSE_DATA_DIR`` or ``data/``.
        mirror: directory or URL prefix tried first; default ``COURSE_DATA_MIRROR``.
        progress: show a progress bar while copying.

    Raises:
        DownloadError: when no source gives a file with the right size and SHA-256.
    """
    entry = get(name) if isinstance(name, str) else name
    mirror = config.data_mirror() if mirror is None else mirror
    dest = cached_path(entry, data_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest.parent / f".{entry.filename}.lock")):
        problem = verify(entry, dest)
        if problem is None:
            return dest
        if problem != "missing":
            dest.unlink()  # went corrupt in the cache: fetch it again
        failures: list[tuple[str, str]] = []
        if problem != "missing":
            failures.append((f"cache {dest}", f"{problem}; deleted"))
        for source in sources(entry, mirror):
            try:
                tmp = _copy_to_temp(source, entry, dest.parent, progress)
            except (OSError, urllib.error.URLError, ValueError) as error:
                failures.append((source, _describe(error)))
                continue
            problem = verify(entry, tmp)
            if problem is None:
                os.chmod(tmp, 0o644)
                os.replace(tmp, dest)
                return dest
            tmp.unlink(missing_ok=True)
            failures.append((source, problem))
        raise DownloadError(_failure_message(entry, dest, failures))


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"unreachable ({error.reason})"
    return f"{type(error).__name__}: {error}"


def is_cached(name: RemoteFile | str, data_dir: Path | str | None = None) -> bool:
    """True if a verified copy is already in the cache (no network used)."""
    entry = get(name) if isinstance(name, str) else name
    return verify(entry, cached_path(entry, data_dir)) is None


def fetch_all(names: Iterable[str], **kwargs) -> dict[str, Path]:
    """Fetch several files; returns name -> path."""
    return {name: fetch(name, **kwargs) for name in names}


def copy_into(path: Path, target: Path) -> Path:
    """Copy a verified file to where another library expects it (e.g. Keras's cache)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    shutil.copyfile(path, tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target
