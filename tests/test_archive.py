"""Safe extraction refuses members that would leave the target folder."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from course_utils.data.archive import UnsafeArchiveError, safe_extract


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tf:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, data
                tf.addfile(info)
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, data
                tf.addfile(info)
    return path


def test_good_tar_is_extracted(tmp_path):
    archive = _tar(
        tmp_path / "good.tgz",
        [("pics/a.txt", "file", b"a"), ("pics/b/c.txt", "file", b"c"), ("pics/link.txt", "symlink", "a.txt")],
    )
    out = safe_extract(archive, tmp_path / "out")
    assert (out / "pics" / "a.txt").read_bytes() == b"a"
    assert (out / "pics" / "b" / "c.txt").read_bytes() == b"c"


@pytest.mark.parametrize(
    "member, match",
    [
        (("../evil.txt", "file", b"x"), "traversal"),
        (("pics/../../evil.txt", "file", b"x"), "traversal"),
        (("/etc/evil.txt", "file", b"x"), "absolute"),
        (("pics/escape", "symlink", "../../outside"), "link"),
        (("pics/abs", "symlink", "/etc/passwd"), "link"),
        (("pics/hard", "hardlink", "../../outside"), "link"),
    ],
)
def test_unsafe_tar_is_refused_and_nothing_written(tmp_path, member, match):
    archive = _tar(tmp_path / "bad.tgz", [("pics/ok.txt", "file", b"ok"), member])
    with pytest.raises(UnsafeArchiveError, match=match):
        safe_extract(archive, tmp_path / "out")
    assert list((tmp_path / "out").rglob("*")) == []
    assert not (tmp_path / "evil.txt").exists()


def test_zip_traversal_is_refused(tmp_path):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ok.txt", "ok")
        zf.writestr("../evil.txt", "x")
    with pytest.raises(UnsafeArchiveError):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "out" / "ok.txt").exists()


def test_good_zip_is_extracted(tmp_path):
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("d/ok.txt", "ok")
    assert (safe_extract(archive, tmp_path / "out") / "d" / "ok.txt").read_text() == "ok"
