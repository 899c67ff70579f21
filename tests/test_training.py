"""The epoch timer, the validation split and weight comparison."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.measure import training


def test_epoch_timer_times_every_epoch():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    timer = training.EpochTimer()
    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.times) == 3 and all(t > 0 for t in timer.times)
    assert timer.seconds_per_epoch() == pytest.approx(np.median(timer.times[1:]))
    assert timer.seconds_per_epoch(skip_first=False) == pytest.approx(np.median(timer.times))


def test_epoch_timer_without_epochs_raises():
    with pytest.raises(ValueError):
        training.EpochTimer().seconds_per_epoch()


def test_split_validation_holds_out_the_last_fraction_like_keras():
    x, y = np.arange(100)[:, None], np.arange(100)
    (xf, yf), (xv, yv) = training.split_validation(x, y, 0.1)
    assert yf.tolist() == list(range(90)) and yv.tolist() == list(range(90, 100))
    assert len(xf) == 90 and len(xv) == 10
    with pytest.raises(ValueError):
        training.split_validation(x, y, 1.0)


def test_max_weight_difference():
    import keras

    def model():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])

    a, b = model(), model()
    b.set_weights(a.get_weights())
    assert training.max_weight_difference(a, b) == 0.0
    weights = b.get_weights()
    weights[0][0, 0] += 0.25
    b.set_weights(weights)
    assert training.max_weight_difference(a, b) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        training.max_weight_difference(a, keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)]))
