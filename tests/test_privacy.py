import numpy as np
import pytest

from course_utils.lessons.frontiers import (
    loss_threshold_attack,
    per_example_loss,
    per_example_loss_from_logits,
    softmax_logits,
)


def test_per_example_loss():
    p = np.array([[0.5, 0.5], [0.9, 0.1]])
    np.testing.assert_allclose(per_example_loss(p, np.array([0, 1])), [np.log(2), -np.log(0.1)])


def test_attack_separable_and_indistinguishable():
    perfect = loss_threshold_attack(np.array([0.01, 0.02, 0.03]), np.array([1.0, 2.0, 3.0]))
    assert perfect["auc"] == 1.0 and perfect["advantage"] == 1.0
    assert 0.03 <= perfect["threshold"] < 1.0
    rng = np.random.default_rng(0)
    same = loss_threshold_attack(rng.exponential(size=4000), rng.exponential(size=4000))
    assert abs(same["auc"] - 0.5) < 0.03 and same["advantage"] < 0.06
    with pytest.raises(ValueError):
        loss_threshold_attack(np.array([]), np.array([1.0]))


def test_loss_from_logits_matches_and_keeps_confident_losses_apart():
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(per_example_loss_from_logits(logits, [0, 2]), per_example_loss(p, np.array([0, 2])))
    confident = per_example_loss_from_logits(np.array([[40.0, 0.0], [30.0, 0.0]]), [0, 0])
    assert 0 < confident[0] < confident[1]


def test_softmax_logits():
    import keras

    from course_utils.lessons.mnist_models import build_fcn

    model = build_fcn((4, 4), hidden=(8,))
    x = np.random.default_rng(0).random((3, 4, 4), dtype=np.float32)
    logits = softmax_logits(model, x)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(keras.ops.softmax(logits)), model.predict(x, verbose=0), atol=1e-5
    )
    with pytest.raises(ValueError):
        softmax_logits(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]), np.zeros((1, 2)))
