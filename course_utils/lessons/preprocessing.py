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


def resize_shorter_side(image, size: int) -> tf.Tensor:
    """Resize (H, W, C) or (N, H, W, C) images so that the shorter side is `size`, keeping the aspect ratio."""
    image = tf.convert_to_tensor(image)
    height, width = tf.unstack(tf.cast(tf.shape(image)[-3:-1], tf.float32))
    factor = size / tf.minimum(height, width)
    new_size = tf.cast(tf.round(tf.stack([height * factor, width * factor])), tf.int32)
    return tf.image.resize(image, new_size, antialias=True)  # float32; antialias: no aliasing when shrinking


def imagenet_eval_crop(image, resize: int = 256, crop: int = 224) -> tf.Tensor:
    """The ImageNet evaluation pipeline: shorter side to `resize`, then the central `crop` x `crop` square."""
    return keras.layers.CenterCrop(crop, crop)(resize_shorter_side(image, resize))


def random_resized_crop_box(image_shape, seed, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
    """(top, left, height, width) of a random box with area fraction in `scale` and width/height in `ratio`."""
    begin, size, _ = tf.image.stateless_sample_distorted_bounding_box(
        image_shape,
        bounding_boxes=tf.constant([[[0.0, 0.0, 1.0, 1.0]]]),  # the whole image is "the object"
        seed=seed,
        min_object_covered=scale[0],
        aspect_ratio_range=ratio,
        area_range=scale,
        max_attempts=100,
        use_image_if_no_bounding_boxes=True,
    )
    return begin[0], begin[1], size[0], size[1]


class RandomResizedCrop(keras.layers.Layer):
    """Training: a random box (area fraction in `scale`, width/height in `ratio`) resized to height x width.

    Not training (evaluation, `predict`): the central crop with the output's aspect ratio, resized. Seeded: two
    layers with the same seed give the same crops; each call draws new boxes, one per image.
    """

    def __init__(self, height: int, width: int, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width, self.scale, self.ratio, self.seed = height, width, tuple(scale), tuple(ratio), seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.centre = keras.layers.Resizing(height, width, crop_to_aspect_ratio=True, antialias=True)

    def build(self, input_shape):
        pass  # no weights: the seed generator's state is created in __init__

    def _crop(self, image, seed):
        top, left, height, width = random_resized_crop_box(tf.shape(image), seed, self.scale, self.ratio)
        patch = tf.slice(image, tf.stack([top, left, 0]), tf.stack([height, width, -1]))
        return tf.image.resize(patch, (self.height, self.width), antialias=True)

    def call(self, images, training=True):
        images = tf.cast(images, self.compute_dtype)
        batch = images[None] if images.shape.rank == 3 else images  # a single image is a batch of one
        if training:
            seed = keras.random.randint((2,), 0, 2**31 - 1, seed=self.seed_generator)
            seeds = tf.random.split(seed, tf.shape(batch)[0])  # one seed, so one box, per image
            spec = tf.TensorSpec((self.height, self.width, batch.shape[-1]), self.compute_dtype)
            out = tf.map_fn(lambda pair: self._crop(*pair), (batch, seeds), fn_output_signature=spec)
        else:
            out = self.centre(batch)
        return out[0] if images.shape.rank == 3 else out

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-3], self.height, self.width, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(height=self.height, width=self.width, scale=self.scale, ratio=self.ratio, seed=self.seed)
        return config


def constant_features(mean: np.ndarray, std: np.ndarray, n: int) -> np.ndarray:
    """True where std is 0 up to the rounding of n float64 values (scikit-learn's bound on the variance)."""
    eps = np.finfo(np.float64).eps
    var = np.square(std)
    return var <= n * eps * var + np.square(n * np.abs(mean) * eps)


@dataclass
class Standardiser:
    """z-scores (x - mean) / std, with the mean and std of the data passed to fit: the training set."""

    per_channel: bool = False  # one mean and std per channel of (N, H, W, C) images
    per_pixel: bool = False  # one mean and std per position: statistics over the first axis only
    mean_: np.ndarray | None = field(default=None, init=False)
    std_: np.ndarray | None = field(default=None, init=False)  # 1 where the training data is constant
    constant_: np.ndarray | None = field(default=None, init=False)  # where the training data never varies

    def _axes(self, x: np.ndarray) -> int | tuple[int, ...] | None:
        if self.per_channel and self.per_pixel:
            raise ValueError("choose per_channel or per_pixel, not both")
        if self.per_channel and x.ndim != 4:
            raise ValueError(f"per_channel wants (N, H, W, C) images, not shape {x.shape}: add the channel axis")
        return (0, 1, 2) if self.per_channel else 0 if self.per_pixel else None

    def fit(self, x: np.ndarray) -> "Standardiser":
        """Learn the mean and std of x (in float64); returns the standardiser."""
        x = np.asarray(x)
        if x.size == 0:
            raise ValueError("cannot fit on an empty array")
        axes = self._axes(x)
        self.mean_ = np.asarray(x.mean(axis=axes, dtype=np.float64))
        std = np.asarray(x.std(axis=axes, dtype=np.float64))
        self.constant_ = constant_features(self.mean_, std, x.size // max(std.size, 1))
        self.std_ = np.where(self.constant_, 1.0, std)  # a constant feature: divided by 1, as StandardScaler does
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
