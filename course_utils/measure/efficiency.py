"""Measuring models: parameters, FLOPs, size on disk and CPU latency."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np


def count_params(model) -> int:
    """Total parameters (trainable and not)."""
    return int(model.count_params())


def count_flops(model, batch_size: int = 1) -> int:
    """Floating-point operations of one forward pass, counted by TensorFlow's profiler.

    The profiler reads the graph that ``tf.function`` traces for the model; the shapes of the
    weights are known there, so they need not be frozen into constants first. A multiply-add
    counts as 2 FLOPs (the profiler's convention). Returns FLOPs for ``batch_size`` inputs.
    """
    import tensorflow as tf

    shape = [batch_size, *model.inputs[0].shape[1:]]
    spec = tf.TensorSpec(shape, model.inputs[0].dtype)
    graph = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec).graph
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    info = tf.compat.v1.profiler.profile(graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=opts)
    return int(info.total_float_ops)


def model_size_bytes(model) -> int:
    """Size of the model saved as a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.stat().st_size


def latency_ms(model, batch_size: int = 1, repeats: int = 20, warmup: int = 3) -> float:
    """Median wall time of one forward pass on ``batch_size`` random inputs, in milliseconds."""
    import tensorflow as tf

    shape = (batch_size, *model.inputs[0].shape[1:])
    x = tf.constant(np.random.default_rng(0).random(shape, dtype=np.float32))
    forward = tf.function(lambda x: model(x, training=False))
    for _ in range(warmup):
        forward(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        forward(x).numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000.0)
