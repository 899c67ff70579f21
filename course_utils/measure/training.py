"""Training plumbing: a seconds-per-epoch timer, the validation split of ``fit``, comparing two models' weights."""

from __future__ import annotations

import time

import numpy as np

try:  # the callback needs Keras; the rest of the module does not
    import keras

    _Callback = keras.callbacks.Callback
except ImportError:  # pragma: no cover - Keras is a dependency
    _Callback = object


class EpochTimer(_Callback):
    """A Keras callback that records the wall time of every epoch in ``self.times``."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)

    def seconds_per_epoch(self, skip_first: bool = True) -> float:
        """Median epoch time; the first epoch (which traces and compiles) is left out if others exist."""
        if not self.times:
            raise ValueError("no epoch has been timed yet")
        times = self.times[1:] if skip_first and len(self.times) > 1 else self.times
        return float(np.median(times))


def split_validation(x: np.ndarray, y: np.ndarray, fraction: float = 0.1):
    """Hold out the last ``fraction`` of the arrays, as ``fit(validation_split=fraction)`` does.

    Returns ``(x_fit, y_fit), (x_val, y_val)``.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError("fraction must be between 0 and 1")
    cut = int(len(x) * (1.0 - fraction))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def max_weight_difference(model_a, model_b) -> float:
    """The largest absolute difference between two models' corresponding weights."""
    a, b = model_a.get_weights(), model_b.get_weights()
    if len(a) != len(b) or any(u.shape != v.shape for u, v in zip(a, b, strict=True)):
        raise ValueError("the models do not have the same weight shapes")
    return float(max((np.abs(u - v).max() for u, v in zip(a, b, strict=True)), default=0.0))
