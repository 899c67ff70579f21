"""Seconds per epoch of the course FCN on MNIST: plain ``fit`` on NumPy arrays vs ``tf.data``.

Trains the course's fully-connected network (Flatten -> Dense(128, relu) -> Dense(10,
softmax), Adam, categorical cross-entropy, batch 128) on the first 54,000 MNIST training
images (the 10% validation split of notebook 05 held out) with several input and compile
settings, and prints the median seconds per epoch (first epoch, which traces and compiles,
left out), the test accuracy, and the speed-up over the plain ``model.fit(x, y)``. Then two
models of notebook 05 (the FCN with dropout, the CNN) on fewer images, with and without XLA
(``jit_compile``), which does not pay for every model on a CPU.

    python benchmarks/training_speed.py                 # 4 epochs per setting
    python benchmarks/training_speed.py --epochs 6 --repeats 2
    python benchmarks/training_speed.py --xla-images 0  # the plain FCN only

Timings depend on the machine and on what else runs on it; compare ratios, on one machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _settings(steps_per_execution: int):
    """(name, use tf.data, compile options) for every setting measured."""
    spe = {"steps_per_execution": steps_per_execution}
    return [
        ("plain fit(x, y) on NumPy arrays", False, {}),
        (f"NumPy arrays, steps_per_execution={steps_per_execution}", False, spe),
        (f"NumPy arrays, steps_per_execution={steps_per_execution} + jit_compile", False, {**spe, "jit_compile": True}),
        ("tf.data: shuffle, batch, prefetch", True, {}),
        (f"tf.data + steps_per_execution={steps_per_execution}", True, spe),
        (f"tf.data + steps_per_execution={steps_per_execution} + jit_compile", True, {**spe, "jit_compile": True}),
    ]


def measure(x, y, x_test, y_test, *, use_dataset: bool, compile_options: dict, epochs: int, seed: int, build=None):
    """Train one fresh model (the course FCN unless ``build`` is given); return
    (median seconds per epoch, test accuracy)."""
    import keras

    from course_utils.lessons import mnist_models
    from course_utils.lessons.preprocessing import dataset_from_arrays
    from course_utils.measure import training

    keras.utils.set_random_seed(seed)
    model = (build or mnist_models.build_fcn)()
    model.compile(
        optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy", metrics=["accuracy"], **compile_options
    )
    timer = training.EpochTimer()
    if use_dataset:
        model.fit(
            dataset_from_arrays(x, y, batch_size=128, seed=seed, cache=False),
            epochs=epochs,
            shuffle=False,
            verbose=0,
            callbacks=[timer],
        )
    else:
        model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    return timer.seconds_per_epoch(), float(accuracy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4, help="epochs per setting (the first is not timed)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per setting; the fastest counts")
    parser.add_argument("--steps-per-execution", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--xla-images", type=int, default=10000, help="training images for the with/without-XLA comparison (0: skip it)"
    )
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch is not timed)")

    import keras

    import course_utils as cu
    from course_utils.lessons import mnist_models
    from course_utils.measure import training

    mnist = cu.load_mnist(progress=False)
    (x_train, y_train), (x_test, y_test) = mnist
    x = mnist_models.to_model_input(x_train, channels_last=False)
    y = keras.utils.to_categorical(y_train, 10)
    (x_fit, y_fit), _ = training.split_validation(x, y, 0.1)
    x_test = mnist_models.to_model_input(x_test, channels_last=False)
    y_test = keras.utils.to_categorical(y_test, 10)

    rows = []
    start = time.perf_counter()
    for name, use_dataset, options in _settings(args.steps_per_execution):
        runs = [
            measure(
                x_fit,
                y_fit,
                x_test,
                y_test,
                use_dataset=use_dataset,
                compile_options=options,
                epochs=args.epochs,
                seed=args.seed,
            )
            for _ in range(args.repeats)
        ]
        seconds = min(r[0] for r in runs)
        accuracy = runs[int(np.argmin([r[0] for r in runs]))][1]
        rows.append((name, seconds, accuracy))
        print(f"{name:55s} {seconds:6.2f} s/epoch  test accuracy {accuracy:.4f}", flush=True)

    plain = rows[0][1]
    best = min(rows[1:], key=lambda r: r[1])
    print(f"\nfastest: {best[0]} ({best[1]:.2f} s/epoch, test accuracy {best[2]:.4f})")
    print(
        f"ratio plain / fastest = {plain / best[1]:.2f}x   "
        f"({len(x_fit):,} training images, batch 128, {args.epochs} epochs per setting, "
        f"{time.perf_counter() - start:.0f} s in all)"
    )
    if args.xla_images > 0:
        _xla_where_it_does_not_pay(mnist, args)
    return 0


def _xla_where_it_does_not_pay(mnist, args) -> None:
    """FCN + dropout and the course CNN, NumPy arrays + steps_per_execution, with and without jit_compile."""
    import keras

    from course_utils.lessons import mnist_models

    (x_train, y_train), (x_test, y_test) = mnist
    y = keras.utils.to_categorical(y_train[: args.xla_images], 10)
    y_t = keras.utils.to_categorical(y_test, 10)
    spe = {"steps_per_execution": args.steps_per_execution}
    cases = [
        ("FCN + dropout 0.2", lambda: mnist_models.build_fcn(dropout=0.2), False),
        ("CNN (build_cnn())", mnist_models.build_cnn, True),
    ]
    print(
        f"\nwith and without XLA, {args.xla_images:,} training images, NumPy arrays, "
        f"steps_per_execution={args.steps_per_execution}:"
    )
    for label, build, channels in cases:
        x = mnist_models.to_model_input(x_train[: args.xla_images], channels_last=channels)
        x_t = mnist_models.to_model_input(x_test, channels_last=channels)
        seconds = {}
        for jit in (False, True):
            runs = [
                measure(
                    x,
                    y,
                    x_t,
                    y_t,
                    use_dataset=False,
                    compile_options={**spe, "jit_compile": jit},
                    epochs=args.epochs,
                    seed=args.seed,
                    build=build,
                )
                for _ in range(args.repeats)
            ]
            seconds[jit] = min(r[0] for r in runs)
            name = f"{label}" + (" + jit_compile" if jit else "")
            print(f"{name:55s} {seconds[jit]:6.2f} s/epoch  test accuracy {runs[0][1]:.4f}", flush=True)
        print(f"{label}: with / without jit_compile = {seconds[True] / seconds[False]:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
