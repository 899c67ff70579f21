"""03 · Data augmentation: the code this lesson teaches.

Generated from notebooks/03_data_augmentation.ipynb by ``python -m course_utils export``.
Do not edit: change the notebook's "#| export" cells and export again.
"""


from collections.abc import Callable, Mapping

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from scipy import ndimage

from course_utils.lessons.preprocessing import batches, epoch_order, examples
from course_utils.plots import show_images

VALUE_RANGE = (0.0, 1.0)  # our pixels are floats in [0, 1]; Keras's colour layers assume [0, 255] unless told


def degrees(angle: float) -> float:
    """A rotation in degrees as the fraction of a full turn that RandomRotation takes."""
    return angle / 360.0


def layer_seed(seed: int | None, offset: int) -> int | None:
    """A distinct seed for each layer of a pipeline (None stays unseeded)."""
    return None if seed is None else seed + offset


def geometric_augmentations(seed: int | None = None, *, crop: tuple[int, int]) -> dict:
    """Flips, rotation, zoom, translation and a random crop to the size crop, each as one layer."""
    return {
        "horizontal flip": layers.RandomFlip("horizontal", seed=layer_seed(seed, 0)),
        "vertical flip": layers.RandomFlip("vertical", seed=layer_seed(seed, 1)),
        "rotation ±30°": layers.RandomRotation(degrees(30), fill_mode="constant", seed=layer_seed(seed, 2)),
        "zoom ±30%": layers.RandomZoom(0.3, fill_mode="constant", seed=layer_seed(seed, 3)),
        "translation ±20%": layers.RandomTranslation(0.2, 0.2, fill_mode="constant", seed=layer_seed(seed, 4)),
        f"random crop {crop[0]}×{crop[1]}": layers.RandomCrop(*crop, seed=layer_seed(seed, 5)),
    }


def pixel_augmentations(seed: int | None = None, *, color: bool = True) -> dict:
    """Erasing, brightness, contrast, saturation and hue (color=True only), sharpness and blur."""
    found = {
        "random erasing": layers.RandomErasing(
            factor=(1.0, 1.0), scale=(0.05, 0.2), fill_value=0.5, value_range=VALUE_RANGE, seed=layer_seed(seed, 6)
        ),
        "brightness ±40%": layers.RandomBrightness(0.4, value_range=VALUE_RANGE, seed=layer_seed(seed, 7)),
        "contrast ×0.4–1.6": layers.RandomContrast((0.6, 0.6), value_range=VALUE_RANGE, seed=layer_seed(seed, 8)),
    }
    if color:
        found["saturation"] = layers.RandomSaturation((0.1, 0.9), value_range=VALUE_RANGE, seed=layer_seed(seed, 9))
        found["hue"] = layers.RandomHue(0.3, value_range=VALUE_RANGE, seed=layer_seed(seed, 10))
    found["sharpness"] = layers.RandomSharpness((0.9, 1.0), value_range=VALUE_RANGE, seed=layer_seed(seed, 11))
    found["Gaussian blur"] = layers.RandomGaussianBlur(
        factor=(1.0, 1.0), kernel_size=5, sigma=(0.5, 2.0), value_range=VALUE_RANGE, seed=layer_seed(seed, 12)
    )
    return found


def augmentation_catalogue(seed: int | None = None, *, crop: tuple[int, int], color: bool = True) -> dict:
    """One layer for each augmentation of the table, set strong enough to see."""
    return geometric_augmentations(seed, crop=crop) | pixel_augmentations(seed, color=color)


def random_draws(layer: Callable, image: np.ndarray, n: int) -> np.ndarray:
    """n independent random draws of layer on one image (H, W, C), in training mode."""
    batch = np.asarray(image, dtype=np.float32)[None]
    return np.stack([np.asarray(layer(batch, training=True))[0] for _ in range(n)])


def pixel_change(original: np.ndarray, changed: np.ndarray) -> float | None:
    """Mean absolute pixel difference between two images of the same shape (None if the shapes differ)."""
    original, changed = np.asarray(original, dtype=np.float32), np.asarray(changed, dtype=np.float32)
    return float(np.mean(np.abs(changed - original))) if original.shape == changed.shape else None


def change_title(original: np.ndarray, changed: np.ndarray) -> str:
    """A draw's title: its pixel change, or its new size."""
    change = pixel_change(original, changed)
    return f"|Δ| {change:.3f}" if change is not None else "{}×{}".format(*np.shape(changed)[:2])


def show_augmentations(image: np.ndarray, catalogue: Mapping[str, Callable], n_draws: int = 5, **show_options):
    """A grid: one row per augmentation, the original first, then n_draws random draws titled by their change."""
    tiles, titles = [], []
    for name, layer in catalogue.items():
        draws = random_draws(layer, image, n_draws)
        tiles += [image, *draws]
        titles += [name] + [change_title(image, draw) for draw in draws]
    return show_images(tiles, titles, ncols=n_draws + 1, **show_options)


def digit_augmentation(
    seed: int | None = None,
    *,
    rotation_degrees: float = 10.0,
    zoom: float = 0.1,
    translate: float = 0.1,
    name: str = "digit_augmentation",
):
    """Label-preserving augmentation for handwritten digits: small rotations, zoom, shifts; no flips."""
    return keras.Sequential(
        [
            layers.RandomRotation(degrees(rotation_degrees), fill_mode="constant", seed=layer_seed(seed, 0)),
            layers.RandomZoom(zoom, fill_mode="constant", seed=layer_seed(seed, 1)),
            layers.RandomTranslation(translate, translate, fill_mode="constant", seed=layer_seed(seed, 2)),
        ],
        name=name,
    )


def photo_augmentation(seed: int | None = None, *, crop: tuple[int, int] | None = None):
    """Augmentation for RGB photos: mirror, optional random crop, rotation, zoom, colour jitter."""
    steps = [layers.RandomFlip("horizontal", seed=layer_seed(seed, 0))]
    if crop is not None:
        steps.append(layers.RandomCrop(*crop, seed=layer_seed(seed, 1)))
    steps += [
        layers.RandomRotation(degrees(15), seed=layer_seed(seed, 2)),
        layers.RandomZoom(0.2, seed=layer_seed(seed, 3)),
        layers.RandomBrightness(0.2, value_range=VALUE_RANGE, seed=layer_seed(seed, 4)),
        layers.RandomContrast((0.3, 0.3), value_range=VALUE_RANGE, seed=layer_seed(seed, 5)),
        layers.RandomSaturation((0.3, 0.7), value_range=VALUE_RANGE, seed=layer_seed(seed, 6)),
        layers.RandomHue(0.05, value_range=VALUE_RANGE, seed=layer_seed(seed, 7)),
    ]
    return keras.Sequential(steps, name="photo_augmentation")


def stateless_digit_augment(image, seed, *, pad: int = 3, contrast: tuple[float, float] = (0.7, 1.3)):
    """Shift a digit by up to pad pixels and change its contrast; the draw depends only on seed (shape [2])."""
    crop_seed, contrast_seed = tf.unstack(tf.random.experimental.stateless_split(seed, num=2))
    height, width, channels = image.shape
    padded = tf.image.resize_with_crop_or_pad(image, height + 2 * pad, width + 2 * pad)
    shifted = tf.image.stateless_random_crop(padded, (height, width, channels), seed=crop_seed)
    changed = tf.image.stateless_random_contrast(shifted, *contrast, seed=contrast_seed)
    return tf.clip_by_value(changed, *VALUE_RANGE)


def augmented_dataset(images, labels, augment: Callable | None, *, seed: int, batch_size=64, parallel=True, epochs=1):
    """Shuffle, repeat, augment(image, seed) each image with its own seed, batch, prefetch."""
    ds = epoch_order(examples(images, labels), seed=seed, cache=False).repeat(epochs)
    if augment is not None:

        def with_own_seed(position, example):
            image, label = example
            return augment(image, tf.stack([tf.cast(seed, tf.int64), position])), label

        parallel_map = {"num_parallel_calls": tf.data.AUTOTUNE, "deterministic": True} if parallel else {}
        ds = ds.enumerate().map(with_own_seed, **parallel_map)
    return batches(ds, batch_size)


def elastic_field(shape: tuple[int, int, int], seed: int, *, alpha: float = 34.0, sigma: float = 4.0) -> np.ndarray:
    """Random smooth displacement fields (N, 2, H, W), y then x, in pixels: uniform in [-1, 1], smoothed, × alpha."""
    n, height, width = shape
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, (n, 2, height, width))
    return alpha * ndimage.gaussian_filter(noise, sigma=(0, 0, sigma, sigma))


def elastic_deform(images, seed: int, *, alpha: float = 34.0, sigma: float = 4.0) -> np.ndarray:
    """Elastic deformation (Simard, Steinkraus & Platt, 2003) of images (N, H, W, C), each its own field.

    Bilinear resampling, 0 outside the image; the draws depend only on seed."""
    images = np.asarray(images, dtype=np.float32)
    n, height, width, channels = images.shape
    field = elastic_field((n, height, width), seed, alpha=alpha, sigma=sigma)
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float64)
    out = np.empty_like(images)
    for i in range(n):
        where = [grid_y + field[i, 0], grid_x + field[i, 1]]
        for c in range(channels):
            out[i, ..., c] = ndimage.map_coordinates(images[i, ..., c], where, order=1, mode="constant", cval=0.0)
    return out
