"""Loaders for the course's datasets, reading the original files through the data layer.

``load_mnist()`` and ``load_fashion_mnist()`` return exactly what
``keras.datasets.mnist.load_data()`` returns: ``((x_train, y_train), (x_test, y_test))``,
uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
"""

from __future__ import annotations

import gzip
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from course_utils.data.download import fetch

# IDX: two zero bytes, a type code, the number of dimensions, then one big-endian int32 a dim.
# Type code -> (numpy dtype, name in the format's description).
IDX_TYPES = {
    0x08: (np.uint8, "unsigned byte"),
    0x09: (np.int8, "signed byte"),
    0x0B: (">i2", "short (2 bytes)"),
    0x0C: (">i4", "int (4 bytes)"),
    0x0D: (">f4", "float (4 bytes)"),
    0x0E: (">f8", "double (8 bytes)"),
}

MNIST_CLASSES = [str(d) for d in range(10)]
FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file."""


@dataclass(frozen=True)
class IDXHeader:
    """The header of an IDX file: the magic number and one size per dimension."""

    magic: int
    type_code: int
    dims: tuple[int, ...]

    @property
    def ndim(self) -> int:
        return len(self.dims)

    @property
    def type_name(self) -> str:
        return IDX_TYPES[self.type_code][1]

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(IDX_TYPES[self.type_code][0])

    @property
    def nbytes(self) -> int:
        """Length of the header in bytes: 4 for the magic number, 4 per dimension."""
        return 4 + 4 * self.ndim


def idx_header(raw: bytes, *, source: str = "<bytes>") -> IDXHeader:
    """Decode and check the header at the start of the (uncompressed) bytes of an IDX file."""
    if len(raw) < 4:
        raise IDXFormatError(f"{source}: {len(raw)} bytes is too short for an IDX header")
    if raw[0] != 0 or raw[1] != 0:
        raise IDXFormatError(f"{source}: bad magic number {raw[:4].hex()} (must start with two zero bytes)")
    type_code, ndim = raw[2], raw[3]
    if type_code not in IDX_TYPES:
        raise IDXFormatError(f"{source}: unknown IDX data type 0x{type_code:02x}")
    if ndim == 0:
        raise IDXFormatError(f"{source}: IDX header declares 0 dimensions")
    if len(raw) < 4 + 4 * ndim:
        raise IDXFormatError(f"{source}: header declares {ndim} dimensions but the file ends early")
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return IDXHeader(magic=int.from_bytes(raw[:4], "big"), type_code=type_code, dims=tuple(dims))


def parse_idx(raw: bytes, *, source: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file into a numpy array."""
    header = idx_header(raw, source=source)
    expected = int(np.prod(header.dims)) * header.dtype.itemsize
    actual = len(raw) - header.nbytes
    if actual != expected:
        raise IDXFormatError(
            f"{source}: header says shape {header.dims} ({expected:,} data bytes)"
            f" but the file holds {actual:,} data bytes"
        )
    data = np.frombuffer(raw, header.dtype, offset=header.nbytes).reshape(header.dims)
    return data.astype(header.dtype.newbyteorder("="), copy=True)


def open_idx(path: Path | str) -> BinaryIO:
    """Open an IDX file for reading its uncompressed bytes, gunzipping it if it is gzipped."""
    path = Path(path)
    with path.open("rb") as handle:
        is_gzip = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if is_gzip else path.open("rb")


def read_idx(path: Path | str) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array, checking its header."""
    try:
        with open_idx(path) as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise IDXFormatError(f"{path}: not a readable gzip file ({error})") from error
    return parse_idx(raw, source=str(path))


def _load_idx_dataset(dataset: str, **fetch_kwargs):
    arrays = {}
    for split in ("train", "t10k"):
        images = read_idx(fetch(f"{dataset}/{split}-images", **fetch_kwargs))
        labels = read_idx(fetch(f"{dataset}/{split}-labels", **fetch_kwargs))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise IDXFormatError(f"{dataset} {split}: images {images.shape} and labels {labels.shape} do not match")
        arrays[split] = (images, labels)
    return arrays["train"], arrays["t10k"]


def load_mnist(**fetch_kwargs):
    """MNIST from the original IDX files: ``((x_train, y_train), (x_test, y_test))``, uint8."""
    return _load_idx_dataset("mnist", **fetch_kwargs)


def load_fashion_mnist(**fetch_kwargs):
    """Fashion-MNIST, same format and shapes as :func:`load_mnist`."""
    return _load_idx_dataset("fashion-mnist", **fetch_kwargs)


def load_imagenet_class_index(**fetch_kwargs) -> dict[int, tuple[str, str]]:
    """Keras's ImageNet class index: ``{class_id: (wordnet_id, name)}`` for the 1,000 classes."""
    with fetch("imagenet/class-index", **fetch_kwargs).open() as handle:
        raw = json.load(handle)
    return {int(k): (v[0], v[1]) for k, v in raw.items()}
