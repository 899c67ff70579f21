"""02 · Preprocessing: cleaning, conversion, standardisation and input pipelines: the code this lesson teaches.

Generated from notebooks/02_preprocessing.ipynb by ``python -m course_utils export``.
Do not edit: change the notebook's "#| export" cells and export again.
"""


import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf


def image_hash(image: np.ndarray) -> str:
    """SHA-256 of an image's shape, dtype and bytes: equal images give equal hashes."""
    array = np.ascontiguousarray(image)
    digest = hashlib.sha256(f"{array.shape}{array.dtype.str}".encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def find_duplicates(images: Iterable[np.ndarray]) -> list[list[int]]:
    """Groups of indices of identical images (groups of two or more only), in index order."""
    groups = defaultdict(list)
    for index, image in enumerate(images):
        groups[image_hash(image)].append(index)
    return sorted((group for group in groups.values() if len(group) > 1), key=lambda group: group[0])


def extra_copies(groups: Sequence[Sequence[int]]) -> int:
    """How many images could be dropped: every copy beyond the first in each group."""
    return sum(len(group) - 1 for group in groups)


def find_overlap(reference: Iterable[np.ndarray], others: Iterable[np.ndarray]) -> list[tuple[int, int]]:
    """Pairs (index in others, index in reference) of the images of others that also appear in reference."""
    first_seen = {}
    for index, image in enumerate(reference):
        first_seen.setdefault(image_hash(image), index)
    hashes = (image_hash(image) for image in others)
    return [(i, first_seen[digest]) for i, digest in enumerate(hashes) if digest in first_seen]


def scale_to_unit(images):
    """uint8 pixels 0..255 -> float32 in [0, 1] (a NumPy array or a tensor)."""
    return tf.cast(images, tf.float32) / 255.0


@dataclass
class Standardiser:
    """z-scores (x - mean) / std, with the mean and std of the data passed to fit: the training set."""

    per_channel: bool = False  # one mean and std per channel (the last axis) instead of one for all values
    eps: float = 1e-7  # floor for the std: a constant input would divide by zero
    mean_: np.ndarray | None = field(default=None, init=False)
    std_: np.ndarray | None = field(default=None, init=False)

    def fit(self, x: np.ndarray) -> "Standardiser":
        """Learn the mean and std of x (summed in float64); returns the standardiser."""
        x = np.asarray(x)
        if x.size == 0:
            raise ValueError("cannot fit on an empty array")
        axes = tuple(range(x.ndim - 1)) if self.per_channel else None  # per channel: every axis but the last
        self.mean_ = np.asarray(x.mean(axis=axes, dtype=np.float64))
        self.std_ = np.maximum(np.asarray(x.std(axis=axes, dtype=np.float64)), self.eps)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Standardise x (any split) with the fitted statistics; float32."""
        if self.mean_ is None:
            raise RuntimeError("call fit() on the training data first")
        return (np.asarray(x, np.float32) - self.mean_.astype(np.float32)) / self.std_.astype(np.float32)


def examples(x, y, map_fn=None) -> tf.data.Dataset:
    """Steps 1-2: one element per (image, label), then the per-image work, on several images at once."""
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if map_fn is not None:
        ds = ds.map(map_fn, num_parallel_calls=tf.data.AUTOTUNE)
    return ds


def scale_example(image, label):
    """The map step of this notebook's pipelines: pixels to [0, 1], label unchanged."""
    return scale_to_unit(image), label


def epoch_order(ds: tf.data.Dataset, *, seed: int, cache: bool = True, shuffle: bool = True) -> tf.data.Dataset:
    """Steps 3-4: keep the finished examples after the first pass, then draw a new order every epoch."""
    if cache:
        ds = ds.cache()
    if shuffle:
        size = int(ds.cardinality())
        if size < 1:
            raise ValueError("shuffling the whole dataset needs its size; this dataset does not know it")
        ds = ds.shuffle(size, seed=seed, reshuffle_each_iteration=True)
    return ds


def batches(ds: tf.data.Dataset, batch_size: int) -> tf.data.Dataset:
    """Steps 5-6: batches, and the next batch prepared while the model works on this one."""
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def dataset_from_arrays(x, y, *, batch_size=32, map_fn=None, cache=True, shuffle=True, seed=0) -> tf.data.Dataset:
    """from_tensor_slices -> map -> cache -> shuffle -> batch -> prefetch."""
    ds = epoch_order(examples(x, y, map_fn), seed=seed, cache=cache, shuffle=shuffle)
    return batches(ds, batch_size)


def dataset_from_folder(
    folder, *, image_size, batch_size=32, color_mode="grayscale", cache=True, shuffle=True, seed=0
) -> tf.data.Dataset:
    """(images in [0, 1], labels) batches from a folder/<class>/<image> tree; class_names kept on the result."""
    files = keras.utils.image_dataset_from_directory(
        folder, image_size=image_size, color_mode=color_mode, batch_size=None, shuffle=False, verbose=False
    )
    ds = files.map(scale_example, num_parallel_calls=tf.data.AUTOTUNE)
    ds = batches(epoch_order(ds, seed=seed, cache=cache, shuffle=shuffle), batch_size)
    ds.class_names = files.class_names
    return ds
