"""Notebook 07's exercise checks: right answers pass, untouched starters are "not done", wrong ones fail."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from checker_support import assert_failed
from keras import layers

from course_utils.checks import NOT_DONE, PASSED
from course_utils.checks import nb07 as check
from course_utils.lessons import mnist_models
from course_utils.lessons.frontiers import loss_threshold_attack, per_example_loss_from_logits, softmax_logits

# ---------------------------------------------------------------------------------------------
# 07.1 · The best linear code


def linear_code_mse(train_images, test_images, k, *, centre=True, fit_on_test=False, extra=0):
    train = np.asarray(train_images, dtype=np.float64).reshape(len(train_images), -1)
    test = np.asarray(test_images, dtype=np.float64).reshape(len(test_images), -1)
    basis_from = test if fit_on_test else train
    mean = basis_from.mean(axis=0) if centre else np.zeros(train.shape[1])
    _, _, vt = np.linalg.svd(basis_from - mean, full_matrices=False)
    basis = vt[: k + extra]
    return float(np.mean(((test - mean) @ basis.T @ basis + mean - test) ** 2))


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    digits = rng.random((400, 8, 8)) * (rng.random((1, 8, 8)) > 0.3)  # a fixed mask: a structured mean
    return digits[:300], digits[300:]


def test_linear_code_right_answer_passes(images):
    verdict = check.ex07_linear_code(linear_code_mse, *images, {2: 0.05, 16: 0.02})
    assert verdict.status == PASSED, verdict
    assert "autoencoder 0.0500" in verdict.message


def test_linear_code_starter_is_not_done(images):
    def starter(train_images, test_images, k):
        raise NotImplementedError()

    assert check.ex07_linear_code(starter, *images).status == NOT_DONE


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        ({"centre": False}, "without centring"),
        ({"fit_on_test": True}, "fitted on the test images"),
        ({"extra": 1}, "k + 1 components"),
        ({"extra": -1}, "k - 1 components"),
    ],
)
def test_linear_code_wrong_answers_fail(images, options, phrase):
    assert_failed(check.ex07_linear_code(lambda a, b, k: linear_code_mse(a, b, k, **options), *images), phrase)


def test_linear_code_without_return_fails(images):
    assert_failed(check.ex07_linear_code(lambda a, b, k: None, *images), "forget a `return`")


# ---------------------------------------------------------------------------------------------
# 07.2 · A threshold chosen on shadow data


def attack_advantage(member, nonmember, shadow_member, shadow_nonmember):
    threshold = loss_threshold_attack(shadow_member, shadow_nonmember)["threshold"]
    return float(np.mean(np.asarray(member) <= threshold) - np.mean(np.asarray(nonmember) <= threshold))


def test_shadow_attack_right_answer_passes():
    assert check.ex07_shadow_attack(attack_advantage).status == PASSED


def test_shadow_attack_with_a_strict_inequality_passes():
    """ "loss < the next shadow loss" flags the same shadow examples as "loss <= the best one"."""

    def strict(member, nonmember, shadow_member, shadow_nonmember):
        threshold = loss_threshold_attack(shadow_member, shadow_nonmember)["threshold"]
        higher = np.r_[shadow_member, shadow_nonmember]
        threshold = higher[higher > threshold].min()
        return float(np.mean(np.asarray(member) < threshold) - np.mean(np.asarray(nonmember) < threshold))

    assert check.ex07_shadow_attack(strict).status == PASSED


def test_shadow_attack_starter_is_not_done():
    def starter(*losses):
        raise NotImplementedError()

    assert check.ex07_shadow_attack(starter).status == NOT_DONE


def test_threshold_chosen_on_the_scored_data_fails():
    def optimistic(member, nonmember, shadow_member, shadow_nonmember):
        return loss_threshold_attack(member, nonmember)["advantage"]

    assert_failed(check.ex07_shadow_attack(optimistic), "chosen on the data it is scored on")


def test_advantage_on_the_shadow_data_fails():
    def on_shadow(member, nonmember, shadow_member, shadow_nonmember):
        return loss_threshold_attack(shadow_member, shadow_nonmember)["advantage"]

    assert_failed(check.ex07_shadow_attack(on_shadow), "advantage on the shadow data")


def test_reversed_inequality_fails():
    def reversed_inequality(member, nonmember, shadow_member, shadow_nonmember):
        threshold = loss_threshold_attack(shadow_member, shadow_nonmember)["threshold"]
        return float(np.mean(np.asarray(member) >= threshold) - np.mean(np.asarray(nonmember) >= threshold))

    assert_failed(check.ex07_shadow_attack(reversed_inequality), "LOW loss")


def test_high_losses_flagged_with_their_own_best_threshold_fails():
    def high_losses(member, nonmember, shadow_member, shadow_nonmember):
        candidates = np.r_[shadow_member, shadow_nonmember]
        gains = [np.mean(shadow_member >= t) - np.mean(shadow_nonmember >= t) for t in candidates]
        threshold = candidates[int(np.argmax(gains))]
        return float(np.mean(np.asarray(member) >= threshold) - np.mean(np.asarray(nonmember) >= threshold))

    assert_failed(check.ex07_shadow_attack(high_losses), "LOW loss")


def test_fpr_minus_tpr_fails():
    assert_failed(check.ex07_shadow_attack(lambda *losses: -attack_advantage(*losses)), "opposite sign")


# ---------------------------------------------------------------------------------------------
# 07.3 · Two regularisers


def build_private_fcn(l2=0.0, dropout=0.0):
    decay = keras.regularizers.L2(l2) if l2 else None
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten()])
    model.add(layers.Dense(512, activation="relu", kernel_regularizer=decay))
    if dropout:
        model.add(layers.Dropout(dropout))
    model.add(layers.Dense(10, activation="softmax", kernel_regularizer=decay))
    return mnist_models.compile_classifier(model, run_eagerly=True)  # no tracing: fast for 12 steps


@pytest.fixture(scope="module")
def privacy():
    """Small stand-ins for the experiment: random images, 100 members, 100 non-members, 3 epochs."""
    rng = np.random.default_rng(1)
    x = rng.random((200, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 200)
    members, nonmembers = np.arange(100), np.arange(100, 200)
    runs = {}
    for name, knob in (("weight decay", {"l2": 1e-2}), ("dropout", {"dropout": 0.5})):
        keras.utils.set_random_seed(0)
        model = build_private_fcn(**knob)
        model.fit(x[members], y[members], batch_size=32, epochs=3, verbose=0)
        logits = softmax_logits(model, x)
        loss_in = per_example_loss_from_logits(logits[members], y[members])
        loss_out = per_example_loss_from_logits(logits[nonmembers], y[nonmembers])
        correct_in = np.argmax(logits[members], 1) == y[members]
        correct_out = np.argmax(logits[nonmembers], 1) == y[nonmembers]
        runs[name] = {
            "model": model,
            "advantage": attack_advantage(loss_in[50:], loss_out[50:], loss_in[:50], loss_out[:50]),
            "accuracy gap": correct_in.mean() - correct_out.mean(),
            "loss gap": loss_out.mean() - loss_in.mean(),
            "optimistic": loss_threshold_attack(loss_in[50:], loss_out[50:])["advantage"],
            "accepted": check._best_threshold_advantages(loss_in[50:], loss_out[50:], loss_in[:50], loss_out[:50]),
        }
    return runs, x, y, members, nonmembers


@pytest.fixture
def wide_ranges(monkeypatch):
    """The stand-ins are not the notebook's experiment: accept any value in range."""
    wide = {"advantage": (-1.0, 1.0), "accuracy gap": (-1.0, 1.0), "loss gap": (-10.0, 10.0)}
    monkeypatch.setitem(check.PRIVACY_RANGES, True, {"weight decay": wide, "dropout": wide})


def with_run(runs, name, **changes):
    return {key: (run | changes if key == name else run) for key, run in runs.items()}


def test_regularisers_right_answer_passes(privacy, wide_ranges):
    runs, *data = privacy
    verdict = check.ex07_regularisers(runs, *data, fast=True, baseline=runs["dropout"]["model"])
    assert verdict.status == PASSED, verdict
    assert "no regulariser" in verdict.message


def test_regularisers_starter_is_not_done(privacy):
    _, *data = privacy
    assert check.ex07_regularisers(None, *data, fast=True).status == NOT_DONE


def test_regulariser_missing_its_knob_fails(privacy, wide_ranges):
    runs, *data = privacy
    swapped = with_run(runs, "dropout", model=runs["weight decay"]["model"])
    assert_failed(check.ex07_regularisers(swapped, *data, fast=True), "expected one Dropout(0.5)")


def test_regularisers_optimistic_advantage_fails(privacy, wide_ranges):
    runs, *data = privacy
    # a run where the best threshold on the scored losses differs from the shadow one (with 50 + 50
    # losses the two can coincide)
    names = [name for name, run in runs.items() if min(abs(run["optimistic"] - v) for v in run["accepted"]) > 1e-9]
    assert names, "neither stand-in tells the optimistic advantage apart"
    wrong = with_run(runs, names[0], advantage=runs[names[0]]["optimistic"])
    assert_failed(check.ex07_regularisers(wrong, *data, fast=True), "chosen on the data it is scored on")


def test_regularisers_wrong_gap_fails(privacy, wide_ranges):
    runs, *data = privacy
    wrong = with_run(runs, "dropout", **{"loss gap": -runs["dropout"]["loss gap"]})
    assert_failed(check.ex07_regularisers(wrong, *data, fast=True), "the model gives")


def test_regularisers_untrained_model_fails(privacy, wide_ranges):
    runs, *data = privacy
    untrained = build_private_fcn(dropout=0.5)
    assert_failed(
        check.ex07_regularisers(with_run(runs, "dropout", model=untrained), *data, fast=True), "not been trained"
    )


def test_regularisers_outside_the_measured_range_fail(privacy):
    runs, *data = privacy  # 3 epochs on random images: nothing like the notebook's experiment
    assert_failed(check.ex07_regularisers(runs, *data, fast=True), "outside the range measured in fast mode")


# ---------------------------------------------------------------------------------------------
# 07.4 · Multiply-adds of a depthwise-separable convolution

RIGHT_MACS = {"standard": 14 * 14 * 9 * 32 * 64, "separable": 14 * 14 * 9 * 32 + 14 * 14 * 32 * 64}


def test_separable_macs_right_answer_passes():
    verdict = check.ex07_separable_macs(RIGHT_MACS)
    assert verdict.status == PASSED, verdict
    assert "7.9 times fewer" in verdict.message


def test_separable_macs_starter_is_not_done():
    assert check.ex07_separable_macs(None).status == NOT_DONE


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ({"standard": 28 * 28 * 9 * 32 * 64}, "14 × 14 output positions"),
        ({"separable": 14 * 14 * 32 * 64}, "add the depthwise"),
        ({"separable": 14 * 14 * 9 * 32 * 64 + 14 * 14 * 32 * 64}, "no sum over channels"),
        ({"standard": 14 * 14 * 9 * 32 * 64 - 1}, "too low"),
        ({"separable": 457_856.0}, "whole number"),
    ],
)
def test_separable_macs_wrong_answers_fail(answer, phrase):
    assert_failed(check.ex07_separable_macs(RIGHT_MACS | answer), phrase)


# ---------------------------------------------------------------------------------------------
# 07.5 · The size of a .tflite file

KERNELS = [784 * 30] + [30 * 30] * 4 + [30 * 10]
BIASES = 5 * 30 + 10


def test_tflite_size_right_answer_passes():
    answer = {
        "float32": 4 * (sum(KERNELS) + BIASES) / 1e3 + 4,
        "int8": (KERNELS[0] + 4 * (sum(KERNELS[1:]) + BIASES)) / 1e3 + 4,
    }
    verdict = check.ex07_tflite_size(answer)
    assert verdict.status == PASSED, verdict


def test_tflite_size_starter_is_not_done():
    assert check.ex07_tflite_size(None).status == NOT_DONE


def test_tflite_four_times_smaller_fails():
    float_kb = 4 * (sum(KERNELS) + BIASES) / 1e3 + 4
    assert_failed(check.ex07_tflite_size({"float32": float_kb, "int8": float_kb / 4}), "at least 1,024 elements")


def test_tflite_one_byte_per_float_parameter_fails():
    int8_kb = (KERNELS[0] + 4 * (sum(KERNELS[1:]) + BIASES)) / 1e3 + 4
    verdict = check.ex07_tflite_size({"float32": (sum(KERNELS) + BIASES) / 1e3, "int8": int8_kb})
    assert_failed(verdict, "4 bytes per parameter")
