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
