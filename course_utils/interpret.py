"""Kept while notebook 07 still calls ``interpret.overlay_heatmap``; the function lives in ``course_utils.plots``.

Grad-CAM and saliency are lesson code: notebook 06 writes them (``course_utils.lessons.transfer``).
"""

from __future__ import annotations

from .plots import overlay_heatmap

__all__ = ["overlay_heatmap"]
