"""Running TensorFlow Lite models: the interpreter, batched prediction, accuracy.

Notebook 07 converts (``course_utils.lessons.frontiers.convert_to_tflite``); this module runs the
``.tflite`` flatbuffer. The interpreter comes from the ``ai_edge_litert`` package (LiteRT,
TensorFlow Lite's new name) when it is installed, else from ``tf.lite.Interpreter``, which
TensorFlow marks as deprecated but still ships.
"""

from __future__ import annotations

import warnings

import numpy as np


def runtime() -> str:
    """Which interpreter :func:`interpreter` uses: ``"ai_edge_litert"`` or ``"tf.lite"``."""
    try:
        import ai_edge_litert.interpreter  # noqa: F401 (imported only to see whether LiteRT is installed)
    except ImportError:
        return "tf.lite"
    return "ai_edge_litert"


def interpreter(content: bytes):
    """An interpreter for a ``.tflite`` flatbuffer, tensors allocated."""
    if runtime() == "ai_edge_litert":
        from ai_edge_litert.interpreter import Interpreter
    else:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*deprecated.*", category=UserWarning)
        interp = Interpreter(model_content=content)
    interp.allocate_tensors()
    return interp


def predict(content: bytes, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Run a ``.tflite`` model on ``x`` (N, ...), in batches; returns the stacked outputs."""
    interp = interpreter(content)
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    x = np.asarray(x, dtype=inp["dtype"])
    current = None
    outputs = []
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size]
        if current != len(batch):
            interp.resize_tensor_input(inp["index"], [len(batch), *x.shape[1:]])
            interp.allocate_tensors()
            current = len(batch)
        interp.set_tensor(inp["index"], batch)
        interp.invoke()
        outputs.append(interp.get_tensor(out["index"]).copy())
    return np.concatenate(outputs)


def accuracy(content: bytes, x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> float:
    """Top-1 accuracy of a ``.tflite`` classifier."""
    return float(np.mean(np.argmax(predict(content, x, batch_size), axis=1) == np.asarray(y)))
