"""Plots the notebooks share: image grids, learning curves, bar charts, heatmap overlays, confusion matrices."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def show_images(
    images: Sequence[np.ndarray] | np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 8,
    size: float = 1.5,
    cmap: str | None = "gray",
    suptitle: str | None = None,
    value_range: tuple[float, float] | str | None = "auto",
):
    """Show images in a grid; greyscale (H, W) or (H, W, 1) and RGB (H, W, 3) both work.

    ``value_range`` is the pair of pixel values drawn black and white (the ends of the colour map), the
    same for every image, so that a darker or lower-contrast image looks darker or flatter:

    - ``"auto"`` (default): (0, 255) for integer images, (0, 1) for float images whose values lie in
      [0, 1]; other float images (feature maps, heatmaps, raw arrays) each on their own minimum and
      maximum, and RGB floats above 1 on (0, 255);
    - a pair ``(low, high)``: that range for every image;
    - ``None``: every image stretched to its own minimum and maximum (what ``imshow`` does alone).

    Returns the matplotlib figure.
    """
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image")
    ncols = max(1, min(ncols, len(images)))
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)))
    axes = np.atleast_1d(axes).ravel()
    for ax in axes:
        ax.axis("off")
    for i, image in enumerate(images):
        image = np.asarray(image)
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        low_high = drawn_range(image, value_range)
        if image.ndim == 3:  # RGB: matplotlib wants floats in [0, 1] or integers in [0, 255]
            if low_high is None:
                low_high = (float(image.min()), float(image.max()))
            low, high = low_high
            image = np.clip((image.astype(np.float32) - low) / max(high - low, 1e-12), 0.0, 1.0)
            axes[i].imshow(image)
        else:
            low, high = low_high if low_high is not None else (None, None)
            axes[i].imshow(image, cmap=cmap, vmin=low, vmax=high)
        if titles is not None and i < len(titles):
            axes[i].set_title(str(titles[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))  # leave the title its own strip
    else:
        fig.tight_layout()
    return fig


def drawn_range(
    image: np.ndarray, value_range: tuple[float, float] | str | None = "auto"
) -> tuple[float, float] | None:
    """The (black, white) pixel values ``show_images`` draws ``image`` with; None: its own min and max."""
    if value_range is None:
        return None
    if isinstance(value_range, str):
        if value_range != "auto":
            raise ValueError(f"value_range must be 'auto', None or a pair (low, high), not {value_range!r}")
        image = np.asarray(image)
        if image.dtype.kind in "uib":
            return (0.0, 1.0) if image.dtype.kind == "b" else (0.0, 255.0)
        if image.size and image.min() >= -1e-6 and image.max() <= 1.0 + 1e-6:
            return (0.0, 1.0)
        if image.ndim == 3 and image.size and image.min() >= -1e-6 and image.max() <= 255.0 + 1e-6:
            return (0.0, 255.0)
        return None
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range needs low < high, got {value_range!r}")
    return low, high


def show_class_grid(images: np.ndarray, labels: np.ndarray, class_names: Sequence[str], per_class: int = 8):
    """A grid with one row per class and ``per_class`` examples in each row."""
    rows, titles = [], []
    for cls, name in enumerate(class_names):
        chosen = np.flatnonzero(labels == cls)[:per_class]
        for j, index in enumerate(chosen):
            rows.append(images[index])
            titles.append(name if j == 0 else "")
    return show_images(rows, titles, ncols=per_class, size=1.0)


def plot_history(histories: dict, metrics: Sequence[str] = ("loss", "accuracy"), *, title: str | None = None):
    """Learning curves, train and validation, for one or several Keras histories.

    ``histories`` maps a label to a ``History`` object or its ``.history`` dict.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5))
    axes = np.atleast_1d(axes)
    for label, history in histories.items():
        history = getattr(history, "history", history)
        for ax, metric in zip(axes, metrics, strict=True):
            if metric in history:
                epochs = np.arange(1, len(history[metric]) + 1)
                (line,) = ax.plot(epochs, history[metric], label=f"{label} train")
                if f"val_{metric}" in history:
                    ax.plot(epochs, history[f"val_{metric}"], "--", color=line.get_color(), label=f"{label} val")
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def bar_counts(counts: Sequence[int], labels: Sequence[str], *, title: str = "", ylabel: str = "images"):
    """A bar chart of counts per class, each bar labelled with its value."""
    fig, ax = plt.subplots(figsize=(max(4, 0.6 * len(labels)), 3))
    bars = ax.bar(range(len(counts)), counts)
    ax.set_xticks(
        range(len(labels)),
        labels,
        rotation=45 if max(map(len, labels)) > 3 else 0,
        ha="right" if max(map(len, labels)) > 3 else "center",
    )
    ax.bar_label(bars, fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def overlay_heatmap(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """Resize ``heatmap`` to the image and blend it in (jet colours); returns RGB in [0, 1].

    ``image`` may be greyscale or RGB, in [0, 1] or 0-255.
    """
    import matplotlib
    from skimage.transform import resize

    image = np.asarray(image, dtype=np.float32)
    if image.max() > 1.0:
        image = image / 255.0
    if image.ndim == 2 or image.shape[-1] == 1:
        image = np.repeat(image.reshape(image.shape[0], image.shape[1], 1), 3, axis=-1)
    big = resize(heatmap, image.shape[:2], order=1, mode="reflect", anti_aliasing=False)
    colours = matplotlib.colormaps["jet"](big)[..., :3]
    return np.clip((1 - alpha) * image + alpha * colours, 0.0, 1.0)


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
