"""The checkers of notebook 03's exercises: solutions pass, starters are "not done", wrong answers fail."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from checker_support import starter
from sklearn.neighbors import KNeighborsClassifier

from course_utils.checks import FAILED, NOT_DONE, PASSED
from course_utils.checks import nb03 as check
from course_utils.lessons.augmentation import digit_augmentation


def assert_fails(verdict, phrase):
    assert verdict.status == FAILED, verdict
    assert phrase in verdict.message, verdict.message


# 03.1 ----------------------------------------------------------------------------------------


def augment_digits(images, seed, max_degrees=10.0, max_zoom=0.1, max_shift=2.0):
    images = np.asarray(images, dtype=np.float32)
    n, height, width, _ = images.shape
    rng = np.random.default_rng(seed)
    angle = np.deg2rad(rng.uniform(-max_degrees, max_degrees, n))
    scale = rng.uniform(1 - max_zoom, 1 + max_zoom, n)
    dx, dy = rng.uniform(-max_shift, max_shift, (2, n))
    cx, cy = (width - 1) / 2, (height - 1) / 2
    a, b = scale * np.cos(angle), scale * np.sin(angle)
    zero = np.zeros(n)
    transforms = np.stack([a, -b, cx - a * cx + b * cy - dx, b, a, cy - b * cx - a * cy - dy, zero, zero], axis=1)
    out = keras.ops.image.affine_transform(images, transforms.astype(np.float32), fill_mode="constant")
    return np.clip(np.asarray(out), 0.0, 1.0)


def test_digit_augment_solution_and_the_lessons_stack_pass():
    assert check.ex03_digit_augment(augment_digits).status == PASSED
    lesson = check.ex03_digit_augment(lambda images, seed: np.asarray(digit_augmentation(seed)(images, training=True)))
    assert lesson.status == PASSED, lesson


def test_digit_augment_starter_is_not_done():
    assert check.ex03_digit_augment(starter).status == NOT_DONE


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda images, seed: augment_digits(np.asarray(images)[:, ::-1, ::-1], seed), "6s read as 9"),  # 180° turn
        (lambda images, seed: np.asarray(images)[:, ::-1].copy(), "changing the label"),  # vertical flip
        (lambda images, seed: np.asarray(images).copy(), "changed noticeably"),  # the identity
        (lambda images, seed: augment_digits(images, None), "same seed gave different images"),
        (lambda images, seed: np.roll(images, 1 + seed % 2, axis=2), "16 copies of one digit"),  # one draw per batch
        (lambda images, seed: augment_digits(images, seed).astype(np.float64), "dtype float64"),
        (lambda images, seed: augment_digits(images, seed)[..., 0], "shape (1000, 28, 28)"),
        (lambda images, seed: 255 * augment_digits(images, seed), "outside [0, 1]"),
    ],
    ids=["rot180", "vertical-flip", "identity", "unseeded", "per-batch", "float64", "no-channel", "0-255"],
)
def test_digit_augment_rejects(wrong, phrase):
    assert_fails(check.ex03_digit_augment(wrong), phrase)


# 03.2 ----------------------------------------------------------------------------------------


def test_stack_prediction():
    assert check.ex03_stack_prediction(((16, 24, 24, 1), (16, 28, 28, 1), 103.0)).status == PASSED
    assert check.ex03_stack_prediction(None).status == NOT_DONE
    assert_fails(check.ex03_stack_prediction(((16, 24, 24, 1), (16, 24, 24, 1), 103.0)), "inference shape")
    assert_fails(check.ex03_stack_prediction(((16, 28, 28, 1), (16, 28, 28, 1), 103.0)), "training shape")
    assert_fails(check.ex03_stack_prediction(((16, 24, 24, 1), (16, 28, 28, 1), 1.4)), "too low")
    assert_fails(check.ex03_stack_prediction(((16, 24, 24, 1), (16, 28, 28, 1), 255)), "too high")
    assert_fails(check.ex03_stack_prediction(((16, 24, 24, 1), (16, 28, 28, 1))), "three things")


# 03.3 ----------------------------------------------------------------------------------------


def black(theta_degrees):
    theta = np.deg2rad(theta_degrees)
    return float(np.sin(2 * theta) / (1 + np.sin(theta) + np.cos(theta)) ** 2)


def test_black_fraction():
    assert check.ex03_black_fraction({10: black(10), 45: black(45)}).status == PASSED
    assert check.ex03_black_fraction(None).status == NOT_DONE
    assert_fails(check.ex03_black_fraction({10: black(10), 45: 0.25}), "45°: 0.250 is too high")
    assert_fails(check.ex03_black_fraction({10: 0.0, 45: black(45)}), "10°: 0.000 is too low")
    assert_fails(check.ex03_black_fraction({10: 7.3, 45: 17.2}), "percentage")
    assert_fails(check.ex03_black_fraction({45: black(45)}), "no answer for 10°")


# 03.4 ----------------------------------------------------------------------------------------


def mixup(images, labels, alpha, seed, num_classes=10, *, draw="beta", label_weight="same", partner="permutation"):
    images = np.asarray(images)
    rng = np.random.default_rng(seed)
    lam = rng.beta(alpha, alpha, len(images)) if draw == "beta" else rng.uniform(0, 1, len(images))
    order = rng.permutation(len(images)) if partner == "permutation" else np.arange(len(images))
    weight = lam.reshape(-1, *[1] * (images.ndim - 1)).astype(images.dtype)
    onehot = np.eye(num_classes)[labels]
    lab = {"same": lam, "swapped": 1 - lam, "none": np.ones_like(lam)}[label_weight][:, None]
    return weight * images + (1 - weight) * images[order], lab * onehot + (1 - lab) * onehot[order], lam, order


def test_mixup():
    assert check.ex03_mixup(mixup).status == PASSED
    assert check.ex03_mixup(starter).status == NOT_DONE


@pytest.mark.parametrize(
    "options, phrase",
    [
        ({"label_weight": "none"}, "labels must be mixed with the same weights"),
        ({"label_weight": "swapped"}, "labels must be mixed with the same weights"),
        ({"draw": "uniform"}, "Beta(0.2, 0.2)"),
        ({"partner": "self"}, "their own partner"),
    ],
    ids=["labels-unmixed", "labels-swapped", "uniform-lambda", "no-partner"],
)
def test_mixup_rejects(options, phrase):
    assert_fails(check.ex03_mixup(lambda *args: mixup(*args, **options)), phrase)


def test_mixup_rejects_float64_images():
    def as_float64(*args):
        mixed, *rest = mixup(*args)
        return (mixed.astype(np.float64), *rest)

    assert_fails(check.ex03_mixup(as_float64), "float32")


# 03.5 ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def knn_digits():
    x_train, y_train, _, _ = check._mnist()
    rng = np.random.default_rng(42)
    pick = np.concatenate([rng.choice(np.flatnonzero(y_train == c), 30, replace=False) for c in range(10)])
    return x_train[pick], y_train[pick]


def strength_sweep(knn_x, knn_y, strengths=(0, 0.25, 0.5, 1, 2)):
    _, _, x_test, y_test = check._mnist()
    found = {}
    for strength in strengths:
        parts = [knn_x]
        if strength:
            aug = digit_augmentation(42, rotation_degrees=10 * strength, zoom=0.1 * strength, translate=0.1 * strength)
            parts += [np.asarray(aug(knn_x, training=True)) for _ in range(4)]
        knn = KNeighborsClassifier(1).fit(np.concatenate(parts).reshape(-1, 784), np.tile(knn_y, len(parts)))
        found[strength] = float(knn.score(x_test[:2000].reshape(2000, -1), y_test[:2000]))
    return found


def test_knn_strength(knn_digits):
    x, y = knn_digits
    found = strength_sweep(x, y)
    assert check.ex03_knn_strength(found, x, y).status == PASSED
    assert check.ex03_knn_strength(None, x, y).status == NOT_DONE
    assert_fails(check.ex03_knn_strength(found | {0: found[0] + 0.01}, x, y), "strength 0:")
    assert_fails(check.ex03_knn_strength({k: v for k, v in found.items() if k != 2}, x, y), "no accuracy")
    assert_fails(check.ex03_knn_strength({k: 100 * v for k, v in found.items()}, x, y), "percentages")
    assert_fails(check.ex03_knn_strength(dict.fromkeys(found, None), x, y), "should be numbers")


def test_knn_strength_rejects_a_sweep_that_never_changes_the_strength(knn_digits):
    x, y = knn_digits
    found = strength_sweep(x, y, strengths=(0, 1))  # the knob left at 1 for every strength
    assert_fails(
        check.ex03_knn_strength(dict.fromkeys((0.25, 0.5, 1, 2), found[1]) | {0: found[0]}, x, y),
        "outside the measured",
    )
