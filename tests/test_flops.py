import keras

from course_utils.efficiency import count_flops
from course_utils.flops import analytic_flops
from course_utils.models import build_cnn, build_fcn


def test_fcn_exact():
    assert analytic_flops(build_fcn()) == 2 * (784 * 128 + 128 * 10)


def test_cnn_close_to_profiler():
    model = build_cnn(filters=(4, 8), dense=16)
    conv = 28 * 28 * 9 * 1 * 4 + 14 * 14 * 9 * 4 * 8
    assert analytic_flops(model) == 2 * (conv + 7 * 7 * 8 * 16 + 16 * 10)
    assert abs(analytic_flops(model) / count_flops(model) - 1) < 0.05


def test_depthwise_counted():
    inputs = keras.Input((8, 8, 3))
    outputs = keras.layers.DepthwiseConv2D(3, padding="same")(inputs)
    assert analytic_flops(keras.Model(inputs, outputs)) == 2 * 8 * 8 * 3 * 9
