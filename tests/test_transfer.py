"""Transfer-learning helpers on small, randomly initialised bases (no weights needed)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import transfer


@pytest.mark.parametrize("name, block_prefix", [("vgg16", "block5_"), ("mobilenet_v2", "block_16_")])
def test_last_block_and_unfreezing(name, block_prefix):
    base = transfer.build_base(name, 32)
    block = transfer.last_block_layers(base, name)
    assert block and any(layer.name.startswith(block_prefix) for layer in block)
    base.trainable = False
    assert not base.trainable_weights
    trainable = transfer.unfreeze_last_block(base, name)
    assert {id(layer) for layer in trainable} <= {id(layer) for layer in block}
    assert base.trainable_weights and all(not layer.__class__.__name__.startswith("BatchNorm") for layer in trainable)


def test_training_changes_only_the_unfrozen_block():
    import keras

    keras.utils.set_random_seed(0)
    name = "vgg16"
    base = transfer.build_base(name, 32)
    base.trainable = False
    x = np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    y = np.arange(8) % 2
    feats, labels = transfer.extract_features(base, transfer.preprocess_fn(name), [(x, y)])
    assert feats.shape == (8, 512) and labels.tolist() == y.tolist()
    head = transfer.build_head(feats, 2)
    model = transfer.build_classifier(base, transfer.preprocess_fn(name), head, 32)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    frozen = transfer.snapshot(base.layers)
    model.fit(x, y, epochs=1, verbose=0)
    assert transfer.max_abs_change(base.layers, frozen) == 0.0
    block = transfer.unfreeze_last_block(base, name)
    before, others = transfer.snapshot(block), [l for l in base.layers if l not in block]
    others_before = transfer.snapshot(others)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert transfer.max_abs_change(block, before) > 0.0
    assert transfer.max_abs_change(others, others_before) == 0.0


def test_cached_features(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return np.ones((3, 4), "float32"), np.arange(3)

    a = transfer.cached_features(tmp_path / "f.npz", compute)
    b = transfer.cached_features(tmp_path / "f.npz", compute)
    assert len(calls) == 1 and np.array_equal(a[0], b[0]) and b[1].tolist() == [0, 1, 2]


def test_concat_histories():
    joined = transfer.concat_histories({"loss": [3, 2]}, {"loss": [1], "val_loss": [1.5]})
    assert joined == {"loss": [3.0, 2.0, 1.0], "val_loss": [1.5]}
