"""Checks for the exercises of notebook 04 (convolution and pooling).

References are computed when a check runs: ``tf.nn.conv2d`` with ``dilations``, Keras's shape inference
and ``count_params()``, ``GradientTape`` (through ``tf.reduce_max`` for ties, through a copy of a stack for
receptive fields) and the lesson's functions in ``course_utils.lessons.convolution``.
"""

from __future__ import annotations

import math

import numpy as np

from course_utils.checks import CaseFailed, Verdict, answered, compare_arrays, require, run_check
from course_utils.lessons import convolution as lesson

TOL = 1e-10  # float64 against float64: any real mistake is far above rounding

# ---------------------------------------------------------------- 04.1 dilation


def _conv_out(in_size: int, span: int, stride: int, padding: str) -> int:
    """Output length along one axis for a window covering ``span`` pixels."""
    return math.ceil(in_size / stride) if padding == "same" else (in_size - span) // stride + 1


def _dilation_cases() -> list[dict]:
    """Edge cases first, then 20 random layers: small, so that the check takes well under a second."""
    cases = [
        dict(shape=(1, 7, 10, 1), kernel=(2, 3), c_out=2, stride=(1, 3), padding="valid", dilation=(3, 2)),
        dict(shape=(2, 9, 8, 2), kernel=(3, 3), c_out=3, stride=2, padding="same", dilation=2),
        dict(shape=(2, 4, 5, 2), kernel=(3, 3), c_out=1, stride=1, padding="same", dilation=3),  # span 7 > input
        dict(shape=(1, 11, 6, 3), kernel=(3, 2), c_out=2, stride=(3, 2), padding="valid", dilation=(1, 4)),
    ]
    rng = np.random.default_rng(4041)
    for _ in range(20):
        padding = str(rng.choice(["valid", "same"]))
        kernel = tuple(int(v) for v in rng.integers(1, 4, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 4, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        span = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
        low = span if padding == "valid" else [1, 1]
        hw = [int(rng.integers(lo, lo + 7)) for lo in low]
        cases.append(
            dict(
                shape=(2, *hw, int(rng.integers(1, 4))),
                kernel=kernel,
                c_out=int(rng.integers(1, 4)),
                stride=stride[0] if stride[0] == stride[1] else stride,  # one int or a pair, as conv2d accepts
                padding=padding,
                dilation=dilation[0] if dilation[0] == dilation[1] else dilation,
            )
        )
    return cases


def _tf_conv(x, w, b, stride, padding, dilation):
    import tensorflow as tf

    strides, dilations = list(lesson.pair(stride, "stride")), list(lesson.pair(dilation, "dilation"))
    y = tf.nn.conv2d(tf.constant(x), tf.constant(w), strides, padding.upper(), dilations=dilations)
    return (y + b).numpy()


def _describe(case: dict) -> str:
    n, h, w, c = case["shape"]
    kh, kw = case["kernel"]
    return (
        f"x {n}x{h}x{w}x{c}, kernel {kh}x{kw}x{c}x{case['c_out']}, stride {case['stride']}, "
        f"dilation {case['dilation']}, padding {case['padding']!r}"
    )


def _shape_hint(got: tuple, case: dict) -> str:
    """Name the likely mistake when the output shape is wrong."""
    (_, h, w, _), (kh, kw) = case["shape"], case["kernel"]
    (sh, sw), (dh, dw) = lesson.pair(case["stride"], "s"), lesson.pair(case["dilation"], "d")
    padding = case["padding"]

    def shape(stride, dilation):
        spans = [(k - 1) * d + 1 for k, d in zip((kh, kw), dilation, strict=True)]
        return tuple(_conv_out(n, sp, s, padding) for n, sp, s in zip((h, w), spans, stride, strict=True))

    expected = shape((sh, sw), (dh, dw))
    alternatives = [
        ("The stride is missing: take every s-th window (window_view's stride)", shape((1, 1), (dh, dw))),
        ("The kernel is not dilated: it should span d·(k − 1) + 1 pixels", shape((sh, sw), (1, 1))),
        ("The dilation is applied as a stride: it spaces the kernel's taps, not the windows", shape((dh, dw), (1, 1))),
    ]
    for hint, alternative in alternatives:
        if alternative != expected and tuple(got[1:3]) == alternative:
            return hint
    if any(abs(g - e) == 1 for g, e in zip(got[1:3], expected, strict=True)):
        return (
            "Off by one: 'same' gives ceil(in / s), 'valid' floor((in − span) / s) + 1, "
            "where span = d·(k − 1) + 1; pad for the span, not for k"
        )
    return "Along each axis, 'same' gives ceil(in / s), 'valid' floor((in − span) / s) + 1, where span = d·(k − 1) + 1"


def ex04_dilation(conv2d_dilated) -> Verdict:
    """04.1: ``conv2d_dilated`` against ``tf.nn.conv2d(..., dilations=...)`` in float64."""

    def body() -> str:
        cases = _dilation_cases()
        rng = np.random.default_rng(4042)
        for case in cases:
            x = rng.standard_normal(case["shape"])
            w = rng.standard_normal((*case["kernel"], case["shape"][3], case["c_out"]))
            b = rng.standard_normal(case["c_out"])
            ref = _tf_conv(x, w, b, case["stride"], case["padding"], case["dilation"])
            got = conv2d_dilated(x.copy(), w.copy(), b.copy(), case["stride"], case["padding"], case["dilation"])
            where = _describe(case)
            got_shape = np.shape(got) if got is not None else None
            if got_shape is not None and len(got_shape) == 4 and got_shape != ref.shape:
                raise CaseFailed(
                    f"{where}: output shape {got_shape}, tf.nn.conv2d gives {ref.shape}. {_shape_hint(got_shape, case)}"
                )
            if got_shape == ref.shape and not np.allclose(got, ref, rtol=TOL, atol=TOL):
                undilated = _tf_conv(x, w, b, case["stride"], case["padding"], 1)
                if undilated.shape == ref.shape and np.allclose(got, undilated, rtol=TOL, atol=TOL):
                    raise CaseFailed(f"{where}: this is the undilated convolution; keep every d-th pixel of the span")
            compare_arrays(got, ref, case=where, atol=TOL, rtol=TOL, name="output")
        return f"matches tf.nn.conv2d(..., dilations=...) in float64 on {len(cases)} layers (tolerance {TOL:g})"

    return run_check("04.1 dilation", body)


# ---------------------------------------------------------------- 04.2–04.4 a stack of layers

INPUT_SHAPE = (45, 37, 3)
STACK = (  # (Keras layer, its arguments): the five layers the statement of exercise 04.2 lists
    ("Conv2D", dict(filters=16, kernel_size=5, strides=2, padding="same")),
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="valid")),
    ("Conv2D", dict(filters=32, kernel_size=3, dilation_rate=2, padding="valid")),
    ("Conv2D", dict(filters=64, kernel_size=3, strides=2, padding="same")),
    ("AveragePooling2D", dict(pool_size=2, padding="same")),
)
HEAD_UNITS = 10
AXES = ("height", "width", "channels")


def _layer_name(index: int) -> str:
    kind, args = STACK[index]
    size = args.get("kernel_size") or args["pool_size"]
    stride = args.get("strides") or (1 if kind == "Conv2D" else size)
    extra = f", dilation {args['dilation_rate']}" if "dilation_rate" in args else ""
    return f"layer {index + 1} ({kind} {size}x{size}, stride {stride}{extra}, {args['padding']!r})"


def stack_model(input_hw: tuple[int, int] = INPUT_SHAPE[:2], head: bool = False):
    """The exercises' stack as a Keras model (with Flatten and Dense(10) on top if ``head``)."""
    import keras

    layers = [getattr(keras.layers, kind)(**args) for kind, args in STACK]
    if head:
        layers += [keras.layers.Flatten(), keras.layers.Dense(HEAD_UNITS)]
    return keras.Sequential([keras.Input((*input_hw, INPUT_SHAPE[2])), *layers])


def _as_int_tuples(values, length: int, width: int | None, what: str) -> list:
    """The learner's answer as ``length`` ints (``width`` None) or tuples of ``width`` ints, or a clear failure."""
    shape = f"a list of {length} " + ("ints" if width is None else f"({', '.join(AXES[:width])}) tuples")
    require(isinstance(values, (list, tuple)) and len(values) == length, f"{what} must be {shape}, got {values!r}")
    out = []
    for value in values:
        try:
            item = int(value) if width is None else tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise CaseFailed(f"{what} must be {shape}; {value!r} is not") from None
        require(width is None or len(item) == width, f"{what} must be {shape}; {value!r} is not")
        out.append(item)
    return out


def _high_low(got: int, expected: int) -> str:
    return "too high" if got > expected else "too low"


def ex04_stack_shapes(predicted_shapes) -> Verdict:
    """04.2: the output shape after each layer of the stack, against Keras's shape inference."""

    def body() -> str:
        answered(predicted_shapes, "04.2")
        got = _as_int_tuples(predicted_shapes, len(STACK), 3, "predicted_shapes")
        model = stack_model()
        expected = [tuple(int(d) for d in layer.output.shape[1:]) for layer in model.layers]
        for index, (mine, ref) in enumerate(zip(got, expected, strict=True)):
            if mine == ref:
                continue
            wrong = [
                f"the {axis} {'are' if axis == 'channels' else 'is'} {_high_low(m, r)}"
                for axis, m, r in zip(AXES, mine, ref, strict=True)
                if m != r
            ]
            spatial = any(m != r for m, r in zip(mine[:2], ref[:2], strict=True))
            formula = (
                "'same' gives ceil(in / s); 'valid' gives floor((in − span) / s) + 1 with span = d·(k − 1) + 1; "
                "a pool's stride is its size unless given"
                if spatial
                else "a Conv2D outputs `filters` channels; a pool keeps the channels of its input"
            )
            raise CaseFailed(f"{_layer_name(index)}: {' and '.join(wrong)}. {formula}")
        return f"all five shapes match Keras, down to {expected[-1]}"

    return run_check("04.2 output shapes", body)


def _parameter_counts(input_hw: tuple[int, int]) -> dict:
    """Keras's total, and the parts a wrong count may have left out."""
    model = stack_model(input_hw, head=True)
    weights = [layer for layer in model.layers if layer.weights]
    return {
        "total": model.count_params(),
        "no biases": sum(int(np.prod(layer.weights[0].shape)) for layer in weights),
        "no dense": sum(layer.count_params() for layer in weights if type(layer).__name__ == "Conv2D"),
    }


def ex04_parameters(predicted_params) -> Verdict:
    """04.3: the parameter count of stack + Flatten + Dense(10) for two input sizes, against Keras."""

    def body() -> str:
        answered(predicted_params, "04.3")
        got = _as_int_tuples(predicted_params, 2, None, "predicted_params (45x37 input, 90x74 input)")
        sizes = [INPUT_SHAPE[:2], (2 * INPUT_SHAPE[0], 2 * INPUT_SHAPE[1])]
        counts = [_parameter_counts(hw) for hw in sizes]
        for mine, ref, (h, w) in zip(got, counts, sizes, strict=True):
            if mine == ref["total"]:
                continue
            where = f"for the {h}x{w}x{INPUT_SHAPE[2]} input, your count is {_high_low(mine, ref['total'])}"
            if mine == ref["no biases"]:
                raise CaseFailed(f"{where}: did you leave out the biases (one per filter, one per unit)?")
            if mine == ref["no dense"]:
                raise CaseFailed(f"{where}: the Dense(10) layer's weights are missing")
            raise CaseFailed(
                f"{where}. A Conv2D has kh·kw·C_in·C_out + C_out parameters, a pool none, and Dense(10) after "
                "Flatten (h·w·c)·10 + 10, with h×w×c the last shape of exercise 04.2 for this input"
            )
        dense = [c["total"] - c["no dense"] for c in counts]
        return (
            f"{counts[0]['total']:,} and {counts[1]['total']:,} parameters, as Keras counts: the convolutions "
            f"keep {counts[0]['no dense']:,}, the dense layer grows from {dense[0]:,} to {dense[1]:,}"
        )

    return run_check("04.3 parameters", body)


def measured_receptive_fields(size: int = 97) -> list[int]:
    """Receptive field (rows) after each layer of the stack, measured with GradientTape.

    A copy of the stack with one channel, kernels of ones at their taps and average pools (a max pool's
    window is the same, but its gradient goes to one pixel) on a ``size`` x ``size`` input: the receptive
    field of the central output unit is the extent of the rows where its gradient is not zero.
    """
    import tensorflow as tf

    x = tf.Variable(tf.ones((1, size, size, 1), tf.float64))
    fields = []
    with tf.GradientTape(persistent=True) as tape:
        y, centres = x, []
        for kind, args in STACK:
            k = args.get("kernel_size") or args["pool_size"]
            stride = args.get("strides") or (1 if kind == "Conv2D" else k)
            padding = args["padding"].upper()
            if kind == "Conv2D":  # a dilated kernel as its span with zeros between the taps (TensorFlow's
                d = args.get("dilation_rate", 1)  # CPU kernels have no gradient for dilations > 1)
                taps = np.zeros((d * (k - 1) + 1,) * 2 + (1, 1))
                taps[::d, ::d] = 1.0
                y = tf.nn.conv2d(y, tf.constant(taps), stride, padding)
            else:
                y = tf.nn.avg_pool2d(y, k, stride, padding)
            centres.append(y[0, y.shape[1] // 2, y.shape[2] // 2, 0])
    for centre in centres:
        rows = np.flatnonzero(np.abs(tape.gradient(centre, x).numpy()[0, :, :, 0]).sum(axis=1))
        require(0 < rows[0] and rows[-1] < size - 1, "the test input is too small for the receptive field")
        fields.append(int(rows[-1] - rows[0] + 1))
    del tape
    return fields


def ex04_receptive_fields(predicted_receptive_fields) -> Verdict:
    """04.4: the receptive field after each layer, against the extent of a gradient measured with GradientTape."""

    def body() -> str:
        answered(predicted_receptive_fields, "04.4")
        got = _as_int_tuples(predicted_receptive_fields, len(STACK), None, "predicted_receptive_fields")
        expected = measured_receptive_fields()
        for index, (mine, ref) in enumerate(zip(got, expected, strict=True)):
            require(
                mine == ref,
                f"{_layer_name(index)}: your receptive field is {_high_low(mine, ref)}. Along one axis, from "
                "r = j = 1: r ← r + (span − 1)·j, then j ← j·s, where span = d·(k − 1) + 1 for a dilated kernel "
                "and a pool's span is its size; padding does not change r",
            )
        return f"{expected} pixels, as measured by the extent of the gradient of one unit (GradientTape)"

    return run_check("04.4 receptive fields", body)


# ---------------------------------------------------------------- 04.5 max-pool backward with ties


def _tie_cases() -> list[dict]:
    """Inputs drawn from {0, 1, 2} (many ties), overlapping windows, 'same' padding, constant images."""
    cases = [
        dict(shape=(1, 4, 4, 1), pool=2, stride=None, padding="valid", constant=True),
        dict(shape=(1, 5, 5, 1), pool=3, stride=1, padding="same", constant=True),
        dict(shape=(2, 6, 7, 2), pool=(2, 3), stride=(1, 2), padding="same", constant=False),
        dict(shape=(1, 5, 4, 2), pool=3, stride=2, padding="valid", constant=False),
    ]
    rng = np.random.default_rng(4051)
    for _ in range(12):
        padding = str(rng.choice(["valid", "same"]))
        pool = tuple(int(v) for v in rng.integers(1, 4, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        low = pool if padding == "valid" else (1, 1)
        hw = tuple(int(rng.integers(lo, 10)) for lo in low)
        cases.append(dict(shape=(2, *hw, 2), pool=pool, stride=stride, padding=padding, constant=False))
    return cases


def tape_split_reference(dy, x, pool, stride, padding):
    """dL/dx for L = sum(max_pool(x) * dy) where tied maxima share: GradientTape through tf.reduce_max.

    ``tf.reduce_max``'s gradient divides the incoming gradient equally among the positions equal to the
    maximum (unlike ``tf.nn.max_pool2d``'s, which picks one); each window is stacked from strided slices.
    """
    import tensorflow as tf

    (kh, kw), stride, pads = lesson.check_pool(x, pool, stride, padding)
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        x_pad = tf.pad(xt, [[0, 0], list(pads[0]), list(pads[1]), [0, 0]], constant_values=-np.inf)
        offsets = [lesson.window_slice(p, q, dy.shape[1:3], stride) for p in range(kh) for q in range(kw)]
        windows = tf.stack([x_pad[offset] for offset in offsets], axis=-1)
        loss = tf.reduce_sum(tf.reduce_max(windows, axis=-1) * dy)
    return tape.gradient(loss, xt).numpy()


def loop_max_backward(dy, x, pool, stride, padding, rule):
    """Brute force, one window at a time. ``rule`` for tied maxima: 'split', 'first', 'last' or 'all'."""
    (kh, kw), (sh, sw), pads = lesson.check_pool(x, pool, stride, padding)
    x_pad = lesson.pad(x, pads, -np.inf)
    dx_pad = np.zeros(x_pad.shape)
    for n, i, j, c in np.ndindex(dy.shape):
        window = x_pad[n, i * sh : i * sh + kh, j * sw : j * sw + kw, c]
        rows, cols = np.nonzero(window == window.max())  # in reading order
        chosen = {"first": [0], "last": [-1]}.get(rule, slice(None))
        share = dy[n, i, j, c] / len(rows) if rule == "split" else dy[n, i, j, c]
        for p, q in zip(rows[chosen], cols[chosen], strict=True):
            dx_pad[n, i * sh + p, j * sw + q, c] += share
    return lesson.unpad(dx_pad, pads)


TIE_RULE_HINTS = {
    "all": "every tied maximum got the whole gradient of its window: m tied maxima should get dy / m each",
    "first": "the whole gradient went to the first tied maximum (the lesson's rule): share it among all of them",
    "last": "the whole gradient went to the last tied maximum: share it equally among all of them",
}


def ex04_pool_ties(max_pool2d_backward_split) -> Verdict:
    """04.5: max-pool backward where tied maxima share the gradient equally, against GradientTape."""

    def body() -> str:
        cases = _tie_cases()
        rng = np.random.default_rng(4052)
        for case in cases:
            x = np.ones(case["shape"]) if case["constant"] else rng.integers(0, 3, case["shape"]).astype(np.float64)
            out_shape = lesson.max_pool2d(x, case["pool"], case["stride"], case["padding"]).shape
            dy = rng.standard_normal(out_shape)
            ref = tape_split_reference(dy, x, case["pool"], case["stride"], case["padding"])
            got = max_pool2d_backward_split(dy.copy(), x.copy(), case["pool"], case["stride"], case["padding"])
            where = (
                f"{'constant ' if case['constant'] else ''}x of shape {case['shape']}, pool {case['pool']}, "
                f"stride {case['stride'] or 'the pool size'}, padding {case['padding']!r}"
            )
            if np.shape(got) == ref.shape and not np.allclose(got, ref, rtol=TOL, atol=TOL):
                for rule, hint in TIE_RULE_HINTS.items():
                    wrong = loop_max_backward(dy, x, case["pool"], case["stride"], case["padding"], rule)
                    require(not np.allclose(got, wrong, rtol=TOL, atol=TOL), f"{where}: {hint}")
                total, handed = float(dy.sum()), float(np.sum(got))
                require(
                    abs(total - handed) <= 1e-9 * (1 + abs(total)),
                    f"{where}: your gradient adds up to {handed:.6g}, but dy adds up to {total:.6g}; "
                    "each window must pass on exactly its dy",
                )
            compare_arrays(got, ref, case=where, atol=TOL, rtol=TOL, name="dx")
        return (
            f"matches GradientTape through tf.reduce_max (ties share equally) on {len(cases)} layers, "
            "with ties, overlapping windows and 'same' padding"
        )

    return run_check("04.5 max-pool ties", body)


# ---------------------------------------------------------------- 04.6 the effective receptive field

ERF_SHARE = 0.9  # the share of the gradient's absolute mass the effective receptive field holds
ERF_DEPTHS = (1, 2, 4, 8, 16)
ERF_CHANNELS, ERF_STACKS = 4, 20
# The mean of effective_rf over 20 stacks of 3x3 kernels with standard-normal weights and 4 channels:
# measured over 3000 stacks per depth, mean ± 6 standard errors of a mean of 20, rounded outwards.
ERF_RANGES = {1: (3.0, 3.0), 2: (4.35, 5.0), 4: (6.6, 7.5), 8: (9.7, 11.3), 16: (13.9, 16.3)}


def rows_holding(gradient: np.ndarray, share: float = ERF_SHARE) -> int:
    """The fewest rows (heaviest first) holding ``share`` of sum(|gradient|); rows are axis 1 of (N, H, W, C)."""
    rows = np.sort(np.abs(gradient).sum(axis=(0, 2, 3)))[::-1]
    return int(np.searchsorted(np.cumsum(rows) / rows.sum(), share) + 1)


def tape_effective_rf(kernels) -> int:
    """The effective receptive field of a stack of 'valid' convolutions, from GradientTape."""
    import tensorflow as tf

    size = 1 + sum(k.shape[0] - 1 for k in kernels)
    x = tf.Variable(tf.zeros((1, size, size, kernels[0].shape[2]), tf.float64))
    with tf.GradientTape() as tape:
        y = x
        for k in kernels:
            y = tf.nn.conv2d(y, tf.constant(k), 1, "VALID")
        out = y[0, 0, 0, 0]
    return rows_holding(tape.gradient(out, x).numpy())


def _erf_stacks() -> list[list[np.ndarray]]:
    rng = np.random.default_rng(4061)
    depths_and_sizes = [(1, 3, 4), (2, 3, 4), (3, 3, 2), (5, 3, 4), (8, 3, 3), (3, 5, 2)]
    stacks = [[rng.standard_normal((k, k, c, c)) for _ in range(depth)] for depth, k, c in depths_and_sizes]
    stacks[-1][1] = rng.standard_normal((3, 3, 2, 2))  # a 5x5, a 3x3 and a 5x5 kernel
    return stacks


def ex04_effective_rf(effective_rf, erf_by_depth) -> Verdict:
    """04.6: ``effective_rf`` against GradientTape on 6 stacks; the measured means against measured ranges."""

    def body() -> str:
        for stack in _erf_stacks():
            size = 1 + sum(k.shape[0] - 1 for k in stack)
            where = (
                f"the stack of kernels {', '.join(f'{k.shape[0]}x{k.shape[1]}' for k in stack)} "
                f"({stack[0].shape[2]} channels) on a {size}x{size} input"
            )
            got, ref = effective_rf([k.copy() for k in stack]), tape_effective_rf(stack)
            whole = isinstance(got, (int, float, np.integer, np.floating)) and float(got).is_integer()
            require(whole, f"{where}: effective_rf returned {got!r}, not a whole number of rows")
            got = int(got)
            if got == size and ref < size:
                raise CaseFailed(
                    f"{where}: {got} rows is the theoretical receptive field (every row gets some gradient); "
                    f"count only the heaviest rows that together hold {ERF_SHARE:.0%} of the sum of |dL/dx|"
                )
            require(
                got == ref,
                f"{where}: {got} rows is {_high_low(got, ref)}. Propagate dL/dy = 1 (output channel 0) back with "
                f"conv2d_backward; a row's mass is the sum of |dL/dx| over its columns and channels; count rows, "
                f"heaviest first, until they hold at least {ERF_SHARE:.0%} of the total",
            )
        answered(erf_by_depth, "04.6")
        require(
            isinstance(erf_by_depth, dict) and sorted(erf_by_depth) == list(ERF_DEPTHS),
            f"erf_by_depth must be a dict with the depths {ERF_DEPTHS} as keys, got {erf_by_depth!r}",
        )
        for depth, (low, high) in ERF_RANGES.items():
            value = float(erf_by_depth[depth])
            require(
                low - 1e-9 <= value <= high + 1e-9,
                f"depth {depth}: a mean of {value:.3g} rows is {'too high' if value > high else 'too low'} "
                f"(the mean over {ERF_STACKS} random stacks falls in [{low}, {high}]). Use {ERF_STACKS} stacks of "
                f"{depth} 3x3 kernels with {ERF_CHANNELS} channels and standard-normal weights, and average",
            )
        table = ", ".join(f"depth {d}: {float(erf_by_depth[d]):.1f} of {2 * d + 1}" for d in ERF_DEPTHS)
        return (
            f"effective_rf matches GradientTape on {len(_erf_stacks())} stacks, and your means are in the measured "
            f"ranges ({table} rows): the theoretical field grows like the depth, the effective one about like its "
            "square root"
        )

    return run_check("04.6 effective receptive field", body)
