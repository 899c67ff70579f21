"""Loaders for the course's datasets, reading the original files through the data layer.

``load_mnist()`` and ``load_fashion_mnist()`` return exactly what
``keras.datasets.mnist.load_data()`` returns: ``((x_train, y_train), (x_test, y_test))``,
uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from .download import fetch

# IDX: two zero bytes, a type code, the number of dimensions, then one big-endian int32 a dim.
IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

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


def parse_idx(raw: bytes, *, source: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file into a numpy array."""
    if len(raw) < 4:
        raise IDXFormatError(f"{source}: {len(raw)} bytes is too short for an IDX header")
    zero1, zero2, type_code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero1 != 0 or zero2 != 0:
        raise IDXFormatError(f"{source}: bad magic number {raw[:4].hex()} (must start with 0000)")
    if type_code not in IDX_DTYPES:
        raise IDXFormatError(f"{source}: unknown IDX data type 0x{type_code:02x}")
    if ndim == 0:
        raise IDXFormatError(f"{source}: IDX header declares 0 dimensions")
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise IDXFormatError(f"{source}: header declares {ndim} dimensions but the file ends early")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(IDX_DTYPES[type_code])
    expected = int(np.prod(shape)) * dtype.itemsize
    actual = len(raw) - header_end
    if actual != expected:
        raise IDXFormatError(
            f"{source}: header says shape {shape} ({expected:,} data bytes) but the file holds {actual:,} data bytes"
        )
    data = np.frombuffer(raw, dtype, offset=header_end).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: Path | str) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array, checking its header."""
    path = Path(path)
    with path.open("rb") as handle:
        is_gzip = handle.read(2) == b"\x1f\x8b"
    try:
        raw = gzip.decompress(path.read_bytes()) if is_gzip else path.read_bytes()
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
