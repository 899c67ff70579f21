"""Scaling to [0, 1] and the Standardiser of notebook 02: statistics from the data it is fitted on."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.lessons.preprocessing import Standardiser, scale_to_unit


def test_scale_to_unit_on_arrays_and_inside_tf_data():
    import tensorflow as tf

    x = scale_to_unit(np.array([0, 51, 255], dtype=np.uint8)).numpy()
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, [0.0, 0.2, 1.0], rtol=1e-6)
    mapped = tf.data.Dataset.from_tensor_slices(np.array([[0, 255]], np.uint8)).map(scale_to_unit)
    np.testing.assert_array_equal(next(mapped.as_numpy_iterator()), np.array([0.0, 1.0], np.float32))


def test_global_fit_transform():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (50, 4, 4), dtype=np.uint8)
    s = Standardiser().fit(x)
    z = s.transform(x)
    assert s.mean_.shape == () and z.dtype == np.float32
    assert abs(z.mean()) < 1e-5 and abs(z.std() - 1) < 1e-5
    np.testing.assert_allclose(z * s.std_ + s.mean_, x, atol=1e-3)


def test_uses_training_statistics_only():
    train = np.array([0.0, 2.0])  # mean 1, std 1
    s = Standardiser().fit(train)
    np.testing.assert_allclose(s.transform(np.array([5.0, 7.0])), [4.0, 6.0])
    assert float(s.mean_) == 1.0 and float(s.std_) == 1.0


def test_per_channel():
    rng = np.random.default_rng(1)
    x = rng.normal([10.0, 20.0, 30.0], [1.0, 2.0, 3.0], size=(200, 5, 5, 3))
    s = Standardiser(per_channel=True).fit(x)
    assert s.mean_.shape == (3,) and s.std_.shape == (3,)
    np.testing.assert_allclose(s.mean_, x.reshape(-1, 3).mean(0))
    z = s.transform(x)
    np.testing.assert_allclose(z.reshape(-1, 3).mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z.reshape(-1, 3).std(0), 1, atol=1e-4)


def test_constant_input_and_unfitted():
    s = Standardiser().fit(np.full((3, 3), 5.0))
    assert np.isfinite(s.transform(np.full((3, 3), 5.0))).all()
    with pytest.raises(RuntimeError):
        Standardiser().transform(np.zeros(3))
    with pytest.raises(ValueError):
        Standardiser().fit(np.zeros((0, 3)))
