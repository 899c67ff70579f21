"""Notebook 03's augmentation: layer catalogue, digit and photo pipelines, stateless tf.image
augmentation, the reproducible tf.data pipeline, the grid of draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_utils.data import photos
from course_utils.data.datasets import load_mnist
from course_utils.data.loaders import measure_throughput
from course_utils.lessons import augmentation


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    (x, _), _ = load_mnist(progress=False)
    return (x[:8, :, :, None] / 255.0).astype(np.float32)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return (photos.resize_photo(photos.load_photo("chelsea"), 48) / 255.0).astype(np.float32)


def _in_range(x) -> bool:
    x = np.asarray(x)
    return bool(np.isfinite(x).all() and x.min() >= -1e-6 and x.max() <= 1 + 1e-6)


def test_degrees_is_a_fraction_of_a_turn():
    assert augmentation.degrees(90) == 0.25


@pytest.mark.parametrize("kind", ["digit", "photo"])
def test_catalogue_keeps_shape_and_range_and_is_identity_at_inference(kind, digits, photo):
    batch = digits[:4] if kind == "digit" else np.stack([photo] * 3)
    crop = (20, 20) if kind == "digit" else (40, 40)
    catalogue = augmentation.augmentation_catalogue(seed=0, crop=crop, color=(kind == "photo"))
    assert ("hue" in catalogue) == (kind == "photo")
    for name, layer in catalogue.items():
        out = np.asarray(layer(batch, training=True))
        expected = batch.shape[:1] + (crop if name.startswith("random crop") else batch.shape[1:3]) + batch.shape[3:]
        assert out.shape == expected, name
        assert _in_range(out), name
        if not name.startswith("random crop"):
            assert not np.allclose(out, batch), f"{name} changed nothing in training"
        assert np.array_equal(np.asarray(layer(batch, training=False)), batch), f"{name} not identity at inference"


def test_digit_pipeline_changes_digits_in_training_only(digits):
    pipeline = augmentation.digit_augmentation(seed=1)
    out = np.asarray(pipeline(digits, training=True))
    assert out.shape == digits.shape and _in_range(out)
    assert not np.allclose(out, digits)
    assert np.array_equal(np.asarray(pipeline(digits, training=False)), digits)


def test_photo_pipeline_with_and_without_crop(photo):
    batch = np.stack([photo] * 2)
    out = np.asarray(augmentation.photo_augmentation(seed=2)(batch, training=True))
    assert out.shape == batch.shape and _in_range(out)
    cropped = augmentation.photo_augmentation(seed=2, crop=(32, 32))
    assert np.asarray(cropped(batch, training=True)).shape == (2, 32, 32, 3)
    assert np.array_equal(np.asarray(augmentation.photo_augmentation(seed=2)(batch, training=False)), batch)


def test_seeded_pipelines_repeat_their_draws(digits, photo):
    photos_batch = np.stack([photo] * 2)
    for build, x in ((augmentation.digit_augmentation, digits), (augmentation.photo_augmentation, photos_batch)):
        first = np.asarray(build(seed=7)(x, training=True))
        again = np.asarray(build(seed=7)(x, training=True))
        other = np.asarray(build(seed=8)(x, training=True))
        np.testing.assert_array_equal(first, again)
        assert not np.allclose(first, other)


def test_random_draws_and_grid(digits):
    import matplotlib.pyplot as plt

    layer = augmentation.augmentation_catalogue(seed=3, crop=(20, 20), color=False)["random crop 20×20"]
    draws = augmentation.random_draws(layer, digits[0], 4)
    assert draws.shape == (4, 20, 20, 1)
    assert len({d.tobytes() for d in augmentation.random_draws(layer, digits[0], 6)}) > 1, "one crop per call"
    fig = augmentation.show_augmentations(digits[0], {"zoom": augmentation.digit_augmentation(seed=0)}, n_draws=3)
    assert len([ax for ax in fig.axes if ax.images]) == 4
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles[0] == "zoom" and all(t.startswith("|Δ| ") for t in titles[1:]), titles
    plt.close(fig)


def test_stateless_digit_augment_depends_only_on_its_seed(digits):
    import tensorflow as tf

    image = tf.constant(digits[0])
    a = augmentation.stateless_digit_augment(image, tf.constant([1, 2], tf.int64)).numpy()
    b = augmentation.stateless_digit_augment(image, tf.constant([1, 2], tf.int64)).numpy()
    c = augmentation.stateless_digit_augment(image, tf.constant([1, 3], tf.int64)).numpy()
    assert a.shape == digits[0].shape and _in_range(a)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("parallel", [False, True])
def test_augmented_dataset_is_reproducible(digits, parallel):
    labels = np.arange(len(digits))

    def build(seed):
        return augmentation.augmented_dataset(
            digits, labels, augmentation.stateless_digit_augment, seed=seed, batch_size=4, parallel=parallel, epochs=2
        )

    first, again, other = (list(build(s).as_numpy_iterator()) for s in (5, 5, 6))
    for (x1, y1), (x2, y2) in zip(first, again, strict=True):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(first[0][0], other[0][0])
    # the second epoch (repeated inside the pipeline) draws anew for the same images
    epochs = []
    for batches in (first[:2], first[2:]):
        x, y = np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
        assert sorted(y.tolist()) == labels.tolist()
        epochs.append(x[np.argsort(y)])
    assert not np.array_equal(*epochs)
    assert sum(int(x.shape[0]) for x, _ in build(5)) == 2 * len(digits)
    assert measure_throughput(build(5), repeats=2).images == 2 * len(digits)


def test_augmented_dataset_without_augmentation_keeps_images(digits):
    labels = np.arange(len(digits))
    pipeline = augmentation.augmented_dataset(digits, labels, None, seed=0, batch_size=len(digits))
    x, y = next(pipeline.as_numpy_iterator())
    np.testing.assert_array_equal(x, digits[y])


def test_pixel_change_and_titles(digits):
    assert augmentation.pixel_change(digits[0], digits[0]) == 0.0
    assert np.isclose(augmentation.pixel_change(np.zeros((2, 2)), np.full((2, 2), 0.25)), 0.25)
    assert augmentation.pixel_change(digits[0], digits[0][:20, :20]) is None
    assert augmentation.change_title(digits[0], digits[0][:20, :24]) == "20×24"
    assert augmentation.change_title(np.zeros((2, 2)), np.full((2, 2), 0.5)) == "|Δ| 0.500"


def test_contrast_layers_lower_and_raise_the_contrast():
    flat = np.random.default_rng(0).random((200, 4, 4, 1)).astype(np.float32)
    layer = augmentation.pixel_augmentations(seed=0, color=False)["contrast ×0.4–1.6"]
    c = np.asarray(layer.get_random_transformation(flat, training=True)["contrast_factor"]).ravel()
    assert c.min() < 0.6 and c.max() > 1.4


def test_elastic_deform_follows_simard(digits):
    field = augmentation.elastic_field((200, 28, 28), seed=0)
    assert field.shape == (200, 2, 28, 28)
    assert 0.5 < np.abs(field).mean() < 3.0, "sigma 4, alpha 34 moves pixels by about a pixel and a half"
    assert abs(np.corrcoef(field[:, 0].ravel(), field[:, 1].ravel())[0, 1]) < 0.05, "x and y drawn independently"
    out = augmentation.elastic_deform(digits, seed=1)
    assert out.shape == digits.shape and out.dtype == np.float32 and _in_range(out)
    np.testing.assert_array_equal(out, augmentation.elastic_deform(digits, seed=1))
    assert not np.allclose(out, augmentation.elastic_deform(digits, seed=2))
    assert not np.allclose(out, digits)
    np.testing.assert_allclose(augmentation.elastic_deform(digits, seed=1, alpha=0.0), digits, atol=1e-6)
