"""06 · VGG16 and transfer learning from ImageNet: the code this lesson teaches.

Generated from notebooks/06_vgg16_transfer_learning.ipynb by ``python -m course_utils export``.
Do not edit: change the notebook's "#| export" cells and export again.
"""


from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from course_utils import applications


def layer_macs(layer):
    """Multiply-adds of one layer for one input; 0 for layers without any (pooling, activations, ...)."""
    if isinstance(layer, keras.layers.DepthwiseConv2D):  # one k x k filter per channel (MobileNetV2)
        h, w, channels = layer.output.shape[1:]
        k1, k2 = layer.kernel_size
        return h * w * k1 * k2 * channels
    if isinstance(layer, keras.layers.Conv2D):  # every output value is a k x k x C_in dot product
        h, w, c_out = layer.output.shape[1:]
        k1, k2 = layer.kernel_size
        return h * w * k1 * k2 * (layer.input.shape[-1] // layer.groups) * c_out
    if isinstance(layer, keras.layers.Dense):  # one per weight, at every position of its input
        positions = int(np.prod(layer.input.shape[1:-1]))
        return positions * int(np.prod(layer.kernel.shape))
    return 0


def count_macs(model):
    """Multiply-adds of one forward pass for one input, models nested inside ``model`` included."""
    return sum(count_macs(layer) if isinstance(layer, keras.Model) else layer_macs(layer) for layer in model.layers)


def build_base(name, input_size, weights=None):
    """The convolutional base of a Keras application: no dense top, square RGB inputs of ``input_size``."""
    constructor = applications.builder(name)  # e.g. keras.applications.vgg16.VGG16
    return constructor(include_top=False, weights=weights, input_shape=(input_size, input_size, 3))


def extract_features(base, preprocess, dataset):
    """Every batch of ``(images, labels)`` once through the frozen base, average-pooled.

    Returns ``(features, labels)`` as NumPy arrays, in the dataset's order.
    """

    @tf.function(input_signature=[tf.TensorSpec((None, *base.input.shape[1:]), tf.float32)])  # any batch size
    def embed(x):  # traced once, then every batch (the last, smaller one too) runs as one graph
        return tf.reduce_mean(base(preprocess(x), training=False), axis=(1, 2))

    features, labels = [], []
    for x, y in dataset:
        features.append(embed(tf.cast(x, tf.float32)).numpy())
        labels.append(np.asarray(y))
    return np.concatenate(features), np.concatenate(labels)


def cached_features(path, compute):
    """``compute()`` once and keep its ``(features, labels)`` in ``path`` (.npz); later calls read the file."""
    path = Path(path)
    if path.is_file():
        with np.load(path) as data:
            return data["features"], data["labels"]
    features, labels = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, features=features, labels=labels)
    return features, labels


def build_head(features, num_classes, *, dropout=0.3, name="head"):
    """The new top, uncompiled: standardise (with the statistics of ``features``) -> dropout -> dense softmax."""
    standardise = keras.layers.Normalization(name=f"{name}_standardise")
    standardise.adapt(features)
    return keras.Sequential(
        [
            keras.Input((features.shape[-1],)),
            standardise,
            keras.layers.Dropout(dropout, name=f"{name}_dropout"),
            keras.layers.Dense(num_classes, activation="softmax", name=f"{name}_dense"),
        ],
        name=name,
    )


def build_classifier(base, preprocess, head, input_size, *, augment=None, name="transfer"):
    """images (0-255) -> [augment] -> preprocess -> base -> average pool -> head."""
    inputs = keras.Input((input_size, input_size, 3), name="image")
    x = augment(inputs) if augment is not None else inputs
    x = preprocess(x)
    x = base(x, training=False)  # inference mode when called directly; fit() overrides it (step 3)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, head(x), name=name)


def last_block_layers(base, prefixes):
    """The layers with weights whose names start with one of ``prefixes``: the block fine-tuning unfreezes."""
    return [layer for layer in base.layers if layer.name.startswith(tuple(prefixes)) and layer.weights]


def unfreeze_last_block(base, prefixes):
    """Make only the last block trainable, BatchNorm layers excepted; returns the layers that now train.

    Compile the model again afterwards: the optimizer updates what was trainable when ``compile`` ran.
    """
    base.trainable = True  # the model itself: while it is False, none of its layers trains
    block = last_block_layers(base, prefixes)
    for layer in base.layers:  # then each layer: the block's train, BatchNorm and the rest stay frozen
        layer.trainable = layer in block and not isinstance(layer, keras.layers.BatchNormalization)
    return [layer for layer in block if layer.trainable]


class PreSoftmax(keras.layers.Layer):
    """``x @ kernel + bias`` of a Dense layer, with that layer's own weights (shared, not copied)."""

    def __init__(self, dense, **kwargs):
        super().__init__(**kwargs)
        self.dense = dense

    def call(self, x):
        z = keras.ops.matmul(x, keras.ops.cast(self.dense.kernel, x.dtype))
        return z if self.dense.bias is None else z + keras.ops.cast(self.dense.bias, x.dtype)


def pre_softmax_scores(model):
    """A model with ``model``'s input whose output is the class scores before its final softmax (the logits)."""
    last, node_index, _ = model.outputs[0]._keras_history  # the layer that made the output, and which call of it
    if not (isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax):
        raise ValueError(
            f"the last layer of {model.name!r} is {last.name!r} ({type(last).__name__}), not a Dense layer with a "
            "softmax activation: there is no pre-softmax class score to take"
        )
    features = last._inbound_nodes[node_index].input_tensors[0]  # its input in this model (it may be shared)
    logits = PreSoftmax(last, name=f"{last.name}_logits")(features)
    return keras.Model(single_input(model), logits, name=f"{model.name}_logits")


def single_input(model):
    """The model's input tensor (a list only for models with several inputs)."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def grad_cam(model, image, layer_name, class_index=None):
    """Grad-CAM heatmap (h, w) in [0, 1] for one image, at the resolution of the layer ``layer_name``.

    The class score is the one before the softmax; ``class_index`` defaults to the predicted class;
    ``model`` must be a functional Keras model ending in a Dense softmax layer.
    """
    logits = pre_softmax_scores(model)
    grad_model = keras.Model(
        single_input(model), [model.get_layer(layer_name).output, logits.output]
    )  # maps and scores
    x = tf.convert_to_tensor(image[None].astype(np.float32))
    with tf.GradientTape() as tape:
        features, scores = grad_model(x, training=False)
        index = int(tf.argmax(scores[0])) if class_index is None else class_index
        score = scores[:, index]
    grads = tape.gradient(score, features)
    channel_weights = tf.reduce_mean(grads, axis=(1, 2))  # alpha_k: one weight per channel
    cam = tf.nn.relu(tf.reduce_sum(features * channel_weights[:, None, None, :], axis=-1))[0].numpy()
    return cam / (cam.max() + 1e-12)


def saliency_map(model, image, class_index=None):
    """|d score / d pixel| for one image (H, W, C), the maximum over channels: an (H, W) map in [0, 1].

    The score is the class score before the softmax (``pre_softmax_scores``).
    """
    logits = pre_softmax_scores(model)
    x = tf.convert_to_tensor(image[None].astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)  # a constant: the tape follows only variables unless told otherwise
        scores = logits(x, training=False)
        index = int(tf.argmax(scores[0])) if class_index is None else class_index
        score = scores[0, index]
    grad = tf.reduce_max(tf.abs(tape.gradient(score, x))[0], axis=-1).numpy()
    return grad / (grad.max() + 1e-12)


def train_with_strategy(
    build_model_fn, dataset_fn, strategy=None, *, epochs=1, steps_per_epoch=None, mixed_precision=None, verbose=0
):
    """Build a model inside ``strategy.scope()`` and train it there; returns ``(model, history)``.

    ``build_model_fn()`` returns a compiled model; ``dataset_fn(input_context)`` returns one input
    pipeline's dataset, batched per replica. ``mixed_precision``: a dtype policy such as
    ``"mixed_float16"``, in force while the model is built and trained.
    """
    strategy = strategy or tf.distribute.get_strategy()  # the default: this one device
    previous = keras.config.dtype_policy()
    if mixed_precision:
        keras.config.set_dtype_policy(mixed_precision)
    try:
        with strategy.scope():  # variables created here are mirrored on every replica
            model = build_model_fn()
        dataset = strategy.distribute_datasets_from_function(dataset_fn)  # each pipeline reads its shard
        history = model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=verbose)
    finally:
        keras.config.set_dtype_policy(previous)
    return model, history
