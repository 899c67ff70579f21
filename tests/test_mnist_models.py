"""The models notebook 05 defines (generated into course_utils.lessons.mnist_models): builder options, compiling."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.lessons import mnist_models


def _layer_types(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


def test_fcn_hidden_layers_dropout_and_batch_norm():
    model = mnist_models.build_fcn(hidden=(32, 16), dropout=0.5)
    assert _layer_types(model) == ["Flatten", "Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert model.count_params() == (784 * 32 + 32) + (32 * 16 + 16) + (16 * 10 + 10)
    bn = mnist_models.build_fcn(hidden=(8,), batch_norm=True)
    assert _layer_types(bn) == ["Flatten", "Dense", "BatchNormalization", "Activation", "Dense"]
    assert not bn.layers[1].use_bias  # batch normalisation's shift replaces the bias
    assert bn.count_params() == 784 * 8 + 4 * 8 + (8 * 10 + 10)  # BN: scale, shift, mean, variance


def test_fcn_input_shapes():
    assert mnist_models.build_fcn((784,)).count_params() == mnist_models.build_fcn((28, 28, 1)).count_params()
    assert mnist_models.build_fcn(num_classes=3).output_shape == (None, 3)


def test_cnn_blocks_follow_filters():
    model = mnist_models.build_cnn((32, 32, 3), 5, filters=(4, 8, 16), dense=12, dropout=0.0)
    assert model.get_layer("conv3").output.shape[1:] == (8, 8, 16)
    assert model.get_layer("pool3").output.shape[1:] == (4, 4, 16)
    assert "dropout" not in [layer.name for layer in model.layers]
    assert model.get_layer("conv1").count_params() == 3 * 3 * 3 * 4 + 4
    assert model.output_shape == (None, 5)


@pytest.mark.parametrize(
    ("sparse", "loss"), [(True, "sparse_categorical_crossentropy"), (False, "categorical_crossentropy")]
)
def test_compile_classifier(sparse, loss):
    model = mnist_models.build_fcn((4,), num_classes=3, hidden=(5,))
    assert mnist_models.compile_classifier(model, 0.01, sparse=sparse, steps_per_execution=2) is model
    assert model.loss == loss
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    labels = np.array([0, 1, 2, 1])
    y = labels if sparse else np.eye(3)[labels]
    model.fit(np.random.default_rng(0).random((4, 4)), y, epochs=1, verbose=0)  # the loss fits the labels


def test_to_model_input_without_channel_axis():
    x = mnist_models.to_model_input(np.array([[[0, 51]]], np.uint8), channels_last=False)
    assert x.shape == (1, 1, 2) and x.dtype == np.float32
    np.testing.assert_allclose(x.ravel(), [0.0, 0.2])
