"""Image folders read in plain Python, and input throughput.

The plumbing around the input-pipeline lesson (the ``tf.data`` pipeline itself is written in
notebook 02, ``course_utils.lessons.preprocessing``): decode the files of a ``folder/<class>/<image>``
tree (listed by :func:`course_utils.data.imagefolders.image_files`) with Pillow while skipping the broken
ones, read it batch by batch in a Python loop (the baseline ``tf.data`` is measured against), and
count images per second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_utils.data.imagefolders import image_files


def read_image(path: Path | str, mode: str | None = None) -> np.ndarray:
    """Decode one image file fully with Pillow (``mode`` e.g. ``"L"`` or ``"RGB"``).

    Raises ``OSError`` (Pillow's ``UnidentifiedImageError`` is one) when the file is not a
    readable image, including a truncated one: the pixels are decoded here, not lazily.
    """
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        if mode is not None and image.mode != mode:
            image = image.convert(mode)
        return np.asarray(image).copy()


@dataclass
class FolderImages:
    """What :func:`load_image_folder` read: images, their labels, and what it skipped."""

    images: list[np.ndarray]
    labels: np.ndarray
    class_names: list[str]
    paths: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def n_skipped(self) -> int:
        return len(self.skipped)

    def stacked(self) -> np.ndarray:
        """The images as one array (they must all have the same shape)."""
        return np.stack(self.images)


def load_image_folder(folder: Path | str, mode: str | None = None) -> FolderImages:
    """Read a ``folder/<class>/<image>`` tree, skipping files that do not decode.

    Unreadable files are listed in ``skipped`` with the reason, instead of stopping the load.
    """
    paths, labels, class_names = image_files(folder)
    images, kept_labels, kept_paths, skipped = [], [], [], []
    for path, label in zip(paths, labels, strict=True):
        try:
            images.append(read_image(path, mode))
        except (OSError, ValueError, SyntaxError) as error:  # what Pillow raises for bad files
            skipped.append((path, f"{type(error).__name__}: {error}"))
            continue
        kept_labels.append(label)
        kept_paths.append(path)
    return FolderImages(images, np.asarray(kept_labels, dtype=np.int64), class_names, kept_paths, skipped)


def unreadable_images(folder: Path | str) -> list[Path]:
    """The image files under ``folder/<class>/`` that do not decode (to remove or quarantine)."""
    return [path for path, _ in load_image_folder(folder).skipped]


def python_folder_batches(
    folder: Path | str, batch_size: int = 32, transform: Callable | None = None
) -> Iterator[tuple[object, np.ndarray]]:
    """The baseline: open and decode the images of a ``folder/<class>/`` tree one by one in a
    Python loop, yielding ``(images, labels)`` batches; ``transform`` (e.g. scaling to [0, 1])
    is applied to each stacked batch of images.
    """
    paths, labels, _ = image_files(folder)
    for start in range(0, len(paths), batch_size):
        images = np.stack([read_image(path) for path in paths[start : start + batch_size]])
        yield (transform(images) if transform else images), np.asarray(labels[start : start + batch_size])


@dataclass(frozen=True)
class Throughput:
    """Images seen, seconds taken and their ratio."""

    images: int
    seconds: float

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        return f"{self.images} images in {self.seconds:.2f} s = {self.images_per_second:,.0f} images/s"


def _one_pass(batches: Iterable, max_batches: int | None) -> Throughput:
    count = 0
    start = time.perf_counter()
    for i, batch in enumerate(batches):
        if max_batches is not None and i >= max_batches:
            break
        images = batch[0] if isinstance(batch, (tuple, list)) else batch
        count += int(images.shape[0])
    return Throughput(count, time.perf_counter() - start)


def measure_throughput(batches: Iterable, *, max_batches: int | None = None, repeats: int = 1) -> Throughput:
    """Iterate over ``batches`` (``(images, labels)`` tuples or bare image batches) and time it.

    With ``repeats`` > 1, the fastest of that many passes (the one least disturbed by other
    work); that needs something that can be iterated again, such as a ``tf.data`` dataset.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    if repeats > 1 and iter(batches) is batches:
        raise ValueError("an iterator can be read once only: pass a dataset or a list to repeat")
    return max((_one_pass(batches, max_batches) for _ in range(repeats)), key=lambda t: t.images_per_second)
