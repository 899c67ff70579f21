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
    assert bool(s.constant_) and float(s.std_) == 1.0
    np.testing.assert_allclose(s.transform(np.array([6.0])), [1.0])  # divided by 1, not blown up by a tiny floor
    with pytest.raises(RuntimeError):
        Standardiser().transform(np.zeros(3))
    with pytest.raises(ValueError):
        Standardiser().fit(np.zeros((0, 3)))


def _digits_with_constant_pixels():
    rng = np.random.default_rng(2)
    train = rng.uniform(0, 1, (300, 6, 5)).astype(np.float32)
    train[:, 0, :] = 0.0  # a blank top row: five pixels constant over the training set
    train[:, 5, 4] = 0.3  # a constant that is not zero
    test = rng.uniform(0, 1, (40, 6, 5)).astype(np.float32)
    return train, test


def test_per_pixel_gives_one_statistic_per_position_and_divides_constants_by_one():
    train, test = _digits_with_constant_pixels()
    s = Standardiser(per_pixel=True).fit(train)
    assert s.mean_.shape == s.std_.shape == s.constant_.shape == (6, 5)  # 30 statistics, not 5 (one per column)
    assert int(s.constant_.sum()) == 6 and s.constant_[0].all() and s.constant_[5, 4]
    z = s.transform(test)
    np.testing.assert_allclose(z[:, 0, :], test[:, 0, :], atol=1e-6)  # (x - 0) / 1
    np.testing.assert_allclose(z[:, 5, 4], test[:, 5, 4] - 0.3, atol=1e-6)
    assert np.abs(z).max() < 100  # with a 1e-7 floor the constant pixels would reach 1e6
    np.testing.assert_allclose(s.transform(train)[:, ~s.constant_].std(axis=0), 1, atol=1e-4)


def test_agrees_with_scikit_learn_standard_scaler():
    sklearn_preprocessing = pytest.importorskip("sklearn.preprocessing")
    train, test = _digits_with_constant_pixels()
    s = Standardiser(per_pixel=True).fit(train)
    sk = sklearn_preprocessing.StandardScaler().fit(train.reshape(len(train), -1))
    np.testing.assert_allclose(s.mean_.ravel(), sk.mean_, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s.std_.ravel(), sk.scale_, rtol=1e-5)
    np.testing.assert_array_equal(s.std_.ravel() == 1.0, sk.scale_ == 1.0)
    np.testing.assert_allclose(
        s.transform(test).reshape(len(test), -1), sk.transform(test.reshape(len(test), -1)), rtol=1e-5, atol=1e-5
    )


def test_constant_up_to_rounding_but_not_a_small_std():
    values = np.full(1000, 0.1) + np.arange(1000) * 0.0  # 0.1 has no exact binary form: the sum rounds
    assert bool(Standardiser().fit(values).constant_)
    tiny = np.array([0.0] * 999 + [1e-6])  # a real, if small, spread
    assert not bool(Standardiser().fit(tiny).constant_)
    assert bool(Standardiser().fit(np.full(50, 1e6 + 0.1)).constant_)  # a large constant: rounding grows with it


def test_per_channel_needs_a_channel_axis():
    with pytest.raises(ValueError, match="channel axis"):
        Standardiser(per_channel=True).fit(np.zeros((4, 28, 28)))  # would give 28 statistics, one per column
    with pytest.raises(ValueError):
        Standardiser(per_channel=True, per_pixel=True).fit(np.zeros((4, 2, 2, 3)))
