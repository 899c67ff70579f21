"""tf.data builders, the plain-Python baseline and the throughput measurer."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import pipelines
from course_utils.photos import write_image_folder


def test_dataset_from_arrays_covers_every_example_once_per_epoch():
    x = np.arange(10 * 4, dtype=np.float32).reshape(10, 2, 2)
    y = np.arange(10)
    ds = pipelines.dataset_from_arrays(x, y, batch_size=4, seed=1)
    for _ in range(2):
        batches = list(ds.as_numpy_iterator())
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        labels = np.concatenate([b[1] for b in batches])
        assert sorted(labels.tolist()) == list(range(10))
        images = np.concatenate([b[0] for b in batches])
        np.testing.assert_array_equal(images, x[labels])


def test_dataset_from_arrays_is_seeded():
    x, y = np.arange(10, dtype=np.float32)[:, None], np.arange(10)
    first = [b[1] for b in pipelines.dataset_from_arrays(x, y, batch_size=4, seed=3).as_numpy_iterator()]
    again = [b[1] for b in pipelines.dataset_from_arrays(x, y, batch_size=4, seed=3).as_numpy_iterator()]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))


def test_dataset_from_arrays_map_and_no_shuffle():
    x = np.full((3, 2), 255, np.uint8)
    ds = pipelines.dataset_from_arrays(x, np.zeros(3), batch_size=3, shuffle=False, map_fn=lambda a, b: (a / 255, b))
    ((images, _),) = list(ds.as_numpy_iterator())
    np.testing.assert_allclose(images, 1.0)
    with pytest.raises(ValueError):
        pipelines.dataset_from_arrays(x, np.zeros(2))


def test_folder_pipelines_agree(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 8, 8), dtype=np.uint8)
    write_image_folder(images, [0, 1, 0, 1, 0, 1], ["zero", "one"], tmp_path)
    ds = pipelines.dataset_from_folder(tmp_path, image_size=(8, 8), batch_size=4, shuffle=False)
    assert ds.class_names == ["one", "zero"]
    tf_images = np.concatenate([b[0] for b in ds.as_numpy_iterator()])
    py_batches = list(pipelines.python_folder_batches(tmp_path, batch_size=4))
    assert [len(b[1]) for b in py_batches] == [4, 2]
    py_images = np.concatenate([b[0] for b in py_batches])
    assert tf_images.shape == (6, 8, 8, 1) and py_images.shape == (6, 8, 8)
    np.testing.assert_allclose(tf_images[..., 0], py_images, atol=1e-6)


def test_measure_throughput():
    batches = [(np.zeros((5, 2)), np.zeros(5))] * 3
    result = pipelines.measure_throughput(batches)
    assert result.images == 15 and result.seconds >= 0
    assert pipelines.measure_throughput(iter(batches), max_batches=2).images == 10
    assert pipelines.measure_throughput([np.zeros((4, 1))]).images == 4
    assert "images/s" in str(pipelines.Throughput(10, 2.0))
    assert pipelines.Throughput(10, 2.0).images_per_second == 5.0
