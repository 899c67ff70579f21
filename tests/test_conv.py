"""course_utils.lessons.convolution (notebook 04) against TensorFlow (tf.nn, GradientTape) and central differences.

Tolerances: in float64, forward passes and gradients agree with TensorFlow to 1e-10 (absolute)
and with central differences (step 1e-6) to 1e-6; in float32, forward passes agree with
``tf.nn.conv2d`` to 1e-4 relative to the output's scale.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.lessons import convolution as conv

tf = pytest.importorskip("tensorflow")

N_CONFIGS = 200
TF_ATOL = 1e-10  # float64 against float64
NUM_ATOL, NUM_RTOL, NUM_STEP = 1e-6, 1e-6, 1e-6  # central differences in float64


def random_config(rng: np.random.Generator, pool: bool = False) -> dict:
    """A random layer: odd and even sizes, kernels 1-5, strides 1-3, both paddings, batch > 1."""
    padding = str(rng.choice(conv.PADDINGS))
    kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    low_h, low_w = (kh, kw) if padding == "valid" else (1, 1)
    cfg = {
        "n": int(rng.integers(2, 4)),
        "h": int(rng.integers(low_h, 13)),
        "w": int(rng.integers(low_w, 13)),
        "c_in": int(rng.integers(1, 5)),
        "c_out": int(rng.integers(1, 5)),
        "kernel": (kh, kw),
        "stride": (sh, sw),
        "padding": padding,
    }
    return cfg


def configs(count: int, seed: int):
    rng = np.random.default_rng(seed)
    return [random_config(rng) for _ in range(count)]


def arrays(cfg: dict, seed: int = 0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((cfg["n"], cfg["h"], cfg["w"], cfg["c_in"])).astype(dtype)
    w = rng.standard_normal((*cfg["kernel"], cfg["c_in"], cfg["c_out"])).astype(dtype)
    b = rng.standard_normal(cfg["c_out"]).astype(dtype)
    return x, w, b


def tf_conv(x, w, b, cfg):
    return tf.nn.conv2d(tf.convert_to_tensor(x), tf.convert_to_tensor(w), cfg["stride"], cfg["padding"].upper()) + b


def tf_pool(kind, x, cfg):
    op = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    return op(tf.convert_to_tensor(x), cfg["kernel"], cfg["stride"], cfg["padding"].upper())


POOLS = {"max": (conv.max_pool2d, conv.max_pool2d_backward), "avg": (conv.avg_pool2d, conv.avg_pool2d_backward)}


# ------------------------------------------------------------------ sizes and padding


@pytest.mark.parametrize(
    "in_size, k, s, padding, out, pads",
    [
        (28, 3, 1, "same", 28, (1, 1)),
        (28, 3, 1, "valid", 26, (0, 0)),
        (28, 2, 2, "same", 14, (0, 0)),
        (7, 2, 2, "same", 4, (0, 1)),  # the extra pixel goes after
        (6, 4, 1, "same", 6, (1, 2)),
        (5, 3, 2, "valid", 2, (0, 0)),
        (224, 7, 2, "same", 112, (2, 3)),
        (3, 5, 1, "same", 3, (2, 2)),  # kernel larger than the input: 'same' pads enough
        (10, 1, 3, "same", 4, (0, 0)),
    ],
)
def test_output_size_and_same_padding(in_size, k, s, padding, out, pads):
    assert conv.output_size(in_size, k, s, padding) == out
    if padding == "same":
        assert conv.same_padding(in_size, k, s) == pads
    # the valid formula is the textbook floor((in - k) / s) + 1
    if padding == "valid":
        assert out == (in_size - k) // s + 1


def test_receptive_fields_and_params():
    # two 3x3 convolutions see 5x5; three see 7x7 (Simonyan & Zisserman, 2014, section 2.3)
    assert [r for r, _ in conv.receptive_fields([(3, 1)] * 3)] == [3, 5, 7]
    assert conv.receptive_fields([(3, 1), (2, 2), (3, 1)]) == [(3, 1), (4, 2), (8, 2)]
    assert conv.conv_params(3, 3, 1, 32) == 320
    assert conv.conv_params(3, 3, 32, 64, bias=False) == 18432
    assert conv.dense_params(3136, 128) == 401536


def test_layer_table_matches_keras_small_models():
    import keras

    from course_utils.lessons.mnist_models import build_cnn

    odd = keras.Sequential(
        [
            keras.Input((29, 30, 3)),
            keras.layers.Conv2D(5, (5, 3), strides=(2, 2), padding="same"),
            keras.layers.AveragePooling2D(3, strides=2, padding="same"),
            keras.layers.Conv2D(4, 2, strides=3, padding="valid", use_bias=False),
            keras.layers.MaxPooling2D(2, padding="valid"),
            keras.layers.Flatten(),
            keras.layers.Dense(7),
        ]
    )
    for model in (build_cnn(), build_cnn((32, 32, 3), filters=(8, 16, 32)), odd):
        rows = conv.layer_table(model)
        by_name = {layer.name: layer for layer in model.layers}
        for row in rows:
            assert row["output"] == tuple(by_name[row["layer"]].output.shape[1:]), row
            assert row["params"] == by_name[row["layer"]].count_params(), row
        assert sum(row["params"] for row in rows) == model.count_params()


def test_layer_table_vgg16():
    import keras

    vgg = keras.applications.VGG16(weights=None)  # architecture only, no download
    rows = conv.layer_table(vgg)
    assert sum(row["params"] for row in rows) == vgg.count_params() == 138_357_544
    by_name = {row["layer"]: row for row in rows}
    assert by_name["block5_pool"]["output"] == (7, 7, 512)
    assert by_name["block5_conv3"]["receptive field"] == 196
    assert by_name["block5_pool"]["receptive field"] == 212
    for row in rows:
        assert row["output"] == tuple(vgg.get_layer(row["layer"]).output.shape[1:])


# ------------------------------------------------------------------ forward passes


@pytest.mark.parametrize("index, cfg", list(enumerate(configs(N_CONFIGS, seed=1))))
def test_conv2d_matches_tf(index, cfg):
    x, w, b = arrays(cfg, seed=index)
    ours = conv.conv2d(x, w, b, cfg["stride"], cfg["padding"])
    ref = tf_conv(x, w, b, cfg).numpy()
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TF_ATOL)


def test_conv2d_float32_matches_tf():
    # The reference is TensorFlow in float64 on the same float32 values: TF 2.21's float32 CPU
    # (oneDNN) kernel gives wrong values for a few configurations with one input channel and
    # strides (1, s > 1), e.g. x (3, 2, 2, 1), kernel (1, 3), strides (1, 3), 'same'.
    for index, cfg in enumerate(configs(30, seed=2)):
        x, w, b = arrays(cfg, seed=index, dtype=np.float32)
        ours = conv.conv2d(x, w, b, cfg["stride"], cfg["padding"])
        ref = tf_conv(*(a.astype(np.float64) for a in (x, w, b)), cfg).numpy()
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-4 * max(1.0, np.abs(ref).max()))


def test_correlate2d_loops_matches_scipy():
    import scipy.signal

    rng = np.random.default_rng(9)
    for shape, kernel in [((6, 7), (3, 3)), ((5, 5), (2, 4)), ((4, 9), (4, 1)), ((3, 3), (3, 3))]:
        x, k = rng.standard_normal(shape), rng.standard_normal(kernel)
        np.testing.assert_allclose(
            conv.correlate2d_loops(x, k), scipy.signal.correlate2d(x, k, mode="valid"), rtol=0, atol=1e-12
        )


def test_loops_equal_vectorised():
    for index, cfg in enumerate(configs(20, seed=3)):
        x, w, b = arrays(cfg, seed=index)
        np.testing.assert_allclose(
            conv.conv2d_loops(x, w, b, cfg["stride"], cfg["padding"]),
            conv.conv2d(x, w, b, cfg["stride"], cfg["padding"]),
            rtol=0,
            atol=1e-12,
        )


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("chunk", range(4))
def test_pooling_matches_tf(kind, chunk):
    forward, _ = POOLS[kind]
    for index, cfg in enumerate(configs(N_CONFIGS, seed=4)[chunk::4]):
        x, _, _ = arrays(cfg, seed=index)
        ours = forward(x, cfg["kernel"], cfg["stride"], cfg["padding"])
        ref = tf_pool(kind, x, cfg).numpy()
        assert ours.shape == ref.shape, cfg
        np.testing.assert_allclose(ours, ref, rtol=0, atol=TF_ATOL, err_msg=str(cfg))


def test_avg_pool_same_averages_valid_values_only():
    x = np.ones((1, 3, 3, 1))
    y = conv.avg_pool2d(x, 2, 2, "same")  # corner windows hold 1, 2 or 4 real values
    assert np.all(y == 1.0)  # zero padding would give 0.25 and 0.5 in the border windows


# ------------------------------------------------------------------ backward passes


def numerical_grad(f, array, step=NUM_STEP):
    """Central differences of the scalar f() with respect to every entry of ``array`` (in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        keep = array[index]
        array[index] = keep + step
        plus = f()
        array[index] = keep - step
        minus = f()
        array[index] = keep
        grad[index] = (plus - minus) / (2 * step)
    return grad


def weighted_sum(f, dy, *args):
    """The loss sum(f(*args) * dy) as a function of nothing: its gradient with respect to f's output is dy."""
    return lambda: float(np.sum(f(*args) * dy))


@pytest.mark.parametrize("index, cfg", list(enumerate(configs(N_CONFIGS, seed=5))))
def test_conv2d_backward_matches_gradient_tape(index, cfg):
    x, w, b = arrays(cfg, seed=index)
    y = conv.conv2d(x, w, b, cfg["stride"], cfg["padding"])
    dy = np.random.default_rng(index + 100).standard_normal(y.shape)
    dx, dw, db = conv.conv2d_backward(dy, x, w, cfg["stride"], cfg["padding"])
    xt, wt, bt = (tf.Variable(a) for a in (x, w, b))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf_conv(xt, wt, bt, cfg) * dy)
    gx, gw, gb = (g.numpy() for g in tape.gradient(loss, [xt, wt, bt]))
    for ours, ref in ((dx, gx), (dw, gw), (db, gb)):
        assert ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, rtol=0, atol=TF_ATOL)


def window_exceeds_input(cfg) -> bool:
    return cfg["kernel"][0] > cfg["h"] or cfg["kernel"][1] > cfg["w"]


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_backward_matches_gradient_tape(kind):
    forward, backward = POOLS[kind]
    for index, cfg in enumerate(configs(N_CONFIGS, seed=6)):
        if kind == "avg" and window_exceeds_input(cfg):
            continue  # TF 2.21's AvgPoolGrad is wrong for some of these: see the next test
        x, _, _ = arrays(cfg, seed=index)  # continuous random values: no ties
        y = forward(x, cfg["kernel"], cfg["stride"], cfg["padding"])
        dy = np.random.default_rng(index).standard_normal(y.shape)
        xt = tf.Variable(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf_pool(kind, xt, cfg) * dy)
        ref = tape.gradient(loss, xt).numpy()
        np.testing.assert_allclose(
            backward(dy, x, cfg["kernel"], cfg["stride"], cfg["padding"]), ref, rtol=0, atol=TF_ATOL, err_msg=str(cfg)
        )


@pytest.mark.parametrize("index, cfg", list(enumerate(configs(12, seed=7))))
def test_conv2d_backward_matches_central_differences(index, cfg):
    x, w, b = arrays(cfg, seed=index)
    args = (cfg["stride"], cfg["padding"])
    dy = np.random.default_rng(index).standard_normal(conv.conv2d(x, w, b, *args).shape)
    loss = weighted_sum(conv.conv2d, dy, x, w, b, *args)
    dx, dw, db = conv.conv2d_backward(dy, x, w, *args)
    for ours, array in ((dx, x), (dw, w), (db, b)):
        np.testing.assert_allclose(ours, numerical_grad(loss, array), rtol=NUM_RTOL, atol=NUM_ATOL)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_backward_matches_central_differences(kind):
    forward, backward = POOLS[kind]
    for index, cfg in enumerate(configs(12, seed=8)):
        x, _, _ = arrays(cfg, seed=index)
        args = (cfg["kernel"], cfg["stride"], cfg["padding"])
        dy = np.random.default_rng(index).standard_normal(forward(x, *args).shape)
        loss = weighted_sum(forward, dy, x, *args)
        np.testing.assert_allclose(backward(dy, x, *args), numerical_grad(loss, x), rtol=NUM_RTOL, atol=NUM_ATOL)


@pytest.mark.parametrize(
    "shape, pool, stride",
    [((1, 1, 4, 1), (1, 5), (1, 1)), ((2, 5, 4, 3), (4, 5), (2, 1)), ((1, 1, 4, 1), (1, 5), (1, 3))],
)
def test_avg_pool_backward_where_window_exceeds_input(shape, pool, stride):
    # Here tf.GradientTape's gradient of tf.nn.avg_pool2d ('SAME') disagrees with central
    # differences of TensorFlow's own forward pass (TF 2.21); ours agrees with them.
    x = np.random.default_rng(0).standard_normal(shape)
    dy = np.random.default_rng(1).standard_normal(conv.avg_pool2d(x, pool, stride, "same").shape)
    tf_loss = weighted_sum(lambda a: tf.nn.avg_pool2d(tf.constant(a), pool, stride, "SAME").numpy(), dy, x)
    np.testing.assert_allclose(
        conv.avg_pool2d_backward(dy, x, pool, stride, "same"), numerical_grad(tf_loss, x), rtol=NUM_RTOL, atol=NUM_ATOL
    )


def test_max_pool_ties_go_to_the_first_maximum():
    x = np.ones((1, 2, 2, 1))
    dx = conv.max_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2)
    assert dx[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_dilate_puts_stride_minus_one_zeros_between_entries():
    g = np.arange(1, 7, dtype=float).reshape(1, 2, 3, 1)
    out = conv.dilate(g, (2, 3))[0, :, :, 0]
    np.testing.assert_array_equal(out, [[1, 0, 0, 2, 0, 0, 3], [0] * 7, [4, 0, 0, 5, 0, 0, 6]])
    np.testing.assert_array_equal(conv.dilate(g, 1), g)  # stride 1: nothing to insert


@pytest.mark.parametrize(("index", "cfg"), list(enumerate(configs(40, seed=11))))
def test_conv2d_transpose_is_the_input_gradient(index, cfg):
    # dilating g by the stride, then a full correlation with the rotated kernel, gives dL/dx
    x, w, _ = arrays(cfg, seed=index)
    g = np.random.default_rng(index).standard_normal(conv.conv2d(x, w, None, cfg["stride"], cfg["padding"]).shape)
    dx = conv.conv2d_transpose(g, w, x.shape, cfg["stride"], cfg["padding"])
    np.testing.assert_allclose(dx, conv.conv2d_backward(g, x, w, cfg["stride"], cfg["padding"])[0], atol=TF_ATOL)
    ref = tf.nn.conv2d_transpose(g, w, output_shape=x.shape, strides=cfg["stride"], padding=cfg["padding"].upper())
    np.testing.assert_allclose(dx, ref.numpy(), atol=TF_ATOL)


def test_float32_conv_defects_counts_wrong_values_and_shapes(monkeypatch):
    real = tf.nn.conv2d
    assert conv.float32_conv_defects(20, seed=0) == conv.float32_conv_defects(20, seed=0)  # seeded

    def exact(x, w, stride, padding):  # a float32 kernel without defects: float64, rounded
        return tf.cast(real(tf.cast(x, tf.float64), tf.cast(w, tf.float64), stride, padding), x.dtype)

    def off_by_one(x, w, stride, padding):
        return exact(x, w, stride, padding) + (1.0 if x.dtype == np.float32 else 0.0)

    def one_channel_more(x, w, stride, padding):
        y = exact(x, w, stride, padding)
        return tf.concat([y, y[..., :1]], axis=-1) if x.dtype == np.float32 else y

    monkeypatch.setattr(tf.nn, "conv2d", exact)
    assert conv.float32_conv_defects(40, seed=3) == (0, 0)
    monkeypatch.setattr(tf.nn, "conv2d", off_by_one)
    values, shapes = conv.float32_conv_defects(40, seed=3)
    assert shapes == 0 and 30 <= values <= 40  # all but the layers whose correct output is empty
    monkeypatch.setattr(tf.nn, "conv2d", one_channel_more)
    assert conv.float32_conv_defects(40, seed=3) == (0, 40)


def test_avg_pool_gradient_defects_counts_a_wrong_gradient(monkeypatch):
    real = tf.nn.avg_pool2d

    def wrong(x, ksize, strides, padding):  # the right forward pass, twice the gradient
        y = real(x, ksize, strides, padding)
        return y + (y - tf.stop_gradient(y))

    monkeypatch.setattr(tf.nn, "avg_pool2d", wrong)
    assert conv.avg_pool_gradient_defects(10, seed=0, dtype="float32") == 10


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: conv.conv2d(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 2, 4))), "channel mismatch"),
        (lambda: conv.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((6, 3, 1, 1))), "larger than the padded input"),
        (lambda: conv.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), stride=0), "stride must be positive"),
        (
            lambda: conv.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), stride=(1, -2)),
            "stride must be positive",
        ),
        (lambda: conv.conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 1))), "x must have shape"),
        (lambda: conv.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1))), "kernel must have shape"),
        (lambda: conv.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros(3)), "bias must have shape"),
        (lambda: conv.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="full"), "padding must be"),
        (lambda: conv.max_pool2d(np.zeros((1, 2, 2, 1)), 3), "larger than the padded input"),
        (lambda: conv.avg_pool2d(np.zeros((1, 4, 4, 1)), 2, stride=0), "stride must be positive"),
        (lambda: conv.output_size(4, 5, 1, "valid"), "larger than"),
        (
            lambda: conv.conv2d_backward(np.zeros((1, 2, 2, 1)), np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1))),
            "dy must have shape",
        ),
    ],
)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
