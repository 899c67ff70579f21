import numpy as np
import pytest

from course_utils.data.scarcity import balanced_order, epochs_for


def test_balanced_order_is_a_permutation_with_balanced_prefixes():
    labels = np.repeat(np.arange(10), [50, 60, 55, 70, 52, 51, 58, 66, 53, 59])
    order = balanced_order(labels, seed=1)
    assert sorted(order.tolist()) == list(range(len(labels)))
    for n in (10, 100, 300):
        counts = np.bincount(labels[order[:n]], minlength=10)
        assert counts.max() - counts.min() <= 1


def test_balanced_order_depends_on_seed_only():
    labels = np.arange(200) % 10
    assert np.array_equal(balanced_order(labels, 3), balanced_order(labels, 3))
    assert not np.array_equal(balanced_order(labels, 3), balanced_order(labels, 4))


def test_epochs_for():
    assert epochs_for(60000, 128, 3, 100) == 3
    assert epochs_for(100, 64, 2, 100) == 50  # 2 steps per epoch
    with pytest.raises(ValueError):
        epochs_for(0, 64, 1, 1)
