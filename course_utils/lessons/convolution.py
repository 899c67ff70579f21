"""04 · Convolution and pooling: from the formula to TensorFlow: the code this lesson teaches.

Generated from notebooks/04_convolution_and_pooling.ipynb by ``python -m course_utils export``.
Do not edit: change the notebook's "#| export" cells and export again.
"""


import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def correlate2d_loops(x, k):
    # y(i, j) = sum_p sum_q x(i + p, j + q) * k(p, q), for every position where k fits
    H, W = x.shape
    kh, kw = k.shape
    y = np.zeros((H - kh + 1, W - kw + 1), dtype=np.result_type(x, k))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            for p in range(kh):
                for q in range(kw):
                    y[i, j] += x[i + p, j + q] * k[p, q]
    return y


PADDINGS = ("valid", "same")


def check_padding(padding):
    if padding not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def output_size(in_size, k, stride=1, padding="valid"):
    """Output length along one axis: ceil(in / s) for 'same', floor((in - k) / s) + 1 for 'valid'."""
    check_padding(padding)
    if padding == "same":
        return math.ceil(in_size / stride)
    if k > in_size:
        raise ValueError(f"kernel size {k} is larger than the input size {in_size} (padding 'valid')")
    return (in_size - k) // stride + 1


def same_padding(in_size, k, stride=1):
    """TensorFlow's 'same' padding along one axis: (before, after); an odd pixel goes after."""
    out = output_size(in_size, k, stride, "same")
    pad_total = max((out - 1) * stride + k - in_size, 0)
    return pad_total // 2, pad_total - pad_total // 2


def pair(value, name):
    """One int for both axes, or a pair (height, width); both must be positive."""
    hw = (value, value) if np.isscalar(value) else tuple(value)
    if len(hw) != 2 or min(hw) < 1:
        raise ValueError(f"{name} must be positive: an int or a pair of ints, got {value!r}")
    return int(hw[0]), int(hw[1])


def padding_amounts(x_shape, kernel, stride, padding):
    """((top, bottom), (left, right)) for a batch of shape (N, H, W, C)."""
    check_padding(padding)
    if padding == "valid":
        return (0, 0), (0, 0)
    return same_padding(x_shape[1], kernel[0], stride[0]), same_padding(x_shape[2], kernel[1], stride[1])


def pad(x, pads, value=0.0):
    (top, bottom), (left, right) = pads
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def unpad(x_pad, pads):
    (top, bottom), (left, right) = pads
    return x_pad[:, top : x_pad.shape[1] - bottom, left : x_pad.shape[2] - right, :]


def conv2d_loops(x, w, b, stride=1, padding="valid"):
    """The layer's formula, one output value at a time: slow, but easy to check by eye."""
    sh, sw = pair(stride, "stride")
    kh, kw, _, C_out = w.shape
    x = pad(x, padding_amounts(x.shape, (kh, kw), (sh, sw), padding))  # zeros
    N, Hp, Wp, _ = x.shape
    Ho, Wo = output_size(Hp, kh, sh), output_size(Wp, kw, sw)  # 'valid' on the padded input
    y = np.zeros((N, Ho, Wo, C_out), dtype=np.result_type(x, w))
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                window = x[n, i * sh : i * sh + kh, j * sw : j * sw + kw, :]  # (kh, kw, C_in)
                for o in range(C_out):
                    y[n, i, j, o] = np.sum(window * w[:, :, :, o]) + b[o]
    return y


def check_window_fits(x_shape, pads, window, name):
    hp, wp = x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1])
    if window[0] > hp or window[1] > wp:
        raise ValueError(f"{name} {window[0]}x{window[1]} is larger than the padded input {hp}x{wp}")


def check_conv(x, w, b, stride, padding):
    """Clear errors for arguments that do not fit; returns the stride pair and the padding amounts."""
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, H, W, C_in), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"kernel must have shape (kh, kw, C_in, C_out), got shape {w.shape}")
    if x.shape[3] != w.shape[2]:
        raise ValueError(f"channel mismatch: the input has {x.shape[3]} channels, the kernel expects {w.shape[2]}")
    if b is not None and b.shape != (w.shape[3],):
        raise ValueError(f"bias must have shape ({w.shape[3]},), got shape {b.shape}")
    stride = pair(stride, "stride")
    pads = padding_amounts(x.shape, w.shape[:2], stride, padding)
    check_window_fits(x.shape, pads, w.shape[:2], "kernel")
    return stride, pads


def window_view(x_pad, kernel, stride):
    """Every kh x kw window at the strided positions, as a view (N, Ho, Wo, C, kh, kw): nothing is copied."""
    (kh, kw), (sh, sw) = kernel, stride
    return sliding_window_view(x_pad, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]


def conv2d(x, w, b=None, stride=1, padding="valid"):
    """Batched multi-channel convolution (cross-correlation) like tf.nn.conv2d, plus the bias b if given."""
    stride, pads = check_conv(x, w, b, stride, padding)
    windows = window_view(pad(x, pads), w.shape[:2], stride)  # (N, Ho, Wo, C_in, kh, kw)
    # im2col and one matrix product: y[n, i, j, o] = sum over (c, p, q) of windows[n, i, j, c, p, q] * w[p, q, c, o]
    y = np.tensordot(windows, w.transpose(2, 0, 1, 3), axes=([3, 4, 5], [0, 1, 2]))
    return y if b is None else y + b


def float32_conv_defects(n_configs, seed):
    """tf.nn.conv2d in float32 vs float64 on random one-channel layers, strides (1, 2 or 3): (wrong values, shapes)."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    wrong_values = wrong_shapes = 0
    for _ in range(n_configs):
        padding = str(rng.choice(["VALID", "SAME"]))
        kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
        low_h, low_w = (max(kh - 1, 1), max(kw - 1, 1)) if padding == "VALID" else (1, 1)  # may not fit by 1
        shape = (int(rng.integers(1, 4)), int(rng.integers(low_h, 13)), int(rng.integers(low_w, 13)), 1)
        x = rng.standard_normal(shape).astype(np.float32)
        w = rng.standard_normal((kh, kw, 1, int(rng.integers(1, 5)))).astype(np.float32)
        stride = (1, int(rng.integers(2, 4)))
        y32 = tf.nn.conv2d(x, w, stride, padding).numpy()
        y64 = tf.nn.conv2d(x.astype(np.float64), w.astype(np.float64), stride, padding).numpy()
        if y32.shape != y64.shape:
            wrong_shapes += 1
        elif y64.size and np.abs(y32 - y64).max() > 1e-4 * max(1.0, np.abs(y64).max()):
            wrong_values += 1
    return wrong_values, wrong_shapes


def conv_params(kh, kw, c_in, c_out, bias=True):
    """One kh x kw x C_in filter per output channel, plus one bias each."""
    return kh * kw * c_in * c_out + (c_out if bias else 0)


def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)


def receptive_fields(layers):
    """Receptive field r and jump j after each (kernel, stride) layer along one axis, from one pixel."""
    r, j, out = 1, 1, []
    for k, s in layers:
        r, j = r + (k - 1) * j, j * s
        out.append((r, j))
    return out


SPATIAL = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
SHAPE_KEEPING = ("Dropout", "SpatialDropout2D", "Activation", "ReLU")


def window_settings(layer):
    """(kernel, stride, padding) of a Conv2D or pooling layer; a pool's stride defaults to its size."""
    cfg = layer.get_config()
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise ValueError(f"{layer.name}: only channels_last is supported")
    if pair(cfg.get("dilation_rate", 1), "dilation") != (1, 1):
        raise ValueError(f"{layer.name}: dilated convolutions are not supported")
    kernel = pair(cfg.get("kernel_size") or cfg["pool_size"], "kernel")
    return kernel, pair(cfg["strides"] or kernel, "stride"), cfg["padding"]


def layer_output(layer, shape):
    """Output shape and parameter count of one layer, given its input shape (without the batch axis)."""
    kind, cfg = type(layer).__name__, layer.get_config()
    if kind in SPATIAL:
        (kh, kw), (sh, sw), padding = window_settings(layer)
        h, w, c = shape
        c_out = int(cfg["filters"]) if kind == "Conv2D" else c
        params = conv_params(kh, kw, c, c_out, cfg["use_bias"]) if kind == "Conv2D" else 0
        return (output_size(h, kh, sh, padding), output_size(w, kw, sw, padding), c_out), params
    if kind == "Dense":
        return shape[:-1] + (int(cfg["units"]),), dense_params(shape[-1], int(cfg["units"]), cfg["use_bias"])
    if kind == "Flatten":
        return (math.prod(shape),), 0
    if kind in SHAPE_KEEPING:
        return shape, 0
    raise ValueError(f"{layer.name}: layer type {kind} is not supported")


def layer_table(model):
    """Output shape, parameters and receptive field (along the height) of each layer of a plain Keras CNN."""
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    windows, rows = [], []  # windows: (kernel, stride) along the height of every window layer so far
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        shape, params = layer_output(layer, shape)
        row = {"layer": layer.name, "type": kind, "kernel": "", "stride": "", "padding": "", "params": params}
        if kind in SPATIAL:
            (kh, kw), (sh, sw), padding = window_settings(layer)
            windows.append((kh, sh))
            row.update(kernel=f"{kh}x{kw}", stride=sh if sh == sw else f"{sh}x{sw}", padding=padding)
        r, j = receptive_fields(windows)[-1] if windows else (1, 1)
        row["output"] = shape
        row["receptive field"] = r if len(shape) == 3 else "whole image"
        row["jump"] = j if len(shape) == 3 else ""
        rows.append(row)
    return rows


def check_pool(x, pool, stride, padding):
    """The window and stride pairs (the stride defaults to the window) and the padding amounts."""
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, H, W, C), got shape {x.shape}")
    pool = pair(pool, "pool size")
    stride = pair(pool if stride is None else stride, "stride")
    pads = padding_amounts(x.shape, pool, stride, padding)
    check_window_fits(x.shape, pads, pool, "pool window")
    return pool, stride, pads


def max_pool2d(x, pool=2, stride=None, padding="valid"):
    """Max pooling like tf.nn.max_pool2d: the padding is -inf, so it never wins."""
    pool, stride, pads = check_pool(x, pool, stride, padding)
    return window_view(pad(x, pads, -np.inf), pool, stride).max(axis=(4, 5))


def window_counts(x_shape, pool, stride, pads):
    """How many real (not padded) pixels each window holds: shape (Ho, Wo, 1)."""
    ones = pad(np.ones((1, x_shape[1], x_shape[2], 1)), pads)
    return window_view(ones, pool, stride).sum(axis=(4, 5))[0]


def avg_pool2d(x, pool=2, stride=None, padding="valid"):
    """Average pooling like tf.nn.avg_pool2d: with 'same', each window's mean over its real pixels only."""
    pool, stride, pads = check_pool(x, pool, stride, padding)
    sums = window_view(pad(x, pads), pool, stride).sum(axis=(4, 5))
    return sums / window_counts(x.shape, pool, stride, pads)


def check_dy(dy, shape):
    if dy.shape != tuple(shape):
        raise ValueError(f"dy must have shape {tuple(shape)}, got {dy.shape}")


def max_pool2d_backward(dy, x, pool=2, stride=None, padding="valid"):
    """dL/dx of max_pool2d: each dy goes to its window's maximum; overlapping windows add up."""
    (kh, kw), (sh, sw), pads = check_pool(x, pool, stride, padding)
    x_pad = pad(x, pads, -np.inf)
    windows = window_view(x_pad, (kh, kw), (sh, sw))  # (N, Ho, Wo, C, kh, kw)
    check_dy(dy, windows.shape[:4])
    first_max = windows.reshape(*windows.shape[:4], kh * kw).argmax(axis=-1)  # ties: the first, row by row
    p, q = np.divmod(first_max, kw)  # its row and column inside the window
    n, i, j, c = np.indices(windows.shape[:4])
    dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dy, x))
    np.add.at(dx_pad, (n, i * sh + p, j * sw + q, c), dy)  # add.at adds up repeated positions
    return unpad(dx_pad, pads)


def window_slice(p, q, out_hw, stride):
    """The pixels at offset (p, q) of every window: x_pad[window_slice(...)] has shape (N, Ho, Wo, C)."""
    (ho, wo), (sh, sw) = out_hw, stride
    return np.s_[:, p : p + sh * (ho - 1) + 1 : sh, q : q + sw * (wo - 1) + 1 : sw, :]


def avg_pool2d_backward(dy, x, pool=2, stride=None, padding="valid"):
    """dL/dx of avg_pool2d: each dy is shared equally by the real pixels of its window."""
    (kh, kw), stride, pads = check_pool(x, pool, stride, padding)
    counts = window_counts(x.shape, (kh, kw), stride, pads)  # (Ho, Wo, 1)
    check_dy(dy, (x.shape[0], *counts.shape[:2], x.shape[3]))
    dx_pad = np.zeros(pad(x, pads).shape, dtype=np.result_type(dy, counts))
    for p in range(kh):
        for q in range(kw):
            dx_pad[window_slice(p, q, counts.shape[:2], stride)] += dy / counts
    return unpad(dx_pad, pads)  # what fell on the padding is cut off


def conv2d_backward(dy, x, w, stride=1, padding="valid"):
    """Gradients (dx, dw, db) of conv2d(x, w, b, stride, padding), given dy = dL/dy."""
    stride, pads = check_conv(x, w, None, stride, padding)
    x_pad = pad(x, pads)
    windows = window_view(x_pad, w.shape[:2], stride)  # (N, Ho, Wo, C_in, kh, kw), as in the forward pass
    check_dy(dy, (*windows.shape[:3], w.shape[3]))
    db = dy.sum(axis=(0, 1, 2))  # b[o] was added to every output of channel o
    dw = np.tensordot(windows, dy, axes=([0, 1, 2], [0, 1, 2]))  # (C_in, kh, kw, C_out)
    dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dy, w))
    for p in range(w.shape[0]):
        for q in range(w.shape[1]):  # x_pad[n, i*sh + p, j*sw + q, c] met w[p, q, c, o] in y[n, i, j, o]
            dx_pad[window_slice(p, q, dy.shape[1:3], stride)] += dy @ w[p, q].T
    return unpad(dx_pad, pads), dw.transpose(1, 2, 0, 3), db


def dilate(g, stride):
    """s - 1 zeros between neighbouring entries of g (N, H, W, C) along each axis (s = 1 changes nothing)."""
    sh, sw = pair(stride, "stride")
    n, h, w, c = g.shape
    out = np.zeros((n, (h - 1) * sh + 1, (w - 1) * sw + 1, c), dtype=g.dtype)
    out[:, ::sh, ::sw] = g
    return out


def conv2d_transpose(dy, w, x_shape, stride=1, padding="valid"):
    """dL/dx of conv2d as a transposed convolution: dilate dy, pad k - 1 zeros, correlate with the rotated kernel."""
    (kh, kw), stride = w.shape[:2], pair(stride, "stride")
    pads = padding_amounts(x_shape, (kh, kw), stride, padding)
    full = pad(dilate(dy, stride), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    dx_pad = conv2d(full, w[::-1, ::-1].transpose(0, 1, 3, 2))  # rotated 180°, C_in and C_out swapped
    hp, wp = x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1])
    dx_pad = np.pad(dx_pad, ((0, 0), (0, hp - dx_pad.shape[1]), (0, wp - dx_pad.shape[2]), (0, 0)))
    return unpad(dx_pad, pads)


def avg_pool_gradient_defects(n_configs, seed, dtype="float64"):
    """GradientTape through tf.nn.avg_pool2d ('SAME') vs avg_pool2d_backward, on random pools with a window
    larger than the input along at least one axis: the number of wrong gradients."""
    import tensorflow as tf

    rng, wrong = np.random.default_rng(seed), 0
    for _ in range(n_configs):
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 3)))
        pool = [int(rng.integers(1, 8)), int(rng.integers(1, 8))]
        axis = int(rng.integers(0, 2))
        pool[axis] = shape[1 + axis] + int(rng.integers(1, 5))  # the window is larger than the input here
        stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
        x = rng.standard_normal(shape).astype(dtype)
        dy = rng.standard_normal(avg_pool2d(x, pool, stride, "same").shape).astype(dtype)
        xt = tf.Variable(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.nn.avg_pool2d(xt, pool, stride, "SAME") * dy)
        ours = avg_pool2d_backward(dy.astype(np.float64), x.astype(np.float64), pool, stride, "same")
        wrong += not np.allclose(tape.gradient(loss, xt).numpy(), ours, rtol=1e-4, atol=1e-5)
    return wrong
