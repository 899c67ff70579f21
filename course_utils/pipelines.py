"""Input pipelines: ``tf.data`` from arrays and from image folders, a plain-Python baseline,
and a throughput measurer (images per second).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def dataset_from_arrays(
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int = 32,
    map_fn: Callable | None = None,
    cache: bool = True,
    shuffle: bool = True,
    seed: int = 0,
    prefetch: bool = True,
):
    """``from_tensor_slices -> map -> cache -> shuffle -> batch -> prefetch``.

    The cache sits after the (deterministic) ``map_fn`` and before the shuffle, so the work
    is done once while the order still changes every epoch.
    """
    import tensorflow as tf

    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if map_fn is not None:
        ds = ds.map(map_fn, num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    return ds.prefetch(tf.data.AUTOTUNE) if prefetch else ds


def dataset_from_folder(
    folder: Path | str,
    *,
    image_size: tuple[int, int],
    batch_size: int = 32,
    color_mode: str = "grayscale",
    shuffle: bool = True,
    seed: int = 0,
    scale: bool = True,
    cache: bool = True,
    prefetch: bool = True,
):
    """``keras.utils.image_dataset_from_directory`` (labels from sub-folder names), then
    optional scaling to [0, 1], cache and prefetch. ``class_names`` is kept on the result.
    """
    import keras
    import tensorflow as tf

    ds = keras.utils.image_dataset_from_directory(
        str(folder),
        image_size=tuple(image_size),
        batch_size=batch_size,
        color_mode=color_mode,
        shuffle=shuffle,
        seed=seed,
        label_mode="int",
        verbose=False,
    )
    class_names = ds.class_names
    if scale:
        ds = ds.map(lambda images, labels: (images / 255.0, labels), num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()
    if prefetch:
        ds = ds.prefetch(tf.data.AUTOTUNE)
    ds.class_names = class_names
    return ds


def python_folder_batches(folder: Path | str, batch_size: int = 32) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The baseline: read, decode and scale the images of a ``folder/<class>/`` tree one by one
    in a Python loop, yielding ``(images, labels)`` batches (float32 in [0, 1], int labels).
    """
    from .cleaning import image_files, read_image

    files = image_files(folder)
    class_names = sorted({name for _, name in files})
    index = {name: i for i, name in enumerate(class_names)}
    for start in range(0, len(files), batch_size):
        chunk = files[start : start + batch_size]
        images = np.stack([read_image(path).astype(np.float32) / 255.0 for path, _ in chunk])
        yield images, np.asarray([index[name] for _, name in chunk])


@dataclass(frozen=True)
class Throughput:
    """Images seen, seconds taken and their ratio."""

    images: int
    seconds: float

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        return f"{self.images} images in {self.seconds:.2f} s = {self.images_per_second:,.0f} images/s"


def measure_throughput(batches: Iterable, max_batches: int | None = None) -> Throughput:
    """Iterate over ``batches`` (``(images, labels)`` tuples or bare image batches) and time it."""
    count = 0
    start = time.perf_counter()
    for i, batch in enumerate(batches):
        if max_batches is not None and i >= max_batches:
            break
        images = batch[0] if isinstance(batch, (tuple, list)) else batch
        count += int(images.shape[0])
    return Throughput(count, time.perf_counter() - start)
