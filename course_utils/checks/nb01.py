"""Checks for the exercises of notebook 01 (datasets: the IDX format, sizes, balanced subsets).

The references are computed at check time: the real MNIST and Fashion-MNIST files (through the
course's data layer), the course's own IDX reader (:func:`course_utils.data.datasets.parse_idx`),
ILSVRC-2012's published image count, and a nearest-centroid classifier built with NumPy and
scikit-learn's ``pairwise_distances_argmin``.
"""

from __future__ import annotations

import functools
import gzip
import numbers

import numpy as np

from course_utils.checks import CaseFailed, Verdict, answered, compare_arrays, require, run_check
from course_utils.data.datasets import IDXFormatError, idx_header, parse_idx
from course_utils.data.download import fetch

ILSVRC_TRAIN_IMAGES = 1_281_167  # Russakovsky et al., IJCV 2015 (the figure the notebook quotes)
IDX_CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D, "float64": 0x0E}


@functools.lru_cache(maxsize=8)
def _raw(name: str) -> bytes:
    """The decompressed bytes of a registry file, e.g. ``"mnist/t10k-labels"``."""
    return gzip.decompress(fetch(name, progress=False).read_bytes())


def _array(name: str) -> np.ndarray:
    return parse_idx(_raw(name), source=name)


def _region(offset: int, ndim: int) -> str:
    if offset < 2:
        return "the two leading zero bytes"
    if offset == 2:
        return "the type code (byte 2)"
    if offset == 3:
        return "the number of dimensions (byte 3)"
    if offset < 4 + 4 * ndim:
        return f"the sizes (bytes 4 to {3 + 4 * ndim}): each is a big-endian 32-bit integer"
    return "the data, after the header"


# ---------------------------------------------------------------------------------------------
# 01.1 · Writing an IDX file


def _check_idx_bytes(got, array: np.ndarray, case: str) -> None:
    require(
        isinstance(got, bytes | bytearray),
        f"{case}: returned {type(got).__name__}, expected bytes (e.g. header + array.tobytes())",
    )
    got = bytes(got)
    header_bytes = 4 + 4 * array.ndim
    expected_length = header_bytes + array.size * array.dtype.itemsize
    require(
        len(got) == expected_length,
        f"{case}: {len(got):,} bytes, expected {expected_length:,} "
        f"({header_bytes} header bytes + {array.size} values × {array.dtype.itemsize} bytes)",
    )
    try:
        header = idx_header(got, source=case)
    except IDXFormatError as error:
        raise CaseFailed(f"not a valid IDX header: {error}") from None
    code = IDX_CODES[array.dtype.name]
    require(
        header.type_code == code,
        f"{case}: type code 0x{header.type_code:02x} in byte 2, expected 0x{code:02x} for {array.dtype.name}",
    )
    require(
        header.dims == array.shape,
        f"{case}: the header's sizes decode as {header.dims}, expected {array.shape}; "
        "IDX writes each size as a big-endian 32-bit integer (struct format '>I')",
    )
    back = parse_idx(got, source=case)
    if not np.array_equal(back, array):
        wrong = int(np.sum(back != array))
        hint = (
            "each value must be written big-endian, e.g. array.astype(array.dtype.newbyteorder('>'))"
            if array.dtype.itemsize > 1
            else "the values must follow in C order (row after row)"
        )
        raise CaseFailed(f"{case}: the header is right but {wrong} of {array.size} data values read back wrong; {hint}")


def _idx_cases():
    rng = np.random.default_rng(101)
    for name in IDX_CODES:
        dtype = np.dtype(name)
        for shape in [(7,), (3, 4), (2, 3, 5), (2, 1, 3, 2)]:
            if dtype.kind == "f":
                array = (rng.standard_normal(shape) * 1000).astype(dtype)
            else:
                info = np.iinfo(dtype)
                array = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
            yield f"a random {name} array of shape {shape}", array
    grid = rng.integers(-(2**31), 2**31 - 1, size=(3, 5), dtype=np.int32)
    yield "a transposed (not C-contiguous) int32 view of shape (5, 3)", grid.T
    yield "a big-endian float64 array of shape (4,)", rng.standard_normal(4).astype(">f8")


def ex01_write_idx(to_idx_bytes) -> Verdict:
    """01.1: ``to_idx_bytes(array)`` must give the bytes of an uncompressed IDX file."""

    def body() -> str:
        for name in ("mnist/t10k-labels", "mnist/t10k-images"):
            raw, array = _raw(name), _array(name)
            case = f"{name} ({array.shape}, uint8)"
            got = to_idx_bytes(array.copy())
            require(isinstance(got, bytes | bytearray), f"{case}: returned {type(got).__name__}, expected bytes")
            got = bytes(got)
            if got != raw:
                first = next((i for i, (a, b) in enumerate(zip(got, raw, strict=False)) if a != b), None)
                if first is None:
                    raise CaseFailed(f"{case}: {len(got):,} bytes, the published file has {len(raw):,}")
                raise CaseFailed(
                    f"{case}: differs from the published file first at byte {first} "
                    f"(yours {got[first]:#04x}, file {raw[first]:#04x}), in {_region(first, array.ndim)}"
                )
        count = 0
        for case, array in _idx_cases():
            _check_idx_bytes(to_idx_bytes(array), array, case)
            count += 1
        for dtype in ("int64", "bool"):
            try:
                to_idx_bytes(np.zeros((2, 2), dtype=dtype))
            except ValueError:
                continue
            except Exception as error:  # refused, but not the way the statement asks
                raise CaseFailed(
                    f"an array of dtype {dtype}: raised {type(error).__name__}, expected ValueError"
                ) from None
            raise CaseFailed(f"an array of dtype {dtype}: IDX has no type code for it, so raise ValueError")
        return (
            "byte for byte equal to MNIST's two published test files, and "
            f"{count} arrays of six dtypes read back exactly by parse_idx; int64 and bool refused"
        )

    return run_check("01.1 writing an IDX file", body)


# ---------------------------------------------------------------------------------------------
# 01.2 · Random access: one record without reading the rest


class CountingReader:
    """A read-only binary stream over another one that counts the bytes handed out by ``read``."""

    def __init__(self, stream):
        self._stream = stream
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.bytes_read += len(data)
        return data

    read1 = read

    def readinto(self, buffer) -> int:
        count = self._stream.readinto(buffer)
        self.bytes_read += count
        return count

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _record_cases():
    rng = np.random.default_rng(7)
    for name, n in (
        ("mnist/t10k-images", 10000),
        ("mnist/t10k-labels", 10000),
        ("fashion-mnist/t10k-images", 10000),
        ("fashion-mnist/train-labels", 60000),
    ):
        for index in (0, n - 1, *rng.integers(1, n - 1, size=2).tolist()):
            yield name, index


def _read_one(read_record, name: str, index: int):
    with CountingReader(gzip.open(fetch(name, progress=False), "rb")) as handle:
        got = read_record(handle, index)
        return got, handle.bytes_read


def ex01_read_record(read_record) -> Verdict:
    """01.2: ``read_record(handle, index)`` must return one record, reading only its header and bytes."""

    def body() -> str:
        count = 0
        for name, index in _record_cases():
            array, raw = _array(name), _raw(name)
            header_bytes = 4 + 4 * array.ndim
            record_bytes = int(np.prod(array.shape[1:]))
            case = f"{name}, record {index}"
            got, bytes_read = _read_one(read_record, name, index)
            require(got is not None, f"{case}: got None; did you forget a `return`?")
            got = np.asarray(got)
            if got.shape == array.shape[1:] and not np.array_equal(got, array[index]):
                start = header_bytes + index * record_bytes
                flat = got.reshape(-1).astype(np.int64)
                for offset, why in (
                    (start - header_bytes, "you did not skip the header"),
                    (start - 1, ""),
                    (start + 1, ""),
                ):
                    chunk = np.frombuffer(raw[offset : offset + record_bytes], np.uint8) if offset >= 0 else None
                    if chunk is not None and len(chunk) == len(flat) and np.array_equal(chunk, flat):
                        why = why or f"your offset is off by {offset - start:+d} byte"
                        raise CaseFailed(
                            f"{case}: these are the bytes at offset {offset}, not {start}: {why} "
                            f"(a header of {header_bytes} bytes for {array.ndim} dimension(s))"
                        )
            compare_arrays(got, array[index], case=case, atol=0, rtol=0, name="the record")
            limit = header_bytes + record_bytes + 16
            require(
                bytes_read <= limit,
                f"{case}: you read {bytes_read:,} bytes from the stream; this record needs only the "
                f"{header_bytes}-byte header and its own {record_bytes} bytes: seek to it instead of reading",
            )
            count += 1
        for name, index in (("mnist/t10k-labels", 10000), ("fashion-mnist/t10k-images", -1)):
            try:
                _read_one(read_record, name, index)
            except IndexError:
                continue
            except Exception as error:  # the learner's code failed some other way on a bad index
                raise CaseFailed(
                    f"{name}, record {index}: raised {type(error).__name__} ({error}); an index outside "
                    "range(10000) should raise IndexError before anything is read"
                ) from None
            raise CaseFailed(f"{name}, record {index}: outside range(10000), so raise IndexError")
        return (
            f"{count} records of four real IDX files (images and labels) equal cu.read_idx's, each read "
            "with at most its header and its own bytes; indices out of range raise IndexError"
        )

    return run_check("01.2 one record without the rest", body)


# ---------------------------------------------------------------------------------------------
# 01.3 · ImageNet in memory

_IMAGENET_KEYS = ("uint8_gib", "float32_gib", "batch256_mib")


def _diagnose_size(got: float, expected: float, unit: str) -> str:
    ratio = got / expected
    decimal = {"GiB": 2**30 / 1e9, "MiB": 2**20 / 1e6}[unit]
    known = [
        (
            decimal,
            f"it looks like decimal units (10^9 or 10^6 bytes); 1 {unit} is 2^{30 if unit == 'GiB' else 20} bytes",
        ),
        (1 / 3, "too low by a factor of 3: a colour image has 3 channels"),
        (4.0, "too high by a factor of 4: count the bytes per value (uint8: 1)"),
        (1 / 4, "too low by a factor of 4: a float32 value takes 4 bytes"),
        (1024.0, "too high by a factor of 1024: check the unit (GiB, MiB, KiB)"),
        (1 / 1024, "too low by a factor of 1024: check the unit (GiB, MiB, KiB)"),
    ]
    for factor, message in known:
        if abs(ratio / factor - 1) < 0.01:
            return message
    direction = "too high" if ratio > 1 else "too low"
    return f"{direction}; the formula is images × height × width × channels × bytes per value / bytes per {unit}"


def ex01_imagenet_memory(answer) -> Verdict:
    """01.3: the ILSVRC-2012 training set and one batch of 256 at 224 × 224 × 3, in GiB and MiB."""

    def body() -> str:
        answered(answer, "01.3")
        require(
            isinstance(answer, dict), f"expected a dict with the keys {_IMAGENET_KEYS}, got {type(answer).__name__}"
        )
        missing = [key for key in _IMAGENET_KEYS if key not in answer]
        require(not missing, f"the dict lacks the key(s) {missing}")
        values = 224 * 224 * 3
        expected = {
            "uint8_gib": (ILSVRC_TRAIN_IMAGES * values * 1 / 2**30, "GiB"),
            "float32_gib": (ILSVRC_TRAIN_IMAGES * values * 4 / 2**30, "GiB"),
            "batch256_mib": (256 * values * 4 / 2**20, "MiB"),
        }
        for key, (reference, unit) in expected.items():
            got = answer[key]
            answered(got, "01.3")
            require(
                isinstance(got, numbers.Real) and not isinstance(got, bool),
                f"{key}: expected a number, got {type(got).__name__}",
            )
            require(
                abs(got / reference - 1) <= 0.005,
                f"{key}: {got:,.4g} {unit} is not within 0.5% of the size: {_diagnose_size(got, reference, unit)}",
            )
        return "all three sizes within 0.5% of images × 224 × 224 × 3 × bytes per value in binary units"

    return run_check("01.3 ImageNet in memory", body)


# ---------------------------------------------------------------------------------------------
# 01.4 · A balanced random subset


def _check_subset(got, labels: np.ndarray, per_class: int, case: str) -> np.ndarray:
    require(got is not None, f"{case}: got None; did you forget a `return`?")
    got = np.asarray(got)
    require(got.ndim == 1, f"{case}: indices of shape {got.shape}, expected one flat array of indices")
    require(got.dtype.kind in "iu", f"{case}: indices of dtype {got.dtype}, expected integers")
    require(
        got.size == 0 or (got.min() >= 0 and got.max() < len(labels)),
        f"{case}: indices must lie in 0 … {len(labels) - 1}",
    )
    values, counts = np.unique(got, return_counts=True)
    if counts.size and counts.max() > 1:
        raise CaseFailed(
            f"{case}: index {values[counts.argmax()]} appears {counts.max()} times; draw without replacement"
        )
    classes = np.unique(labels)
    chosen = np.bincount(labels[got], minlength=int(classes.max()) + 1)
    for cls in classes:
        require(chosen[cls] == per_class, f"{case}: class {cls} has {chosen[cls]} images, expected {per_class}")
    return got


def ex01_balanced_subset(balanced_subset) -> Verdict:
    """01.4: ``balanced_subset(labels, per_class, seed)``: random indices, ``per_class`` of each class."""

    def body() -> str:
        mnist = _array("mnist/train-labels")
        fashion = _array("fashion-mnist/train-labels")
        toy = np.array([3, 3, 0, 3, 0, 0, 3, 3], dtype=np.uint8)
        cases = [
            ("MNIST training labels", mnist, 1),
            ("MNIST training labels", mnist, 7),
            ("MNIST training labels", mnist, 100),
            ("MNIST training labels (digit 5 has only 5421)", mnist, 5421),
            ("Fashion-MNIST training labels", fashion, 6000),
            ("the labels [3, 3, 0, 3, 0, 0, 3, 3]", toy, 2),
        ]
        for name, labels, per_class in cases:
            case = f"{name}, {per_class} per class"
            given = labels.copy()
            got = _check_subset(balanced_subset(given, per_class, seed=0), labels, per_class, case)
            require(np.array_equal(given, labels), f"{case}: your function changed the labels it was given")
            if per_class == 7:
                again = np.asarray(balanced_subset(labels.copy(), per_class, seed=0))
                require(
                    np.array_equal(np.sort(again), np.sort(got)), f"{case}: seed 0 twice gave two different subsets"
                )
                other = _check_subset(balanced_subset(labels.copy(), per_class, seed=1), labels, per_class, case)
                require(
                    not np.array_equal(np.sort(other), np.sort(got)),
                    f"{case}: seeds 0 and 1 gave the same subset; draw at random with a generator seeded by `seed`",
                )
        for name, labels, per_class in (("MNIST training labels", mnist, 5422), ("the toy labels", toy, 4)):
            try:
                balanced_subset(labels.copy(), per_class, seed=0)
            except ValueError:
                continue
            raise CaseFailed(f"{name}, {per_class} per class: a class has fewer images than that, so raise ValueError")
        return (
            "exactly per_class distinct images of every class in six cases (1 to 6000 per class), "
            "reproducible for a seed, different across seeds, ValueError when a class is too small"
        )

    return run_check("01.4 a balanced random subset", body)


# ---------------------------------------------------------------------------------------------
# 01.5 · How many images does the nearest-mean classifier need?

# Fashion-MNIST test accuracy of the nearest-mean classifier trained on `per_class` random images per
# class, measured over 300 random subsets (seeds 0-299, 100 for 1000 per class; each class drawn with
# Generator.choice without replacement), fast and full mode alike
# (the experiment's sizes do not depend on FAST): 1: 26.1–56.7%, 10: 59.0–67.7%, 100: 65.9–68.7%,
# 1000: 67.2–68.1%. The ranges below add a margin; 6000 per class is the whole training set.
PER_CLASS_RANGES = {1: (0.20, 0.62), 10: (0.56, 0.70), 100: (0.650, 0.695), 1000: (0.668, 0.686)}


@functools.lru_cache(maxsize=1)
def _fashion_full_nearest_mean() -> float:
    from sklearn.metrics import pairwise_distances_argmin

    images, labels = _array("fashion-mnist/train-images"), _array("fashion-mnist/train-labels")
    test, test_labels = _array("fashion-mnist/t10k-images"), _array("fashion-mnist/t10k-labels")
    flat = images.reshape(len(images), -1)
    centroids = np.stack([flat[labels == c].mean(axis=0, dtype=np.float64) for c in range(10)])
    predicted = pairwise_distances_argmin(test.reshape(len(test), -1).astype(np.float64), centroids)
    return float(np.mean(predicted == test_labels))


def ex01_images_per_class(accuracy) -> Verdict:
    """01.5: ``{per_class: test accuracy}`` for 1, 10, 100, 1000 and 6000 Fashion-MNIST images per class."""

    def body() -> str:
        answered(accuracy, "01.5")
        require(
            isinstance(accuracy, dict), f"expected a dict {{images per class: accuracy}}, got {type(accuracy).__name__}"
        )
        wanted = (*PER_CLASS_RANGES, 6000)
        missing = [k for k in wanted if k not in accuracy]
        require(not missing, f"the dict lacks the key(s) {missing} (the numbers of images per class)")
        for per_class in wanted:
            value = accuracy[per_class]
            require(
                isinstance(value, numbers.Real) and not isinstance(value, bool),
                f"{per_class} per class: expected a number, got {type(value).__name__}",
            )
            require(0 <= value <= 1, f"{per_class} per class: {value} is not a fraction; give 0.68, not 68")
        full = _fashion_full_nearest_mean()
        require(
            abs(accuracy[6000] - full) <= 5e-4,
            f"6000 per class is the whole training set, whose nearest-mean test accuracy is exact: yours "
            f"{accuracy[6000]:.4f} is {'too high' if accuracy[6000] > full else 'too low'}; use all 10,000 "
            "test images and the mean of every training image of each class",
        )
        for per_class, (low, high) in PER_CLASS_RANGES.items():
            value = accuracy[per_class]
            if value > high:
                raise CaseFailed(
                    f"{per_class} per class: {value:.2%} is above {high:.1%}, higher than any of hundreds of random "
                    f"subsets gave; did you really keep only {per_class} training image(s) of each class?"
                )
            require(
                value >= low,
                f"{per_class} per class: {value:.2%} is below {low:.1%}, lower than any of hundreds of random "
                "subsets gave; average the chosen images per class and score on all 10,000 test images",
            )
        return (
            f"all five accuracies lie in the ranges random subsets give, and 6000 per class matches the "
            f"full training set's {full:.2%}"
        )

    return run_check("01.5 images per class", body)
