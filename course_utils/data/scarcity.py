"""Learning curves against the amount of labelled data: nested, class-balanced subsets."""

from __future__ import annotations

import math

import numpy as np


def balanced_order(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """An ordering of the indices whose every prefix is as class-balanced as possible.

    Each class is shuffled, then the classes are interleaved round-robin, so the first ``n``
    indices hold about ``n / num_classes`` examples of each class and the subsets of
    increasing size are nested (a larger one contains every smaller one).
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    order = []
    for rank in range(max(len(p) for p in per_class)):
        # within each round the class order is shuffled too, so no class always comes first
        for c in rng.permutation(len(per_class)):
            if rank < len(per_class[c]):
                order.append(per_class[c][rank])
    return np.asarray(order, dtype=np.int64)


def epochs_for(n: int, batch_size: int, epochs: int, min_steps: int) -> int:
    """At least ``epochs`` passes, and enough of them to make ``min_steps`` gradient steps.

    With 100 images and a batch of 64 one epoch is two steps: a model trained on a tiny set
    for as many epochs as a big one would barely move, which would measure the optimiser,
    not the data.
    """
    if n <= 0 or batch_size <= 0:
        raise ValueError("n and batch_size must be positive")
    steps_per_epoch = math.ceil(n / batch_size)
    return max(int(epochs), math.ceil(min_steps / steps_per_epoch))
