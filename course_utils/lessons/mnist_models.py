"""05 · A fully-connected network on MNIST, then a CNN: the code this lesson teaches.

Generated from notebooks/05_fcn_and_cnn_on_mnist.ipynb by ``python -m course_utils export``.
Do not edit: change the notebook's "#| export" cells and export again.
"""


import keras
import numpy as np
from keras import layers


def to_model_input(images, *, channels_last=True):
    """uint8 images (N, H, W) -> float32 in [0, 1], with a channel axis (N, H, W, 1) if channels_last."""
    x = np.asarray(images, dtype=np.float32) / 255.0
    if channels_last and x.ndim == 3:
        x = x[..., None]
    return x


def build_fcn(input_shape=(28, 28), num_classes=10, hidden=(128,), *, dropout=0.0, batch_norm=False, name="fcn"):
    """Flatten -> Dense(units, relu) for units in hidden -> Dense(num_classes, softmax); uncompiled."""
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


def compile_classifier(model, learning_rate=1e-3, *, sparse=True, **kwargs):
    """Adam + (sparse) categorical cross-entropy + accuracy; returns the model."""
    loss = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"], **kwargs)
    return model


def build_cnn(input_shape=(28, 28, 1), num_classes=10, filters=(32, 64), *, dense=128, dropout=0.25, name="cnn"):
    """Conv(3x3, relu) + MaxPool(2) blocks, then Flatten -> Dense -> softmax; uncompiled."""
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


def per_class_thresholds(pred_probs, labels):
    """t_j: the mean predicted probability of class j over the examples labelled j (infinite if none is)."""
    pred_probs, labels = np.asarray(pred_probs), np.asarray(labels)
    return np.array(
        [pred_probs[labels == j, j].mean() if np.any(labels == j) else np.inf for j in range(pred_probs.shape[1])]
    )


def confident_label_issues(pred_probs, labels):
    """Likely label errors by confident learning: (indices, suggested classes), lowest p(given label) first.

    An example is counted under class j when p(j) reaches j's threshold (under the most probable such j);
    those counted under a class other than their label are returned, with that class.
    """
    pred_probs, labels = np.asarray(pred_probs), np.asarray(labels)
    confident = pred_probs >= per_class_thresholds(pred_probs, labels)
    counted = np.where(confident, pred_probs, -1.0).argmax(axis=1)
    issues = np.flatnonzero(confident.any(axis=1) & (counted != labels))
    issues = issues[np.argsort(pred_probs[issues, labels[issues]], kind="stable")]
    return issues, counted[issues]
