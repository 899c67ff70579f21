"""FLOPs counted from the layers' shapes, without tracing a graph.

``efficiency.count_flops`` asks TensorFlow's profiler, which first freezes the weights into the
graph: for VGG16 that copies 553 MB and takes about a minute on a laptop. Counting the
multiply-adds of the convolutions and dense layers from their shapes is instant and, for
networks made of them, within a few percent of the profiler (which also counts biases,
activations and normalisation).
"""

from __future__ import annotations

import numpy as np


def _prod(shape) -> int:
    return int(np.prod([int(d) for d in shape])) if len(shape) else 1


def layer_macs(layer) -> int:
    """Multiply-accumulates of one forward pass of one layer for one input (0 if not counted)."""
    from keras import layers

    if isinstance(layer, layers.DepthwiseConv2D):
        out = layer.output.shape  # (None, H, W, C_in * multiplier)
        kh, kw = layer.kernel_size
        return _prod(out[1:]) * kh * kw
    if isinstance(layer, layers.Conv2D):
        out = layer.output.shape
        kh, kw = layer.kernel_size
        c_in = int(layer.input.shape[-1]) // getattr(layer, "groups", 1)
        return _prod(out[1:]) * kh * kw * c_in
    if isinstance(layer, layers.Dense):
        inp = layer.input.shape
        return _prod(inp[1:-1]) * int(inp[-1]) * int(layer.units)
    return 0


def analytic_flops(model) -> int:
    """2 x the multiply-accumulates of every Conv2D, DepthwiseConv2D and Dense layer, for one
    input (the profiler's convention: a multiply-add is 2 FLOPs)."""
    return 2 * sum(layer_macs(layer) for layer in _all_layers(model))


def _all_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from _all_layers(layer)
        else:
            yield layer
