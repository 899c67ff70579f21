"""Notebook 01's exercise checks: right answers pass, untouched starters are "not done", wrong ones fail."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from checker_support import starter

from course_utils.checks import FAILED, NOT_DONE, PASSED
from course_utils.checks import nb01 as check
from course_utils.data.datasets import read_idx
from course_utils.data.download import fetch

CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D, "float64": 0x0E}


def assert_fails(verdict, phrase):
    assert verdict.status == FAILED, verdict
    assert phrase in verdict.message, verdict.message


# 01.1 · writing an IDX file


def to_idx_bytes(array, *, size_order=">", data_order=">", code=None, refuse=True):
    array = np.asarray(array)
    if array.dtype.name not in CODES:
        if refuse:
            raise ValueError(array.dtype)
        code = code or 0x0C
    header = bytes([0, 0, code or CODES[array.dtype.name], array.ndim])
    header += struct.pack(f"{size_order}{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(data_order)).tobytes()


def test_write_idx_right_and_starter():
    assert check.ex01_write_idx(to_idx_bytes).status == PASSED
    assert check.ex01_write_idx(starter).status == NOT_DONE


def test_write_idx_wrong_answers():
    little_sizes = check.ex01_write_idx(lambda a: to_idx_bytes(a, size_order="<"))
    assert_fails(little_sizes, "in the sizes (bytes 4 to 7)")
    assert_fails(check.ex01_write_idx(lambda a: to_idx_bytes(a, data_order="<")), "must be written big-endian")
    assert_fails(check.ex01_write_idx(lambda a: to_idx_bytes(a, code=0x08)), "type code 0x08 in byte 2")
    assert_fails(check.ex01_write_idx(lambda a: to_idx_bytes(a, refuse=False)), "dtype int64")
    assert_fails(check.ex01_write_idx(lambda a: to_idx_bytes(a)[:-1]), "the published file has 10,008")
    assert_fails(check.ex01_write_idx(lambda a: np.asarray(a).tobytes()), "differs from the published file")


# 01.2 · one record without the rest


def read_record(handle, index, *, skip_header=True, read_all=False, check_range=True):
    start = handle.read(4)
    ndim = start[3]
    dims = struct.unpack(f">{ndim}I", handle.read(4 * ndim))
    if check_range and not 0 <= index < dims[0]:
        raise IndexError(index)
    size = int(np.prod(dims[1:]))
    offset = (4 + 4 * ndim if skip_header else 0) + index * size
    if read_all:
        data = handle.read()
        return np.frombuffer(data[offset - 4 - 4 * ndim :][:size], np.uint8).reshape(dims[1:])
    handle.seek(offset)
    return np.frombuffer(handle.read(size), np.uint8).reshape(dims[1:])


def test_read_record_right_and_starter():
    assert check.ex01_read_record(read_record).status == PASSED
    assert check.ex01_read_record(starter).status == NOT_DONE


def test_read_record_wrong_answers():
    assert_fails(check.ex01_read_record(lambda h, i: read_record(h, i, skip_header=False)), "did not skip the header")
    assert_fails(check.ex01_read_record(lambda h, i: read_record(h, i, read_all=True)), "seek to it instead")
    no_range = check.ex01_read_record(lambda h, i: read_record(h, i, check_range=False))
    assert_fails(no_range, "raise IndexError")

    def sixteen_byte_header(handle, index):  # the images' header length, wrong for the labels
        ndim = handle.read(4)[3]
        dims = struct.unpack(f">{ndim}I", handle.read(4 * ndim))
        size = int(np.prod(dims[1:]))
        handle.seek(16 + index * size)
        return np.frombuffer(handle.read(size), np.uint8).reshape(dims[1:])

    assert_fails(check.ex01_read_record(sixteen_byte_header), "mnist/t10k-labels, record 0")


def test_counting_reader_counts_what_it_hands_out():
    import io

    reader = check.CountingReader(io.BytesIO(bytes(range(10))))
    assert reader.read(3) == bytes([0, 1, 2]) and reader.seek(8) == 8 and reader.read() == bytes([8, 9])
    assert reader.bytes_read == 5


# 01.3 · ImageNet in memory

VALUES = 224 * 224 * 3


def imagenet(unit=2**30, batch_unit=2**20, channels=3):
    per_image = 224 * 224 * channels
    return {
        "uint8_gib": 1_281_167 * per_image / unit,
        "float32_gib": 1_281_167 * per_image * 4 / unit,
        "batch256_mib": 256 * per_image * 4 / batch_unit,
    }


def test_imagenet_memory():
    assert check.ex01_imagenet_memory(imagenet()).status == PASSED
    rounded = {key: round(value, 1) for key, value in imagenet().items()}
    assert check.ex01_imagenet_memory(rounded).status == PASSED
    assert check.ex01_imagenet_memory(None).status == NOT_DONE
    assert_fails(check.ex01_imagenet_memory(imagenet(unit=1e9)), "decimal units")
    assert_fails(check.ex01_imagenet_memory(imagenet(channels=1)), "3 channels")
    assert_fails(check.ex01_imagenet_memory(imagenet(batch_unit=2**30)), "factor of 1024")
    float32_as_uint8 = dict(imagenet(), float32_gib=imagenet()["uint8_gib"])
    assert_fails(check.ex01_imagenet_memory(float32_as_uint8), "4 bytes")
    assert_fails(check.ex01_imagenet_memory({"uint8_gib": 179.6}), "lacks the key")
    assert_fails(check.ex01_imagenet_memory(dict(imagenet(), uint8_gib=150.0)), "too low")


# 01.4 · a balanced random subset


def balanced_subset(labels, per_class, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate(
        [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in np.unique(labels)]
    )


def test_balanced_subset_right_and_starter():
    assert check.ex01_balanced_subset(balanced_subset).status == PASSED
    assert check.ex01_balanced_subset(starter).status == NOT_DONE


def test_balanced_subset_wrong_answers():
    first = check.ex01_balanced_subset(lambda labels, k, seed=0: np.arange(k * len(np.unique(labels))))
    assert_fails(first, "expected 1")

    def with_replacement(labels, k, seed=0):
        rng = np.random.default_rng(seed)
        return np.concatenate([rng.choice(np.flatnonzero(labels == c), k) for c in np.unique(labels)])

    assert_fails(check.ex01_balanced_subset(with_replacement), "draw without replacement")
    assert_fails(check.ex01_balanced_subset(lambda labels, k, seed=0: balanced_subset(labels, k)), "seeds 0 and 1")

    def capped(labels, k, seed=0):
        return balanced_subset(labels, min(k, int(np.bincount(labels)[np.unique(labels)].min())), seed)

    assert_fails(check.ex01_balanced_subset(capped), "raise ValueError")

    def first_of_each(labels, k, seed=0):
        return np.concatenate([np.flatnonzero(labels == c)[:k] for c in np.unique(labels)])

    assert_fails(check.ex01_balanced_subset(first_of_each), "seeds 0 and 1 gave the same subset")


# 01.5 · images per class


@pytest.fixture(scope="module")
def fashion():
    train = read_idx(fetch("fashion-mnist/train-images", progress=False))
    labels = read_idx(fetch("fashion-mnist/train-labels", progress=False))
    test = read_idx(fetch("fashion-mnist/t10k-images", progress=False)).reshape(10000, -1).astype(np.float64)
    test_labels = read_idx(fetch("fashion-mnist/t10k-labels", progress=False))
    return train, labels, test, test_labels


def nearest_mean_accuracy(fashion, chosen):
    train, labels, test, test_labels = fashion
    means = np.stack([train[chosen][labels[chosen] == c].mean(0, dtype=np.float64).ravel() for c in range(10)])
    distances = (test**2).sum(1)[:, None] - 2 * test @ means.T + (means**2).sum(1)[None, :]
    return float((distances.argmin(1) == test_labels).mean())


@pytest.fixture(scope="module")
def right(fashion):
    labels = fashion[1]
    return {k: nearest_mean_accuracy(fashion, balanced_subset(labels, k, seed=3)) for k in (1, 10, 100, 1000, 6000)}


def test_images_per_class(right):
    assert check.ex01_images_per_class(right).status == PASSED
    assert check.ex01_images_per_class(None).status == NOT_DONE


def test_images_per_class_wrong_answers(fashion, right):
    knob_unchanged = dict.fromkeys(right, right[6000])
    assert_fails(check.ex01_images_per_class(knob_unchanged), "did you really keep only 1 training image")
    assert_fails(check.ex01_images_per_class({k: 100 * v for k, v in right.items()}), "not a fraction")
    train, labels, test, test_labels = fashion
    on_1000_test_images = nearest_mean_accuracy((train, labels, test[:1000], test_labels[:1000]), np.arange(60000))
    assert abs(on_1000_test_images - right[6000]) > 5e-4
    wrong_6000 = {**right, 6000: on_1000_test_images}
    assert_fails(check.ex01_images_per_class(wrong_6000), "6000 per class is the whole training set")
    assert_fails(check.ex01_images_per_class({**right, 100: 0.55}), "100 per class: 55.00% is below")
    assert_fails(check.ex01_images_per_class({1: 0.4, 10: 0.6}), "lacks the key(s) [100, 1000, 6000]")
