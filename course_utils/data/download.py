"""Download, verify and cache the files in the registry.

``fetch(name)`` returns a verified local path. It tries the local mirror first
(``COURSE_DATA_MIRROR``), then each public source in turn. A download goes to a temporary
file next to its destination, is checked for size and hash, and only then is moved into
place (atomically), so no partial or unverified file is ever left where a later run would use
it. A file lock makes two processes fetching the same file at once both end with the right file.
A source is cut off as soon as it sends more bytes than the registry allows, and a download
has an overall deadline besides the timeout of each read, so a broken or hostile server can
neither fill the disk nor hang a notebook.

pooch was weighed for this and not used: it takes one URL per file and checks only the hash of
the bytes downloaded, so the mirror-first list of sources, the hash of decompressed content,
the size cap, the deadline and the error naming every source would all be custom code around
it, leaving it only the temporary-file-and-hash step (and its Untar checks no member paths
before Python 3.12).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock
from tqdm.auto import tqdm

from course_utils.data.registry import RemoteFile, get
from course_utils.harness import config

CHUNK = 1 << 16
TIMEOUT_S = 30.0  # to connect, and for each read
MIN_BYTES_PER_S = 50_000  # a download slower than this on average is abandoned ...
MIN_DEADLINE_S = 120.0  # ... but never before this many seconds


class DownloadError(RuntimeError):
    """No source gave a verified copy of a file."""


class SourceRejected(OSError):
    """A source sent too many bytes, or did not finish before the deadline."""


def digest_of(path: Path | str, algorithm: str = "sha256") -> str:
    """Hex digest of a file (``algorithm``: any name :func:`hashlib.new` knows)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _content_matches(entry: RemoteFile, path: Path) -> bool:
    """Whether a gzip file's content is the registry's, reading no more than that content's size + 1."""
    digest, seen = hashlib.sha256(), 0
    try:
        with gzip.open(path, "rb") as handle:
            while block := handle.read(min(1 << 20, entry.content_size + 1 - seen)):
                digest.update(block)
                seen += len(block)
    except (OSError, EOFError):  # not gzip, or truncated (gzip.BadGzipFile is an OSError)
        return False
    return seen == entry.content_size and digest.hexdigest() == entry.content_sha256


def verify(entry: RemoteFile, path: Path | str) -> str | None:
    """Check a local file against the registry. Returns ``None`` if good, else why not.

    A file is good when it has the registry's size and SHA-256 (or, for files published with
    only an MD5, that MD5), or when its decompressed content has the registry's content SHA-256.
    """
    path = Path(path)
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if size == entry.size:
        if entry.sha256 and digest_of(path) == entry.sha256:
            return None
        if not entry.sha256 and entry.md5 and digest_of(path, "md5") == entry.md5:
            return None
    if entry.content_sha256 is not None and size <= entry.max_bytes and _content_matches(entry, path):
        return None  # same content, recompressed (e.g. a Linux distribution's copy)
    if size != entry.size:
        hint = " (truncated?)" if size < entry.size else ""
        return f"size {size:,} bytes, expected {entry.size:,}{hint}"
    if entry.sha256:
        return f"SHA-256 {digest_of(path)[:16]}..., expected {entry.sha256[:16]}..."
    return f"MD5 {digest_of(path, 'md5')} differs from the publisher's {entry.md5}"


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


def deadline_for(entry: RemoteFile) -> float:
    """Seconds a download of ``entry`` may take in all: its size at :data:`MIN_BYTES_PER_S`."""
    return max(MIN_DEADLINE_S, entry.max_bytes / MIN_BYTES_PER_S)


def server_answers(url: str, timeout: float = 3.0) -> bool:
    """Whether the host of ``url`` accepts a TCP connection within ``timeout`` s (nothing is sent)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def _open_source(source: str) -> tuple[BinaryIO, int | None]:
    if "://" not in source:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"not in the mirror: {path}")
        return path.open("rb"), path.stat().st_size
    request = urllib.request.Request(source, headers={"User-Agent": "mnist-to-imagenet-course"})
    response = urllib.request.urlopen(request, timeout=TIMEOUT_S)  # the URL scheme is http, https or file
    length = response.headers.get("Content-Length")
    return response, int(length) if length and length.isdigit() else None


def copy_capped(
    reader: BinaryIO,
    writer: BinaryIO,
    *,
    limit: int,
    deadline_s: float,
    on_block: Callable[[int], object] | None = None,
) -> int:
    """Copy ``reader`` to ``writer``; return the number of bytes copied.

    Reads at most ``limit + 1`` bytes: one more than allowed shows the source sends too much.
    The deadline is checked after each read (each read has its own timeout), taking whatever
    bytes have arrived rather than waiting for a full block.

    Raises:
        SourceRejected: more than ``limit`` bytes, or not finished within ``deadline_s`` seconds.
    """
    read = reader.read1 if hasattr(reader, "read1") else reader.read
    started = time.monotonic()
    copied = 0
    while block := read(min(CHUNK, limit + 1 - copied)):
        writer.write(block)
        copied += len(block)
        if on_block is not None:
            on_block(len(block))
        if copied > limit:
            raise SourceRejected(f"sent more than the expected {limit:,} bytes; stopped reading")
        if time.monotonic() - started > deadline_s:
            raise SourceRejected(f"deadline of {deadline_s:g} s passed with {copied:,} of {limit:,} bytes received")
    return copied


def _copy_to_temp(source: str, entry: RemoteFile, folder: Path, progress: bool, deadline_s: float) -> Path:
    handle, length = _open_source(source)
    with handle:
        if length is not None and length > entry.max_bytes:
            raise SourceRejected(f"announces {length:,} bytes, more than the expected {entry.max_bytes:,}; not read")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{entry.filename}.", suffix=".part", dir=folder)
        tmp = Path(tmp_name)
        try:
            with (
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
                copy_capped(handle, out, limit=entry.max_bytes, deadline_s=deadline_s, on_block=bar.update)
            return tmp
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _expected(entry: RemoteFile) -> str:
    return f"SHA-256 {entry.sha256}" if entry.sha256 else f"MD5 {entry.md5}"


def _failure_message(entry: RemoteFile, dest: Path, failures: list[tuple[str, str]]) -> str:
    lines = [
        f"could not get a verified copy of {entry.name!r}"
        f" ({entry.filename}, {entry.size:,} bytes, {_expected(entry)}).",
        "Sources tried:",
    ]
    lines += [f"  - {source}: {why}" for source, why in failures] or ["  (none)"]
    lines += [
        "To fix it by hand: download the file from any source above on a machine with internet,",
        f"then put it at {dest}",
        f"(or set COURSE_DATA_MIRROR to a folder that holds it as {entry.relpath}) and run again.",
    ]
    return "\n".join(lines)


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"unreachable ({error.reason})"
    if isinstance(error, SourceRejected):
        return str(error)
    return f"{type(error).__name__}: {error}"


def fetch(
    name: RemoteFile | str,
    *,
    data_dir: Path | str | None = None,
    mirror: str | None = None,
    progress: bool = True,
    deadline_s: float | None = None,
) -> Path:
    """Return a verified local copy of a registry file, downloading it if needed.

    Args:
        name: a registry name (``"mnist/train-images"``) or a :class:`RemoteFile`.
        data_dir: cache directory; default ``COURSE_DATA_DIR`` or ``data/``.
        mirror: directory or URL prefix tried first; default ``COURSE_DATA_MIRROR``.
        progress: show a progress bar while copying.
        deadline_s: the longest one source may take in all; default :func:`deadline_for`.

    Raises:
        DownloadError: when no source gives a file with the right size and hash.
        config.DataDirError: when the cache folder cannot be created or written.
    """
    entry = get(name) if isinstance(name, str) else name
    mirror = config.data_mirror() if mirror is None else mirror
    deadline_s = deadline_for(entry) if deadline_s is None else deadline_s
    dest = cached_path(entry, data_dir)
    config.writable_folder(
        dest.parent,
        f"the cache folder of {entry.name!r}",
        "Move what is in the way, or choose another cache folder (COURSE_DATA_DIR, or fetch's data_dir)",
    )
    with FileLock(str(dest.parent / f".{entry.filename}.lock")):
        problem = verify(entry, dest)
        if problem is None:
            return dest
        failures: list[tuple[str, str]] = []
        if problem != "missing":
            dest.unlink()  # went corrupt in the cache: fetch it again
            failures.append((f"cache {dest}", f"{problem}; deleted"))
        for source in sources(entry, mirror):
            try:
                tmp = _copy_to_temp(source, entry, dest.parent, progress, deadline_s)
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


def is_cached(name: RemoteFile | str, data_dir: Path | str | None = None) -> bool:
    """True if a verified copy is already in the cache (no network used)."""
    entry = get(name) if isinstance(name, str) else name
    return verify(entry, cached_path(entry, data_dir)) is None


def copy_into(path: Path, target: Path) -> Path:
    """Copy a verified file to where another library expects it (e.g. Keras's cache)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    shutil.copyfile(path, tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target
