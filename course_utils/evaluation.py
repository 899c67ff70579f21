"""Showing a classifier's confusion matrix (counted with ``sklearn.metrics.confusion_matrix``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
