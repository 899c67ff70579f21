"""The checkers of notebook 05's exercises: right answers pass, the starters are "not done", wrong answers fail
with a hint that names the mistake."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from checker_support import assert_failed, starter

from course_utils.checks import NOT_DONE, PASSED
from course_utils.checks import nb05 as check
from course_utils.lessons import mnist_models

# ---------------------------------------------------------------- 05.1 a dense layer, forward and backward


def dense_forward(x, W, b):
    return x @ W + b


def dense_backward(dy, x, W):
    return dy @ W.T, x.T @ dy, dy.sum(axis=0)


def test_dense_layer_passes_not_done_and_forward_errors():
    assert check.ex05_dense_layer(dense_forward, dense_backward).status == PASSED
    assert check.ex05_dense_layer(starter, starter).status == NOT_DONE
    assert check.ex05_dense_layer(dense_forward, starter).status == NOT_DONE
    assert_failed(check.ex05_dense_layer(lambda x, W, b: x @ W, dense_backward), "dense_forward's y", "differs")


@pytest.mark.parametrize(
    ("backward", "phrases"),
    [
        (lambda dy, x, W: (dy @ W.T, dy.T @ x, dy.sum(axis=0)), ("dW looks transposed",)),
        (lambda dy, x, W: (dy @ W.T, -(x.T @ dy), dy.sum(axis=0)), ("dW has the wrong sign",)),
        (lambda dy, x, W: (-(dy @ W.T), x.T @ dy, dy.sum(axis=0)), ("dx has the wrong sign",)),
        (lambda dy, x, W: (dy @ W.T, x.T @ dy, dy), ("db has shape", "summed over the batch")),
        (lambda dy, x, W: (dy @ W.T, x.T @ dy / len(x), dy.sum(axis=0)), ("dW is averaged over the batch",)),
        (lambda dy, x, W: (dy @ W.T, x.T @ dy, dy.mean(axis=0)), ("db is averaged",)),
        (lambda dy, x, W: (dy @ W, x.T @ dy, dy.sum(axis=0)), ("dx has shape",)),
        (lambda dy, x, W: (dy @ W.T, x.T @ dy), ("return three arrays",)),
    ],
)
def test_dense_layer_wrong_gradients_are_named(backward, phrases):
    assert_failed(check.ex05_dense_layer(dense_forward, backward), *phrases)


def test_transposed_dw_is_caught_on_square_layers_too():
    def transposed_when_square(dy, x, W):
        dW = x.T @ dy
        return dy @ W.T, dW.T if dW.shape[0] == dW.shape[1] else dW, dy.sum(axis=0)

    assert_failed(
        check.ex05_dense_layer(dense_forward, transposed_when_square), "dW looks transposed", "6 inputs, 6 outputs"
    )


# ---------------------------------------------------------------- 05.2 parameters of a deeper FCN


def test_fcn_parameters():
    with_bn = 784 * 256 + 4 * 256 + 256 * 64 + 4 * 64 + 650
    right = (218_058, with_bn, with_bn - 640)
    assert check.ex05_fcn_parameters(right).status == PASSED
    assert check.ex05_fcn_parameters(None).status == NOT_DONE
    assert_failed(check.ex05_fcn_parameters(218_058), "give 3 whole numbers")
    assert_failed(check.ex05_fcn_parameters((784 * 256 + 256 * 64 + 640, *right[1:])), "leaves out the biases")
    assert_failed(check.ex05_fcn_parameters((218_058 + 1, *right[1:])), "too high")
    assert_failed(check.ex05_fcn_parameters((218_058, with_bn + 320, right[2])), "use_bias=False")
    assert_failed(check.ex05_fcn_parameters((218_058, with_bn - 640, right[2])), "moving mean and variance")
    assert_failed(check.ex05_fcn_parameters((218_058, with_bn, with_bn)), "is the total")
    assert_failed(check.ex05_fcn_parameters((218_058, with_bn, with_bn - 1280)), "too low", "gamma and beta")
    assert_failed(check.ex05_fcn_parameters((218_058, with_bn, 2.5)), "not a whole number")


# ---------------------------------------------------------------- 05.3 parameters of a CNN on colour images


def cnn_counts(channels=3, side=7):
    conv = (9 * channels * 16 + 16) + (9 * 16 * 32 + 32)
    return conv, conv + side * side * 32 * 64 + 64 + 650


def test_cnn_parameters():
    assert check.ex05_cnn_parameters(cnn_counts()).status == PASSED
    assert cnn_counts() == (5088, 106_154)
    assert check.ex05_cnn_parameters(None).status == NOT_DONE
    assert_failed(check.ex05_cnn_parameters(cnn_counts(channels=1)), "greyscale")
    assert_failed(check.ex05_cnn_parameters((5088 - 48, 106_154)), "leaves out the biases")
    assert_failed(check.ex05_cnn_parameters((5088, cnn_counts(side=8)[1])), "rounds the odd side up")
    assert_failed(check.ex05_cnn_parameters((5088, cnn_counts(side=15)[1])), "pools once")
    assert_failed(check.ex05_cnn_parameters((5088, cnn_counts(side=30)[1])), "too high", "padding 'same'")
    assert_failed(check.ex05_cnn_parameters((5088, 106_154, 3)), "give 2 whole numbers")


# ---------------------------------------------------------------- 05.4 one Adam step by hand


def adam_step(w, g, m, v, t, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    rate = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - rate * m / (np.sqrt(v) + epsilon), m, v


def adam_paper(w, g, m, v, t, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_uncorrected(w, g, m, v, t, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def adam_betas_swapped(w, g, m, v, t, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return adam_step(w, g, m, v, t, learning_rate, beta_2, beta_1, epsilon)


def adam_ascent(w, g, m, v, t, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    new_w, m, v = adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
    return 2 * w - new_w, m, v


def test_adam_step():
    assert check.ex05_adam_step(adam_step).status == PASSED
    assert check.ex05_adam_step(starter).status == NOT_DONE
    assert_failed(check.ex05_adam_step(adam_uncorrected), "t=1", "3.16 times as long", "divide by 1 - beta**t")
    assert_failed(check.ex05_adam_step(adam_paper), "Keras adds epsilon to sqrt(v)")
    assert_failed(check.ex05_adam_step(adam_betas_swapped), "m (first moment)", "t=1")
    assert_failed(check.ex05_adam_step(adam_ascent), "the other way")
    assert_failed(check.ex05_adam_step(lambda *a: adam_step(*a)[0]), "return (w, m, v)")


# ---------------------------------------------------------------- 05.5 macro-F1 from the confusion matrix


def f1_scores(cm):
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    denominator = cm.sum(axis=0) + cm.sum(axis=1)
    per_class = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return per_class, float(per_class.mean())


def test_macro_f1():
    assert check.ex05_macro_f1(f1_scores).status == PASSED
    assert check.ex05_macro_f1(starter).status == NOT_DONE

    def with_nan(cm):
        cm = np.asarray(cm, dtype=np.float64)
        per_class = 2 * np.diag(cm) / (cm.sum(axis=0) + cm.sum(axis=1))
        return per_class, float(per_class.mean())

    with np.errstate(invalid="ignore", divide="ignore"):
        assert_failed(check.ex05_macro_f1(with_nan), "per-class F1 holds NaN", "never present and never predicted")

    def micro(cm):
        return f1_scores(cm)[0], float(np.trace(cm) / np.sum(cm))

    def weighted(cm):
        per_class, _ = f1_scores(cm)
        return per_class, float(np.average(per_class, weights=np.sum(cm, axis=1)))

    def of_means(cm):
        cm = np.asarray(cm, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = np.nan_to_num(np.diag(cm) / cm.sum(axis=0))
            recall = np.nan_to_num(np.diag(cm) / cm.sum(axis=1))
        p, r = precision.mean(), recall.mean()
        return f1_scores(cm)[0], float(2 * p * r / (p + r))

    assert_failed(check.ex05_macro_f1(micro), "the accuracy")
    assert_failed(check.ex05_macro_f1(weighted), "weighted by each class's images")
    assert_failed(check.ex05_macro_f1(of_means), "harmonic mean of the mean precision")
    assert_failed(check.ex05_macro_f1(lambda cm: f1_scores(cm)[1]), "return (per-class F1 array, macro-F1)")
    assert_failed(check.ex05_macro_f1(lambda cm: (f1_scores(cm)[0][:-1], 0.5)), "per-class F1 has shape")


# ---------------------------------------------------------------- 05.6 experiment: dropout 0.5
# Stand-ins for the notebook's models, compiled but not trained (to keep the test fast): the check compares the
# learner's model with the baseline handed in, so their training steps are set by hand.


def stand_in(rate, *, steps=212, learning_rate=1e-3, hidden=(128,)):
    keras.utils.set_random_seed(5)
    model = mnist_models.build_fcn(hidden=hidden, dropout=rate)
    mnist_models.compile_classifier(model, learning_rate, sparse=False)
    model.optimizer.iterations.assign(steps)
    return model


def accuracy(model):
    x_test, y_test = check._mnist_test()
    return float(np.mean(model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1) == y_test))


def test_dropout_experiment(monkeypatch):
    base, half = stand_in(0.2), stand_in(0.5)
    got = accuracy(half)
    monkeypatch.setitem(check.ACCURACY_RANGE, True, (got - 0.01, got + 0.01))  # the stand-in's own range
    verdict = check.ex05_dropout_experiment(half, got, baseline=base, fast=True)
    assert verdict.status == PASSED, verdict
    assert "dropout 0.2:" in verdict.message
    assert check.ex05_dropout_experiment(None, None, baseline=base, fast=True).status == NOT_DONE
    assert check.ex05_dropout_experiment(half, None, baseline=base, fast=True).status == NOT_DONE
    assert_failed(check.ex05_dropout_experiment(stand_in(0.2), got, baseline=base, fast=True), "change the knob")
    assert_failed(check.ex05_dropout_experiment(stand_in(0.3), got, baseline=base, fast=True), "rate 0.5")
    assert_failed(check.ex05_dropout_experiment(stand_in(0.5, steps=424), got, baseline=base, fast=True), "steps")
    wider = stand_in(0.5, hidden=(256,))
    assert_failed(check.ex05_dropout_experiment(wider, got, baseline=base, fast=True), "change one knob")
    faster = stand_in(0.5, learning_rate=3e-3)
    assert_failed(check.ex05_dropout_experiment(faster, got, baseline=base, fast=True), "learning rate")
    assert_failed(check.ex05_dropout_experiment(stand_in(0.0), got, baseline=base, fast=True), "no Dropout layer")
    assert_failed(check.ex05_dropout_experiment(half, got + 0.02, baseline=base, fast=True), "is not this model's")
    monkeypatch.setitem(check.ACCURACY_RANGE, True, (got + 0.05, got + 0.1))
    assert_failed(check.ex05_dropout_experiment(half, got, baseline=base, fast=True), "below the range", "fast mode")
    assert_failed(check.ex05_dropout_experiment(half, got, baseline=base, fast=False), "below the range", "full mode")
    assert_failed(check.ex05_dropout_experiment("model", got, baseline=base, fast=True), "pass the trained Keras model")
