"""Image-folder datasets: registered archives, safe extraction, the offline folder."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import imagefolders
from course_utils.data.archive import UnsafeArchiveError
from course_utils.data.registry import REGISTRY, RemoteFile

SHARED_MIRROR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _entry(payload: bytes, name="test/imagenette") -> RemoteFile:
    return RemoteFile(
        name=name,
        relpath="imagenette/tiny-imagenette.tgz",
        urls=(),
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
    )


def _mirror(tmp_path, payload: bytes) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "imagenette").mkdir(parents=True)
    (mirror / "imagenette" / "tiny-imagenette.tgz").write_bytes(payload)
    return mirror


def test_registered_with_published_sizes():
    assert REGISTRY["imagenette/imagenette2-160"].size == 99_003_388
    assert REGISTRY["imagenette/imagenette2-160"].urls == (
        "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz",
    )
    assert REGISTRY["flowers/flower_photos"].size == 228_813_984
    assert REGISTRY["flowers/flower_photos"].sha256.startswith("4c54ace7")


def test_archive_is_extracted_once(tmp_path):
    payload = _tgz({"imagenette2-160/train/n01440764/a.JPEG": b"a", "imagenette2-160/val/n01440764/b.JPEG": b"b"})
    kwargs = {"data_dir": tmp_path / "cache", "mirror": str(_mirror(tmp_path, payload)), "progress": False}
    root = imagefolders.extract_archive(_entry(payload), **kwargs)
    assert (root / "imagenette2-160" / "train" / "n01440764" / "a.JPEG").read_bytes() == b"a"
    (root / "imagenette2-160" / "extra").write_text("kept")  # a second call does not extract again
    assert imagefolders.extract_archive(_entry(payload), **kwargs) == root
    assert (root / "imagenette2-160" / "extra").exists()


def test_unsafe_archive_is_refused(tmp_path):
    payload = _tgz({"ok/a.JPEG": b"a", "../../escaped.txt": b"x"})
    kwargs = {"data_dir": tmp_path / "cache", "mirror": str(_mirror(tmp_path, payload)), "progress": False}
    with pytest.raises(UnsafeArchiveError):
        imagefolders.extract_archive(_entry(payload), **kwargs)
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not (tmp_path / "cache" / "imagenette" / "tiny-imagenette" / ".extracted").exists()


def test_prepare_finds_train_and_val(tmp_path, monkeypatch):
    payload = _tgz(
        {
            "imagenette2-160/train/n01440764/a.JPEG": b"a",
            "imagenette2-160/train/n02102040/b.JPEG": b"b",
            "imagenette2-160/val/n01440764/c.JPEG": b"c",
        }
    )
    monkeypatch.setitem(imagefolders.ARCHIVES, "tiny", _entry(payload))
    folder = imagefolders.prepare(
        "tiny", data_dir=tmp_path / "cache", mirror=str(_mirror(tmp_path, payload)), progress=False
    )
    assert folder.train.name == "train" and folder.val is not None and folder.val.name == "val"
    assert folder.class_names == ("n01440764", "n02102040")
    index = {0: ("n01440764", "tench"), 1: ("n02102040", "English_springer")}
    assert imagefolders.imagenet_names(folder.class_names, index) == ["tench", "English_springer"]


def test_missing_archive_raises_download_error(tmp_path, closed_port_url):
    from course_utils.data.download import DownloadError

    entry = RemoteFile(
        name="test/none", relpath="x/none.tgz", urls=(closed_port_url + "none.tgz",), size=10, sha256="0" * 64
    )
    with pytest.raises(DownloadError, match="none.tgz"):
        imagefolders.extract_archive(entry, data_dir=tmp_path, mirror="", progress=False)


def test_balanced_subset():
    labels = np.repeat(np.arange(4), 10)
    picked = imagefolders.balanced_subset(labels, 3, seed=1)
    assert np.bincount(labels[picked]).tolist() == [3, 3, 3, 3]
    assert picked.tolist() == imagefolders.balanced_subset(labels, 3, seed=1).tolist()


@pytest.mark.skipif(not SHARED_MIRROR.is_dir(), reason="needs the course's offline mirror")
def test_offline_folder(tmp_path):
    from PIL import Image

    folder = imagefolders.offline_folder(tmp_path / "fm", per_class_train=3, per_class_val=2, progress=False)
    assert len(folder.class_names) == 10 and "T-shirt_top" in folder.class_names
    assert set(imagefolders.count_images(folder.train).values()) == {3}
    assert set(imagefolders.count_images(folder.val).values()) == {2}
    image = Image.open(next((folder.train / "Bag").iterdir()))
    assert image.mode == "RGB" and image.size == (28, 28)


def test_image_files_and_counts(tmp_path):
    for relpath in ("cat/a.JPEG", "cat/b.png", "cat/notes.txt", "dog/c.jpg", ".cache/d.png", "empty/.keep"):
        (tmp_path / relpath).parent.mkdir(exist_ok=True)
        (tmp_path / relpath).write_bytes(b"x")
    paths, labels, class_names = imagefolders.image_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == ["cat/a.JPEG", "cat/b.png", "dog/c.jpg"]
    assert labels == [0, 0, 1] and class_names == ["cat", "dog", "empty"]
    assert imagefolders.count_images(tmp_path) == {"cat": 2, "dog": 1, "empty": 0}
    assert [p.name for p in imagefolders.class_folders(tmp_path)] == ["cat", "dog", "empty"]
