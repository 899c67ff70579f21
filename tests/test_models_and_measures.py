"""Model builders (generated from notebook 05) and efficiency measures (Grad-CAM and saliency: test_transfer)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.lessons import mnist_models
from course_utils.measure import efficiency


def test_course_fcn_matches_the_course_text():
    model = mnist_models.build_fcn()
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense"]
    assert model.count_params() == 784 * 128 + 128 + 128 * 10 + 10  # 101,770
    assert model.output_shape == (None, 10)


def test_cnn_shapes_and_names():
    model = mnist_models.build_cnn()
    assert model.get_layer("conv2").output.shape[1:] == (14, 14, 64)
    assert model.output_shape == (None, 10)


def test_to_model_input():
    x = mnist_models.to_model_input(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0


def test_flops_of_a_dense_layer_are_counted():
    import keras

    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(10, use_bias=False)])
    # 100 x 10 multiply-adds = 2,000 FLOPs (the profiler counts a multiply-add as 2).
    assert efficiency.count_flops(model) == pytest.approx(2000, rel=0.05)


def test_size_and_latency_are_positive():
    model = mnist_models.build_fcn()
    assert efficiency.model_size_bytes(model) > 4 * model.count_params()
    assert efficiency.latency_ms(model, repeats=3) > 0
