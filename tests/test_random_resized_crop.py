"""The random-resized crop of notebook 02 (Szegedy et al., 2015): a seeded Keras layer on TensorFlow's box sampler."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from course_utils.lessons.preprocessing import (  # noqa: E402 (after the import guards)
    RandomResizedCrop,
    imagenet_eval_crop,
    random_resized_crop_box,
    resize_shorter_side,
)


def _images(n=3, height=60, width=90):
    return np.random.default_rng(0).uniform(0, 255, (n, height, width, 3)).astype(np.float32)


@pytest.mark.parametrize("shape", [(60, 60, 3), (60, 90, 3), (90, 60, 1)])
def test_boxes_respect_scale_and_ratio(shape):
    height, width = shape[:2]
    for k in range(100):
        top, left, h, w = (int(v) for v in random_resized_crop_box(shape, [7, k]))
        assert 0 <= top and 0 <= left and top + h <= height and left + w <= width
        assert 0.08 <= h * w / (height * width) <= 1.0
        assert 3 / 4 - 1 / h <= w / h <= 4 / 3 + 1 / h  # the ratio up to one pixel of rounding


def test_boxes_follow_the_scale_asked_for():
    areas = [
        np.prod([int(v) for v in random_resized_crop_box((80, 80, 3), [1, k], scale=(0.5, 0.6))[2:]]) for k in range(50)
    ]
    assert all(0.5 * 6400 <= a <= 0.6 * 6400 for a in areas)
    assert random_resized_crop_box((80, 80, 3), [1, 2]) == random_resized_crop_box((80, 80, 3), [1, 2])


def test_output_shape_and_dtype():
    out = RandomResizedCrop(32, 24, seed=0)(_images())
    assert tuple(out.shape) == (3, 32, 24, 3) and out.dtype == tf.float32
    single = RandomResizedCrop(32, 24, seed=0)(_images()[0])
    assert tuple(single.shape) == (32, 24, 3)
    assert RandomResizedCrop(32, 24).compute_output_shape((None, 60, 90, 3)) == (None, 32, 24, 3)


def test_deterministic_for_a_seed_and_different_across_seeds_and_calls():
    x = _images()
    a = RandomResizedCrop(32, 32, seed=1)(x).numpy()
    np.testing.assert_array_equal(a, RandomResizedCrop(32, 32, seed=1)(x).numpy())
    assert not np.allclose(a, RandomResizedCrop(32, 32, seed=2)(x).numpy())
    layer = RandomResizedCrop(32, 32, seed=1)
    assert not np.allclose(layer(x).numpy(), layer(x).numpy())  # each call draws new boxes
    same = np.stack([x[0]] * 4)
    crops = RandomResizedCrop(32, 32, seed=3)(same).numpy()
    assert not np.allclose(crops[0], crops[1])  # one box per image, not one per batch


def test_a_crop_is_the_resized_box():
    x = _images(1)[0]
    layer = RandomResizedCrop(20, 20, seed=5)
    crop = layer(x).numpy()
    # the layer drew its per-image seed from its generator: redo the draw with a fresh layer of the same seed
    fresh = RandomResizedCrop(20, 20, seed=5)
    seed = keras.random.randint((2,), 0, 2**31 - 1, seed=fresh.seed_generator)
    (image_seed,) = tf.random.split(seed, 1)
    top, left, h, w = (int(v) for v in random_resized_crop_box(x.shape, image_seed))
    expected = tf.image.resize(x[top : top + h, left : left + w], (20, 20), antialias=True).numpy()
    np.testing.assert_allclose(crop, expected, atol=1e-3)


def test_not_training_gives_the_centre_crop():
    x = _images()
    out = RandomResizedCrop(30, 30, seed=0)(x, training=False).numpy()
    centre = keras.layers.Resizing(30, 30, crop_to_aspect_ratio=True, antialias=True)(x).numpy()
    np.testing.assert_allclose(out, centre, atol=1e-3)
    np.testing.assert_array_equal(out, RandomResizedCrop(30, 30, seed=9)(x, training=False).numpy())


def test_works_in_a_tf_data_map():
    layer = RandomResizedCrop(16, 16, seed=4)
    ds = tf.data.Dataset.from_tensor_slices(_images(4)).map(lambda image: layer(image))
    shapes = [tuple(e.shape) for e in ds]
    assert shapes == [(16, 16, 3)] * 4
    batched = tf.data.Dataset.from_tensor_slices(_images(4)).batch(2).map(lambda b: layer(b))
    assert [tuple(e.shape) for e in batched] == [(2, 16, 16, 3)] * 2


def test_works_in_a_model_random_in_training_centre_in_predict():
    model = keras.Sequential(
        [keras.Input((60, 90, 3)), RandomResizedCrop(24, 24, seed=6), keras.layers.RandomFlip("horizontal", seed=6)]
    )
    x = _images()
    predicted = model.predict(x, verbose=0)
    centre = keras.layers.Resizing(24, 24, crop_to_aspect_ratio=True, antialias=True)(x).numpy()
    np.testing.assert_allclose(predicted, centre, atol=1e-3)  # predict: no randomness
    assert model(x, training=True).shape == (3, 24, 24, 3)
    assert not np.allclose(model(x, training=True).numpy(), centre)
    config = RandomResizedCrop(24, 24, scale=(0.2, 1.0), seed=6).get_config()
    assert RandomResizedCrop.from_config(config).scale == (0.2, 1.0)


def test_eval_pipeline_keeps_the_aspect_ratio():
    x = _images(1, 60, 90)[0]
    resized = resize_shorter_side(x, 40)
    assert tuple(resized.shape) == (40, 60, 3)
    assert tuple(resize_shorter_side(_images(2, 90, 60), 30).shape) == (2, 45, 30, 3)
    cropped = imagenet_eval_crop(x, resize=40, crop=32).numpy()
    assert cropped.shape == (32, 32, 3)
    np.testing.assert_allclose(cropped, resized.numpy()[4:36, 14:46], atol=1e-5)  # the central square
