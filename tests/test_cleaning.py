"""Duplicate finding by hash (notebook 02's lesson code) and the folder reader that skips unreadable files."""

from __future__ import annotations

import numpy as np
from PIL import Image

from course_utils.data import imagefolders, loaders
from course_utils.lessons import preprocessing


def _images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 8, 8), dtype=np.uint8)
    images[3] = images[0]
    images[5] = images[0]
    return images


def test_hash_depends_on_bytes_shape_and_dtype():
    a = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert preprocessing.image_hash(a) == preprocessing.image_hash(a.copy())
    assert preprocessing.image_hash(a) == preprocessing.image_hash(np.asfortranarray(a))  # layout does not count
    assert preprocessing.image_hash(a) != preprocessing.image_hash(a.reshape(2, 8))
    assert preprocessing.image_hash(a) != preprocessing.image_hash(a.astype(np.int8))
    b = a.copy()
    b[0, 0] += 1
    assert preprocessing.image_hash(a) != preprocessing.image_hash(b)


def test_find_duplicates_and_extra_copies():
    groups = preprocessing.find_duplicates(_images())
    assert groups == [[0, 3, 5]]
    assert preprocessing.extra_copies(groups) == 2
    assert preprocessing.find_duplicates(_images()[:3]) == []
    two_groups = np.concatenate([_images(), _images()[1:2]])
    assert preprocessing.find_duplicates(two_groups) == [[0, 3, 5], [1, 6]]
    assert preprocessing.extra_copies([[0, 3, 5], [1, 6]]) == 3


def test_find_overlap():
    images = _images()
    others = np.stack([images[1], np.zeros((8, 8), np.uint8), images[0]])
    assert preprocessing.find_overlap(images, others) == [(0, 1), (2, 0)]  # images[0] first seen at index 0
    assert preprocessing.find_overlap(images, iter(others)) == [(0, 1), (2, 0)]  # any iterable


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
    (root / ".hidden").mkdir()


def test_image_files_lists_classes_and_labels(tmp_path):
    _write_folder(tmp_path)
    paths, labels, class_names = imagefolders.image_files(tmp_path)
    assert class_names == ["a", "b"] and [p.name for p in imagefolders.class_folders(tmp_path)] == ["a", "b"]
    assert [p.name for p in paths] == ["0.png", "1.png", "2.png", "truncated.png"] + ["0.png", "1.png", "2.png"] + [
        "garbage.png"
    ]
    assert labels == [0] * 4 + [1] * 4


def test_load_image_folder_skips_unreadable_files(tmp_path):
    _write_folder(tmp_path)
    loaded = loaders.load_image_folder(tmp_path)
    assert loaded.class_names == ["a", "b"]
    assert len(loaded.images) == 6 and loaded.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert loaded.n_skipped == 2
    assert sorted(p.name for p, _ in loaded.skipped) == ["garbage.png", "truncated.png"]
    assert loaded.stacked().shape == (6, 8, 8)
    np.testing.assert_array_equal(loaded.images[0], np.asarray(Image.open(tmp_path / "a" / "0.png")))
    assert sorted(p.name for p in loaders.unreadable_images(tmp_path)) == ["garbage.png", "truncated.png"]


def test_read_image_converts_mode(tmp_path):
    Image.fromarray(np.full((4, 4), 7, np.uint8)).save(tmp_path / "x.png")
    rgb = loaders.read_image(tmp_path / "x.png", "RGB")
    assert rgb.shape == (4, 4, 3) and (rgb == 7).all()
