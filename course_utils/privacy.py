"""Membership inference: does a model give away which examples it was trained on?

The loss-threshold attack (Yeom et al., 2018, "Privacy Risk in Machine Learning: Analyzing the
Connection to Overfitting") guesses "member" when the model's loss on an example is low.
"""

from __future__ import annotations

import numpy as np


def per_example_loss(probabilities: np.ndarray, labels: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """Cross-entropy of each example, from predicted class probabilities (N, C) and labels (N,)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    picked = probabilities[np.arange(len(labels)), labels]
    return -np.log(np.clip(picked, eps, 1.0))


def loss_threshold_attack(member_losses: np.ndarray, nonmember_losses: np.ndarray) -> dict:
    """Score the loss-threshold attack: members are predicted where loss <= threshold.

    Returns ``auc`` (area under the ROC curve: 0.5 is guessing), ``advantage`` (the best
    TPR - FPR over all thresholds, Yeom et al.'s membership advantage), and the ``threshold``,
    ``tpr`` and ``fpr`` where that best advantage is reached.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    member_losses = np.asarray(member_losses, dtype=np.float64)
    nonmember_losses = np.asarray(nonmember_losses, dtype=np.float64)
    if len(member_losses) == 0 or len(nonmember_losses) == 0:
        raise ValueError("need members and non-members")
    is_member = np.r_[np.ones(len(member_losses)), np.zeros(len(nonmember_losses))]
    score = -np.r_[member_losses, nonmember_losses]  # low loss -> high membership score
    fpr, tpr, thresholds = roc_curve(is_member, score)
    best = int(np.argmax(tpr - fpr))
    return {
        "auc": float(roc_auc_score(is_member, score)),
        "advantage": float(tpr[best] - fpr[best]),
        "threshold": float(-thresholds[best]) if np.isfinite(thresholds[best]) else float("inf"),
        "tpr": float(tpr[best]),
        "fpr": float(fpr[best]),
    }


def per_example_loss_from_logits(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy of each example from logits (N, C), computed stably in float64.

    Prefer it to :func:`per_example_loss` for confident models: a float32 softmax rounds
    probabilities above 1 - 6e-8 to exactly 1, so many losses become exactly 0 and tie.
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    rows = np.arange(len(labels))
    gaps = logits - logits[rows, labels][:, None]  # 0 for the true class
    top = gaps.max(axis=1)  # >= 0
    gaps[rows, labels] = -np.inf
    others = np.exp(gaps - top[:, None]).sum(axis=1)  # the other classes, relative to the top
    # loss = log(sum_j exp(gap_j)); log1p keeps tiny losses of confident, correct predictions
    return np.where(top == 0, np.log1p(others), top + np.log(np.exp(-top) + others))


def softmax_logits(model, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """The logits of a Keras classifier whose last layer is ``Dense(..., activation="softmax")``:
    the last layer's input times its kernel, plus its bias."""
    import keras

    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense) or last.activation is not keras.activations.softmax:
        raise ValueError("the model's last layer must be a Dense layer with a softmax activation")
    hidden = keras.Model(model.inputs, last.input).predict(x, batch_size=batch_size, verbose=0)
    kernel, bias = last.get_weights()
    return hidden.astype(np.float64) @ kernel.astype(np.float64) + bias.astype(np.float64)
