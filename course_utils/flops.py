"""FLOPs counted from the layers' shapes, for notebook 07.

The count itself is lesson code: notebook 06 writes ``layer_macs`` and ``count_macs`` and
``course_utils.lessons.transfer`` exports them. TensorFlow's profiler
(``efficiency.count_flops``) is the independent reference the counts are checked against.
"""

from __future__ import annotations


def analytic_flops(model) -> int:
    """2 x the multiply-adds of every convolution and dense layer for one input (a multiply-add is 2 FLOPs)."""
    from .lessons.transfer import count_macs

    return 2 * count_macs(model)
