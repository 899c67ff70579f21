"""Model builders, efficiency measures and interpretability maps."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import efficiency, interpret, models


def test_course_fcn_matches_the_course_text():
    model = models.build_fcn()
    assert [type(l).__name__ for l in model.layers] == ["Flatten", "Dense", "Dense"]
    assert model.count_params() == 784 * 128 + 128 + 128 * 10 + 10  # 101,770
    assert model.output_shape == (None, 10)


def test_cnn_shapes_and_names():
    model = models.build_cnn()
    assert model.get_layer("conv2").output.shape[1:] == (14, 14, 64)
    assert model.output_shape == (None, 10)


def test_to_model_input():
    x = models.to_model_input(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0


def test_flops_of_a_dense_layer_are_counted():
    import keras

    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(10, use_bias=False)])
    # 100 x 10 multiply-adds = 2,000 FLOPs (the profiler counts a multiply-add as 2).
    assert efficiency.count_flops(model) == pytest.approx(2000, rel=0.05)


def test_size_and_latency_are_positive():
    model = models.build_fcn()
    assert efficiency.model_size_bytes(model) > 4 * model.count_params()
    assert efficiency.latency_ms(model, repeats=3) > 0


def test_grad_cam_and_saliency_shapes_and_ranges():
    model = models.build_cnn()
    image = np.random.default_rng(0).random((28, 28, 1), dtype=np.float32)
    cam = interpret.grad_cam(model, image, "conv2")
    assert cam.shape == (14, 14) and cam.min() >= 0 and cam.max() <= 1
    sal = interpret.saliency_map(model, image)
    assert sal.shape == (28, 28) and np.isclose(sal.max(), 1.0)
    over = interpret.overlay_heatmap(image[..., 0], cam)
    assert over.shape == (28, 28, 3) and 0 <= over.min() and over.max() <= 1
