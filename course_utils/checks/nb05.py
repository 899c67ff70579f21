"""Checks for the exercises of notebook 05 (a fully-connected network on MNIST, then a CNN).

References are computed when a check runs: gradients with ``tf.GradientTape``, parameter counts from models
built then by the lesson's ``build_fcn`` and ``build_cnn`` (as exported from the notebook to
``course_utils.lessons.mnist_models``), Adam's update by ``keras.optimizers.Adam``, F1 scores by scikit-learn,
and the experiment's test accuracy by evaluating the model handed in on the MNIST test images.
"""

from __future__ import annotations

import functools
import math
import numbers

import keras
import numpy as np

from course_utils.checks import (
    CaseFailed,
    Verdict,
    answered,
    compare_arrays,
    count_weights,
    direction,
    require,
    run_check,
    whole_numbers,
)
from course_utils.lessons import mnist_models

SEED = 505


# ---------------------------------------------------------------- 05.1 a dense layer, forward and backward

# (batch, inputs, outputs): square layers (a transposed dW has the right shape there), batch 1, one input
_DENSE_SHAPES = ((4, 3, 5), (1, 7, 2), (16, 6, 6), (5, 1, 3), (8, 10, 10), (2, 9, 4))


def _dense_cases():
    rng = np.random.default_rng(SEED)
    shapes = list(_DENSE_SHAPES) + [tuple(int(s) for s in rng.integers(1, 13, size=3)) for _ in range(6)]
    for batch, n_in, n_out in shapes:
        x = rng.normal(size=(batch, n_in))
        w = rng.normal(size=(n_in, n_out))
        b = rng.normal(size=n_out)
        dy = rng.normal(size=(batch, n_out))
        yield f"batch {batch}, {n_in} inputs, {n_out} outputs", x, w, b, dy


def _tape_reference(x, w, b, dy):
    """y = x W + b and the gradients of L = sum(y * dy), so that dL/dy = dy, from GradientTape in float64."""
    import tensorflow as tf

    xv, wv, bv = (tf.Variable(a, dtype=tf.float64) for a in (x, w, b))
    with tf.GradientTape() as tape:
        y = tf.matmul(xv, wv) + bv
        loss = tf.reduce_sum(y * tf.constant(dy, dtype=tf.float64))
    dx, dw, db = tape.gradient(loss, [xv, wv, bv])
    return y.numpy(), dx.numpy(), dw.numpy(), db.numpy()


def _diagnose_gradient(name: str, got, want, batch: int, case: str) -> None:
    """Name the usual mistakes before the generic comparison."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return  # compare_arrays says what is wrong with it
    if got.shape == want.shape and np.allclose(got, want, atol=1e-9):
        return
    if name == "dW" and got.shape == want.T.shape and (got.shape != want.shape or np.allclose(got, want.T)):
        raise CaseFailed(
            f"{case}: dW looks transposed (shape {got.shape}, W has shape {want.shape}); dW[i, j] pairs input i "
            "with output j, summed over the batch"
        )
    if name == "db" and got.shape == (batch, *want.shape):
        raise CaseFailed(
            f"{case}: db has shape {got.shape}, one row per example; the bias is shared by the whole batch, so "
            "its gradient is summed over the batch: shape (outputs,)"
        )
    if got.shape == want.shape and np.any(want) and np.allclose(got, -want, atol=1e-9):
        raise CaseFailed(
            f"{case}: {name} has the wrong sign; return the gradient dL/d{name[1:]}, not the step -dL/d{name[1:]}: "
            "the optimizer subtracts it"
        )
    if got.shape == want.shape and batch > 1 and name in ("dW", "db") and np.allclose(got * batch, want, atol=1e-9):
        raise CaseFailed(f"{case}: {name} is averaged over the batch; L is a sum over the examples: sum, not mean")


def ex05_dense_layer(dense_forward, dense_backward) -> Verdict:
    """05.1: y = x W + b and its gradients (dx, dW, db) in NumPy, against GradientTape on random layers."""

    def body() -> str:
        count = 0
        for case, x, w, b, dy in _dense_cases():
            y_want, dx_want, dw_want, db_want = _tape_reference(x, w, b, dy)
            y = dense_forward(x.copy(), w.copy(), b.copy())
            compare_arrays(y, y_want, case=case, atol=1e-10, rtol=1e-10, name="dense_forward's y")
            result = dense_backward(dy.copy(), x.copy(), w.copy())
            require(
                isinstance(result, tuple | list) and len(result) == 3,
                f"{case}: dense_backward returned {type(result).__name__}; return three arrays (dx, dW, db)",
            )
            for name, got, want in zip(("dx", "dW", "db"), result, (dx_want, dw_want, db_want), strict=True):
                _diagnose_gradient(name, got, want, len(x), case)
                compare_arrays(got, want, case=case, atol=1e-10, rtol=1e-10, name=name)
            count += 1
        return f"y, dx, dW and db match GradientTape (float64, to 1e-10) on {count} random layers"

    return run_check("05.1 a dense layer, forward and backward", body)


# ---------------------------------------------------------------- 05.2 parameters of a deeper FCN with BN

_FCN_HIDDEN = (256, 64)
_FCN_WHAT = "(parameters without batch norm, parameters with batch norm, trainable ones with batch norm)"


@functools.cache
def _fcn_counts() -> tuple[int, int, int]:
    plain = mnist_models.build_fcn(hidden=_FCN_HIDDEN)
    with_bn = mnist_models.build_fcn(hidden=_FCN_HIDDEN, batch_norm=True)
    return plain.count_params(), with_bn.count_params(), count_weights(with_bn.trainable_weights)


def ex05_fcn_parameters(fcn_parameters) -> Verdict:
    """05.2: parameters of build_fcn(hidden=(256, 64)), with and without batch normalisation, and the trainable ones."""

    def body() -> str:
        plain, with_bn, trainable = _answered_numbers(fcn_parameters, 3, "05.2", _FCN_WHAT)
        want_plain, want_bn, want_trainable = _fcn_counts()
        units = sum(_FCN_HIDDEN)
        require(
            plain != want_plain - units - 10,
            f"without batch norm: {plain:,} leaves out the biases; every Dense unit has one",
        )
        require(
            plain == want_plain,
            f"without batch norm: {plain:,} is {direction(plain, want_plain)}; a Dense layer from n inputs to m "
            "units has n*m weights and m biases, and the first one sees the 28*28 flattened pixels",
        )
        require(
            with_bn != want_bn + units,
            f"with batch norm: {with_bn:,} counts a bias in the Dense layers before BatchNormalization; build_fcn "
            "drops it (use_bias=False): BN's shift (beta) does its job",
        )
        require(
            with_bn != want_bn - 2 * units,
            f"with batch norm: {with_bn:,} leaves out BN's moving mean and variance; Keras counts them as "
            "parameters too (not trainable)",
        )
        require(
            with_bn == want_bn,
            f"with batch norm: {with_bn:,} is {direction(with_bn, want_bn)}; each BatchNormalization layer holds "
            "four vectors of one number per unit (gamma, beta, moving mean, moving variance)",
        )
        require(
            trainable != want_bn,
            f"trainable with batch norm: {trainable:,} is the total; the moving mean and variance are not trained "
            "by gradients, fit() updates them as running averages",
        )
        require(
            trainable == want_trainable,
            f"trainable with batch norm: {trainable:,} is {direction(trainable, want_trainable)}; of BN's four "
            "vectors, gamma and beta train",
        )
        return f"Keras counts {want_plain:,}, {want_bn:,} and {want_trainable:,} too"

    return run_check("05.2 parameters of a deeper FCN", body)


# ---------------------------------------------------------------- 05.3 parameters of a CNN on colour images

_CNN_SPEC = {"input_shape": (30, 30, 3), "filters": (16, 32), "dense": 64}
_CNN_WHAT = "(parameters in the convolutions, parameters in the whole model)"


@functools.cache
def _cnn_counts() -> tuple[int, int, int]:
    model = mnist_models.build_cnn(**_CNN_SPEC)
    conv = sum(layer.count_params() for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    flat = int(np.prod(model.get_layer("flatten").output.shape[1:]))
    return conv, model.count_params(), flat


def ex05_cnn_parameters(cnn_parameters) -> Verdict:
    """05.3: parameters of build_cnn(input_shape=(30, 30, 3), filters=(16, 32), dense=64): convolutions, total."""

    def body() -> str:
        conv, total = _answered_numbers(cnn_parameters, 2, "05.3", _CNN_WHAT)
        want_conv, want_total, flat = _cnn_counts()
        f1, f2 = _CNN_SPEC["filters"]
        require(
            conv != want_conv - 9 * 2 * f1,
            f"convolutions: {conv:,} treats the image as greyscale; conv1's kernels are 3x3x3, one slice per "
            "colour channel",
        )
        require(
            conv != want_conv - f1 - f2,
            f"convolutions: {conv:,} leaves out the biases; every filter has one",
        )
        require(
            conv == want_conv,
            f"convolutions: {conv:,} is {direction(conv, want_conv)}; a 3x3 convolution from C_in to C_out "
            "channels has 3*3*C_in*C_out weights and C_out biases",
        )
        dense, side = _CNN_SPEC["dense"], _CNN_SPEC["input_shape"][0]
        rounded_up = math.ceil(math.ceil(side / 2) / 2)  # halved and rounded up twice: 30 -> 15 -> 8
        require(
            total != want_total + (rounded_up**2 * f2 - flat) * dense,
            f"total: {total:,} rounds the odd side up when pooling; MaxPooling2D(2) (padding 'valid') drops the "
            "last row and column: 15 -> 7",
        )
        require(
            total != want_total + ((side // 2) ** 2 * f2 - flat) * dense,
            f"total: {total:,} pools once; the CNN has two Conv2D + MaxPooling2D blocks, one per entry of filters",
        )
        require(
            total == want_total,
            f"total: {total:,} is {direction(total, want_total)}; the convolutions use padding 'same' (size kept), "
            "each pooling halves the side (rounding down), Flatten feeds Dense(64), then Dense(10)",
        )
        return f"Keras counts {want_conv:,} parameters in the convolutions and {want_total:,} in all"

    return run_check("05.3 parameters of a CNN on colour images", body)


# ---------------------------------------------------------------- 05.4 one Adam step by hand

_ADAM_SETTINGS = ((1e-3, 0.9, 0.999, 1e-7), (0.05, 0.8, 0.99, 1e-7), (2e-3, 0.5, 0.9, 1e-4))
_ADAM_STEPS = 5


def _adam_reference(w0, grads, learning_rate, beta_1, beta_2, epsilon):
    """Weights, first and second moments after each step of keras.optimizers.Adam, float64 variables."""
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    w = keras.Variable(w0, dtype="float64")
    states = []
    for g in grads:
        optimizer.apply_gradients([(tf.constant(g, dtype=tf.float64), w)])
        by_path = {v.path: np.array(v.numpy()) for v in optimizer.variables}
        m = next(v for p, v in by_path.items() if p.endswith("_momentum"))
        v = next(v for p, v in by_path.items() if p.endswith("_velocity"))
        states.append((np.array(w.numpy()), m, v))
    return states


def ex05_adam_step(adam_step) -> Verdict:
    """05.4: Adam's update in NumPy, step by step against keras.optimizers.Adam."""

    def body() -> str:
        rng = np.random.default_rng(SEED + 4)
        count = 0
        for (rate, beta_1, beta_2, eps), shape in zip(_ADAM_SETTINGS, ((3, 4), (7,), (2, 3, 2)), strict=True):
            w0 = rng.normal(size=shape)
            grads = [rng.normal(scale=s, size=shape) for s in rng.uniform(0.05, 2.0, size=_ADAM_STEPS)]
            reference = _adam_reference(w0, grads, rate, beta_1, beta_2, eps)
            w, m, v = w0.copy(), np.zeros(shape), np.zeros(shape)
            settings = f"learning_rate={rate:g}, beta_1={beta_1:g}, beta_2={beta_2:g}, epsilon={eps:g}"
            for t, (g, (w_want, m_want, v_want)) in enumerate(zip(grads, reference, strict=True), start=1):
                case = f"{settings}, step t={t}, shape {shape}"
                result = adam_step(w.copy(), g.copy(), m.copy(), v.copy(), t, rate, beta_1, beta_2, eps)
                require(
                    isinstance(result, tuple | list) and len(result) == 3,
                    f"{case}: adam_step returned {type(result).__name__}; return (w, m, v)",
                )
                new_w, new_m, new_v = result
                compare_arrays(new_m, m_want, case=case, atol=1e-12, rtol=1e-9, name="m (first moment)")
                compare_arrays(new_v, v_want, case=case, atol=1e-12, rtol=1e-9, name="v (second moment)")
                step, step_want = np.asarray(new_w, dtype=np.float64) - w, w_want - w
                if np.shape(step) == step_want.shape and np.all(np.isfinite(step)):
                    size = float(np.max(np.abs(step_want)))
                    error = float(np.max(np.abs(step - step_want))) / size
                    # 1e-4: Keras rounds beta_1 and beta_2 to float32 before raising them to the power t (1e-5)
                    if error > 1e-4:
                        ratio = float(
                            np.dot(step.ravel(), step_want.ravel()) / np.dot(step_want.ravel(), step_want.ravel())
                        )
                        if ratio < 0:
                            hint = "it goes the other way: subtract the step, the gradient points uphill"
                        elif 0.9 < ratio < 1.1:
                            hint = (
                                f"it differs from Keras's by up to {error:.2g} of its size; close: Keras adds epsilon "
                                "to sqrt(v) and puts both corrections in the learning rate (see its `epsilon`)"
                            )
                        else:
                            hint = f"it is {ratio:.3g} times as long as Keras's"
                            if t == 1:
                                hint += "; did you correct m and v for starting at zero (divide by 1 - beta**t)?"
                        raise CaseFailed(f"{case}: m and v are right, but not your step w_new - w: {hint}")
                compare_arrays(new_w, w_want, case=case, atol=1e-9, rtol=1e-7, name="w")
                w, m, v = (np.asarray(a, dtype=np.float64) for a in result)
                count += 1
        return f"w, m and v match keras.optimizers.Adam after each of {count} steps (3 settings, float64)"

    return run_check("05.4 one Adam step by hand", body)


# ---------------------------------------------------------------- 05.5 macro-F1 from the confusion matrix


def _f1_cases():
    """(case, labels, predictions, classes): random, a class never predicted, a class never present, perfect."""
    rng = np.random.default_rng(SEED + 5)
    for k, n in ((10, 300), (3, 40), (5, 60)):
        y = rng.integers(0, k, size=n)
        p = np.where(rng.random(n) < 0.7, y, rng.integers(0, k, size=n))
        yield f"{k} classes, {n} random labels", y, p, k
    y = rng.integers(0, 4, size=50)
    yield "4 classes, class 3 never predicted", y, np.where(y == 3, 0, y), 4
    y = rng.integers(0, 4, size=50)
    p = np.where(rng.random(50) < 0.8, y, 3)
    yield "5 classes, class 4 neither present nor predicted, class 3 predicted but absent", np.where(y == 3, 1, y), p, 5
    y = rng.integers(0, 6, size=30)
    yield "6 classes, every prediction right", y, y.copy(), 6
    y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 2])
    yield "3 unbalanced classes", y, np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 0]), 3


def ex05_macro_f1(f1_scores) -> Verdict:
    """05.5: per-class F1 and macro-F1 from a confusion matrix, against scikit-learn's f1_score."""

    def body() -> str:
        from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

        count = 0
        for case, y, p, k in _f1_cases():
            labels = list(range(k))
            cm = confusion_matrix(y, p, labels=labels)
            per_class_want = f1_score(y, p, labels=labels, average=None, zero_division=0)
            macro_want = f1_score(y, p, labels=labels, average="macro", zero_division=0)
            result = f1_scores(cm.copy())
            require(
                isinstance(result, tuple | list) and len(result) == 2,
                f"{case}: f1_scores returned {type(result).__name__}; return (per-class F1 array, macro-F1)",
            )
            per_class, macro = result
            require(
                not np.any(np.isnan(np.asarray(per_class, dtype=np.float64))),
                f"{case}: the per-class F1 holds NaN; where 2TP + FP + FN is 0 (a class never present and never "
                "predicted), count F1 as 0",
            )
            compare_arrays(per_class, per_class_want, case=case, atol=1e-9, rtol=0, name="per-class F1")
            require(
                isinstance(macro, numbers.Real) or np.ndim(macro) == 0,
                f"{case}: macro-F1 must be one number, got {np.shape(macro)}",
            )
            macro = float(macro)
            require(not np.isnan(macro), f"{case}: macro-F1 is NaN; a class with no F1 (0/0) counts as 0")
            if abs(macro - macro_want) > 1e-9:
                weighted = f1_score(y, p, labels=labels, average="weighted", zero_division=0)
                mp = precision_score(y, p, labels=labels, average="macro", zero_division=0)
                mr = recall_score(y, p, labels=labels, average="macro", zero_division=0)
                if abs(macro - accuracy_score(y, p)) < 1e-9:
                    why = "it is the accuracy (the micro average); macro-F1 is the plain mean of the per-class F1"
                elif abs(macro - weighted) < 1e-9:
                    why = "it is weighted by each class's images; macro-F1 gives every class the same weight"
                elif mp + mr and abs(macro - 2 * mp * mr / (mp + mr)) < 1e-9:
                    why = "it is the harmonic mean of the mean precision and mean recall; average the F1 scores"
                else:
                    why = f"it is {direction(macro, macro_want)}; macro-F1 is the mean of the {k} per-class F1"
                raise CaseFailed(f"{case}: macro-F1 {macro:.6f}, scikit-learn says {macro_want:.6f}: {why}")
            count += 1
        return f"per-class F1 and macro-F1 match sklearn.metrics.f1_score(zero_division=0) on {count} matrices"

    return run_check("05.5 macro-F1 from the confusion matrix", body)


# ---------------------------------------------------------------- 05.6 experiment: dropout 0.5

DROPOUT_RATE = 0.5
# Test accuracy of train_variant(lambda: build_fcn(dropout=0.5), 1e-3, VARIANT_EPOCHS, []), measured on a 2-core CPU:
# fast mode (15,000 images, 2 epochs): 0.9182 (dropout 0.0: 0.9238, 0.2: 0.9262, 0.3: 0.9229);
# full mode (60,000 images, 10 epochs): 0.9732 (dropout 0.2: 0.9772).
ACCURACY_RANGE = {True: (0.905, 0.932), False: (0.965, 0.980)}


@functools.cache
def _mnist_test() -> tuple[np.ndarray, np.ndarray]:
    from course_utils import load_mnist

    _, (images, labels) = load_mnist(progress=False)
    return mnist_models.to_model_input(images, channels_last=False), np.asarray(labels)


def _layer_summary(model) -> list[tuple]:
    summary = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            summary.append(("Dense", layer.units, layer.use_bias))
        elif not isinstance(layer, keras.layers.Dropout):
            summary.append((type(layer).__name__,))
    return summary


def ex05_dropout_experiment(model, test_accuracy, *, baseline, fast: bool) -> Verdict:
    """05.6: the '+ dropout 0.2' variant with dropout 0.5: the knob changed, nothing else, accuracy in range."""

    def body() -> str:
        answered(model, "05.6")
        answered(test_accuracy, "05.6")
        require(isinstance(model, keras.Model), f"pass the trained Keras model, not {type(model).__name__}")
        rates = [float(layer.rate) for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
        base_rates = [float(layer.rate) for layer in baseline.layers if isinstance(layer, keras.layers.Dropout)]
        require(bool(rates), "the model has no Dropout layer: build it with build_fcn(dropout=...)")
        require(
            rates != base_rates,
            f"the model's dropout rate is {rates[0]:g}, the lesson's: change the knob to {DROPOUT_RATE:g}",
        )
        require(
            all(np.isclose(r, DROPOUT_RATE) for r in rates) and len(rates) == len(base_rates),
            f"dropout rates {rates}; the experiment asks for one Dropout layer with rate {DROPOUT_RATE:g}",
        )
        require(
            _layer_summary(model) == _layer_summary(baseline),
            "the layers differ from the '+ dropout 0.2' variant's in more than the dropout rate: change one knob",
        )
        steps, base_steps = int(model.optimizer.iterations), int(baseline.optimizer.iterations)
        require(
            steps == base_steps,
            f"the model made {steps:,} training steps, the lesson's variant {base_steps:,}: train it as the variants "
            "are trained (train_variant, the same images and VARIANT_EPOCHS)",
        )
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        require(np.isclose(rate, 1e-3), f"learning rate {rate:g}; the variant trains with Adam's 1e-3")
        x_test, y_test = _mnist_test()
        probabilities = keras.ops.convert_to_numpy(model.predict(x_test, batch_size=1024, verbose=0))
        accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test))
        require(
            isinstance(test_accuracy, numbers.Real) and abs(float(test_accuracy) - accuracy) < 1e-4,
            f"the accuracy you recorded ({test_accuracy!r}) is not this model's: it gets {accuracy:.4f} on the "
            "10,000 test images",
        )
        low, high = ACCURACY_RANGE[bool(fast)]
        mode = "fast" if fast else "full"
        require(
            low <= accuracy <= high,
            f"test accuracy {accuracy:.4f} is {'above' if accuracy > high else 'below'} the range measured in "
            f"{mode} mode, {low}-{high}: was it trained as train_variant trains the variants, from the seed?",
        )
        base_probabilities = keras.ops.convert_to_numpy(baseline.predict(x_test, batch_size=1024, verbose=0))
        base_accuracy = float(np.mean(base_probabilities.argmax(axis=1) == y_test))
        return (
            f"dropout {DROPOUT_RATE:g}, everything else as the lesson's variant; test accuracy {accuracy:.4f} "
            f"(dropout {base_rates[0]:g}: {base_accuracy:.4f}), within the {mode}-mode range {low}-{high}"
        )

    return run_check("05.6 experiment: dropout 0.5", body)


def _answered_numbers(answer, count: int, exercise: str, what: str) -> list[int]:
    answered(answer, exercise)
    return whole_numbers(answer, count, what)
