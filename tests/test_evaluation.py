"""Confusion matrix, per-class metrics and the most confident mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import evaluation


def test_confusion_matrix_counts_true_rows_predicted_columns():
    cm = evaluation.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cm.sum() == 6


def test_confusion_matrix_agrees_with_scikit_learn():
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    np.testing.assert_array_equal(evaluation.confusion_matrix(y, p, 10), confusion_matrix(y, p, labels=range(10)))


def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError):
        evaluation.confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError):
        evaluation.confusion_matrix([0, 1], [0], num_classes=3)


def test_per_class_metrics_match_scikit_learn():
    from sklearn.metrics import precision_recall_fscore_support

    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 300)
    p = np.where(rng.random(300) < 0.7, y, rng.integers(0, 4, 300))
    table = evaluation.per_class_metrics(evaluation.confusion_matrix(y, p, 4), ["a", "b", "c", "d"])
    precision, recall, f1, support = precision_recall_fscore_support(y, p, labels=range(4))
    np.testing.assert_allclose(table["precision"], precision)
    np.testing.assert_allclose(table["recall"], recall)
    np.testing.assert_allclose(table["f1"], f1)
    assert table["support"].tolist() == support.tolist()
    assert list(table.index) == ["a", "b", "c", "d"]


def test_class_never_predicted_has_zero_precision():
    table = evaluation.per_class_metrics(evaluation.confusion_matrix([0, 1], [0, 0], 2))
    assert table["precision"].tolist() == [0.5, 0.0]
    assert table["recall"].tolist() == [1.0, 0.0]


def test_most_confident_mistakes_worst_first():
    probs = np.array(
        [
            [0.9, 0.1],  # right
            [0.6, 0.4],  # wrong (true 1), confidence 0.6
            [0.05, 0.95],  # wrong (true 0), confidence 0.95
            [0.2, 0.8],  # right
        ]
    )
    y = np.array([0, 1, 0, 1])
    assert evaluation.most_confident_mistakes(probs, y, k=5).tolist() == [2, 1]
    assert evaluation.most_confident_mistakes(probs, y, k=1).tolist() == [2]
    assert evaluation.most_confident_mistakes(probs[[0, 3]], y[[0, 3]]).size == 0


def test_plot_confusion_matrix_returns_a_figure():
    import matplotlib

    matplotlib.use("Agg")
    fig = evaluation.plot_confusion_matrix(np.eye(3, dtype=int) * 5, ["a", "b", "c"], normalize=True)
    assert len(fig.axes) == 1
