"""Checks for the exercises of notebook 03 · Data augmentation.

Every reference is computed at check time: a digit reader (3 nearest neighbours on centred,
deskewed MNIST digits) for the augmentation, the Keras layers themselves for the predictions,
the exact definition of MixUp with a Kolmogorov-Smirnov test of its weights, and a 1-nearest-
neighbour classifier for the strength experiment.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
from scipy import stats
from sklearn.neighbors import KNeighborsClassifier

from course_utils.checks import CaseFailed, Verdict, answered, compare_arrays, require, run_check

N_READ = 1000  # test digits the reference reads, original and augmented
N_TRAIN_READER = 10000  # training digits the reference reader remembers
MAX_ACCURACY_DROP = 0.08  # the reader may lose at most this much accuracy on augmented digits
KNN_TEST = 2000  # test digits scoring the strength experiment
# gain over no augmentation of a 1-NN on 30 digits per class plus 4 augmented copies, scored on 2,000 test
# digits (fast and full mode alike); measured over 22 random subsets, at strengths 0.25, 0.5, 1 and 2:
# +0.027..+0.050, +0.026..+0.053, -0.026..+0.022 and -0.068..-0.033
STRENGTH_GAIN_RANGES = {0.25: (0.015, 0.065), 0.5: (0.015, 0.065), 1.0: (-0.04, 0.035), 2.0: (-0.085, -0.02)}


@functools.lru_cache(maxsize=1)
def _mnist():
    """The first 10,000 MNIST training and test digits as floats in [0, 1], (N, 28, 28, 1)."""
    from course_utils import load_mnist
    from course_utils.lessons.mnist_models import to_model_input

    (x_train, y_train), (x_test, y_test) = load_mnist(progress=False)
    n = N_TRAIN_READER
    return to_model_input(x_train[:n]), y_train[:n], to_model_input(x_test), y_test


def _normalise(images, target_std: float = 5.0) -> np.ndarray:
    """Each digit moved to the centre, deskewed and scaled to a standard height (moments): (N, 784).

    The normalisation undoes small shifts, zooms, shears and rotations, and keeps flips and large
    turns: a 6 turned by 180° stays a 9-like shape."""
    x = np.asarray(images, dtype=np.float32)[..., 0]
    n, height, width = x.shape
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    mass = np.maximum(x.sum(axis=(1, 2)), 1e-6)
    cy = (x * rows).sum(axis=(1, 2)) / mass
    cx = (x * cols).sum(axis=(1, 2)) / mass
    var_y = np.maximum((x * (rows - cy[:, None, None]) ** 2).sum(axis=(1, 2)) / mass, 1.0)
    cov = (x * (rows - cy[:, None, None]) * (cols - cx[:, None, None])).sum(axis=(1, 2)) / mass
    shear, scale = cov / var_y, np.sqrt(var_y) / target_std
    c_out = (width - 1) / 2
    zero = np.zeros_like(scale)
    # output (col, row) reads the input at (cx + s*((col - c) + shear*(row - c)), cy + s*(row - c))
    transform = np.stack(
        [scale, scale * shear, cx - scale * c_out * (1 + shear), zero, scale, cy - scale * c_out, zero, zero], axis=1
    )
    out = keras.ops.image.affine_transform(x[..., None], transform.astype(np.float32), fill_mode="constant")
    return np.asarray(out).reshape(n, -1)


class _Reader:
    """The reference digit reader: 3 nearest neighbours among normalised training digits, 14×14."""

    def __init__(self, images, labels):
        self.features, self.labels = self._features(images), np.asarray(labels)
        self.norms = (self.features**2).sum(axis=1)

    @staticmethod
    def _features(images) -> np.ndarray:
        x = _normalise(images).reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4))
        return x.reshape(len(x), -1)

    def read(self, images) -> np.ndarray:
        query = self._features(images)
        distance = self.norms[None, :] - 2 * query @ self.features.T  # + |query|², the same for every column
        three = np.argpartition(distance, 3, axis=1)[:, :3]
        three = np.take_along_axis(three, np.argsort(np.take_along_axis(distance, three, axis=1), axis=1), axis=1)
        votes = self.labels[three]  # nearest first
        # the majority of the three, or the nearest one when all three differ
        return np.where(votes[:, 1] == votes[:, 2], votes[:, 1], votes[:, 0])


@functools.lru_cache(maxsize=1)
def _reader() -> _Reader:
    x_train, y_train, _, _ = _mnist()
    return _Reader(x_train, y_train)


def _read(images) -> np.ndarray:
    return _reader().read(images)


@functools.lru_cache(maxsize=1)
def _clean_accuracy() -> float:
    """How many of the first N_READ test digits, unchanged, the reader recognises."""
    _, _, x_test, y_test = _mnist()
    return float(np.mean(_read(x_test[:N_READ]) == y_test[:N_READ]))


def _as_images(got, like: np.ndarray, case: str) -> np.ndarray:
    """The learner's output as an array of the input's shape and dtype, within [0, 1]."""
    require(got is not None, f"{case}: your function returned None; did you forget a `return`?")
    try:
        got = np.asarray(got)
    except Exception as error:
        raise CaseFailed(f"{case}: the result is not an array ({type(got).__name__}): {error}") from None
    require(got.shape == like.shape, f"{case}: the result has shape {got.shape}, the input {like.shape}")
    require(got.dtype == like.dtype, f"{case}: the result has dtype {got.dtype}, the input {like.dtype}")
    require(bool(np.all(np.isfinite(got))), f"{case}: the result holds NaN or inf")
    low, high = float(got.min()), float(got.max())
    require(
        low >= -1e-6 and high <= 1 + 1e-6,
        f"{case}: pixel values run from {low:.3g} to {high:.3g}, outside [0, 1]: clip, or tell the layers "
        "value_range=(0, 1)",
    )
    return got


def ex03_digit_augment(augment_digits) -> Verdict:
    """03.1: a seeded, label-preserving random augmentation of a batch of digits."""

    def body() -> str:
        _, _, x_test, y_test = _mnist()
        images, labels = x_test[:N_READ].copy(), y_test[:N_READ]
        first = _as_images(augment_digits(images, 0), images, "seed 0 on 1,000 test digits")
        require(np.array_equal(images, x_test[:N_READ]), "your function changed its input array: work on a copy")
        again = _as_images(augment_digits(images.copy(), 0), images, "seed 0 again")
        require(
            np.allclose(again, first, atol=1e-6),
            "the same seed gave different images: draw every random number from the seed "
            "(np.random.default_rng(seed), or stateless ops), never from a global generator",
        )
        change = np.abs(first - images).mean(axis=(1, 2, 3))
        changed = float(np.mean(change >= 0.01))
        require(
            changed >= 0.8,
            f"only {changed:.0%} of the digits changed noticeably (mean |change| ≥ 0.01 per pixel); "
            "an augmentation must change most images",
        )
        clean = _clean_accuracy()
        read = _read(first)
        accuracy = float(np.mean(read == labels))
        per_class = {d: float(np.mean(read[labels == d] == d)) for d in range(10)}
        worst = min(per_class, key=per_class.get)
        six_as_nine = float(np.mean(read[labels == 6] == 9))
        require(
            accuracy >= clean - MAX_ACCURACY_DROP,
            f"the reference reader recognises {clean:.1%} of the original digits but only {accuracy:.1%} of yours "
            f"(at least {clean - MAX_ACCURACY_DROP:.1%} needed); worst class {worst} ({per_class[worst]:.0%} read "
            f"right), 6s read as 9: {six_as_nine:.0%}. Is a flip, a large rotation or too strong a shift "
            "changing the label?",
        )
        other = _as_images(augment_digits(images.copy(), 1), images, "seed 1")
        differ = float(np.mean(np.abs(other - first).max(axis=(1, 2, 3)) > 1e-3))
        require(differ >= 0.5, f"seeds 0 and 1 gave the same result for {1 - differ:.0%} of the digits: use the seed")
        same = np.repeat(images[:1], 16, axis=0)
        copies = _as_images(augment_digits(same, 2), same, "16 copies of one digit")
        distinct = len({c.round(4).tobytes() for c in copies})
        require(distinct >= 4, f"16 copies of one digit gave only {distinct} different result(s): draw per image")
        return (
            f"shape, dtype and range kept, seeded, {changed:.0%} of the digits changed; the reference reader "
            f"recognises {accuracy:.1%} of your augmented digits ({clean:.1%} of the originals)"
        )

    return run_check("03.1 digit augmentation", body)


def _stack(seed: int = 0):
    """The layer stack of exercise 03.2, built as the exercise shows it."""
    layers = keras.layers
    return keras.Sequential(
        [
            layers.RandomCrop(24, 24, seed=seed),
            layers.RandomZoom(0.2, fill_mode="constant", seed=seed + 1),
            layers.RandomBrightness(0.4, seed=seed + 2),
        ]
    )


def _as_shape(value, what: str) -> tuple:
    try:
        shape = tuple(int(v) for v in value)
    except Exception:
        raise CaseFailed(f"the {what} should be a tuple of ints like (16, 28, 28, 1), not {value!r}") from None
    return shape


def ex03_stack_prediction(stack_prediction) -> Verdict:
    """03.2: (training shape, inference shape, largest pixel value) of the stack on 16 digits in [0, 1]."""

    def body() -> str:
        answered(stack_prediction, "03.2")
        require(
            isinstance(stack_prediction, (tuple, list)) and len(stack_prediction) == 3,
            "answer with three things: (training shape, inference shape, largest pixel value)",
        )
        training, inference, largest = stack_prediction
        _, _, x_test, _ = _mnist()
        batch = x_test[:16]
        stack = _stack()
        expected_training = tuple(np.asarray(stack(batch, training=True)).shape)
        expected_inference = tuple(np.asarray(stack(batch, training=False)).shape)
        require(
            _as_shape(training, "training shape") == expected_training,
            f"training shape {tuple(training)} is wrong: which layer changes the size in training, and to what?",
        )
        require(
            _as_shape(inference, "inference shape") == expected_inference,
            f"inference shape {tuple(inference)} is wrong: what does each layer do with training=False?",
        )
        brightness = stack.layers[-1]
        low, high = (float(v) for v in brightness.value_range)
        bound = min(float(batch.max()) + float(brightness.factor[1]) * (high - low), high)
        try:
            largest = float(largest)
        except (TypeError, ValueError):
            raise CaseFailed(f"the largest pixel value should be a number, not {largest!r}") from None
        require(
            abs(largest - bound) <= 1.5,
            f"largest value {largest:g} is too {'low' if largest < bound else 'high'} (tolerance ±1.5): "
            "RandomBrightness was given no value_range; which range does it assume then, and how far "
            "can a factor of 0.4 shift a pixel?",
        )
        return f"training {expected_training}, inference {expected_inference}, values up to about {bound:.0f}"

    return run_check("03.2 shapes and values of a stack", body)


def _black_fraction(degrees: float, size: int = 28) -> float:
    """1 − the mean of a white size×size image rotated by exactly `degrees` with a black fill."""
    turn = degrees / 360
    layer = keras.layers.RandomRotation((turn, turn), fill_mode="constant", fill_value=0.0)
    return 1.0 - float(np.asarray(layer(np.ones((1, size, size, 1), np.float32), training=True)).mean())


def ex03_black_fraction(black_fraction) -> Verdict:
    """03.3: the fraction of a white 28×28 image a rotation by 10° and by 45° turns black."""

    def body() -> str:
        answered(black_fraction, "03.3")
        require(isinstance(black_fraction, dict), "answer with a dict {10: fraction, 45: fraction}")
        for angle in (10, 45):
            require(angle in black_fraction, f"no answer for {angle}°: answer with a dict {{10: ..., 45: ...}}")
            got = black_fraction[angle]
            try:
                got = float(got)
            except (TypeError, ValueError):
                raise CaseFailed(f"{angle}°: the answer should be a number, not {got!r}") from None
            require(0 <= got <= 1, f"{angle}°: {got:g} is not a fraction between 0 and 1 (a percentage?)")
            expected = _black_fraction(angle)
            require(
                abs(got - expected) <= 0.01,
                f"{angle}°: {got:.3f} is too {'low' if got < expected else 'high'} (tolerance ±0.01). The black "
                "parts are four corner triangles, each with angles θ and 90° − θ; the three sides of each add "
                "up to the image's side",
            )
        return (
            f"Keras's RandomRotation turns {_black_fraction(10):.1%} black at 10° and {_black_fraction(45):.1%} at 45°"
        )

    return run_check("03.3 black corners", body)


def _mixup_case(mixup, n: int, alpha: float, seed: int, rng: np.random.Generator) -> str:
    images = rng.random((n, 6, 6, 1), dtype=np.float32)
    labels = rng.integers(0, 10, n)
    kept_images, kept_labels = images.copy(), labels.copy()
    case = f"{n} images, alpha={alpha}, seed={seed}"
    result = mixup(images, labels, alpha, seed)
    require(np.array_equal(images, kept_images) and np.array_equal(labels, kept_labels), f"{case}: input changed")
    require(
        isinstance(result, (tuple, list)) and len(result) == 4,
        f"{case}: return four things: (mixed_images, mixed_labels, lam, partner)",
    )
    mixed, mixed_labels, lam, partner = (np.asarray(r) for r in result)
    require(lam.shape == (n,), f"{case}: lam has shape {lam.shape}, expected ({n},): one weight per image")
    require(partner.shape == (n,), f"{case}: partner has shape {partner.shape}, expected ({n},)")
    require(partner.dtype.kind in "iu", f"{case}: partner has dtype {partner.dtype}, expected integer indices")
    require(
        np.array_equal(np.sort(partner), np.arange(n)),
        f"{case}: partner is not a permutation of 0..{n - 1}: shuffle the batch (each image is a partner once)",
    )
    if n >= 100:  # a random permutation leaves about one image in place
        require(np.mean(partner == np.arange(n)) <= 0.05, f"{case}: most images are their own partner: nothing mixes")
    require(bool(np.all((lam >= 0) & (lam <= 1))), f"{case}: lam leaves [0, 1] ({lam.min():.3g} to {lam.max():.3g})")
    weight = lam.reshape(n, 1, 1, 1)
    compare_arrays(mixed, weight * images + (1 - weight) * images[partner], case=case, atol=1e-5, name="mixed_images")
    require(mixed.dtype == np.float32, f"{case}: mixed_images has dtype {mixed.dtype}, the images float32")
    onehot = np.eye(10)[labels]
    expected_labels = lam[:, None] * onehot + (1 - lam[:, None]) * onehot[partner]
    require(
        mixed_labels.shape == (n, 10),
        f"{case}: mixed_labels has shape {mixed_labels.shape}, expected ({n}, 10): one-hot rows, mixed",
    )
    compare_arrays(
        mixed_labels,
        expected_labels,
        case=f"{case} (labels must be mixed with the same weights as the images)",
        atol=1e-5,
        name="mixed_labels",
    )
    test = stats.kstest(lam, stats.beta(alpha, alpha).cdf)
    require(
        test.pvalue >= 1e-4,
        f"{case}: lam does not look like draws from Beta({alpha}, {alpha}) (Kolmogorov-Smirnov p = "
        f"{test.pvalue:.1e}; mean {lam.mean():.2f}, {np.mean((lam < 0.1) | (lam > 0.9)):.0%} below 0.1 or above 0.9)",
    )
    again = mixup(images, labels, alpha, seed)
    require(
        all(np.array_equal(np.asarray(a), b) for a, b in zip(again, (mixed, mixed_labels, lam, partner), strict=True)),
        f"{case}: the same seed gave a different result: draw from np.random.default_rng(seed)",
    )
    other = np.asarray(mixup(images, labels, alpha, seed + 1)[2])
    require(not np.array_equal(other, lam), f"{case}: seeds {seed} and {seed + 1} gave the same weights")
    return case


def ex03_mixup(mixup) -> Verdict:
    """03.4: MixUp with one Beta(alpha, alpha) weight per image and a shuffled partner."""

    def body() -> str:
        rng = np.random.default_rng(3)
        cases = [
            _mixup_case(mixup, n, alpha, seed, rng) for n, alpha, seed in [(2000, 0.2, 0), (2000, 2.0, 5), (7, 1.0, 1)]
        ]
        return f"images and labels mixed alike, weights Beta(alpha, alpha), seeded ({'; '.join(cases)})"

    return run_check("03.4 MixUp", body)


def _one_nn_accuracy(images, labels) -> float:
    _, _, x_test, y_test = _mnist()
    classifier = KNeighborsClassifier(1).fit(np.asarray(images).reshape(len(images), -1), labels)
    return float(classifier.score(x_test[:KNN_TEST].reshape(KNN_TEST, -1), y_test[:KNN_TEST]))


def ex03_knn_strength(strength_accuracy, knn_x, knn_y) -> Verdict:
    """03.5: 1-NN test accuracy with augmented copies at strengths 0, 0.25, 0.5, 1 and 2."""

    def body() -> str:
        answered(strength_accuracy, "03.5")
        require(isinstance(strength_accuracy, dict), "answer with a dict {strength: accuracy}")
        try:
            got = {float(k): float(v) for k, v in strength_accuracy.items()}
        except (TypeError, ValueError):
            raise CaseFailed(
                f"keys and values should be numbers, {{strength: accuracy}}: {strength_accuracy!r}"
            ) from None
        missing = [s for s in (0.0, *STRENGTH_GAIN_RANGES) if s not in got]
        require(not missing, f"no accuracy for strength(s) {missing}: measure 0, 0.25, 0.5, 1 and 2")
        require(all(0 <= v <= 1 for v in got.values()), "accuracies are fractions between 0 and 1 (not percentages)")
        require(len(knn_x) == len(knn_y) == 300, "use the 300 digits (30 per class) the cell picks, unchanged")
        baseline = _one_nn_accuracy(knn_x, knn_y)
        require(
            abs(got[0.0] - baseline) <= 1e-9,
            f"strength 0: {got[0.0]:.4f}, but 1-NN on the 300 digits scores {baseline:.4f} on the first "
            f"{KNN_TEST:,} test digits: no augmentation, the originals only",
        )
        for strength, (low, high) in STRENGTH_GAIN_RANGES.items():
            gain = got[strength] - baseline
            require(
                low <= gain <= high,
                f"strength {strength:g}: a gain of {gain:+.3f} over no augmentation, outside the measured "
                f"{low:+.3f} to {high:+.3f}. Did the strength scale all three ranges (±10°·s, ±10%·s, ±10%·s), "
                "with 4 augmented copies added to the originals?",
            )
        best = max(STRENGTH_GAIN_RANGES, key=got.get)
        return f"best strength {best:g}: {got[best]:.1%} against {baseline:.1%} without augmentation"

    return run_check("03.5 augmentation strength", body)
