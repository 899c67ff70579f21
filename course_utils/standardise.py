"""Standardising inputs with statistics fitted on the training set only.

``Standardiser().fit(x_train)`` learns a mean and a standard deviation; ``transform`` applies
them to any split. Fitting on the training set alone keeps the test set out of every decision
made before evaluation.
"""

from __future__ import annotations

import numpy as np


def scale_to_unit(images: np.ndarray, max_value: float = 255.0) -> np.ndarray:
    """uint8 pixels 0..255 -> float32 in [0, 1]."""
    return np.asarray(images, dtype=np.float32) / np.float32(max_value)


class Standardiser:
    """z-scores ``(x - mean) / std`` with statistics from the data passed to :meth:`fit`.

    Args:
        per_channel: one mean and std per channel (the last axis), e.g. R, G and B;
            otherwise a single mean and std over every value.
        eps: floor for the standard deviation (a constant input would divide by zero).
    """

    def __init__(self, per_channel: bool = False, eps: float = 1e-7) -> None:
        self.per_channel = per_channel
        self.eps = eps
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> Standardiser:
        """Learn the mean and std of ``x`` (accumulated in float64); returns ``self``."""
        x = np.asarray(x)
        if x.size == 0:
            raise ValueError("cannot fit on an empty array")
        axes = tuple(range(x.ndim - 1)) if self.per_channel else None
        self.mean_ = np.asarray(x.mean(axis=axes, dtype=np.float64))
        self.std_ = np.maximum(np.asarray(x.std(axis=axes, dtype=np.float64)), self.eps)
        return self

    def _check_fitted(self) -> None:
        if self.mean_ is None or self.std_ is None:
            raise RuntimeError("call fit() on the training data first")

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Standardise ``x`` with the fitted statistics; float32."""
        self._check_fitted()
        mean, std = self.mean_.astype(np.float32), self.std_.astype(np.float32)
        return (np.asarray(x, dtype=np.float32) - mean) / std

    def inverse_transform(self, z: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform`; float32."""
        self._check_fitted()
        mean, std = self.mean_.astype(np.float32), self.std_.astype(np.float32)
        return np.asarray(z, dtype=np.float32) * std + mean

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """:meth:`fit` then :meth:`transform` on the same data (the training set)."""
        return self.fit(x).transform(x)

    def __repr__(self) -> str:
        if self.mean_ is None:
            return f"Standardiser(per_channel={self.per_channel}, not fitted)"
        return (
            f"Standardiser(per_channel={self.per_channel}, mean={np.round(self.mean_, 3).tolist()}, "
            f"std={np.round(self.std_, 3).tolist()})"
        )
