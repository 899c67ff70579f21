"""Traditional machine-learning baselines: pixel and HOG features for scikit-learn models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pixel_features(images: np.ndarray) -> np.ndarray:
    """Images (N, H, W) -> float32 rows (N, H*W) scaled to [0, 1]."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float32) / (255.0 if images.dtype == np.uint8 else 1.0)


def hog_features(
    images: np.ndarray,
    *,
    orientations: int = 9,
    pixels_per_cell: Sequence[int] = (7, 7),
    cells_per_block: Sequence[int] = (2, 2),
) -> np.ndarray:
    """Histogram-of-oriented-gradients features (Dalal & Triggs, 2005) for a batch of greyscale
    images (N, H, W), computed with ``skimage.feature.hog``; returns float32 (N, D).

    On 28 x 28 digits the defaults give 3 x 3 blocks of 2 x 2 cells of 9 orientations: D = 324.
    """
    from skimage.feature import hog

    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected greyscale images (N, H, W), got shape {images.shape}")
    rows = [
        hog(
            image,
            orientations=orientations,
            pixels_per_cell=tuple(pixels_per_cell),
            cells_per_block=tuple(cells_per_block),
            block_norm="L2-Hys",
            feature_vector=True,
        )
        for image in images
    ]
    return np.asarray(rows, dtype=np.float32)
