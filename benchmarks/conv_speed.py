"""Speed of one convolution layer: Python loops vs vectorised NumPy vs ``tf.nn.conv2d``.

    python benchmarks/conv_speed.py            # a few sizes, then the checked one
    python benchmarks/conv_speed.py --quick    # only the checked size

Every row is one 3x3 'same' convolution with bias on random float32 input. Times are the best
of several runs (the loops run once: they take seconds). The script asserts that the
vectorised NumPy version is at least 100x faster than the loops at batch 32, 28x28x8 -> 16.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402 (after TF_CPP_MIN_LOG_LEVEL is set)

from course_utils.lessons import convolution as conv  # noqa: E402 (after the project root is on the path)

CHECKED = (32, 28, 28, 8, 16)  # batch, height, width, C_in, C_out
MIN_SPEEDUP = 100.0
SIZES = [(8, 14, 14, 16, 32), (4, 56, 56, 3, 8), CHECKED]


def best_time(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(n: int, h: int, w: int, c_in: int, c_out: int, k: int = 3) -> dict:
    """Seconds per call of the three versions on one input, and their agreement."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, h, w, c_in)).astype(np.float32)
    kernel = rng.standard_normal((k, k, c_in, c_out)).astype(np.float32)
    bias = rng.standard_normal(c_out).astype(np.float32)
    xt, kt, bt = tf.constant(x), tf.constant(kernel), tf.constant(bias)
    y_tf = (tf.nn.conv2d(xt, kt, 1, "SAME") + bt).numpy()  # also warms TensorFlow up
    t_loops = best_time(lambda: conv.conv2d_loops(x, kernel, bias, 1, "same"), repeats=1)
    y_np = conv.conv2d(x, kernel, bias, 1, "same")
    assert np.allclose(conv.conv2d_loops(x[:1], kernel, bias, 1, "same"), y_np[:1], atol=1e-4)
    assert np.allclose(y_np, y_tf, atol=1e-4)
    t_numpy = best_time(lambda: conv.conv2d(x, kernel, bias, 1, "same"), repeats=20)
    t_tf = best_time(lambda: (tf.nn.conv2d(xt, kt, 1, "SAME") + bt).numpy(), repeats=20)
    return {"loops": t_loops, "numpy": t_numpy, "tf": t_tf}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the checked size")
    args = parser.parse_args(argv)
    sizes = [CHECKED] if args.quick else SIZES
    print(
        f"{'N x H x W x C_in -> C_out':>26}  {'loops':>9}  {'numpy':>9}  {'tf':>9}  "
        f"{'loops/numpy':>11}  {'numpy/tf':>8}"
    )
    speedup = None
    for size in sizes:
        t = measure(*size)
        ratio = t["loops"] / t["numpy"]
        label = "{} x {} x {} x {} -> {}".format(*size)
        print(
            f"{label:>26}  {t['loops'] * 1e3:7.1f}ms  {t['numpy'] * 1e3:7.2f}ms  {t['tf'] * 1e3:7.2f}ms  "
            f"{ratio:10.0f}x  {t['numpy'] / t['tf']:7.1f}x",
            flush=True,
        )
        if size == CHECKED:
            speedup = ratio
    print(
        f"vectorised NumPy is {speedup:.0f}x faster than the loops at "
        "{} x {} x {} x {} -> {} (required: >= {:.0f}x)".format(*CHECKED, MIN_SPEEDUP)
    )
    assert speedup >= MIN_SPEEDUP, f"only {speedup:.0f}x faster than the loops"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
