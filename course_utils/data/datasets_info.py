"""Describing datasets: IDX headers for display, class counts, mean images, sizes on disk.

The notebooks decode an IDX header by hand to teach the format; :func:`read_idx_header` does
the same for the other files (with :func:`course_utils.data.datasets.idx_header`, the loaders' own
header check), reading only their first bytes, so that several headers can be shown side by side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from course_utils.data.datasets import IDXHeader, idx_header, open_idx
from course_utils.data.registry import REGISTRY


def read_idx_header(path: Path | str) -> IDXHeader:
    """The header of an IDX file on disk, gzipped or not, reading only its first bytes."""
    with open_idx(path) as handle:
        start = handle.read(4)
        ndim = start[3] if len(start) == 4 else 0
        return idx_header(start + handle.read(4 * ndim), source=str(path))


def class_counts(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """How many examples each class has (classes without examples count 0)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes})")
    return np.bincount(labels.astype(np.int64), minlength=n_classes)


def mean_image_per_class(images: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The pixel-wise mean image of each class, shape ``(n_classes, *image_shape)``, float64."""
    images = np.asarray(images)
    labels = np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    means = np.zeros((n_classes,) + images.shape[1:], dtype=np.float64)
    for cls in range(n_classes):
        members = images[labels == cls]
        if len(members) == 0:
            raise ValueError(f"class {cls} has no examples")
        means[cls] = members.mean(axis=0, dtype=np.float64)
    return means


def registry_bytes(prefix: str) -> int:
    """Total published size in bytes of the registry files whose name starts with ``prefix/``."""
    sizes = [entry.size for name, entry in REGISTRY.items() if name.startswith(prefix.rstrip("/") + "/")]
    if not sizes:
        raise KeyError(f"no registry files under {prefix!r}")
    return sum(sizes)


def human_bytes(n: float) -> str:
    """A byte count in decimal units, e.g. ``11.6 MB`` (1 MB = 1,000,000 bytes)."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")
