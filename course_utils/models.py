"""Model builders the notebooks share: the course's fully-connected network and a small CNN.

"FCN" in this course means a *fully-connected network* (dense layers only), not a fully
convolutional network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def to_model_input(images: np.ndarray, *, channels_last: bool = True) -> np.ndarray:
    """uint8 images (N, H, W) -> float32 in [0, 1], with a channel axis: (N, H, W, 1)."""
    x = np.asarray(images, dtype=np.float32) / 255.0
    if channels_last and x.ndim == 3:
        x = x[..., None]
    return x


def build_fcn(
    input_shape: Sequence[int] = (28, 28),
    num_classes: int = 10,
    hidden: Sequence[int] = (128,),
    *,
    dropout: float = 0.0,
    batch_norm: bool = False,
    name: str = "fcn",
):
    """Flatten -> Dense(hidden..., relu) -> Dense(num_classes, softmax); uncompiled.

    The default is the course text's model: Flatten -> Dense(128, relu) -> Dense(10, softmax).
    """
    import keras
    from keras import layers

    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=tuple(input_shape)))
    model.add(layers.Flatten())
    for units in hidden:
        if batch_norm:  # Dense (no bias: BN's shift replaces it) -> BN -> ReLU
            model.add(layers.Dense(units, use_bias=False))
            model.add(layers.BatchNormalization())
            model.add(layers.Activation("relu"))
        else:
            model.add(layers.Dense(units, activation="relu"))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model


def build_cnn(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    filters: Sequence[int] = (32, 64),
    *,
    dense: int = 128,
    dropout: float = 0.25,
    name: str = "cnn",
):
    """Conv(3x3, relu) + MaxPool(2) blocks, then Flatten -> Dense -> softmax; uncompiled.

    Layers are named ``conv1``, ``pool1``, ``conv2``, ... so that later cells can reach them
    (feature maps, Grad-CAM).
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(dense, activation="relu", name="dense")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def compile_classifier(model, learning_rate: float = 1e-3, *, sparse: bool = True, **kwargs):
    """Adam + (sparse) categorical cross-entropy + accuracy; returns the model."""
    import keras

    loss = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"], **kwargs)
    return model
