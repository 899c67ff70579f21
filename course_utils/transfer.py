"""Transfer learning with Keras applications: one set of helpers for VGG16 and MobileNetV2.

A *base* is an ImageNet network without its top (``include_top=False``). The helpers build it,
its preprocessing, a classifier around it, the list of layers of its last block (what
fine-tuning unfreezes), cached features, and weight snapshots to check what training changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Architecture:
    """What the helpers need to know about one Keras application."""

    name: str
    module: str  # keras.applications.<module>
    builder: str  # the constructor's name in that module
    last_block: tuple[str, ...]  # layer-name prefixes of the block fine-tuning unfreezes
    cam_layer: str  # last convolutional feature map, for Grad-CAM


ARCHITECTURES = {
    "vgg16": Architecture("vgg16", "vgg16", "VGG16", ("block5_",), "block5_conv3"),
    "mobilenet_v2": Architecture(
        "mobilenet_v2", "mobilenet_v2", "MobileNetV2", ("block_16_", "Conv_1", "out_relu"), "out_relu"
    ),
}


def architecture(name: str) -> Architecture:
    if name not in ARCHITECTURES:
        raise KeyError(f"no architecture {name!r}; have: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def application(name: str):
    """The ``keras.applications`` module of an architecture (``preprocess_input``, ``decode_predictions``)."""
    import importlib

    return importlib.import_module(f"keras.applications.{architecture(name).module}")


def preprocess_fn(name: str) -> Callable:
    """The architecture's own ``preprocess_input`` (VGG16: BGR minus ImageNet means; MobileNetV2: [-1, 1])."""
    return application(name).preprocess_input


def build_base(name: str, input_size: int, weights: str | Path | None = None, **kwargs):
    """The convolutional base (``include_top=False``) for ``input_size`` x ``input_size`` RGB images."""
    builder = getattr(application(name), architecture(name).builder)
    weights = str(weights) if isinstance(weights, Path) else weights
    return builder(include_top=False, weights=weights, input_shape=(input_size, input_size, 3), **kwargs)


def last_block_layers(base, name: str) -> list:
    """The layers (with weights) of the last block, the one fine-tuning unfreezes."""
    prefixes = architecture(name).last_block
    return [layer for layer in base.layers if layer.name.startswith(prefixes) and layer.weights]


def unfreeze_last_block(base, name: str) -> list:
    """Make only the last block trainable (BatchNorm layers stay frozen); returns its layers.

    Remember to compile the model again afterwards: the optimizer only updates what was
    trainable when ``compile`` ran.
    """
    import keras

    base.trainable = True
    block = {id(layer) for layer in last_block_layers(base, name)}
    for layer in base.layers:
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = id(layer) in block and not is_bn
    return [layer for layer in base.layers if layer.trainable and layer.weights]


def snapshot(layers: Sequence) -> list[np.ndarray]:
    """Copies of every weight of ``layers`` (to compare after training)."""
    return [np.array(w) for layer in layers for w in layer.get_weights()]


def max_abs_change(layers: Sequence, before: Sequence[np.ndarray]) -> float:
    """Largest absolute change of any weight since :func:`snapshot`."""
    after = snapshot(layers)
    if len(after) != len(before):
        raise ValueError("snapshot and layers do not match")
    return max((float(np.max(np.abs(a - b))) for a, b in zip(after, before)), default=0.0)


def extract_features(base, preprocess: Callable, dataset) -> tuple[np.ndarray, np.ndarray]:
    """Run every batch of ``(images, labels)`` once through the frozen base, average-pooled.

    Returns ``(features, labels)`` as NumPy arrays (labels in the dataset's order).
    """
    import tensorflow as tf

    @tf.function
    def embed(x):
        return tf.reduce_mean(base(preprocess(x), training=False), axis=(1, 2))

    feats, labels = [], []
    for x, y in dataset:
        feats.append(embed(tf.cast(x, tf.float32)).numpy())
        labels.append(np.asarray(y))
    return np.concatenate(feats), np.concatenate(labels)


def cached_features(
    path: Path | str, compute: Callable[[], tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """``compute()`` once and keep the result in ``path`` (``.npz``); later calls read the file."""
    path = Path(path)
    if path.is_file():
        with np.load(path) as data:
            return data["features"], data["labels"]
    features, labels = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, features=features, labels=labels)
    return features, labels


def build_head(features: np.ndarray, num_classes: int, *, dropout: float = 0.3, name: str = "head"):
    """Standardise (statistics of ``features``) -> Dropout -> Dense softmax; uncompiled."""
    import keras

    norm = keras.layers.Normalization(name=f"{name}_standardise")
    norm.adapt(features)
    return keras.Sequential(
        [
            keras.Input((features.shape[-1],)),
            norm,
            keras.layers.Dropout(dropout, name=f"{name}_dropout"),
            keras.layers.Dense(num_classes, activation="softmax", name=f"{name}_dense"),
        ],
        name=name,
    )


def build_classifier(base, preprocess: Callable, head, input_size: int, *, augment=None, name: str = "transfer"):
    """images (0-255) -> [augment] -> preprocess -> base(training=False) -> average pool -> head.

    ``training=False`` keeps BatchNorm layers in inference mode (their statistics from ImageNet)
    even when the base is later unfrozen for fine-tuning.
    """
    import keras

    inputs = keras.Input((input_size, input_size, 3), name="image")
    x = augment(inputs) if augment is not None else inputs
    x = preprocess(x)
    x = base(x, training=False)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = head(x)
    return keras.Model(inputs, outputs, name=name)


def concat_histories(*histories) -> dict[str, list[float]]:
    """Join several ``History`` objects (or dicts) end to end, metric by metric."""
    joined: dict[str, list[float]] = {}
    for history in histories:
        for key, values in getattr(history, "history", history).items():
            joined.setdefault(key, []).extend(float(v) for v in values)
    return joined


__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "application",
    "architecture",
    "build_base",
    "build_classifier",
    "build_head",
    "cached_features",
    "concat_histories",
    "extract_features",
    "last_block_layers",
    "max_abs_change",
    "preprocess_fn",
    "snapshot",
    "unfreeze_last_block",
]
