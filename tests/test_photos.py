"""Bundled photos and writing image folders."""

from __future__ import annotations

import numpy as np

from course_utils.data import photos


def test_every_photo_loads_as_rgb_uint8():
    for name, image in photos.sample_photos().items():
        assert image.ndim == 3 and image.shape[-1] == 3 and image.dtype == np.uint8, name


def test_resize_photo():
    small = photos.resize_photo(photos.load_photo("chelsea"), 224)
    assert small.shape == (224, 224, 3) and small.dtype == np.uint8


def test_write_image_folder(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (4, 8, 8), dtype=np.uint8)
    photos.write_image_folder(images, [0, 1, 1, 0], ["T-shirt/top", "Bag"], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Bag", "T-shirt_top"]
    assert len(list((tmp_path / "Bag").glob("*.png"))) == 2
