"""The confusion-matrix plot (plots.plot_confusion_matrix)."""

from __future__ import annotations

import numpy as np

from course_utils import plots


def test_plot_confusion_matrix_writes_counts_or_row_fractions():
    import matplotlib

    matplotlib.use("Agg")
    cm = np.array([[3, 1], [0, 4]])
    counts = plots.plot_confusion_matrix(cm, ["a", "b"], title="t")
    assert len(counts.axes) == 1 and counts.axes[0].get_title() == "t"
    assert [t.get_text() for t in counts.axes[0].texts] == ["3", "1", "0", "4"]
    fractions = plots.plot_confusion_matrix(cm, ["a", "b"], normalize=True)
    assert [t.get_text() for t in fractions.axes[0].texts] == ["0.75", "0.25", "0.00", "1.00"]


def _drawn(fig):
    """(vmin, vmax) of every image drawn in a figure, in order."""
    return [ax.images[0].get_clim() for ax in fig.axes if ax.images]


def test_show_images_draws_greyscale_on_a_fixed_range():
    import matplotlib

    matplotlib.use("Agg")
    ramp = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(8, 8)
    dark = 0.5 * ramp  # half as bright: must look darker, not be stretched back to full range
    fig = plots.show_images([ramp, dark, (255 * ramp).astype(np.uint8)])
    assert _drawn(fig) == [(0.0, 1.0), (0.0, 1.0), (0.0, 255.0)]
    assert _drawn(plots.show_images([dark[..., None]], value_range=(0, 2))) == [(0.0, 2.0)]
    assert _drawn(plots.show_images([dark], value_range=None)) == [(0.0, 0.5)]  # each image its own range
    # floats outside [0, 1] (feature maps, raw arrays) keep their own range under "auto"
    assert _drawn(plots.show_images([16 * ramp])) == [(0.0, 16.0)]


def test_show_images_scales_rgb_by_the_range():
    import matplotlib

    matplotlib.use("Agg")
    rgb = np.full((4, 4, 3), 0.5, np.float32)
    drawn = plots.show_images([rgb, 255 * rgb, rgb], value_range="auto").axes
    shown = [np.asarray(ax.images[0].get_array()) for ax in drawn if ax.images]
    np.testing.assert_allclose(shown[0], 0.5)
    np.testing.assert_allclose(shown[1], 0.5)  # floats up to 255 are taken as 0-255
    shown = np.asarray(plots.show_images([rgb], value_range=(0, 2)).axes[0].images[0].get_array())
    np.testing.assert_allclose(shown, 0.25)


def test_drawn_range_refuses_nonsense():
    import pytest

    with pytest.raises(ValueError):
        plots.drawn_range(np.zeros((2, 2)), (1, 1))
    with pytest.raises(ValueError):
        plots.drawn_range(np.zeros((2, 2)), "full")
