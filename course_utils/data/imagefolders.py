"""Folders of real images for transfer learning: Imagenette, tf_flowers, and an offline folder.

All three end as ``<root>/<class name>/<image file>`` folders, the layout
``keras.utils.image_dataset_from_directory`` reads, so a notebook loads them with the same code.
The archives come through the registry (size and SHA-256 checked) and are unpacked with
:func:`course_utils.data.archive.safe_extract`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils.data import download
from course_utils.data.archive import safe_extract
from course_utils.data.registry import RemoteFile, get

# The suffixes (compared in lower case) of the image files in a folder dataset.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")

IMAGENETTE = get("imagenette/imagenette2-160")
FLOWERS = get("flowers/flower_photos")
ARCHIVES = {"imagenette": IMAGENETTE, "flowers": FLOWERS}
_DONE = ".extracted"


@dataclass(frozen=True)
class ImageFolder:
    """Where a dataset's images are: ``train`` and (when the dataset has one) ``val`` folders."""

    name: str
    train: Path
    val: Path | None
    class_names: tuple[str, ...]
    source: str


def extract_archive(entry: RemoteFile | str, *, data_dir: Path | str | None = None, **fetch_kwargs) -> Path:
    """Fetch a registered archive and unpack it safely (once); returns the unpacked folder.

    The folder is ``<cache>/<archive stem>/``; a marker file holding the archive's SHA-256 is
    written last, so an interrupted extraction is redone on the next call.
    """
    entry = get(entry) if isinstance(entry, str) else entry
    archive = download.fetch(entry, data_dir=data_dir, **fetch_kwargs)
    dest = archive.parent / archive.name.split(".")[0]
    marker = dest / _DONE
    if marker.is_file() and marker.read_text().strip() == entry.sha256:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    staging = dest.with_name(dest.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    safe_extract(archive, staging)
    staging.rename(dest)
    marker.write_text(entry.sha256 + "\n")
    return dest


def class_folders(folder: Path | str) -> list[Path]:
    """The class sub-folders of a ``folder/<class>/`` tree, sorted by name (hidden ones left out)."""
    return sorted(p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith("."))


def image_files(folder: Path | str) -> tuple[list[Path], list[int], list[str]]:
    """Every image file of a ``folder/<class>/<image>`` tree (sorted), its label, and the class names.

    Labels index the sorted class (sub-folder) names, as in ``keras.utils.image_dataset_from_directory``;
    image files are those whose suffix, in lower case, is in :data:`IMAGE_SUFFIXES`.
    """
    paths, labels, class_names = [], [], []
    for label, class_dir in enumerate(class_folders(folder)):
        class_names.append(class_dir.name)
        for path in sorted(class_dir.iterdir()):
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                paths.append(path)
                labels.append(label)
    return paths, labels, class_names


def prepare(name: str, *, data_dir: Path | str | None = None, **fetch_kwargs) -> ImageFolder:
    """Imagenette (``train``/``val`` folders named by WordNet id) or tf_flowers (one folder)."""
    if name not in ARCHIVES:
        raise KeyError(f"no image archive named {name!r}; have: {', '.join(ARCHIVES)}")
    root = extract_archive(ARCHIVES[name], data_dir=data_dir, **fetch_kwargs)
    inner = class_folders(root)
    top = inner[0] if len(inner) == 1 else root  # archives wrap their content in one folder
    if (top / "train").is_dir():
        train, val = top / "train", (top / "val" if (top / "val").is_dir() else None)
    else:
        train, val = top, None
    classes = tuple(p.name for p in class_folders(train))
    entry = ARCHIVES[name]
    return ImageFolder(name, train, val, classes, entry.urls[0] if entry.urls else entry.relpath)


def imagenet_names(wordnet_ids: Sequence[str], class_index: dict[int, tuple[str, str]]) -> list[str]:
    """Readable names for WordNet ids (Imagenette's folder names) from the ImageNet class index."""
    by_id = {wnid: label for wnid, label in class_index.values()}
    return [by_id.get(wnid, wnid) for wnid in wordnet_ids]


def balanced_subset(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """Indices of ``per_class`` examples of every class, shuffled (fixed seed)."""
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in np.unique(labels)]
    indices = np.concatenate(chosen)
    rng.shuffle(indices)
    return indices


def offline_folder(
    dest: Path | str, *, per_class_train: int, per_class_val: int, seed: int = 0, **fetch_kwargs
) -> ImageFolder:
    """Fashion-MNIST photos written as RGB PNGs in ``dest/train/<class>/`` and ``dest/val/<class>/``.

    Real images that are available offline (from the course mirror), in the same layout as
    Imagenette, so the notebook's loading code is the same for both. Validation images come
    from Fashion-MNIST's test set.
    """
    from course_utils.data.datasets import FASHION_MNIST_CLASSES, load_fashion_mnist
    from course_utils.data.photos import write_image_folder

    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(**fetch_kwargs)
    dest = Path(dest)
    for split, x, y, n in (("train", x_train, y_train, per_class_train), ("val", x_test, y_test, per_class_val)):
        picked = balanced_subset(y, n, seed)
        rgb = np.repeat(x[picked][..., None], 3, axis=-1)
        write_image_folder(rgb, y[picked], FASHION_MNIST_CLASSES, dest / split)
    classes = tuple(p.name for p in class_folders(dest / "train"))
    return ImageFolder(
        "offline", dest / "train", dest / "val", classes, "Fashion-MNIST (Zalando Research), from the course mirror"
    )


def count_images(folder: Path | str) -> dict[str, int]:
    """Number of image files in each class folder (classes without images count 0)."""
    _, labels, class_names = image_files(folder)
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(class_names))
    return {name: int(n) for name, n in zip(class_names, counts, strict=True)}


__all__ = [
    "ARCHIVES",
    "FLOWERS",
    "IMAGENETTE",
    "IMAGE_SUFFIXES",
    "ImageFolder",
    "balanced_subset",
    "class_folders",
    "count_images",
    "extract_archive",
    "image_files",
    "imagenet_names",
    "offline_folder",
    "prepare",
]
