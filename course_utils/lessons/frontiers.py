"""07 · Where deep learning goes next: trends and challenges, measured: the code this lesson teaches.

Generated from notebooks/07_where_next.ipynb by ``python -m course_utils export``.
Do not edit: change the notebook's "#| export" cells and export again.
"""


import contextlib
import io
import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from skimage.feature import hog
from sklearn.metrics import roc_auc_score, roc_curve


def build_autoencoder(input_shape=(28, 28), latent_dim=2, hidden=(256, 64), name="autoencoder"):
    """A dense autoencoder and its encoder, uncompiled: returns (autoencoder, encoder)."""
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = layers.Flatten(name="flatten")(inputs)
    for i, units in enumerate(hidden, start=1):  # the encoder narrows ...
        x = layers.Dense(units, activation="relu", name=f"enc{i}")(x)
    code = layers.Dense(latent_dim, name="code")(x)  # ... down to a linear code
    y = code
    for i, units in enumerate(reversed(tuple(hidden)), start=1):  # the decoder mirrors it
        y = layers.Dense(units, activation="relu", name=f"dec{i}")(y)
    y = layers.Dense(math.prod(input_shape), activation="sigmoid", name="pixels")(y)  # in [0, 1], like the pixels
    outputs = layers.Reshape(tuple(input_shape), name="reconstruction")(y)
    autoencoder = keras.Model(inputs, outputs, name=name)
    encoder = keras.Model(inputs, code, name=f"{name}_encoder")  # the same layers, up to the code
    return autoencoder, encoder


def per_example_loss(probabilities, labels, eps=1e-7):
    """Cross-entropy of each example, from predicted class probabilities (N, C) and labels (N,)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    picked = probabilities[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)]
    return -np.log(np.clip(picked, eps, 1.0))


def softmax_logits(model, x, batch_size=1024):
    """The logits (float64) of a Keras classifier whose last layer is Dense(..., activation="softmax")."""
    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense) or last.activation is not keras.activations.softmax:
        raise ValueError("the model's last layer must be a Dense layer with a softmax activation")
    hidden = keras.Model(model.inputs, last.input).predict(x, batch_size=batch_size, verbose=0)
    kernel, bias = last.get_weights()
    return hidden.astype(np.float64) @ kernel.astype(np.float64) + bias.astype(np.float64)


def per_example_loss_from_logits(logits, labels):
    """Cross-entropy of each example from logits (N, C), computed stably in float64."""
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    rows = np.arange(len(labels))
    gaps = logits - logits[rows, labels][:, None]  # 0 for the true class
    top = gaps.max(axis=1)  # >= 0
    gaps[rows, labels] = -np.inf
    others = np.exp(gaps - top[:, None]).sum(axis=1)  # the other classes, relative to the top
    # loss = log(sum_j exp(gap_j)); log1p keeps the tiny losses of confident, correct predictions
    return np.where(top == 0, np.log1p(others), top + np.log(np.exp(-top) + others))


def loss_threshold_attack(member_losses, nonmember_losses):
    """Score the attack "member if loss <= threshold": AUC, the best advantage (TPR - FPR), and the
    threshold, TPR and FPR where that advantage is reached."""
    member_losses = np.asarray(member_losses, dtype=np.float64)
    nonmember_losses = np.asarray(nonmember_losses, dtype=np.float64)
    if len(member_losses) == 0 or len(nonmember_losses) == 0:
        raise ValueError("need members and non-members")
    is_member = np.r_[np.ones(len(member_losses)), np.zeros(len(nonmember_losses))]
    score = -np.r_[member_losses, nonmember_losses]  # low loss -> high membership score
    fpr, tpr, thresholds = roc_curve(is_member, score)
    best = int(np.argmax(tpr - fpr))
    return {
        "auc": float(roc_auc_score(is_member, score)),
        "advantage": float(tpr[best] - fpr[best]),
        "threshold": float(-thresholds[best]) if np.isfinite(thresholds[best]) else float("inf"),
        "tpr": float(tpr[best]),
        "fpr": float(fpr[best]),
    }


def convert_to_tflite(model, quantize=False):
    """The model as a .tflite flatbuffer (bytes); quantize=True applies dynamic-range quantisation."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]  # weights stored as 8-bit integers
    with contextlib.redirect_stdout(io.StringIO()):  # the conversion prints the model's signature
        return converter.convert()


def pixel_features(images):
    """Images (N, H, W) -> float32 rows (N, H*W), uint8 pixels scaled to [0, 1]."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float32) / (255.0 if images.dtype == np.uint8 else 1.0)


def hog_features(images, orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2)):
    """HOG features (Dalal & Triggs, 2005) of greyscale images (N, H, W), float32 (N, D)."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected greyscale images (N, H, W), got shape {images.shape}")
    rows = [
        hog(image, orientations=orientations, pixels_per_cell=pixels_per_cell, cells_per_block=cells_per_block)
        for image in images
    ]
    return np.asarray(rows, dtype=np.float32)
