"""Convolution and pooling in NumPy, with TensorFlow's conventions (NHWC, 'valid'/'same').

Arrays are channels-last: inputs ``(N, H, W, C_in)``, kernels ``(kh, kw, C_in, C_out)``,
biases ``(C_out,)``. Like every deep-learning framework, "convolution" here is
cross-correlation: ``y[n, i, j, o] = b[o] + sum_{p, q, c} x_pad[n, i*sh + p, j*sw + q, c] * w[p, q, c, o]``.

Padding follows TensorFlow exactly: ``'valid'`` adds none; ``'same'`` gives
``out = ceil(in / stride)`` and pads ``max((out - 1) * stride + k - in, 0)`` pixels, half
(rounded down) before and the rest after (the extra pixel goes to the bottom/right).

The forward passes use sliding windows (``numpy.lib.stride_tricks.sliding_window_view``,
an im2col without copying until the matrix product); ``conv2d_loops`` is the slow reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS = ("valid", "same")


# ----------------------------------------------------------------------------- sizes


def _pair(value: int | Sequence[int], name: str) -> tuple[int, int]:
    """An int or a pair of ints -> a pair of positive ints (else ValueError)."""
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    else:
        pair = tuple(int(v) for v in value)
        if len(pair) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return pair  # type: ignore[return-value]


def _padding(padding: str) -> str:
    mode = str(padding).lower()
    if mode not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return mode


def output_size(in_size: int, kernel: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length along one axis: ceil((in - k + 1) / s) for 'valid', ceil(in / s) for 'same'.

    For 'valid' this equals the textbook floor((in - k) / s) + 1. Raises ValueError when the
    kernel does not fit ('valid' with k > in) or the stride is not positive.
    """
    mode = _padding(padding)
    if stride < 1:
        raise ValueError(f"stride must be positive, got {stride}")
    if kernel < 1:
        raise ValueError(f"kernel size must be positive, got {kernel}")
    if in_size < 1:
        raise ValueError(f"input size must be positive, got {in_size}")
    if mode == "same":
        return -(-in_size // stride)
    if kernel > in_size:
        raise ValueError(f"kernel size {kernel} is larger than the (unpadded) input size {in_size}")
    return (in_size - kernel) // stride + 1


def same_padding(in_size: int, kernel: int, stride: int = 1) -> tuple[int, int]:
    """TensorFlow's 'same' padding along one axis: (before, after), the extra pixel after."""
    out = output_size(in_size, kernel, stride, "same")
    total = max((out - 1) * stride + kernel - in_size, 0)
    return total // 2, total - total // 2


def padding_amounts(
    in_hw: Sequence[int], kernel: Sequence[int], stride: Sequence[int], padding: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) for an (H, W) input."""
    if _padding(padding) == "valid":
        return (0, 0), (0, 0)
    return (same_padding(in_hw[0], kernel[0], stride[0]), same_padding(in_hw[1], kernel[1], stride[1]))


def conv_params(kh: int, kw: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Parameters of a convolution layer: kh * kw * C_in * C_out weights (+ C_out biases)."""
    return kh * kw * c_in * c_out + (c_out if bias else 0)


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of a dense layer: n_in * n_out weights (+ n_out biases)."""
    return n_in * n_out + (n_out if bias else 0)


def receptive_fields(layers: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Receptive field and jump after each (kernel, stride) layer, along one axis.

    r_out = r_in + (k - 1) * j_in and j_out = j_in * s, starting from r = j = 1 (one pixel).
    """
    r, j = 1, 1
    out = []
    for k, s in layers:
        r, j = r + (k - 1) * j, j * s
        out.append((r, j))
    return out


# ----------------------------------------------------------------------------- checks


def _check_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride, padding):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, H, W, C_in), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"kernel must have shape (kh, kw, C_in, C_out), got shape {w.shape}")
    if x.shape[3] != w.shape[2]:
        raise ValueError(f"channel mismatch: the input has {x.shape[3]} channels but the kernel expects {w.shape[2]}")
    if b is not None:
        b = np.asarray(b)
        if b.shape != (w.shape[3],):
            raise ValueError(f"bias must have shape ({w.shape[3]},), got shape {b.shape}")
    sh, sw = _pair(stride, "stride")
    mode = _padding(padding)
    kh, kw = w.shape[:2]
    if min(kh, kw) < 1 or min(x.shape[1:3]) < 1:
        raise ValueError(f"empty input {x.shape} or kernel {w.shape}")
    pads = padding_amounts(x.shape[1:3], (kh, kw), (sh, sw), mode)
    padded = (x.shape[1] + sum(pads[0]), x.shape[2] + sum(pads[1]))
    if kh > padded[0] or kw > padded[1]:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input {padded[0]}x{padded[1]} (padding {mode!r})")
    return x, w, b, (sh, sw), mode, pads


def _check_pool(x: np.ndarray, pool, stride, padding):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, H, W, C), got shape {x.shape}")
    kh, kw = _pair(pool, "pool size")
    sh, sw = _pair(pool if stride is None else stride, "stride")
    mode = _padding(padding)
    pads = padding_amounts(x.shape[1:3], (kh, kw), (sh, sw), mode)
    padded = (x.shape[1] + sum(pads[0]), x.shape[2] + sum(pads[1]))
    if kh > padded[0] or kw > padded[1]:
        raise ValueError(
            f"pool window {kh}x{kw} is larger than the padded input {padded[0]}x{padded[1]} (padding {mode!r})"
        )
    return x, (kh, kw), (sh, sw), mode, pads


def _pad(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    (t, b), (l, r) = pads
    if t == b == l == r == 0:
        return x
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=value)


def _windows(x_pad: np.ndarray, kernel, stride) -> np.ndarray:
    """Strided view (N, Ho, Wo, C, kh, kw) of every window; no copy."""
    (kh, kw), (sh, sw) = kernel, stride
    return sliding_window_view(x_pad, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]


# ----------------------------------------------------------------------------- convolution


def conv2d(x, w, b=None, stride: int | Sequence[int] = 1, padding: str = "valid") -> np.ndarray:
    """Batched multi-channel 2-D convolution (cross-correlation), like ``tf.nn.conv2d`` + bias.

    x: (N, H, W, C_in); w: (kh, kw, C_in, C_out); b: (C_out,) or None. Returns (N, Ho, Wo, C_out).
    """
    x, w, b, stride, _, pads = _check_conv(x, w, b, stride, padding)
    win = _windows(_pad(x, pads), w.shape[:2], stride)  # (N, Ho, Wo, C, kh, kw)
    # im2col: the tensordot copies the windows into one (N*Ho*Wo, C*kh*kw) matrix, then one matmul.
    y = np.tensordot(win, w.transpose(2, 0, 1, 3), axes=([3, 4, 5], [0, 1, 2]))
    if b is not None:
        y = y + b
    return y


def conv2d_loops(x, w, b=None, stride: int | Sequence[int] = 1, padding: str = "valid") -> np.ndarray:
    """The same as :func:`conv2d` with explicit Python loops over every output value (slow)."""
    x, w, b, (sh, sw), _, pads = _check_conv(x, w, b, stride, padding)
    x_pad = _pad(x, pads)
    kh, kw, _, c_out = w.shape
    n_img, hp, wp, _ = x_pad.shape
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    y = np.zeros((n_img, ho, wo, c_out), dtype=np.result_type(x, w))
    for n in range(n_img):
        for i in range(ho):
            for j in range(wo):
                window = x_pad[n, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
                for o in range(c_out):
                    y[n, i, j, o] = np.sum(window * w[:, :, :, o]) + (b[o] if b is not None else 0.0)
    return y


def conv2d_backward(dy, x, w, stride: int | Sequence[int] = 1, padding: str = "valid"):
    """Gradients of a :func:`conv2d` call: returns (dx, dw, db) given dy = dL/dy.

    db[o] = sum dy[..., o];  dw[p, q, c, o] = sum_{n,i,j} x_pad[n, i*sh+p, j*sw+q, c] dy[n, i, j, o];
    dx_pad[n, i*sh+p, j*sw+q, c] += sum_o w[p, q, c, o] dy[n, i, j, o], then the padding is cut off.
    """
    x, w, _, (sh, sw), _, pads = _check_conv(x, w, None, stride, padding)
    x_pad = _pad(x, pads)
    kh, kw = w.shape[:2]
    win = _windows(x_pad, (kh, kw), (sh, sw))
    dy = np.asarray(dy)
    if dy.shape != win.shape[:3] + (w.shape[3],):
        raise ValueError(f"dy must have shape {win.shape[:3] + (w.shape[3],)}, got {dy.shape}")
    ho, wo = dy.shape[1:3]
    db = dy.sum(axis=(0, 1, 2))
    dw = np.tensordot(win, dy, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)  # (C,kh,kw,O)->(kh,kw,C,O)
    dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dy, w))
    for p in range(kh):  # col2im: one matrix product per kernel offset
        for q in range(kw):
            dx_pad[:, p : p + sh * (ho - 1) + 1 : sh, q : q + sw * (wo - 1) + 1 : sw, :] += dy @ w[p, q].T
    (t, _), (l, _) = pads
    dx = dx_pad[:, t : t + x.shape[1], l : l + x.shape[2], :]
    return dx, dw, db


# ----------------------------------------------------------------------------- pooling


def max_pool2d(x, pool: int | Sequence[int] = 2, stride=None, padding: str = "valid") -> np.ndarray:
    """Max pooling like ``tf.nn.max_pool2d`` (padding never wins: it is -inf). stride defaults to pool."""
    x, pool, stride, _, pads = _check_pool(x, pool, stride, padding)
    x_pad = _pad(x.astype(np.result_type(x, np.float32)), pads, -np.inf)
    return _windows(x_pad, pool, stride).max(axis=(4, 5))


def _window_counts(shape_hw, pool, stride, pads) -> np.ndarray:
    ones = _pad(np.ones((1, *shape_hw, 1)), pads, 0.0)
    return _windows(ones, pool, stride).sum(axis=(4, 5))[0]  # (Ho, Wo, 1)


def avg_pool2d(x, pool: int | Sequence[int] = 2, stride=None, padding: str = "valid") -> np.ndarray:
    """Average pooling like ``tf.nn.avg_pool2d``: with 'same', the mean of the valid (unpadded) values."""
    x, pool, stride, _, pads = _check_pool(x, pool, stride, padding)
    x_pad = _pad(x.astype(np.result_type(x, np.float32)), pads, 0.0)
    sums = _windows(x_pad, pool, stride).sum(axis=(4, 5))
    return sums / _window_counts(x.shape[1:3], pool, stride, pads)


def max_pool2d_backward(dy, x, pool: int | Sequence[int] = 2, stride=None, padding: str = "valid") -> np.ndarray:
    """dL/dx of :func:`max_pool2d`: each dy goes to the position of its window's maximum.

    Ties: the gradient goes to the first maximum in the window (row by row, ``np.argmax``);
    overlapping windows add their contributions.
    """
    x, (kh, kw), (sh, sw), _, pads = _check_pool(x, pool, stride, padding)
    x_pad = _pad(x.astype(np.result_type(x, np.float32)), pads, -np.inf)
    win = _windows(x_pad, (kh, kw), (sh, sw))  # (N, Ho, Wo, C, kh, kw)
    n_img, ho, wo, c = win.shape[:4]
    dy = np.asarray(dy)
    if dy.shape != (n_img, ho, wo, c):
        raise ValueError(f"dy must have shape {(n_img, ho, wo, c)}, got {dy.shape}")
    flat = win.reshape(n_img, ho, wo, c, kh * kw).argmax(axis=-1)
    p, q = np.divmod(flat, kw)
    nn, ii, jj, cc = np.indices((n_img, ho, wo, c))
    dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dy, np.float32))
    np.add.at(dx_pad, (nn, ii * sh + p, jj * sw + q, cc), dy)
    (t, _), (l, _) = pads
    return dx_pad[:, t : t + x.shape[1], l : l + x.shape[2], :]


def avg_pool2d_backward(dy, x, pool: int | Sequence[int] = 2, stride=None, padding: str = "valid") -> np.ndarray:
    """dL/dx of :func:`avg_pool2d`: each dy is shared equally by the valid values of its window."""
    x, (kh, kw), (sh, sw), _, pads = _check_pool(x, pool, stride, padding)
    counts = _window_counts(x.shape[1:3], (kh, kw), (sh, sw), pads)
    ho, wo = counts.shape[:2]
    dy = np.asarray(dy)
    if dy.shape != (x.shape[0], ho, wo, x.shape[3]):
        raise ValueError(f"dy must have shape {(x.shape[0], ho, wo, x.shape[3])}, got {dy.shape}")
    share = dy / counts
    hp, wp = x.shape[1] + sum(pads[0]), x.shape[2] + sum(pads[1])
    dx_pad = np.zeros((x.shape[0], hp, wp, x.shape[3]), dtype=np.result_type(dy, np.float32))
    for p in range(kh):
        for q in range(kw):
            dx_pad[:, p : p + sh * (ho - 1) + 1 : sh, q : q + sw * (wo - 1) + 1 : sw, :] += share
    (t, _), (l, _) = pads
    return dx_pad[:, t : t + x.shape[1], l : l + x.shape[2], :]


# ----------------------------------------------------------------------------- Keras models


def layer_table(model, input_shape: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Shapes, parameters and receptive fields of a plain Keras CNN, computed with the formulas above.

    Handles Conv2D, MaxPooling2D/AveragePooling2D, Flatten, Dense and shape-keeping layers
    (Dropout, Activation, InputLayer). Each row: layer, type, kernel, stride, padding,
    output (H, W, C) or (units,), params, receptive field and jump (along one axis).
    Nothing is read from Keras's own shape inference, so a test can compare the two.
    """
    shape = tuple(int(d) for d in (input_shape or model.inputs[0].shape[1:]))
    r, j = 1, 1
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        cfg = layer.get_config()
        row = {"layer": layer.name, "type": kind, "kernel": "", "stride": "", "padding": "", "params": 0}
        if kind == "InputLayer":
            continue
        if kind in ("Conv2D", "MaxPooling2D", "AveragePooling2D"):
            if cfg.get("data_format", "channels_last") != "channels_last":
                raise ValueError(f"{layer.name}: only channels_last is supported")
            k = _pair(cfg["kernel_size"] if kind == "Conv2D" else cfg["pool_size"], "kernel")
            s = _pair(cfg["strides"] if cfg["strides"] is not None else k, "stride")
            if kind == "Conv2D" and tuple(_pair(cfg.get("dilation_rate", 1), "dilation")) != (1, 1):
                raise ValueError(f"{layer.name}: dilated convolutions are not supported")
            pad = cfg["padding"]
            h, w, c = shape
            shape = (
                output_size(h, k[0], s[0], pad),
                output_size(w, k[1], s[1], pad),
                int(cfg["filters"]) if kind == "Conv2D" else c,
            )
            if kind == "Conv2D":
                row["params"] = conv_params(k[0], k[1], c, shape[2], bool(cfg.get("use_bias", True)))
            r, j = r + (k[0] - 1) * j, j * s[0]
            row.update(kernel=f"{k[0]}x{k[1]}", stride=s[0] if s[0] == s[1] else f"{s[0]}x{s[1]}", padding=pad)
        elif kind == "Flatten":
            shape = (int(np.prod(shape)),)
        elif kind == "Dense":
            row["params"] = dense_params(shape[-1], int(cfg["units"]), bool(cfg.get("use_bias", True)))
            shape = shape[:-1] + (int(cfg["units"]),)
        elif kind not in ("Dropout", "Activation", "ReLU", "SpatialDropout2D"):
            raise ValueError(f"{layer.name}: layer type {kind} is not supported")
        row["output"] = shape
        row["receptive field"] = r if len(shape) == 3 else "whole image"
        row["jump"] = j if len(shape) == 3 else ""
        rows.append(row)
    return rows
