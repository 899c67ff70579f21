"""Seeing what a network looks at: gradient saliency and Grad-CAM."""

from __future__ import annotations

import numpy as np


def saliency_map(model, image: np.ndarray, class_index: int | None = None) -> np.ndarray:
    """|d score / d pixel| for one image (H, W, C), max over channels -> (H, W) in [0, 1]."""
    import tensorflow as tf

    x = tf.convert_to_tensor(image[None].astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = model(x, training=False)
        index = int(tf.argmax(scores[0])) if class_index is None else class_index
        score = scores[0, index]
    grad = tf.reduce_max(tf.abs(tape.gradient(score, x))[0], axis=-1).numpy()
    return grad / (grad.max() + 1e-12)


def grad_cam(model, image: np.ndarray, layer_name: str, class_index: int | None = None) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017) heatmap for one image, at the resolution of ``layer_name``.

    The feature maps of ``layer_name`` are weighted by the spatial mean of the gradient of
    the class score with respect to them; the ReLU of the weighted sum, scaled to [0, 1], is
    returned as an (h, w) array. ``model`` must be a functional Keras model.
    """
    import keras
    import tensorflow as tf

    layer = model.get_layer(layer_name)
    grad_model = keras.Model(model.inputs, [layer.output, model.outputs[0]])
    x = tf.convert_to_tensor(image[None].astype(np.float32))
    with tf.GradientTape() as tape:
        features, scores = grad_model(x, training=False)
        index = int(tf.argmax(scores[0])) if class_index is None else class_index
        score = scores[:, index]
    grads = tape.gradient(score, features)
    weights = tf.reduce_mean(grads, axis=(1, 2))  # one weight per channel
    cam = tf.nn.relu(tf.reduce_sum(features * weights[:, None, None, :], axis=-1))[0].numpy()
    return cam / (cam.max() + 1e-12)


def overlay_heatmap(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """Resize ``heatmap`` to the image and blend it in (jet colours); returns RGB in [0, 1]."""
    import matplotlib
    from skimage.transform import resize

    image = np.asarray(image, dtype=np.float32)
    if image.max() > 1.0:
        image = image / 255.0
    if image.ndim == 2 or image.shape[-1] == 1:
        image = np.repeat(image.reshape(image.shape[0], image.shape[1], 1), 3, axis=-1)
    big = resize(heatmap, image.shape[:2], order=1, mode="reflect", anti_aliasing=False)
    colours = matplotlib.colormaps["jet"](big)[..., :3]
    return np.clip((1 - alpha) * image + alpha * colours, 0.0, 1.0)
