"""The checkers of notebook 06's exercises: right answers pass, the starters are "not done", wrong answers fail
with a hint that names the mistake."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from checker_support import assert_failed, starter

from course_utils.checks import NOT_DONE, PASSED
from course_utils.checks import nb06 as check
from course_utils.lessons import mnist_models
from course_utils.lessons.transfer import build_head, pre_softmax_scores

# ---------------------------------------------------------------- 06.1 unfreeze a chosen block


def unfreeze_block(model, base, block_prefix, learning_rate=1e-5):
    base.trainable = True
    for layer in base.layers:
        bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = layer.name.startswith(block_prefix) and not bn
    return mnist_models.compile_classifier(model, learning_rate)


def bn_left_trainable(model, base, block_prefix, learning_rate=1e-5):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith(block_prefix)
    return mnist_models.compile_classifier(model, learning_rate)


def last_block_always(model, base, block_prefix, learning_rate=1e-5):
    return unfreeze_block(model, base, "block_16_", learning_rate)


def everything_unfrozen(model, base, block_prefix, learning_rate=1e-5):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)
    return mnist_models.compile_classifier(model, learning_rate)


def not_recompiled(model, base, block_prefix, learning_rate=1e-5):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith(block_prefix) and not isinstance(layer, keras.layers.BatchNormalization)
    return model


def compiled_first(model, base, block_prefix, learning_rate=1e-5):
    mnist_models.compile_classifier(model, learning_rate)
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith(block_prefix) and not isinstance(layer, keras.layers.BatchNormalization)
    return model


def base_left_frozen(model, base, block_prefix, learning_rate=1e-5):
    for layer in base.layers:
        layer.trainable = layer.name.startswith(block_prefix) and not isinstance(layer, keras.layers.BatchNormalization)
    return mnist_models.compile_classifier(model, learning_rate)


def test_unfreeze_block():
    assert check.ex06_unfreeze_block(unfreeze_block).status == PASSED
    assert check.ex06_unfreeze_block(starter).status == NOT_DONE
    assert_failed(check.ex06_unfreeze_block(bn_left_trainable), "BatchNormalization layer(s) block_13_expand_BN")
    assert_failed(check.ex06_unfreeze_block(last_block_always), "block_16_expand", "are not in the block 'block_13_'")
    assert_failed(check.ex06_unfreeze_block(everything_unfrozen), "everything is unfrozen")
    assert_failed(check.ex06_unfreeze_block(not_recompiled), "was not recompiled")
    assert_failed(check.ex06_unfreeze_block(compiled_first), "compile ran before `trainable` changed")
    assert_failed(check.ex06_unfreeze_block(base_left_frozen), "the base's own `trainable` is still False")


def test_unfreeze_block_rejects_a_frozen_head_and_a_wrong_learning_rate():
    def frozen_head(model, base, block_prefix, learning_rate=1e-5):
        model.get_layer("head").trainable = False
        return unfreeze_block(model, base, block_prefix, learning_rate)

    def default_rate(model, base, block_prefix, learning_rate=1e-5):
        return unfreeze_block(model, base, block_prefix)

    assert_failed(check.ex06_unfreeze_block(frozen_head), "the head no longer trains")
    assert_failed(check.ex06_unfreeze_block(default_rate), "learning rate is 1e-05, expected 3e-05")


# ---------------------------------------------------------------- 06.2 feature vector sizes

SIZES = (4 * 4 * 512, 512, 4 * 4 * 1280, 1280)


def test_feature_sizes():
    assert check.ex06_feature_sizes(SIZES).status == PASSED
    assert check.ex06_feature_sizes(None).status == NOT_DONE
    assert_failed(check.ex06_feature_sizes((5 * 5 * 512, *SIZES[1:])), "VGG16 at 150x150, Flatten", "too high")
    assert_failed(check.ex06_feature_sizes((*SIZES[:2], 3 * 3 * 1280, 1280)), "MobileNetV2 at 100x100", "too low")
    assert_failed(check.ex06_feature_sizes((*SIZES[:3], 640)), "alpha=0.5", "too low", "last_block_filters")
    assert_failed(check.ex06_feature_sizes(8192), "give 4 whole numbers")


# ---------------------------------------------------------------- 06.3 trainable parameters of VGG16

CONV = {(256, 512): 3 * 3 * 256 * 512 + 512, (512, 512): 3 * 3 * 512 * 512 + 512}
BLOCKS_4_5 = CONV[256, 512] + 5 * CONV[512, 512]
HEAD = (4 * 4 * 512) * 256 + 256 + 256 * 5 + 5


def test_vgg_trainable():
    right = (BLOCKS_4_5 + HEAD, 14_714_688 - BLOCKS_4_5)
    assert check.ex06_vgg_trainable(right).status == PASSED
    assert check.ex06_vgg_trainable(None).status == NOT_DONE
    assert_failed(check.ex06_vgg_trainable((BLOCKS_4_5, right[1])), "trainable parameters", "too low")
    no_biases = 3 * 3 * 256 * 512 + 5 * 3 * 3 * 512 * 512 + HEAD
    assert_failed(check.ex06_vgg_trainable((no_biases, right[1])), "too low", "C_out biases")
    assert_failed(check.ex06_vgg_trainable((right[0], 14_714_688)), "non-trainable parameters", "too high")
    assert_failed(check.ex06_vgg_trainable((right[0], 1.5)), "not a whole number")


# ---------------------------------------------------------------- 06.4 multiply-adds of an inverted residual block


def test_block_macs():
    expand, depthwise, project = 7 * 7 * 160 * 960, 7 * 7 * 9 * 960, 7 * 7 * 960 * 320
    full = 7 * 7 * 9 * 160 * 320
    assert check.ex06_block_macs((expand + depthwise + project, full)).status == PASSED
    assert check.ex06_block_macs(None).status == NOT_DONE
    depthwise_as_full = 7 * 7 * 9 * 960 * 960
    assert_failed(check.ex06_block_macs((expand + depthwise_as_full + project, full)), "block_16", "too high")
    assert_failed(check.ex06_block_macs((4 * (expand + depthwise + project), full)), "block_16", "too high")
    assert_failed(check.ex06_block_macs((expand + depthwise + project, 7 * 7 * 160 * 320)), "full 3x3", "too low")


# ---------------------------------------------------------------- 06.5 Grad-CAM through the transfer classifier


def grad_cam_transfer(base, head, preprocess, image, class_index=None, *, before_softmax=True):
    x = preprocess(tf.convert_to_tensor(image[None], tf.float32))
    score_model = pre_softmax_scores(head) if before_softmax else head
    with tf.GradientTape() as tape:
        features = base(x, training=False)
        tape.watch(features)
        scores = score_model(tf.reduce_mean(features, axis=(1, 2)), training=False)
        index = int(tf.argmax(scores[0])) if class_index is None else class_index
        score = scores[:, index]
    weights = tf.reduce_mean(tape.gradient(score, features), axis=(1, 2))
    cam = tf.nn.relu(tf.reduce_sum(features * weights[:, None, None, :], axis=-1))[0].numpy()
    return cam / (cam.max() + 1e-12)


def test_grad_cam_transfer():
    assert check.ex06_grad_cam_transfer(grad_cam_transfer).status == PASSED
    assert check.ex06_grad_cam_transfer(starter).status == NOT_DONE

    def no_preprocess(base, head, preprocess, image, class_index=None):
        return grad_cam_transfer(base, head, lambda x: x, image, class_index)

    def no_relu(base, head, preprocess, image, class_index=None):
        x = preprocess(image[None].astype("float32"))
        with tf.GradientTape() as tape:
            features = base(x)
            tape.watch(features)
            scores = head(tf.reduce_mean(features, axis=(1, 2)))
            score = scores[:, int(tf.argmax(scores[0])) if class_index is None else class_index]
        cam = tf.reduce_sum(features * tf.reduce_mean(tape.gradient(score, features), axis=(1, 2)), axis=-1)[0]
        return (cam / (tf.reduce_max(tf.abs(cam)) + 1e-12)).numpy()

    def after_softmax(base, head, preprocess, image, class_index=None):
        return grad_cam_transfer(base, head, preprocess, image, class_index, before_softmax=False)

    def ignores_class_index(base, head, preprocess, image, class_index=None):
        return grad_cam_transfer(base, head, preprocess, image)

    def dropout_on(base, head, preprocess, image, class_index=None):
        x = preprocess(image[None].astype("float32"))
        with tf.GradientTape() as tape:
            features = base(x)
            tape.watch(features)
            scores = head(tf.reduce_mean(features, axis=(1, 2)), training=True)
            score = scores[:, int(tf.argmax(scores[0])) if class_index is None else class_index]
        cam = tf.nn.relu(tf.reduce_sum(features * tf.reduce_mean(tape.gradient(score, features), axis=(1, 2)), -1))
        return (cam[0] / (tf.reduce_max(cam) + 1e-12)).numpy()

    assert_failed(check.ex06_grad_cam_transfer(no_preprocess), "heatmap differs")
    assert_failed(check.ex06_grad_cam_transfer(no_relu), "heatmap differs")
    assert_failed(check.ex06_grad_cam_transfer(after_softmax), "heatmap differs")
    assert_failed(check.ex06_grad_cam_transfer(ignores_class_index), "class_index=0", "heatmap differs")
    assert_failed(check.ex06_grad_cam_transfer(dropout_on), "heatmap differs")
    assert_failed(check.ex06_grad_cam_transfer(lambda *args: None), "heatmap is None")


# ---------------------------------------------------------------- 06.6 how few labels are enough?


@pytest.fixture(scope="module")
def features():
    """Four well separated classes of 30 feature vectors each, and a validation set drawn the same way."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16)) * 3

    def draw(n):
        labels = np.repeat(np.arange(4), n)
        return (centres[labels] + rng.normal(size=(len(labels), 16))).astype("float32"), labels

    return (*draw(30), *draw(20))


def few_label_head(features, labels, per_class, *, epochs=8, adapt_all=False, fit_all=False, misaligned=False):
    rng = np.random.default_rng(0)
    indices = np.concatenate([rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(4)])
    keras.utils.set_random_seed(0)
    head = build_head(features if adapt_all else features[indices], 4)
    mnist_models.compile_classifier(head, 1e-2)
    x, y = (features, labels) if fit_all else (features[indices], labels[indices])
    if misaligned:  # the labels of the first images instead of the chosen ones
        y = labels[: len(indices)]
    head.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return head, indices


def test_few_labels(features):
    train_x, train_y, val_x, val_y = features
    assert check.ex06_few_labels(few_label_head, *features, fast=False).status == PASSED
    assert check.ex06_few_labels(starter, *features).status == NOT_DONE

    def too_many(x, y, k):
        return few_label_head(x, y, k + 1, epochs=0)  # rejected before training matters

    def adapted_to_all(x, y, k):
        return few_label_head(x, y, k, adapt_all=True, epochs=0)

    def misaligned(x, y, k):
        return few_label_head(x, y, k, misaligned=True, epochs=20)

    assert_failed(check.ex06_few_labels(too_many, *features, fast=False), "5 images of every class", "0: 6")
    assert_failed(check.ex06_few_labels(adapted_to_all, *features, fast=False), "adapted to other features")
    assert_failed(check.ex06_few_labels(misaligned, *features, fast=False), "near chance")
    assert_failed(check.ex06_few_labels(lambda x, y, k: build_head(x, 4), *features), "return a pair")
    # the fast-mode range: a head fitted to every label of easy data is above it
    assert_failed(check.ex06_few_labels(lambda x, y, k: few_label_head(x, y, k, fit_all=True), *features), "above")
