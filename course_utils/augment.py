"""Data augmentation: Keras preprocessing-layer pipelines, stateless ``tf.image`` augmentation
for reproducible ``tf.data`` pipelines, random draws, the original-and-draws grid, throughput.

Images are float32 in ``[0, 1]`` throughout (``value_range=(0, 1)`` for every colour layer).
Keras 3 has a layer for every augmentation the course names (flips, rotation, zoom,
translation, crop, erasing, brightness, contrast, saturation, hue, sharpness, Gaussian blur),
so nothing here re-implements one: the builders only choose and configure them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

VALUE_RANGE = (0.0, 1.0)


def degrees(angle: float) -> float:
    """A rotation in degrees as the fraction of a full turn that ``RandomRotation`` takes."""
    return angle / 360.0


def _seed(seed: int | None, offset: int) -> int | None:
    """A distinct seed for each layer of a pipeline (``None`` stays unseeded)."""
    return None if seed is None else seed + offset


def digit_augmentation(
    seed: int | None = None,
    *,
    rotation_degrees: float = 10.0,
    zoom: float = 0.1,
    translate: float = 0.1,
    name: str = "digit_augmentation",
):
    """Label-preserving augmentation for handwritten digits: small rotations, zoom, shifts.

    No flips and no large rotations: a mirrored 2 is no digit, and a 6 turned by 180° reads 9.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            layers.RandomRotation(degrees(rotation_degrees), fill_mode="constant", seed=_seed(seed, 0)),
            layers.RandomZoom(zoom, fill_mode="constant", seed=_seed(seed, 1)),
            layers.RandomTranslation(translate, translate, fill_mode="constant", seed=_seed(seed, 2)),
        ],
        name=name,
    )


def photo_augmentation(
    seed: int | None = None,
    *,
    crop: tuple[int, int] | None = None,
    rotation_degrees: float = 15.0,
    zoom: float = 0.2,
    brightness: float = 0.2,
    contrast: float = 0.3,
    saturation: tuple[float, float] = (0.3, 0.7),
    hue: float = 0.05,
    name: str = "photo_augmentation",
):
    """Augmentation for RGB photos: mirror, rotation, zoom, optional random crop, colour jitter.

    ``crop=(h, w)`` adds ``RandomCrop`` (the output then has that size). Horizontal flips
    suit most photos (a mirrored cat is a cat); vertical ones do not (skies are up).
    """
    import keras
    from keras import layers

    steps = [layers.RandomFlip("horizontal", seed=_seed(seed, 0))]
    if crop is not None:
        steps.append(layers.RandomCrop(*crop, seed=_seed(seed, 1)))
    steps += [
        layers.RandomRotation(degrees(rotation_degrees), seed=_seed(seed, 2)),
        layers.RandomZoom(zoom, seed=_seed(seed, 3)),
        layers.RandomBrightness(brightness, value_range=VALUE_RANGE, seed=_seed(seed, 4)),
        layers.RandomContrast(contrast, value_range=VALUE_RANGE, seed=_seed(seed, 5)),
        layers.RandomSaturation(saturation, value_range=VALUE_RANGE, seed=_seed(seed, 6)),
        layers.RandomHue(hue, value_range=VALUE_RANGE, seed=_seed(seed, 7)),
    ]
    return keras.Sequential(steps, name=name)


def augmentation_catalogue(
    seed: int | None = None,
    *,
    crop: tuple[int, int],
    color: bool = True,
) -> dict[str, object]:
    """One Keras layer for each augmentation the course names, set strong enough to see.

    ``crop`` is the ``RandomCrop`` output size; ``color=False`` leaves out saturation and hue,
    which need RGB input.
    """
    from keras import layers

    catalogue = {
        "horizontal flip": layers.RandomFlip("horizontal", seed=_seed(seed, 0)),
        "vertical flip": layers.RandomFlip("vertical", seed=_seed(seed, 1)),
        "rotation ±30°": layers.RandomRotation(degrees(30), fill_mode="constant", seed=_seed(seed, 2)),
        "zoom ±30%": layers.RandomZoom(0.3, fill_mode="constant", seed=_seed(seed, 3)),
        "translation ±20%": layers.RandomTranslation(0.2, 0.2, fill_mode="constant", seed=_seed(seed, 4)),
        f"random crop {crop[0]}×{crop[1]}": layers.RandomCrop(*crop, seed=_seed(seed, 5)),
        "random erasing": layers.RandomErasing(
            factor=(1.0, 1.0), scale=(0.05, 0.2), fill_value=0.5, value_range=VALUE_RANGE, seed=_seed(seed, 6)
        ),
        "brightness ±40%": layers.RandomBrightness(0.4, value_range=VALUE_RANGE, seed=_seed(seed, 7)),
        "contrast ±60%": layers.RandomContrast(0.6, value_range=VALUE_RANGE, seed=_seed(seed, 8)),
    }
    if color:
        catalogue["saturation"] = layers.RandomSaturation((0.1, 0.9), value_range=VALUE_RANGE, seed=_seed(seed, 9))
        catalogue["hue"] = layers.RandomHue(0.3, value_range=VALUE_RANGE, seed=_seed(seed, 10))
    catalogue["sharpness"] = layers.RandomSharpness((0.5, 1.0), value_range=VALUE_RANGE, seed=_seed(seed, 11))
    catalogue["Gaussian blur"] = layers.RandomGaussianBlur(
        factor=(1.0, 1.0), kernel_size=5, sigma=(0.5, 2.0), value_range=VALUE_RANGE, seed=_seed(seed, 12)
    )
    return catalogue


def random_draws(layer: Callable, image: np.ndarray, n: int) -> np.ndarray:
    """``n`` independent random draws of ``layer`` on one image (H, W, C), in training mode.

    One call per draw: some layers (``RandomCrop``) draw one transformation per batch.
    """
    batch = np.asarray(image, dtype=np.float32)[None]
    return np.stack([np.asarray(layer(batch, training=True))[0] for _ in range(n)])


def show_augmentations(
    image: np.ndarray,
    layers: Mapping[str, Callable],
    n_draws: int = 5,
    *,
    size: float = 1.2,
    suptitle: str | None = None,
):
    """A grid: one row per augmentation, the original first, then ``n_draws`` random draws."""
    from .plots import show_images

    tiles, titles = [], []
    for name, layer in layers.items():
        tiles.append(image)
        titles.append(f"{name}: original")
        for draw in random_draws(layer, image, n_draws):
            tiles.append(draw)
            titles.append("")
    return show_images(tiles, titles, ncols=n_draws + 1, size=size, suptitle=suptitle)


def stateless_digit_augment(image, seed, *, pad: int = 3, contrast: tuple[float, float] = (0.7, 1.3)):
    """Shift a digit by up to ``pad`` pixels (pad, then a random crop) and change its contrast.

    Built from ``tf.image``'s *stateless* ops: the draw depends only on ``seed`` (a shape-[2]
    integer tensor), never on how many images were augmented before, so a parallel
    ``tf.data`` map gives the same result on every run.
    """
    import tensorflow as tf

    crop_seed, contrast_seed = tf.unstack(tf.random.experimental.stateless_split(seed, num=2))
    height, width, channels = image.shape
    padded = tf.image.resize_with_crop_or_pad(image, height + 2 * pad, width + 2 * pad)
    shifted = tf.image.stateless_random_crop(padded, (height, width, channels), seed=crop_seed)
    changed = tf.image.stateless_random_contrast(shifted, *contrast, seed=contrast_seed)
    return tf.clip_by_value(changed, *VALUE_RANGE)


def augmented_dataset(
    images: np.ndarray,
    labels: np.ndarray,
    augment: Callable | None,
    *,
    seed: int,
    batch_size: int = 64,
    parallel: bool = True,
    epochs: int = 1,
):
    """A reproducible training pipeline: shuffle, repeat, augment each image, batch.

    ``augment(image, seed)`` gets a per-image seed made of ``seed`` and the image's position
    in the stream (epochs repeated inside the pipeline continue the count), so each epoch gets
    new draws, yet rebuilding the pipeline with the same ``seed`` gives the same batches, with
    or without ``num_parallel_calls=AUTOTUNE``.
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat(epochs)
    if augment is not None:
        dataset = dataset.enumerate().map(
            lambda i, pair: (augment(pair[0], tf.stack([tf.cast(seed, tf.int64), i])), pair[1]),
            **({"num_parallel_calls": tf.data.AUTOTUNE, "deterministic": True} if parallel else {}),
        )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def images_per_second(dataset, *, repeats: int = 3) -> float:
    """Throughput of a finite ``tf.data`` pipeline of batches: images per second, best of
    ``repeats`` full passes (the best pass is the one least disturbed by other work)."""
    best = 0.0
    for _ in range(repeats):
        count, start = 0, time.perf_counter()
        for batch in dataset:
            first = batch[0] if isinstance(batch, (tuple, list)) else batch
            count += int(first.shape[0])
        best = max(best, count / (time.perf_counter() - start))
    return best


def first_batch(dataset) -> Sequence[np.ndarray]:
    """The first batch of a dataset as numpy arrays."""
    batch = next(iter(dataset))
    if isinstance(batch, (tuple, list)):
        return [np.asarray(part) for part in batch]
    return [np.asarray(batch)]
