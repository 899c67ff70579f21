"""IDX parsing, malformed files, and the real MNIST / Fashion-MNIST through the data layer."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import course_utils as cu
from course_utils.data.datasets import IDXFormatError, idx_header, parse_idx, read_idx


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_parse_idx_roundtrip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(parse_idx(idx_bytes(array)), array)
    path = tmp_path / "x.idx.gz"
    path.write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(path), array)


def test_idx_header_decodes_magic_and_dims():
    header = idx_header(idx_bytes(np.zeros((5, 3, 2), np.uint8)))
    assert header.magic == 0x00000803
    assert (header.type_code, header.ndim, header.dims) == (0x08, 3, (5, 3, 2))
    assert header.type_name == "unsigned byte" and header.dtype == np.uint8
    assert header.nbytes == 16


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"\x00\x00", "too short"),
        (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "two zero bytes"),
        (b"\x00\x00\x42\x01" + struct.pack(">I", 1) + b"\x00", "data type"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (b"\x00\x00\x08\x03" + struct.pack(">I", 5), "declares 3 dimensions but the file ends early"),
        (b"\x00\x00\x08\x01" + struct.pack(">I", 10) + b"\x00" * 7, "holds 7"),
    ],
)
def test_malformed_idx_gets_clear_error(raw, match):
    with pytest.raises(IDXFormatError, match=match):
        parse_idx(raw)


def test_truncated_gzip_is_a_format_error(tmp_path):
    array = np.zeros((10, 28, 28), np.uint8)
    blob = gzip.compress(idx_bytes(array))
    path = tmp_path / "t.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IDXFormatError, match="gzip"):
        read_idx(path)


@pytest.mark.parametrize("loader", [cu.load_mnist, cu.load_fashion_mnist])
def test_real_dataset_matches_keras_contract(loader):
    (x_train, y_train), (x_test, y_test) = loader(progress=False)
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    )
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    assert np.bincount(y_test).min() >= 800


def test_mnist_known_values():
    (x_train, y_train), (x_test, y_test) = cu.load_mnist(progress=False)
    # Published facts about MNIST: the first training labels and the class counts.
    assert y_train[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert x_train.max() == 255 and x_train.min() == 0


def test_imagenet_class_index():
    index = cu.load_imagenet_class_index(progress=False)
    assert len(index) == 1000
    assert index[0] == ("n01440764", "tench")
    assert index[999][1] == "toilet_tissue"
