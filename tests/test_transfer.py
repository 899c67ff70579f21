"""Transfer-learning lesson code (generated from notebook 06) on small, randomly initialised bases."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from course_utils import applications, plots
from course_utils.lessons import transfer
from course_utils.measure import training


@pytest.mark.parametrize("name, block_prefix", [("vgg16", "block5_"), ("mobilenet_v2", "block_16_")])
def test_last_block_and_unfreezing(name, block_prefix):
    prefixes = applications.architecture(name).last_block
    base = transfer.build_base(name, 32)
    block = transfer.last_block_layers(base, prefixes)
    assert block and all(layer.name.startswith(prefixes) and layer.weights for layer in block)
    assert any(layer.name.startswith(block_prefix) for layer in block)
    base.trainable = False
    assert not base.trainable_weights
    trainable = transfer.unfreeze_last_block(base, prefixes)
    assert trainable and all(any(layer is b for b in block) for layer in trainable)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in trainable)
    trainable_ids = {id(w) for layer in trainable for w in layer.trainable_weights}
    assert base.trainable and {id(w) for w in base.trainable_weights} == trainable_ids


def test_unknown_architecture_names_the_known_ones():
    with pytest.raises(KeyError, match="vgg16"):
        applications.architecture("resnet")


def test_training_changes_only_the_unfrozen_block():
    keras.utils.set_random_seed(0)
    name = "vgg16"
    base = transfer.build_base(name, 32)
    base.trainable = False
    before = keras.models.clone_model(base)
    before.set_weights(base.get_weights())
    x = np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    y = np.arange(8) % 2
    feats, labels = transfer.extract_features(base, applications.preprocess_fn(name), [(x, y)])
    assert feats.shape == (8, 512) and labels.tolist() == y.tolist()
    head = transfer.build_head(feats, 2)
    model = transfer.build_classifier(base, applications.preprocess_fn(name), head, 32)
    assert model.output_shape == (None, 2)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert training.max_weight_difference(base, before) == 0.0
    block = transfer.unfreeze_last_block(base, applications.architecture(name).last_block)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    changes = {
        layer.name: training.max_weight_difference(layer, before.get_layer(layer.name))
        for layer in base.layers
        if layer.weights
    }
    assert all(changes[layer.name] > 0 for layer in block)
    assert all(change == 0.0 for layer_name, change in changes.items() if not layer_name.startswith("block5_"))


def _moving_means(layers):
    return [np.array(layer.moving_mean) for layer in layers]


def _changed(before, layers):
    return any(not np.array_equal(b, a) for b, a in zip(before, _moving_means(layers), strict=True))


def test_batchnorm_statistics_under_fine_tuning():
    """What the notebook says: unfreeze_last_block keeps BatchNorm frozen, which keeps its statistics under fit;
    training=False in the classifier holds for direct calls, but Keras 3 lets fit's training=True override it."""
    keras.utils.set_random_seed(0)
    name = "mobilenet_v2"
    base = transfer.build_base(name, 32)
    head = transfer.build_head(np.random.default_rng(0).random((4, 1280), dtype=np.float32), 2)
    model = transfer.build_classifier(base, applications.preprocess_fn(name), head, 32)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    bn = [layer for layer in base.layers if isinstance(layer, keras.layers.BatchNormalization)]
    x = np.random.default_rng(1).uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    y = np.array([0, 1, 0, 1])

    transfer.unfreeze_last_block(base, applications.architecture(name).last_block)
    before = _moving_means(bn)
    model.fit(x, y, epochs=1, verbose=0)
    assert not _changed(before, bn), "frozen BatchNorm layers keep their moving statistics"

    for layer in bn:  # every BatchNorm layer trainable too
        layer.trainable = True
    model(x)  # a direct call: the recorded training=False holds
    assert not _changed(before, bn)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")  # trainable changed: recompile
    model.fit(x, y, epochs=1, verbose=0)  # fit calls with training=True, which reaches the base
    assert _changed(before, bn), "Keras no longer overrides training=False under fit: update notebook 06's text"


def test_cached_features(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return np.ones((3, 4), "float32"), np.arange(3)

    a = transfer.cached_features(tmp_path / "f.npz", compute)
    b = transfer.cached_features(tmp_path / "f.npz", compute)
    assert len(calls) == 1 and np.array_equal(a[0], b[0]) and b[1].tolist() == [0, 1, 2]


def test_macs_of_convolutions_and_dense_layers():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)  # 8*8*4 outputs, 3*3*3 MACs each
    x = keras.layers.DepthwiseConv2D(3, padding="same")(x)  # 8*8*4 outputs, 3*3 MACs each
    x = keras.layers.Conv2D(4, 1, groups=2)(x)  # 8*8*4 outputs, 2 MACs each
    x = keras.layers.Dense(5)(x)  # 8*8 positions, 4*5 MACs each
    inner = keras.Model(inputs, x)
    outer = keras.Sequential([keras.Input((8, 8, 3)), inner, keras.layers.Flatten(), keras.layers.Dense(2)])
    expected = 8 * 8 * 4 * 27 + 8 * 8 * 4 * 9 + 8 * 8 * 4 * 2 + 8 * 8 * 20
    assert transfer.count_macs(inner) == expected
    assert transfer.count_macs(outer) == expected + 8 * 8 * 5 * 2  # nested models are counted


def test_vgg16_macs_match_the_paper_figure():
    vgg = keras.applications.VGG16(weights=None)
    assert transfer.count_macs(vgg) == pytest.approx(15.47e9, rel=0.01)  # 15.5 GMACs per 224x224 image


def _small_cnn():
    inputs = keras.Input((12, 12, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs)


def test_grad_cam_and_saliency_shapes_and_ranges():
    keras.utils.set_random_seed(0)
    model = _small_cnn()
    image = np.random.default_rng(0).random((12, 12, 1), dtype=np.float32)
    cam = transfer.grad_cam(model, image, "conv")
    assert cam.shape == (12, 12) and cam.min() >= 0 and cam.max() <= 1
    sal = transfer.saliency_map(model, image, class_index=2)
    assert sal.shape == (12, 12) and sal.min() >= 0 and np.isclose(sal.max(), 1.0)
    over = plots.overlay_heatmap(image[..., 0], cam)
    assert over.shape == (12, 12, 3) and 0 <= over.min() and over.max() <= 1


def _linear_softmax(scale=1.0):
    """Flatten -> Dense(2, softmax) on (2, 3, 2) images; ``scale`` multiplies the kernel (large: confident)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((2, 3, 2)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")]
    )
    dense = model.layers[-1]
    dense.kernel.assign(dense.kernel * scale)
    return model


def test_saliency_is_the_gradient_of_the_score_before_softmax():
    """On a linear model the pre-softmax score's gradient is the weight column: the map is |w|, scaled."""
    model = _linear_softmax()
    image = np.random.default_rng(0).random((2, 3, 2), dtype=np.float32)
    w = np.abs(model.layers[-1].kernel.numpy()[:, 1].reshape(2, 3, 2)).max(axis=-1)
    np.testing.assert_allclose(transfer.saliency_map(model, image, class_index=1), w / w.max(), rtol=1e-5)


def test_pre_softmax_scores_are_the_logits_and_share_the_weights():
    model = _small_cnn()
    x = np.random.default_rng(1).random((3, 12, 12, 1), dtype=np.float32)
    logits = transfer.pre_softmax_scores(model)
    np.testing.assert_allclose(tf.nn.softmax(logits(x)), model(x), atol=1e-6)
    dense = model.layers[-1]
    dense.bias.assign(dense.bias + 1.0)  # the logits model sees the change: the weights are shared, not copied
    np.testing.assert_allclose(tf.nn.softmax(logits(x)), model(x), atol=1e-6)
    np.testing.assert_allclose(logits(x), transfer.pre_softmax_scores(model)(x), atol=1e-6)


@pytest.mark.parametrize(
    "last",
    [keras.layers.Dense(2), keras.layers.Dense(2, activation="sigmoid"), keras.layers.Softmax()],
    ids=["linear dense", "sigmoid dense", "softmax layer"],
)
def test_pre_softmax_scores_refuses_other_last_layers(last):
    model = keras.Sequential([keras.Input((4,)), last])
    with pytest.raises(ValueError, match="not a Dense layer with a softmax"):
        transfer.pre_softmax_scores(model)


def test_grad_cam_on_a_global_average_pooling_network_is_cam():
    """With GAP -> Dense, Grad-CAM's channel weights are the class's dense weights / (h*w): CAM (Zhou et al., 2016)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    maps = keras.layers.Conv2D(5, 3, padding="same", activation="relu", name="maps")(inputs)
    outputs = keras.layers.Dense(4, activation="softmax")(keras.layers.GlobalAveragePooling2D()(maps))
    model = keras.Model(inputs, outputs)
    image = np.random.default_rng(2).random((8, 8, 3), dtype=np.float32)
    features = keras.Model(inputs, maps)(image[None]).numpy()[0]
    for c in range(4):
        cam = np.maximum(features @ model.layers[-1].kernel.numpy()[:, c], 0.0)
        np.testing.assert_allclose(transfer.grad_cam(model, image, "maps", c), cam / (cam.max() + 1e-12), atol=1e-5)


def test_softmax_gradient_vanishes_when_confident_but_saliency_does_not():
    model = _linear_softmax(scale=200.0)  # scores far apart: the softmax saturates
    image = np.random.default_rng(0).random((2, 3, 2), dtype=np.float32)
    x = tf.constant(image[None])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        p = model(x)
        z = transfer.pre_softmax_scores(model)(x)
        c = int(tf.argmax(p[0]))
        p_c, z_c = p[0, c], z[0, c]
    assert float(p_c) > 0.999
    assert float(tf.norm(tape.gradient(p_c, x))) < 1e-2 * float(tf.norm(tape.gradient(z_c, x)))
    saliency = transfer.saliency_map(model, image)
    assert np.isclose(saliency.max(), 1.0) and np.count_nonzero(saliency) > 1


def test_train_with_strategy_restores_the_dtype_policy():
    import tensorflow as tf

    def build():
        layers = [keras.layers.Dense(3), keras.layers.Dense(2, activation="softmax", dtype="float32")]
        model = keras.Sequential([keras.Input((4,)), *layers])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model

    def dataset_fn(context):
        x = np.random.default_rng(0).random((8, 4), dtype=np.float32)
        return tf.data.Dataset.from_tensor_slices((x, np.arange(8) % 2)).batch(4).repeat()

    model, history = transfer.train_with_strategy(
        build, dataset_fn, epochs=2, steps_per_epoch=2, mixed_precision="mixed_bfloat16"
    )
    assert model.layers[0].compute_dtype == "bfloat16" and len(history.history["loss"]) == 2
    assert keras.config.dtype_policy().name == "float32"
