"""IDX headers for display, class counts, mean images and registry sizes."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import course_utils as cu
from course_utils.data import datasets_info as di


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_read_idx_header_gzipped_and_plain(tmp_path):
    raw = idx_bytes(np.arange(12, dtype=np.uint8).reshape(12))
    (tmp_path / "plain").write_bytes(raw)
    (tmp_path / "packed.gz").write_bytes(gzip.compress(raw))
    for name in ("plain", "packed.gz"):
        header = di.read_idx_header(tmp_path / name)
        assert (header.magic, header.dims, header.type_name, header.nbytes) == (0x00000801, (12,), "unsigned byte", 8)
    (tmp_path / "short").write_bytes(raw[:6])
    with pytest.raises(ValueError, match="ends early"):
        di.read_idx_header(tmp_path / "short")


def test_read_idx_header_on_real_mnist_matches_read_idx():
    path = cu.fetch("mnist/t10k-labels", progress=False)
    header = di.read_idx_header(path)
    assert header.magic == 2049 and header.dims == cu.read_idx(path).shape == (10000,)


def test_class_counts():
    assert di.class_counts(np.array([0, 2, 2, 2]), 4).tolist() == [1, 0, 3, 0]
    with pytest.raises(ValueError):
        di.class_counts(np.array([0, 5]), 4)


def test_mean_image_per_class():
    images = np.array([[[0, 2]], [[4, 6]], [[10, 10]]], dtype=np.uint8)
    means = di.mean_image_per_class(images, np.array([0, 0, 1]), 2)
    assert means.shape == (2, 1, 2) and means.dtype == np.float64
    assert means[0].tolist() == [[2.0, 4.0]] and means[1].tolist() == [[10.0, 10.0]]
    with pytest.raises(ValueError, match="no examples"):
        di.mean_image_per_class(images, np.array([0, 0, 0]), 2)


def test_registry_bytes_sums_published_sizes():
    assert di.registry_bytes("mnist") == 9912422 + 28881 + 1648877 + 4542
    with pytest.raises(KeyError):
        di.registry_bytes("no-such-dataset")


@pytest.mark.parametrize("n, text", [(512, "512 B"), (11_594_722, "11.6 MB"), (138e9, "138.0 GB")])
def test_human_bytes(n, text):
    assert di.human_bytes(n) == text
