"""Checks for the exercises of notebook 06 (VGG16 and transfer learning).

References are computed when a check runs, from networks built then with ``weights=None`` (nothing is
downloaded): Keras's own shape inference and ``trainable_weights``, the lesson's ``layer_macs``,
``unfreeze_last_block``, ``build_head``, ``build_classifier``, ``grad_cam`` and ``pre_softmax_scores`` (as
exported from the notebook to ``course_utils.lessons.transfer``), and a freshly trained head for the experiment.
"""

from __future__ import annotations

import functools

import keras
import numpy as np

from course_utils.checks import (
    CaseFailed,
    Verdict,
    answered,
    compare_arrays,
    count_weights,
    direction,
    require,
    run_check,
    whole_numbers,
)
from course_utils.lessons import mnist_models
from course_utils.lessons import transfer as lesson

SEED = 606


# ---------------------------------------------------------------- 06.1 unfreeze a chosen block


_UNFREEZE_MODEL: list = []  # built once per session (about a second), reset before every check


def _unfreeze_model():
    """A small classifier built like the lesson's: MobileNetV2 (alpha 0.35, 32x32, random weights) + head.

    Reset to the state after steps 1-2 (``base.trainable = False``, which Keras passes on to all its layers;
    the head training) and compiled.
    """
    if not _UNFREEZE_MODEL:
        keras.utils.set_random_seed(SEED)
        base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35)
        features = np.random.default_rng(SEED).normal(size=(16, base.output.shape[-1])).astype("float32")
        head = lesson.build_head(features, 3)
        model = lesson.build_classifier(base, keras.layers.Rescaling(1 / 127.5, offset=-1), head, 32)
        _UNFREEZE_MODEL.append((model, base, head))
    model, base, head = _UNFREEZE_MODEL[0]
    for layer in (model, *model.layers, *base.layers, *head.layers):
        layer.trainable = True
    base.trainable = False
    mnist_models.compile_classifier(model, 1e-3)
    return model, base, head


def _names(layers: list, most: int = 3) -> str:
    names = [layer.name for layer in layers]
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _is_bn(layer) -> bool:
    return isinstance(layer, keras.layers.BatchNormalization)


def _check_unfrozen(model, base, head, returned, old_optimizer, prefix: str, learning_rate: float) -> None:
    case = f"unfreeze_block(model, base, {prefix!r}, {learning_rate:g})"
    require(returned is model, f"{case} returned {type(returned).__name__}: return the model, recompiled")
    require(base.trainable, f"{case}: the base's own `trainable` is still False, so none of its layers can train")
    layers = [layer for layer in base.layers if layer.weights]
    in_block = [layer for layer in layers if layer.name.startswith(prefix)]
    bn_training = [layer for layer in layers if _is_bn(layer) and layer.trainable]
    require(
        not bn_training,
        f"{case}: BatchNormalization layer(s) {_names(bn_training)} are trainable; keep them frozen, or fit() "
        "updates their moving statistics from the new data's small batches",
    )
    outside = [layer for layer in layers if layer not in in_block and layer.trainable]
    others = [layer for layer in layers if layer not in in_block and not _is_bn(layer)]
    if len(outside) > len(others) // 2:
        raise CaseFailed(
            f"{case}: {len(outside)} layers outside the block train ({_names(outside)}): everything is "
            "unfrozen; only the layers whose names start with the prefix should train"
        )
    require(
        not outside,
        f"{case}: layer(s) {_names(outside)} train but are not in the block {prefix!r}",
    )
    frozen = [layer for layer in in_block if not _is_bn(layer) and not layer.trainable]
    require(not frozen, f"{case}: layer(s) {_names(frozen)} of the block are still frozen")
    require(
        head.trainable and all(layer.trainable for layer in head.layers),
        f"{case}: the head no longer trains; only the base's layers change",
    )
    require(
        model.optimizer is not old_optimizer,
        f"{case}: model.optimizer is the one `compile` made before unfreezing: the model was not recompiled, so "
        "fit() would go on updating the head alone, without an error",
    )
    compiled_state = getattr(model, "_compiled_trainable_state", None)  # what Keras recorded when compile ran
    if compiled_state is not None:
        stale = [
            layer
            for layer in (*model.layers, *base.layers)
            if compiled_state.get(layer, layer.trainable) != layer.trainable
        ]
        require(not stale, f"{case}: compile ran before `trainable` changed (on {_names(stale)}): compile last")
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    require(
        np.isclose(rate, learning_rate, rtol=1e-5, atol=0.0),
        f"{case}: the optimizer's learning rate is {rate:g}, expected {learning_rate:g}",
    )
    expected = count_weights([w for layer in in_block if not _is_bn(layer) for w in layer.trainable_weights])
    expected += count_weights(head.trainable_weights)
    got = count_weights(model.trainable_weights)
    require(got == expected, f"{case}: the model has {got:,} trainable parameters, expected {expected:,}")


def ex06_unfreeze_block(unfreeze_block) -> Verdict:
    """06.1: only the chosen block trains (BatchNorm frozen), the head still does, and the model is recompiled."""

    def body() -> str:
        model, base, head = _unfreeze_model()
        for prefix, rate in (("block_13_", 3e-5), ("block_1_", 1e-4), ("Conv_1", 2e-5)):
            old_optimizer = model.optimizer
            returned = unfreeze_block(model, base, prefix, rate)
            _check_unfrozen(model, base, head, returned, old_optimizer, prefix, rate)
        return (
            "on MobileNetV2 (alpha 0.35, random weights), blocks block_13_, block_1_ and Conv_1 in turn: only the "
            "block's convolutions train, BatchNorm stays frozen, the head trains, and each time the model was "
            "recompiled with the learning rate given"
        )

    return run_check("06.1 unfreeze a chosen block", body)


# ---------------------------------------------------------------- 06.2 feature vector sizes

_SIZE_CASES = (  # (what, (base, input side, alpha), pooling, hint)
    (
        "VGG16 at 150x150, Flatten",
        ("vgg16", 150, 1.0),
        "flatten",
        "trace the side through VGG16's five 2x2 max-poolings ('valid': an odd side is rounded down), then multiply "
        "by the last block's channels",
    ),
    (
        "VGG16 at 150x150, GlobalAveragePooling2D",
        ("vgg16", 150, 1.0),
        "avg",
        "global average pooling keeps one number per channel of the last feature map, whatever its size",
    ),
    (
        "MobileNetV2 at 100x100, Flatten",
        ("mobilenet_v2", 100, 1.0),
        "flatten",
        "MobileNetV2 halves the side five times with stride-2 layers padded so that an odd side is rounded up; "
        "multiply by the channels of its last layer",
    ),
    (
        "MobileNetV2 with alpha=0.5 at 100x100, GlobalAveragePooling2D",
        ("mobilenet_v2", 100, 0.5),
        "avg",
        "alpha thins the network's layers, but read how keras.applications.mobilenet_v2 sets the filters of its "
        "last convolution (`last_block_filters`)",
    ),
)
_SIZES_WHAT = "(VGG16 150 Flatten, VGG16 150 average, MobileNetV2 100 Flatten, MobileNetV2 alpha=0.5 100 average)"


@functools.cache  # a reference built by Keras when first needed, kept for the session
def _base_output_shape(name: str, size: int, alpha: float) -> tuple[int, ...]:
    if name == "vgg16":
        base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(size, size, 3))
    else:
        base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(size, size, 3), alpha=alpha)
    return tuple(int(d) for d in base.output.shape[1:])


def ex06_feature_sizes(feature_sizes) -> Verdict:
    """06.2: the length of the feature vector the head receives, for two bases, two poolings, odd input sizes."""

    def body() -> str:
        got = _answered_numbers(feature_sizes, len(_SIZE_CASES), "06.2", _SIZES_WHAT)
        shapes = {}
        for value, (what, key, pooling, hint) in zip(got, _SIZE_CASES, strict=True):
            if key not in shapes:
                shapes[key] = _base_output_shape(*key)
            expected = int(np.prod(shapes[key])) if pooling == "flatten" else shapes[key][-1]
            require(value == expected, f"{what}: {value:,} is {direction(value, expected)}; {hint}")
        return f"all {len(_SIZE_CASES)} sizes agree with the output shapes of the bases built by Keras"

    return run_check("06.2 feature vector sizes", body)


# ---------------------------------------------------------------- 06.3 trainable parameters of VGG16


@functools.cache
def _vgg_fine_tuning_counts() -> tuple[int, int]:
    """Keras's count for the exercise's network, blocks 4 and 5 unfrozen by the lesson's function."""
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(150, 150, 3))
    lesson.unfreeze_last_block(base, ("block4_", "block5_"))
    inputs = keras.Input((150, 150, 3))
    x = keras.layers.Flatten()(base(inputs))
    x = keras.layers.Dense(256, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(x))
    return count_weights(model.trainable_weights), count_weights(model.non_trainable_weights)


def ex06_vgg_trainable(vgg_parameters) -> Verdict:
    """06.3: (trainable, non-trainable) parameters of VGG16 at 150x150 + Flatten + Dense(256) + Dense(5),
    with blocks 4 and 5 unfrozen by the lesson's ``unfreeze_last_block``."""

    def body() -> str:
        trainable, frozen = _answered_numbers(vgg_parameters, 2, "06.3", "(trainable, non-trainable) parameters")
        want_trainable, want_frozen = _vgg_fine_tuning_counts()
        require(
            trainable == want_trainable,
            f"trainable parameters: {trainable:,} is {direction(trainable, want_trainable)}; a 3x3 convolution "
            "has 3*3*C_in*C_out weights and C_out biases (block4_conv1 receives block 3's 256 channels), and the "
            "new head's two dense layers train too: their input is the flattened 512-channel map at 150x150",
        )
        require(
            frozen == want_frozen,
            f"non-trainable parameters: {frozen:,} is {direction(frozen, want_frozen)}; they are the base's "
            "parameters outside blocks 4 and 5 (the whole base, 14,714,688, is in the lesson's table)",
        )
        return f"Keras counts {want_trainable:,} trainable and {want_frozen:,} non-trainable parameters too"

    return run_check("06.3 trainable parameters when fine-tuning two blocks", body)


# ---------------------------------------------------------------- 06.4 multiply-adds of an inverted residual block


@functools.cache
def _block_16_macs() -> tuple[int, int]:
    """The lesson's layer_macs on MobileNetV2's block_16 at 224x224, and on a full 3x3 convolution beside it."""
    net = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(224, 224, 3))
    block = sum(lesson.layer_macs(layer) for layer in net.layers if layer.name.startswith("block_16_"))
    h, w, c_in = net.get_layer("block_16_expand").input.shape[1:]
    c_out = net.get_layer("block_16_project").output.shape[-1]
    conv = keras.Sequential([keras.Input((h, w, c_in)), keras.layers.Conv2D(c_out, 3, padding="same")])
    return int(block), int(lesson.layer_macs(conv.layers[0]))


def ex06_block_macs(block_macs) -> Verdict:
    """06.4: MACs of MobileNetV2's block_16 at 224x224, and of one full 3x3 convolution 160 -> 320 channels."""

    def body() -> str:
        block, full = _answered_numbers(block_macs, 2, "06.4", "(block_16's MACs, the full 3x3 convolution's MACs)")
        want_block, want_full = _block_16_macs()
        require(
            block == want_block,
            f"block_16: {block:,} is {direction(block, want_block)}; it has three layers with weights, a 1x1 "
            "expansion (6 times the channels), a 3x3 depthwise convolution (one filter per channel) and a 1x1 "
            "projection, all on 7x7 maps; BatchNorm and ReLU6 count none",
        )
        require(
            full == want_full,
            f"full 3x3 convolution: {full:,} is {direction(full, want_full)}; H*W*k*k*C_in*C_out on the block's "
            "7x7 maps",
        )
        return f"block_16: {want_block:,} MACs; one full 3x3 convolution 160 -> 320: {want_full:,} (layer_macs agrees)"

    return run_check("06.4 multiply-adds of an inverted residual block", body)


# ---------------------------------------------------------------- 06.5 Grad-CAM through the transfer classifier


@functools.cache  # the learner's function only calls these networks: build them once per session
def _cam_case(seed: int, size: int, classes: int):
    """A small random base (a few convolutions), a head built as in step 1, and the flat model for the reference."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2")(x)
    x = keras.layers.Conv2D(12, 3, strides=2, padding="same", name="conv3")(x)
    x = keras.layers.ReLU(name="top_relu")(x)
    base = keras.Model(inputs, x, name=f"small_base_{seed}")
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 255, size=(24, size, size, 3)).astype("float32")

    def preprocess(batch):
        return batch / 127.5 - 1.0

    pooled = np.asarray(keras.ops.mean(base(preprocess(images)), axis=(1, 2)))
    head = lesson.build_head(pooled, classes, dropout=0.5)  # the dropout must stay off at inference
    x = keras.layers.GlobalAveragePooling2D()(base.output)
    for layer in head.layers:  # the head's own layers, so that the flat model ends in its dense softmax layer
        x = layer(x)
    flat = keras.Model(base.inputs, x)
    return base, head, preprocess, images[:2], flat


def ex06_grad_cam_transfer(grad_cam_transfer) -> Verdict:
    """06.5: Grad-CAM on a base + head pair, against the lesson's grad_cam on the same network built flat."""

    def body() -> str:
        count = 0
        for seed, size, classes in ((SEED, 32, 4), (SEED + 1, 40, 3)):
            base, head, preprocess, images, flat = _cam_case(seed, size, classes)
            for image in images:
                for class_index in (None, 0):  # the predicted class, and another one
                    case = f"{size}x{size} image, {classes} classes, class_index={class_index}"
                    got = grad_cam_transfer(base, head, preprocess, image.copy(), class_index)
                    want = lesson.grad_cam(flat, preprocess(image), "top_relu", class_index)
                    compare_arrays(got, want, case=case, atol=1e-5, rtol=0.0, name="heatmap")
                    count += 1
        return f"{count} heatmaps agree with the lesson's grad_cam on the same networks built as one flat model"

    return run_check("06.5 Grad-CAM for a transfer classifier", body)


# ---------------------------------------------------------------- 06.6 how few labels are enough?

FEW_LABELS = 5
FAST_RANGE = (0.42, 0.70)  # fast mode, 5 labels per class: 0.52-0.60 over 8 random picks (all 60: 0.77-0.81)


def ex06_few_labels(few_label_head, train_features, train_labels, val_features, val_labels, *, fast=True) -> Verdict:
    """06.6: the step-1 head trained on 5 labelled images per class; its validation accuracy, in the measured range."""

    def body() -> str:
        labels = np.asarray(train_labels)
        classes = np.unique(labels)
        result = few_label_head(train_features, labels, FEW_LABELS)
        require(
            isinstance(result, tuple) and len(result) == 2, "return a pair: (the trained head, the indices it used)"
        )
        head, indices = result
        require(isinstance(head, keras.Model), f"the first item is a {type(head).__name__}: return the trained head")
        indices = np.asarray(indices)
        require(
            indices.ndim == 1 and indices.size and indices.dtype.kind in "iu",
            f"the indices must be a list of whole numbers, got {indices!r}",
        )
        require(len(np.unique(indices)) == len(indices), "an image is picked twice: pick without replacement")
        require(indices.min() >= 0 and indices.max() < len(labels), "an index lies outside the training set")
        counts = {int(c): int(np.sum(labels[indices] == c)) for c in classes}
        require(
            all(n == FEW_LABELS for n in counts.values()),
            f"{FEW_LABELS} images of every class, got {counts} (class: count)",
        )
        norm = [layer for layer in head.layers if isinstance(layer, keras.layers.Normalization)]
        require(bool(norm), "the head has no Normalization layer: build it with build_head, as step 1 does")
        mean = np.ravel(keras.ops.convert_to_numpy(norm[0].mean))
        require(
            np.allclose(mean, np.asarray(train_features)[indices].mean(axis=0), atol=1e-4),
            "the head's standardisation was adapted to other features than the ones picked: "
            "build_head(features[indices], ...)",
        )
        scores = keras.ops.convert_to_numpy(head(np.asarray(val_features, dtype="float32"), training=False))
        accuracy = float(np.mean(np.argmax(scores, axis=1) == np.asarray(val_labels)))
        chance = 1 / len(classes)
        require(
            accuracy > chance + 0.1, f"validation accuracy {accuracy:.3f}, near chance ({chance:.2f}): was it trained?"
        )
        if fast:
            low, high = FAST_RANGE
            require(
                accuracy <= high,
                f"validation accuracy {accuracy:.3f} is above what {FEW_LABELS} labels per class gave when measured "
                f"({low}-{high} in fast mode): was the head trained on more images than it was adapted to?",
            )
            require(
                accuracy >= low,
                f"validation accuracy {accuracy:.3f} is below the fast-mode range {low}-{high}: train as step 1 does "
                "(compile_classifier(head, 1e-3), HEAD_EPOCHS epochs)",
            )
            where = f"within the fast-mode range {low}-{high}"
        else:
            where = "above chance (the range was measured for fast mode only)"
        return f"{FEW_LABELS} labels per class ({len(indices)} images): validation accuracy {accuracy:.3f}, {where}"

    return run_check("06.6 how few labels are enough", body)


def _answered_numbers(answer, count: int, exercise: str, what: str) -> list[int]:
    answered(answer, exercise)
    return whole_numbers(answer, count, what)
