"""Duplicate finding by hash and a folder loader that skips unreadable files."""

from __future__ import annotations

import numpy as np
from PIL import Image

from course_utils import cleaning


def _images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 8, 8), dtype=np.uint8)
    images[3] = images[0]
    images[5] = images[0]
    return images


def test_hash_depends_on_bytes_shape_and_dtype():
    a = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert cleaning.image_hash(a) == cleaning.image_hash(a.copy())
    assert cleaning.image_hash(a) != cleaning.image_hash(a.reshape(2, 8))
    assert cleaning.image_hash(a) != cleaning.image_hash(a.astype(np.int8))
    b = a.copy()
    b[0, 0] += 1
    assert cleaning.image_hash(a) != cleaning.image_hash(b)


def test_find_duplicates_and_extra_copies():
    groups = cleaning.find_duplicates(_images())
    assert groups == [[0, 3, 5]]
    assert cleaning.extra_copies(groups) == 2
    assert cleaning.find_duplicates(_images()[:3]) == []


def test_find_overlap():
    images = _images()
    others = np.stack([images[1], np.zeros((8, 8), np.uint8), images[0]])
    assert cleaning.find_overlap(images, others) == [(0, 1), (2, 0)]


def _write_folder(root):
    rng = np.random.default_rng(1)
    for cls in ("a", "b"):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.integers(0, 256, (8, 8), dtype=np.uint8)).save(root / cls / f"{i}.png")
    good = (root / "a" / "0.png").read_bytes()
    (root / "a" / "truncated.png").write_bytes(good[: len(good) // 2])
    (root / "b" / "garbage.png").write_bytes(b"not an image at all" * 10)
    (root / "b" / "notes.txt").write_text("ignored: not an image suffix")


def test_load_image_folder_skips_unreadable_files(tmp_path):
    _write_folder(tmp_path)
    loaded = cleaning.load_image_folder(tmp_path)
    assert loaded.class_names == ["a", "b"]
    assert len(loaded.images) == 6 and loaded.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert loaded.n_skipped == 2
    assert sorted(p.name for p, _ in loaded.skipped) == ["garbage.png", "truncated.png"]
    assert loaded.stacked().shape == (6, 8, 8)
    assert sorted(p.name for p in cleaning.unreadable_images(tmp_path)) == ["garbage.png", "truncated.png"]


def test_read_image_converts_mode(tmp_path):
    Image.fromarray(np.full((4, 4), 7, np.uint8)).save(tmp_path / "x.png")
    rgb = cleaning.read_image(tmp_path / "x.png", "RGB")
    assert rgb.shape == (4, 4, 3) and (rgb == 7).all()
