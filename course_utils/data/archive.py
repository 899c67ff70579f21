"""Safe extraction of downloaded archives (``.tar``, ``.tar.gz``, ``.tgz``, ``.zip``).

Every member is checked before anything is written: absolute paths, ``..`` components,
links that point outside the target folder, and device files are refused.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath


class UnsafeArchiveError(ValueError):
    """An archive member would land outside the target folder."""


def _check_name(name: str, root: Path) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"absolute path in archive: {name!r}")
    if ".." in pure.parts:
        raise UnsafeArchiveError(f"path traversal ('..') in archive: {name!r}")
    target = (root / pure).resolve()
    if not target.is_relative_to(root):
        raise UnsafeArchiveError(f"member would leave the target folder: {name!r}")
    return target


def _check_tar_member(member: tarfile.TarInfo, root: Path) -> None:
    target = _check_name(member.name, root)
    if member.issym() or member.islnk():
        base = target.parent if member.issym() else root
        link = PurePosixPath(member.linkname)
        if link.is_absolute():
            raise UnsafeArchiveError(f"link to an absolute path: {member.name!r} -> {member.linkname!r}")
        if not (base / link).resolve().is_relative_to(root):
            raise UnsafeArchiveError(f"link leaves the target folder: {member.name!r} -> {member.linkname!r}")
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"special file in archive: {member.name!r}")


def safe_extract(archive: Path | str, dest: Path | str) -> Path:
    """Extract ``archive`` into ``dest`` after checking every member; returns ``dest``.

    Raises:
        UnsafeArchiveError: a member is absolute, climbs out with ``..``, is a link leaving
            ``dest``, or is a device file. Nothing is extracted in that case.
    """
    archive, dest = Path(archive), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                _check_name(info.filename, root)
                mode = (info.external_attr >> 16) & 0o170000
                if mode == 0o120000:
                    raise UnsafeArchiveError(f"link in zip archive: {info.filename!r}")
            zf.extractall(root)
        return dest
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        for member in members:
            _check_tar_member(member, root)
        kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tf.extractall(root, members=members, **kwargs)  # members were checked above
    return dest


__all__ = ["UnsafeArchiveError", "safe_extract"]
