"""A small dense autoencoder: learning a code for images without their labels."""

from __future__ import annotations

from collections.abc import Sequence


def build_autoencoder(
    input_shape: Sequence[int] = (28, 28),
    latent_dim: int = 2,
    hidden: Sequence[int] = (256, 64),
    *,
    name: str = "autoencoder",
):
    """Returns ``(autoencoder, encoder)``, uncompiled.

    Encoder: Flatten -> Dense(hidden..., relu) -> Dense(latent_dim) (a linear code).
    Decoder: the mirror image, ending in a sigmoid so that outputs lie in [0, 1] like the
    scaled pixels. The encoder shares its layers with the autoencoder: training one trains
    the other.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = layers.Flatten(name="flatten")(inputs)
    for i, units in enumerate(hidden, start=1):
        x = layers.Dense(units, activation="relu", name=f"enc{i}")(x)
    code = layers.Dense(latent_dim, name="code")(x)
    y = code
    for i, units in enumerate(reversed(tuple(hidden)), start=1):
        y = layers.Dense(units, activation="relu", name=f"dec{i}")(y)
    size = 1
    for d in input_shape:
        size *= int(d)
    y = layers.Dense(size, activation="sigmoid", name="pixels")(y)
    outputs = layers.Reshape(tuple(input_shape), name="reconstruction")(y)
    autoencoder = keras.Model(inputs, outputs, name=name)
    encoder = keras.Model(inputs, code, name=f"{name}_encoder")
    return autoencoder, encoder
