"""The tf.data pipelines of notebook 02, the plain-Python folder baseline and the throughput measurer."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import loaders
from course_utils.data.photos import write_image_folder
from course_utils.lessons import preprocessing


def _labels(ds) -> np.ndarray:
    return np.concatenate([b[1] for b in ds.as_numpy_iterator()])


def test_dataset_from_arrays_covers_every_example_once_per_epoch():
    x = np.arange(10 * 4, dtype=np.float32).reshape(10, 2, 2)
    y = np.arange(10)
    ds = preprocessing.dataset_from_arrays(x, y, batch_size=4, seed=1)
    orders = []
    for _ in range(2):
        batches = list(ds.as_numpy_iterator())
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        labels = np.concatenate([b[1] for b in batches])
        assert sorted(labels.tolist()) == list(range(10))
        images = np.concatenate([b[0] for b in batches])
        np.testing.assert_array_equal(images, x[labels])
        orders.append(labels)
    assert not np.array_equal(*orders)  # the cache sits before the shuffle: a new order every epoch


def test_dataset_from_arrays_is_seeded():
    x, y = np.arange(10, dtype=np.float32)[:, None], np.arange(10)
    first = _labels(preprocessing.dataset_from_arrays(x, y, batch_size=4, seed=3))
    again = _labels(preprocessing.dataset_from_arrays(x, y, batch_size=4, seed=3))
    other = _labels(preprocessing.dataset_from_arrays(x, y, batch_size=4, seed=4))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_dataset_from_arrays_map_and_no_shuffle():
    x = np.full((3, 2), 255, np.uint8)
    ds = preprocessing.dataset_from_arrays(
        x, np.arange(3), batch_size=3, shuffle=False, map_fn=preprocessing.scale_example
    )
    ((images, labels),) = list(ds.as_numpy_iterator())
    np.testing.assert_allclose(images, 1.0)
    assert images.dtype == np.float32 and labels.tolist() == [0, 1, 2]
    with pytest.raises(ValueError):
        preprocessing.dataset_from_arrays(x, np.zeros(2))


def test_epoch_order_needs_a_known_size():
    import tensorflow as tf

    unknown = tf.data.Dataset.range(5).filter(lambda v: v > 1)
    with pytest.raises(ValueError):
        preprocessing.epoch_order(unknown, seed=0)
    assert list(preprocessing.epoch_order(unknown, seed=0, shuffle=False).as_numpy_iterator()) == [2, 3, 4]


@pytest.fixture
def digit_folder(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (24, 8, 8), dtype=np.uint8)
    labels = np.arange(24) % 2
    write_image_folder(images, labels, ["zero", "one"], tmp_path)
    return tmp_path


def test_folder_pipelines_agree(digit_folder):
    ds = preprocessing.dataset_from_folder(digit_folder, image_size=(8, 8), batch_size=16, shuffle=False)
    assert ds.class_names == ["one", "zero"]
    tf_batches = list(ds.as_numpy_iterator())
    py_batches = list(loaders.python_folder_batches(digit_folder, batch_size=16, transform=preprocessing.scale_to_unit))
    assert [len(b[1]) for b in tf_batches] == [len(b[1]) for b in py_batches] == [16, 8]
    tf_images = np.concatenate([b[0] for b in tf_batches])
    py_images = np.concatenate([np.asarray(b[0]) for b in py_batches])
    assert tf_images.shape == (24, 8, 8, 1) and py_images.shape == (24, 8, 8)
    assert tf_images.dtype == py_images.dtype == np.float32 and 0 <= tf_images.min() and tf_images.max() <= 1
    np.testing.assert_allclose(tf_images[..., 0], py_images, atol=1e-6)
    np.testing.assert_array_equal(
        np.concatenate([b[1] for b in tf_batches]), np.concatenate([b[1] for b in py_batches])
    )
    raw = next(loaders.python_folder_batches(digit_folder, batch_size=4))[0]
    assert raw.dtype == np.uint8  # no transform: the decoded pixels


def test_dataset_from_folder_reshuffles_every_epoch_from_its_cache(digit_folder):
    ds = preprocessing.dataset_from_folder(digit_folder, image_size=(8, 8), batch_size=5, seed=1)
    epochs = [list(ds.as_numpy_iterator()) for _ in range(3)]
    orders = [np.concatenate([b[1] for b in epoch]) for epoch in epochs]
    assert [len(b[1]) for b in epochs[0]] == [5, 5, 5, 5, 4]
    for order in orders:
        assert sorted(order.tolist()) == [0] * 12 + [1] * 12
    images = [np.concatenate([b[0] for b in epoch]) for epoch in epochs]
    assert not np.array_equal(images[0], images[1]) and not np.array_equal(images[1], images[2])
    # the same images every epoch, in a new order
    as_set = [sorted(map(bytes, epoch.reshape(len(epoch), -1).view(np.uint8))) for epoch in images]
    assert as_set[0] == as_set[1] == as_set[2]


def test_measure_throughput():
    batches = [(np.zeros((5, 2)), np.zeros(5))] * 3
    result = loaders.measure_throughput(batches)
    assert result.images == 15 and result.seconds >= 0
    assert loaders.measure_throughput(iter(batches), max_batches=2).images == 10
    assert loaders.measure_throughput([np.zeros((4, 1))]).images == 4
    assert loaders.measure_throughput(batches, repeats=3).images == 15  # the best pass, not the sum
    with pytest.raises(ValueError):
        loaders.measure_throughput(iter(batches), repeats=2)
    with pytest.raises(ValueError):
        loaders.measure_throughput(batches, repeats=0)
    assert "images/s" in str(loaders.Throughput(10, 2.0))
    assert loaders.Throughput(10, 2.0).images_per_second == 5.0


def test_measure_throughput_of_a_dataset():
    ds = preprocessing.dataset_from_arrays(np.zeros((10, 2), np.float32), np.zeros(10), batch_size=4, seed=0)
    result = loaders.measure_throughput(ds, repeats=2)
    assert result.images == 10 and result.images_per_second > 0
