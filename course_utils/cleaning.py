"""Cleaning image data: exact duplicates found by hashing, and folders with unreadable files.

An exact duplicate is an image whose bytes (and shape and dtype) equal another's. Hashing each
image once makes finding them linear in the number of images instead of quadratic.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def image_hash(image: np.ndarray) -> str:
    """SHA-256 of an image's shape, dtype and bytes (equal images give equal hashes)."""
    array = np.ascontiguousarray(image)
    digest = hashlib.sha256(f"{array.shape}{array.dtype.str}".encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def image_hashes(images: Iterable[np.ndarray]) -> list[str]:
    """One :func:`image_hash` per image."""
    return [image_hash(image) for image in images]


def find_duplicates(images: Iterable[np.ndarray]) -> list[list[int]]:
    """Groups of indices of identical images (only groups of two or more), in index order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, digest in enumerate(image_hashes(images)):
        groups[digest].append(index)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def extra_copies(groups: Sequence[Sequence[int]]) -> int:
    """How many images could be dropped: every copy beyond the first in each group."""
    return sum(len(g) - 1 for g in groups)


def find_overlap(reference: Iterable[np.ndarray], others: Iterable[np.ndarray]) -> list[tuple[int, int]]:
    """Pairs ``(index in others, index in reference)`` of images of ``others`` found in ``reference``.

    Typical use: test images that also appear in the training set (``reference``).
    """
    first_seen: dict[str, int] = {}
    for index, digest in enumerate(image_hashes(reference)):
        first_seen.setdefault(digest, index)
    return [(i, first_seen[d]) for i, d in enumerate(image_hashes(others)) if d in first_seen]


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


def image_files(folder: Path | str) -> list[tuple[Path, str]]:
    """``(path, class name)`` for every image file in ``folder/<class>/``, sorted."""
    folder = Path(folder)
    found = []
    for class_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(class_dir.iterdir()):
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                found.append((path, class_dir.name))
    return found


def load_image_folder(folder: Path | str, mode: str | None = None) -> FolderImages:
    """Read a ``folder/<class>/<image>`` tree, skipping files that do not decode.

    Labels are indices into the sorted class (sub-folder) names, as in
    ``keras.utils.image_dataset_from_directory``. Unreadable files are listed in ``skipped``
    with the reason, instead of stopping the load.
    """
    files = image_files(folder)
    class_names = sorted({name for _, name in files})
    index = {name: i for i, name in enumerate(class_names)}
    images, labels, paths, skipped = [], [], [], []
    for path, name in files:
        try:
            images.append(read_image(path, mode))
        except (OSError, ValueError, SyntaxError) as error:  # what Pillow raises for bad files
            skipped.append((path, f"{type(error).__name__}: {error}"))
            continue
        labels.append(index[name])
        paths.append(path)
    return FolderImages(images, np.asarray(labels, dtype=np.int64), class_names, paths, skipped)


def unreadable_images(folder: Path | str) -> list[Path]:
    """The image files under ``folder/<class>/`` that do not decode (to remove or quarantine)."""
    return [path for path, _ in load_image_folder(folder).skipped]
