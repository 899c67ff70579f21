"""Multiply-adds counted from the layers' shapes (notebook 06's lesson code), checked against the profiler."""

import keras

from course_utils.lessons.mnist_models import build_cnn, build_fcn
from course_utils.lessons.transfer import count_macs
from course_utils.measure.efficiency import count_flops


def test_fcn_exact():
    assert count_macs(build_fcn()) == 784 * 128 + 128 * 10


def test_cnn_close_to_profiler():
    model = build_cnn(filters=(4, 8), dense=16)
    conv = 28 * 28 * 9 * 1 * 4 + 14 * 14 * 9 * 4 * 8
    assert count_macs(model) == conv + 7 * 7 * 8 * 16 + 16 * 10
    assert abs(2 * count_macs(model) / count_flops(model) - 1) < 0.05  # the profiler is the reference


def test_depthwise_counted():
    inputs = keras.Input((8, 8, 3))
    outputs = keras.layers.DepthwiseConv2D(3, padding="same")(inputs)
    assert count_macs(keras.Model(inputs, outputs)) == 8 * 8 * 3 * 9
