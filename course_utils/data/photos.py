"""Real photographs that ship inside scikit-image and scikit-learn (no download needed),
and writing arrays out as a folder of image files (the layout ``image_dataset_from_directory`` reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

# name -> (package, loader, what it shows)
PHOTO_SOURCES = {
    "chelsea": ("skimage", "chelsea", "Chelsea the cat"),
    "coffee": ("skimage", "coffee", "a cup of coffee"),
    "astronaut": ("skimage", "astronaut", "astronaut Eileen Collins (NASA)"),
    "rocket": ("skimage", "rocket", "a rocket on its launch pad"),
    "china": ("sklearn", "china.jpg", "a temple in China"),
    "flower": ("sklearn", "flower.jpg", "a flower"),
}


def load_photo(name: str) -> np.ndarray:
    """One RGB photo as a uint8 array (H, W, 3)."""
    if name not in PHOTO_SOURCES:
        raise KeyError(f"no photo named {name!r}; have: {', '.join(PHOTO_SOURCES)}")
    package, loader, _ = PHOTO_SOURCES[name]
    if package == "skimage":
        import skimage.data

        return np.asarray(getattr(skimage.data, loader)(), dtype=np.uint8)
    from sklearn.datasets import load_sample_image

    return np.asarray(load_sample_image(loader), dtype=np.uint8)


def sample_photos(names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Several real photos by name (default: all of :data:`PHOTO_SOURCES`)."""
    return {name: load_photo(name) for name in (names or PHOTO_SOURCES)}


def resize_photo(image: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """Resize to ``size`` (square if an int) with anti-aliasing; returns uint8."""
    from skimage.transform import resize

    shape = (size, size) if isinstance(size, int) else tuple(size)
    resized = resize(image, shape, anti_aliasing=True, preserve_range=True)
    return np.clip(np.round(resized), 0, 255).astype(np.uint8)


def write_image_folder(
    images: np.ndarray | Sequence[np.ndarray],
    labels: Sequence[int],
    class_names: Sequence[str],
    dest: Path | str,
    *,
    suffix: str = ".png",
) -> Path:
    """Write images as ``dest/<class name>/<index>.png`` and return ``dest``.

    Class names are made safe for file names ("T-shirt/top" -> "T-shirt_top").
    """
    from PIL import Image

    dest = Path(dest)
    for index, (image, label) in enumerate(zip(images, labels, strict=True)):
        folder = dest / str(class_names[int(label)]).replace("/", "_").replace(" ", "_")
        folder.mkdir(parents=True, exist_ok=True)
        array = np.asarray(image)
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        Image.fromarray(array.astype(np.uint8)).save(folder / f"{index:05d}{suffix}")
    return dest
