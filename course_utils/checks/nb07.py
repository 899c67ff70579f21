"""Checks for notebook 07's exercises (where deep learning goes next).

Every reference is computed when the check runs: scikit-learn's PCA and ROC curve, the lesson's
multiply-add count (cross-checked with TensorFlow's profiler), the lesson's TensorFlow Lite
conversion, and the losses of the learner's own trained models.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import threadpool_limits

from course_utils.checks import Verdict, answered, require, run_check

# ---------------------------------------------------------------------------------------------
# 07.1 · The best linear code


def _flat(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float64)
    return images.reshape(len(images), -1)


def _pca_mse(train, test, k: int) -> float:
    """Reference: scikit-learn's PCA with k components, fitted on ``train``, rebuilding ``test``."""
    from sklearn.decomposition import PCA

    pca = PCA(k, svd_solver="covariance_eigh").fit(train)  # exact, and fast for many more rows than columns
    return float(np.mean((pca.inverse_transform(pca.transform(test)) - test) ** 2))


def _uncentred_mse(train, test, k: int) -> float:
    """A wrong answer: the top-k directions of the raw (uncentred) pixels."""
    _, _, vt = np.linalg.svd(train, full_matrices=False)
    return float(np.mean((test @ vt[:k].T @ vt[:k] - test) ** 2))


def _close(got: float, expected: float) -> bool:
    """Equal up to float32-level round-off (a learner may compute in float32)."""
    return abs(got - expected) <= 1e-4 * max(abs(expected), 1e-3) + 1e-9


def _linear_code_cases(images, test_images):
    rng = np.random.default_rng(2024)
    for dim, rank, k in ((40, 5, 5), (40, 5, 2), (60, 30, 12), (25, 25, 1)):
        mixing = rng.normal(size=(rank, dim))
        offset = rng.normal(3.0, 1.0, size=dim)  # a mean far from 0: forgetting to centre shows
        train = rng.normal(size=(300, rank)) @ mixing + offset + 0.1 * rng.normal(size=(300, dim))
        test = rng.normal(size=(120, rank)) @ mixing + offset + 0.1 * rng.normal(size=(120, dim))
        yield f"random data, {dim} features of rank {rank}, k = {k}", train, test, k
    train = rng.normal(size=(200, 30))
    yield "k equal to the number of features (30): the rebuild is exact", train, rng.normal(size=(50, 30)), 30
    for k in (2, 16):
        yield f"MNIST, k = {k}", images, test_images, k


def ex07_linear_code(linear_code_mse, images, test_images, autoencoder_mse=None) -> Verdict:
    """07.1: ``linear_code_mse(train_images, test_images, k)`` against scikit-learn's PCA."""

    def body() -> str:
        with threadpool_limits(1, user_api="blas"):  # small SVDs: one BLAS thread is faster than competing ones
            return compare()

    def compare() -> str:
        found = {}
        for case, train, test, k in _linear_code_cases(images, test_images):
            got = linear_code_mse(train, test, k)
            require(got is not None, f"{case}: your function returned None; did you forget a `return`?")
            try:
                got = float(got)
            except (TypeError, ValueError):
                require(False, f"{case}: return one number (the mean squared error), not {type(got).__name__}")
            train64, test64 = _flat(train), _flat(test)
            expected = _pca_mse(train64, test64, k)
            if _close(got, expected):
                found[k] = got
                continue
            hint = ""
            if _close(got, _uncentred_mse(train64, test64, k)):
                hint = " It matches a code without centring: subtract the training images' mean first."
            elif _close(got, _pca_mse(test64, test64, k)):
                hint = " It matches a code fitted on the test images: fit on the training images only."
            elif k > 1 and _close(got, _pca_mse(train64, test64, k - 1)):
                hint = " It matches k - 1 components: keep the first k rows of Vᵀ."
            elif k < train64.shape[1] and _close(got, _pca_mse(train64, test64, k + 1)):
                hint = " It matches k + 1 components: keep the first k rows of Vᵀ."
            side = "too high" if got > expected else "too low"
            require(False, f"{case}: mean squared error {got:.6g} is {side} (PCA gives {expected:.6g}).{hint}")
        message = "matches scikit-learn's PCA on 5 random data sets and on MNIST"
        if autoencoder_mse:
            parts = [f"{k}-D: linear {found[k]:.4f}, autoencoder {autoencoder_mse[k]:.4f}" for k in (2, 16)]
            message += " (test MSE " + "; ".join(parts) + ")"
        return message

    return run_check("07.1 the best linear code", body)


# ---------------------------------------------------------------------------------------------
# 07.2 · A threshold chosen on shadow data


def _advantage_at(member_losses, nonmember_losses, threshold: float) -> float:
    return float(np.mean(member_losses <= threshold) - np.mean(nonmember_losses <= threshold))


def _best_threshold_advantages(member_losses, nonmember_losses, shadow_members, shadow_nonmembers):
    """Target advantages of the best threshold on the shadow data (the lowest one if several tie, as
    ``loss_threshold_attack`` chooses); the first is the reference.

    The best threshold a and the next shadow loss b flag the same shadow examples with "loss <= a" and
    "loss < b", so the target advantage of either is a right answer.
    """
    from sklearn.metrics import roc_curve

    is_member = np.r_[np.ones(len(shadow_members)), np.zeros(len(shadow_nonmembers))]
    fpr, tpr, thresholds = roc_curve(is_member, -np.r_[shadow_members, shadow_nonmembers], drop_intermediate=False)
    best = int(np.argmax(tpr - fpr))
    low = -thresholds[best]  # a loss threshold; -inf (flag nobody) when nothing beats guessing
    high = -thresholds[best + 1] if best + 1 < len(thresholds) else np.inf
    return [
        _advantage_at(member_losses, nonmember_losses, low),
        float(np.mean(member_losses < high) - np.mean(nonmember_losses < high)),
    ]


def _loss_cases():
    rng = np.random.default_rng(7)

    def draw(mu, sigma, n):
        return np.exp(rng.normal(mu, sigma, n))

    for i in range(8):
        mu_in, sigma = rng.uniform(-4, -2), rng.uniform(1.0, 2.0)
        mu_out = mu_in + rng.uniform(0.5, 2.5)
        shift = rng.uniform(-0.7, 0.7)  # the shadow data behave a little differently
        sizes = rng.integers(100, 600, size=4)
        yield (
            f"random case {i + 1}",
            draw(mu_in, sigma, sizes[0]),
            draw(mu_out, sigma, sizes[1]),
            draw(mu_in + shift, sigma, sizes[2]),
            draw(mu_out + shift, sigma, sizes[3]),
        )
    for i in range(20):  # members and non-members alike: the true advantage is 0
        yield f"no leak, data set {i + 1}", *(draw(-1.0, 1.0, n) for n in (100, 100, 400, 400))
    yield (
        "shadow data from a more overfitted model",
        draw(-2.0, 1.0, 300),
        draw(-0.5, 1.0, 300),
        draw(-4.0, 1.0, 300),
        draw(-1.5, 1.0, 300),
    )
    yield "40 members, 900 non-members", draw(-3, 1, 40), draw(-1, 1, 900), draw(-3, 1, 60), draw(-1, 1, 700)
    case = [draw(-3.0, 1.5, 200).astype(np.float32) for _ in range(2)] + [draw(-1.5, 1.5, 200) for _ in range(2)]
    yield "float32 losses", case[0], case[2], case[1], case[3]
    yield "Python lists", *(draw(mu, 1.2, 150).tolist() for mu in (-3.0, -1.5, -3.0, -1.5))


def _compare_advantage(got, losses, case: str) -> None:
    member, nonmember, shadow_member, shadow_nonmember = (np.asarray(v, dtype=np.float64) for v in losses)
    require(got is not None, f"{case}: your function returned None; did you forget a `return`?")
    try:
        got = float(got)
    except (TypeError, ValueError):
        require(False, f"{case}: return one number (TPR - FPR), not {type(got).__name__}")
    accepted = _best_threshold_advantages(member, nonmember, shadow_member, shadow_nonmember)
    if any(abs(got - value) <= 1e-9 for value in accepted):
        return
    from course_utils.lessons.frontiers import loss_threshold_attack

    expected = accepted[0]
    optimistic = loss_threshold_attack(member, nonmember)["advantage"]
    on_shadow = loss_threshold_attack(shadow_member, shadow_nonmember)["advantage"]
    if abs(got - optimistic) <= 1e-9:
        hint = (
            "it is the best advantage on the scored data itself: the threshold was chosen on the data it is "
            "scored on (too optimistic); choose it on the shadow losses"
        )
    elif abs(got - on_shadow) <= 1e-9:
        hint = "it is the advantage on the shadow data; score the chosen threshold on the target's losses"
    elif abs(got + expected) <= 1e-9 and expected != 0:
        hint = (
            "it has the opposite sign: members are the images with LOW loss (flag loss <= threshold), and the "
            "advantage is TPR - FPR, the share of members flagged minus that of non-members"
        )
    else:
        reversed_rule = [
            float(np.mean(member >= t) - np.mean(nonmember >= t))
            for t in np.r_[shadow_member, shadow_nonmember, -np.inf, np.inf]
        ]
        if any(abs(got - value) <= 1e-9 for value in reversed_rule):
            hint = "it flags high losses: members are the images with LOW loss (member if loss <= threshold)"
        else:
            hint = "flag 'member' when loss <= threshold, the threshold maximising TPR - FPR on the shadow losses"
    require(False, f"{case}: advantage {got:.4f}, expected {expected:.4f}; {hint}.")


def ex07_shadow_attack(attack_advantage) -> Verdict:
    """07.2: ``attack_advantage(member, nonmember, shadow_member, shadow_nonmember)`` on 32 sets of losses."""

    def body() -> str:
        from course_utils.lessons.frontiers import loss_threshold_attack

        count, no_leak = 0, []
        for case, *losses in _loss_cases():
            got = attack_advantage(*[value.copy() if hasattr(value, "copy") else value for value in losses])
            _compare_advantage(got, losses, case)
            count += 1
            if case.startswith("no leak"):
                no_leak.append((float(got), loss_threshold_attack(*losses[:2])["advantage"]))
        yours, optimistic = np.mean(no_leak, axis=0)
        return (
            f"matches the advantage of the best shadow threshold (scikit-learn's roc_curve) on {count} sets of "
            f"losses. On the {len(no_leak)} without a leak, yours averages {yours:.3f}; a threshold chosen on the "
            f"scored losses would average {optimistic:.3f}"
        )

    return run_check("07.2 a threshold chosen on shadow data", body)


# ---------------------------------------------------------------------------------------------
# 07.3 · Two regularisers: leak and generalisation gap

# Measured with the exercise's recipe (one Dense(512) layer, batch 32, seed 42), then widened for other
# machines. Fast mode (500 members, 20 epochs): weight decay advantage 0.204, accuracy gap 0.138, loss
# gap 0.309; dropout 0.296, 0.126, 0.406. Full mode (1,000 members, 100 epochs): weight decay 0.110,
# 0.097, 0.202; dropout 0.324, 0.082, 0.478.
PRIVACY_RANGES = {
    True: {
        "weight decay": {"advantage": (0.12, 0.29), "accuracy gap": (0.08, 0.20), "loss gap": (0.22, 0.40)},
        "dropout": {"advantage": (0.21, 0.38), "accuracy gap": (0.07, 0.19), "loss gap": (0.30, 0.50)},
    },
    False: {
        "weight decay": {"advantage": (0.04, 0.20), "accuracy gap": (0.05, 0.15), "loss gap": (0.12, 0.30)},
        "dropout": {"advantage": (0.22, 0.42), "accuracy gap": (0.04, 0.14), "loss gap": (0.36, 0.60)},
    },
}
WEIGHT_DECAY, DROPOUT, HIDDEN = 1e-2, 0.5, 512


def _check_knob(name: str, model) -> None:
    import keras

    require(isinstance(model, keras.Model), f"{name}: 'model' must be the trained Keras model, not {type(model)}")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    require(
        len(dense) == 2 and dense[0].units == HIDDEN and dense[1].units == 10,
        f"{name}: expected the lesson's FCN, Dense({HIDDEN}) then Dense(10); found Dense layers of "
        f"{[layer.units for layer in dense]} units",
    )
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout) and layer.rate > 0]
    l2 = [getattr(layer.kernel_regularizer, "l2", None) for layer in dense]
    if name == "weight decay":
        require(
            all(value is not None and abs(value - WEIGHT_DECAY) < 1e-9 for value in l2),
            f"weight decay: both Dense layers need kernel_regularizer=keras.regularizers.L2({WEIGHT_DECAY}); "
            f"found L2 factors {l2}",
        )
        require(not rates, f"weight decay: change one knob only; this model also has dropout {rates}")
    else:
        require(rates == [DROPOUT], f"dropout: expected one Dropout({DROPOUT}) after Dense({HIDDEN}); found {rates}")
        require(all(value is None for value in l2), "dropout: change one knob only; this model also has weight decay")
    optimizer = getattr(model, "optimizer", None)
    require(optimizer is not None and int(optimizer.iterations) > 0, f"{name}: the model has not been trained")


def _privacy_measures(model, x, y, members, nonmembers):
    """The split losses (scored halves, then the attacker's halves), both gaps and the non-members' accuracy."""
    from course_utils.lessons.frontiers import per_example_loss_from_logits, softmax_logits

    # the members and the non-members in separate calls, as the lesson's losses_of computes them
    logits_in, logits_out = softmax_logits(model, x[members]), softmax_logits(model, x[nonmembers])
    loss_in = per_example_loss_from_logits(logits_in, y[members])
    loss_out = per_example_loss_from_logits(logits_out, y[nonmembers])
    half_in, half_out = len(members) // 2, len(nonmembers) // 2
    correct_in, correct_out = np.argmax(logits_in, 1) == y[members], np.argmax(logits_out, 1) == y[nonmembers]
    return (loss_in[half_in:], loss_out[half_out:], loss_in[:half_in], loss_out[:half_out]), {
        "accuracy gap": float(np.mean(correct_in) - np.mean(correct_out)),
        "loss gap": float(np.mean(loss_out) - np.mean(loss_in)),
        "non-member accuracy": float(np.mean(correct_out)),
    }


def _describe(measured: dict) -> str:
    return ", ".join(f"{key} {value:.3f}" for key, value in measured.items())


def ex07_regularisers(runs, x, y, members, nonmembers, *, fast: bool, baseline=None) -> Verdict:
    """07.3: each run's model has its knob; its advantage and gaps are recomputed and within range."""

    def body() -> str:
        answered(runs, "07.3")
        require(
            isinstance(runs, dict) and set(runs) == {"weight decay", "dropout"},
            "privacy_runs must be a dict with the keys 'weight decay' and 'dropout'",
        )
        lines = []
        for name in ("weight decay", "dropout"):
            run = runs[name]
            keys = {"model", "advantage", "accuracy gap", "loss gap"}
            require(isinstance(run, dict) and keys <= set(run), f"{name}: record a dict with the keys {sorted(keys)}")
            _check_knob(name, run["model"])
            losses, measured = _privacy_measures(run["model"], x, y, members, nonmembers)
            _compare_advantage(run["advantage"], losses, f"{name}, advantage")
            for key in ("accuracy gap", "loss gap"):
                require(
                    abs(float(run[key]) - measured[key]) <= 1e-3,
                    f"{name}, {key}: you recorded {float(run[key]):.4f}, the model gives {measured[key]:.4f} "
                    "(accuracy on the members minus on the non-members; mean loss of the non-members minus "
                    "that of the members)",
                )
            measured = {"advantage": float(run["advantage"])} | measured
            mode = "fast" if fast else "full"
            for key, (low, high) in PRIVACY_RANGES[bool(fast)][name].items():
                require(
                    low <= measured[key] <= high,
                    f"{name}, {key} {measured[key]:.3f} is outside the range measured in {mode} mode [{low}, {high}]: "
                    "train on all the members for PRIVACY_EPOCHS epochs, batch 32, seed SEED, as in the lesson",
                )
            lines.append(f"{name}: {_describe(measured)}")
        if baseline is not None:  # the lesson's overfitted model, attacked the same way
            losses, measured = _privacy_measures(baseline, x, y, members, nonmembers)
            advantage = _best_threshold_advantages(*losses)[0]
            lines.append(f"no regulariser (the lesson's model): {_describe({'advantage': advantage} | measured)}")
        return "recomputed from your models. " + "; ".join(lines)

    return run_check("07.3 two regularisers", body)


# ---------------------------------------------------------------------------------------------
# 07.4 · Multiply-adds of a depthwise-separable convolution


def _conv_models():
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 32))
    standard = keras.Model(inputs, layers.Conv2D(64, 3, strides=2, padding="same")(inputs))
    x = layers.DepthwiseConv2D(3, strides=2, padding="same")(inputs)
    separable = keras.Model(inputs, layers.Conv2D(64, 1)(x))
    return {"standard": standard, "separable": separable}


def ex07_separable_macs(predicted_macs) -> Verdict:
    """07.4: multiply-adds of a standard and a depthwise-separable strided convolution, exactly."""
    from course_utils.lessons.transfer import count_macs
    from course_utils.measure import efficiency

    def body() -> str:
        answered(predicted_macs, "07.4")
        require(
            isinstance(predicted_macs, dict) and set(predicted_macs) == {"standard", "separable"},
            "predicted_macs must be a dict with the keys 'standard' and 'separable'",
        )
        models = _conv_models()
        counts = {name: count_macs(model) for name, model in models.items()}
        for name in ("standard", "separable"):
            got = predicted_macs[name]
            answered(got, "07.4")
            require(isinstance(got, (int, np.integer)), f"{name}: give a whole number of multiply-adds, not {got!r}")
            expected = counts[name]
            if got == expected:
                continue
            hint = "multiply-adds = output positions × kernel height × width × input channels per filter × filters"
            if got == 4 * expected:
                hint = "4 times too many: a stride of 2 with 'same' padding gives 14 × 14 output positions, not 28 × 28"
            elif name == "separable" and got == 14 * 14 * 32 * 64:
                hint = "that is the 1 × 1 convolution alone: add the depthwise 3 × 3 convolution"
            elif name == "separable" and got == 14 * 14 * 9 * 32 * 64 + 14 * 14 * 32 * 64:
                hint = "a depthwise convolution has one 3 × 3 filter per input channel, and no sum over channels"
            side = "too high" if got > expected else "too low"
            require(False, f"{name}: {got:,} multiply-adds is {side}; {hint}")
        profiled = {name: efficiency.count_flops(model) for name, model in models.items()}
        for name in counts:  # the profiler also counts the bias additions
            require(abs(profiled[name] / (2 * counts[name]) - 1) < 0.05, f"{name}: the profiler disagrees")
        ratio = counts["standard"] / counts["separable"]
        return (
            f"{counts['standard']:,} and {counts['separable']:,} multiply-adds (count_macs; TensorFlow's profiler "
            f"agrees within bias additions): the separable version needs {ratio:.1f} times fewer"
        )

    return run_check("07.4 a depthwise-separable convolution", body)


# ---------------------------------------------------------------------------------------------
# 07.5 · The size of a .tflite file


def _narrow_fcn():
    import keras
    from keras import layers

    model = keras.Sequential(
        [keras.Input((28, 28)), layers.Flatten()]
        + [layers.Dense(30, activation="relu") for _ in range(5)]
        + [layers.Dense(10, activation="softmax")],
        name="narrow_fcn",
    )
    rng = np.random.default_rng(0)  # weights as after training: biases not zero
    model.set_weights([rng.normal(0.0, 0.1, size=w.shape).astype(np.float32) for w in model.get_weights()])
    return model


@functools.lru_cache(maxsize=1)
def _tflite_kb() -> dict[str, float]:
    import tensorflow as tf

    from course_utils.lessons.frontiers import convert_to_tflite

    model = _narrow_fcn()
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # the conversion logs where it wrote its temporary files
    try:
        return {
            "float32": len(convert_to_tflite(model)) / 1e3,
            "int8": len(convert_to_tflite(model, quantize=True)) / 1e3,
            "parameters": model.count_params(),
        }
    finally:
        logger.setLevel(level)


TFLITE_TOLERANCE = 0.15


def ex07_tflite_size(predicted_kb) -> Verdict:
    """07.5: the sizes of the float32 and the dynamic-range int8 .tflite files, within 15%."""

    def body() -> str:
        answered(predicted_kb, "07.5")
        require(
            isinstance(predicted_kb, dict) and set(predicted_kb) == {"float32", "int8"},
            "predicted_kb must be a dict with the keys 'float32' and 'int8'",
        )
        actual = _tflite_kb()
        for name in ("float32", "int8"):
            got = predicted_kb[name]
            answered(got, "07.5")
            require(isinstance(got, (int, float, np.number)), f"{name}: give a number of KB, not {got!r}")
            error = float(got) / actual[name] - 1
            if abs(error) <= TFLITE_TOLERANCE:
                continue
            side = "too high" if error > 0 else "too low"
            if name == "float32":
                hint = "a float32 file stores 4 bytes per parameter, plus a few KB for the graph"
            else:
                hint = (
                    "only tensors of at least 1,024 elements are stored as 1-byte integers; smaller kernels "
                    "and the biases stay float32 (4 bytes each)"
                )
            require(False, f"{name}: {float(got):.1f} KB is {side} by {abs(error):.0%} (tolerance 15%); {hint}")
        return (
            f"the converter wrote {actual['float32']:.1f} KB (float32) and {actual['int8']:.1f} KB (int8) for "
            f"{actual['parameters']:,} parameters: int8 is only {actual['float32'] / actual['int8']:.1f} times smaller"
        )

    return run_check("07.5 the size of a .tflite file", body)
