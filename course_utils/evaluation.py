"""Evaluating a classifier: confusion matrix, per-class precision and recall, worst mistakes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts ``cm[true, predicted]`` as an int64 (num_classes, num_classes) array."""
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in length")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= num_classes):
            raise ValueError(f"{name} holds labels outside 0..{num_classes - 1}")
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def per_class_metrics(cm: np.ndarray, class_names: Sequence[str] | None = None):
    """Precision, recall, F1 and support per class from a confusion matrix, as a DataFrame.

    Precision of class c: correct c predictions / all c predictions (column sum); recall:
    correct c predictions / true c examples (row sum). A class never predicted has
    precision 0 (the convention scikit-learn uses, with a warning there).
    """
    import pandas as pd

    cm = np.asarray(cm, dtype=np.float64)
    correct = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(correct, predicted, out=np.zeros_like(correct), where=predicted > 0)
    recall = np.divide(correct, actual, out=np.zeros_like(correct), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(correct), where=denom > 0)
    index = list(class_names) if class_names is not None else list(range(len(cm)))
    return pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": actual.astype(np.int64)},
        index=pd.Index(index, name="class"),
    )


def most_confident_mistakes(probabilities: np.ndarray, y_true: np.ndarray, k: int = 12) -> np.ndarray:
    """Indices of the ``k`` wrong predictions made with the highest probability, worst first."""
    probabilities = np.asarray(probabilities)
    y_true = np.asarray(y_true).ravel()
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    order = np.argsort(-confidence, kind="stable")
    return wrong[order[:k]]


def plot_confusion_matrix(cm: np.ndarray, class_names: Sequence[str], *, title: str = "", normalize: bool = False):
    """A confusion-matrix heatmap with the count (or row fraction) in every cell; returns the figure."""
    import matplotlib.pyplot as plt

    cm = np.asarray(cm)
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    n = len(class_names)
    fig, ax = plt.subplots(figsize=(0.55 * n + 2, 0.55 * n + 1.5))
    # A log-like colour scale: the diagonal dwarfs the mistakes otherwise.
    ax.imshow(np.log1p(shown * (1000 if normalize else 1)), cmap="Blues")
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}" if normalize else str(int(shown[i, j]))
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if i == j else "black")
    ax.set_xticks(range(n), class_names)
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    return fig
