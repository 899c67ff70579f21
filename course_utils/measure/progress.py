"""Progress as plain text: one line per epoch or per run, and an estimate before long work.

No widgets and no carriage-return bars: a notebook's outputs are stored and read later, and a
line per step is what a reader (and a log file) can follow.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

try:  # the callback needs Keras; the rest of the module does not
    import keras

    _Callback = keras.callbacks.Callback
except ImportError:  # pragma: no cover - Keras is a dependency
    _Callback = object

T = TypeVar("T")


def _say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s`` or ``1 h 02 min``: a duration as people read it."""
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class EpochLine(_Callback):
    """A Keras callback printing one line per epoch (or every ``every`` epochs, and the last).

    ``fit(..., verbose=0, callbacks=[EpochLine("CNN")])`` prints e.g.
    ``CNN · epoch 3/10 · loss 0.1234 · accuracy 0.9612 · val_accuracy 0.9701 · 2.1 s``.
    """

    def __init__(self, label: str = "", every: int = 1, metrics: Sequence[str] | None = None) -> None:
        super().__init__()
        if every < 1:
            raise ValueError("every must be at least 1")
        self.label, self.every, self.metrics = label, every, metrics
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        total = self.params.get("epochs") if getattr(self, "params", None) else None
        last = total is not None and epoch + 1 == total
        if (epoch + 1) % self.every and not last:
            return
        logs = logs or {}
        names = self.metrics if self.metrics is not None else list(logs)
        values = [f"{name} {float(logs[name]):.4f}" for name in names if name in logs]
        parts = [self.label] if self.label else []
        parts.append(f"epoch {epoch + 1}/{total}" if total else f"epoch {epoch + 1}")
        parts += values
        parts.append(duration(time.perf_counter() - self._start))
        _say(" · ".join(parts))


def runs(items: Iterable[T], label: str = "run", total: int | None = None) -> Iterator[T]:
    """Yield ``items``, printing one line as each finishes: ``run 2/5 (x) done in 3.1 s``."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    for index, item in enumerate(items, start=1):
        start = time.perf_counter()
        yield item
        count = f"{index}/{total}" if total else f"{index}"
        _say(f"{label} {count} ({item}) done in {duration(time.perf_counter() - start)}")


def estimate(step: str, seconds: float, basis: str = "") -> None:
    """Say how long a step is expected to take, before it starts, and on what the estimate rests."""
    because = f" ({basis})" if basis else ""
    _say(f"{step}: expected to take about {duration(seconds)} on this machine{because}")
