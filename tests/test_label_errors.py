"""Confident learning as notebook 05 writes it (course_utils.lessons.mnist_models): thresholds and label issues."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.lessons import mnist_models


def _noisy_problem(n: int = 600, classes: int = 4, flips: int = 12, seed: int = 0, spread: float = 0.5):
    """Confident, correct probabilities for n examples (logit noise `spread`), then `flips` labels changed."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, classes, size=n)
    logits = rng.normal(0.0, spread, size=(n, classes))
    logits[np.arange(n), truth] += 5.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = truth.copy()
    flipped = rng.choice(n, size=flips, replace=False)
    labels[flipped] = (truth[flipped] + rng.integers(1, classes, size=flips)) % classes
    return probs, labels, truth, flipped


def test_thresholds_are_the_mean_self_confidence_per_class():
    probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.2, 0.8], [0.6, 0.4]])
    labels = np.array([0, 0, 1, 1])
    np.testing.assert_allclose(mnist_models.per_class_thresholds(probs, labels), [0.8, 0.6])
    # a class nobody is labelled with gets no threshold anyone can reach
    assert mnist_models.per_class_thresholds(probs, np.array([0, 0, 0, 0]))[1] == np.inf


def test_finds_the_flipped_labels_and_suggests_the_true_class():
    # every example as confident as the next, and every class given some wrong labels: each class's threshold
    # is diluted below that confidence, so every flipped example reaches its true class's threshold
    probs, labels, truth, flipped = _noisy_problem(spread=0.0, seed=1)
    assert set(labels[flipped].tolist()) == {0, 1, 2, 3}
    issues, suggested = mnist_models.confident_label_issues(probs, labels)
    assert set(issues.tolist()) == set(flipped.tolist())
    np.testing.assert_array_equal(suggested, truth[issues])


def test_below_average_confidence_is_missed_but_nothing_clean_is_flagged():
    # with noisier probabilities a flipped example whose true class gets less than that class's average
    # probability is not counted: confident learning trades recall for precision
    probs, labels, _, flipped = _noisy_problem()
    issues, _ = mnist_models.confident_label_issues(probs, labels)
    assert set(issues.tolist()) <= set(flipped.tolist())
    assert len(flipped) / 2 <= len(issues) < len(flipped)


def test_issues_are_ranked_by_the_probability_of_the_given_label():
    probs, labels, _, _ = _noisy_problem(seed=3)
    issues, _ = mnist_models.confident_label_issues(probs, labels)
    given = probs[issues, labels[issues]]
    assert len(issues) > 1 and np.all(np.diff(given) >= 0)


def test_thresholds_are_per_class_not_one_cut_off():
    # class 1 is never predicted above 0.6: an example labelled 0 with p(1) = 0.56 still counts under 1
    probs = np.array([[0.9, 0.1], [0.95, 0.05], [0.44, 0.56], [0.5, 0.5], [0.4, 0.6]])
    labels = np.array([0, 0, 0, 1, 1])  # thresholds: 0 -> 0.7633, 1 -> 0.55
    issues, suggested = mnist_models.confident_label_issues(probs, labels)
    assert issues.tolist() == [2] and suggested.tolist() == [1]


def test_an_example_confident_in_no_class_is_not_flagged():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.1, 0.9], [0.5, 0.5]])
    labels = np.array([0, 0, 1, 1, 0])  # the last example reaches neither threshold (0.7667, 0.9)
    issues, _ = mnist_models.confident_label_issues(probs, labels)
    assert 4 not in issues.tolist()


@pytest.mark.parametrize("labels", [np.array([0, 1, 1]), [0, 1, 1]])
def test_clean_labels_give_no_issues(labels):
    probs = np.array([[0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    issues, suggested = mnist_models.confident_label_issues(probs, labels)
    assert issues.size == 0 and suggested.size == 0
