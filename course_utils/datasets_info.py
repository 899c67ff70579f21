"""Describing datasets: IDX headers for display, class counts, mean images, sizes on disk.

The notebooks decode an IDX header by hand to teach the format; :func:`idx_header` does the
same for the other files, so that several headers can be shown side by side.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .registry import REGISTRY

# The IDX type codes (third byte of the magic number) and what each means.
IDX_TYPE_NAMES = {
    0x08: "unsigned byte",
    0x09: "signed byte",
    0x0B: "short (2 bytes)",
    0x0C: "int (4 bytes)",
    0x0D: "float (4 bytes)",
    0x0E: "double (8 bytes)",
}


@dataclass(frozen=True)
class IDXHeader:
    """The header of an IDX file: the magic number and one size per dimension."""

    magic: int
    type_code: int
    ndim: int
    dims: tuple[int, ...]

    @property
    def type_name(self) -> str:
        return IDX_TYPE_NAMES.get(self.type_code, "unknown")

    @property
    def nbytes(self) -> int:
        """Length of the header in bytes: 4 for the magic number, 4 per dimension."""
        return 4 + 4 * self.ndim


def idx_header(raw: bytes) -> IDXHeader:
    """Decode the header at the start of the (uncompressed) bytes of an IDX file."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError("not an IDX file: it must start with two zero bytes")
    (magic,) = struct.unpack(">I", raw[:4])
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(f"header declares {ndim} dimensions but only {len(raw)} bytes were given")
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return IDXHeader(magic=magic, type_code=raw[2], ndim=ndim, dims=tuple(dims))


def read_idx_header(path: Path | str) -> IDXHeader:
    """The header of an IDX file on disk, gzipped or not, reading only its first bytes."""
    path = Path(path)
    with path.open("rb") as handle:
        is_gzip = handle.read(2) == b"\x1f\x8b"
    opener = gzip.open if is_gzip else open
    with opener(path, "rb") as handle:
        start = handle.read(4)
        ndim = start[3] if len(start) == 4 else 0
        return idx_header(start + handle.read(4 * ndim))


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
