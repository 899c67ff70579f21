"""Plain-text progress: one line per epoch or run, and estimates before long steps."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.measure.progress import EpochLine, duration, estimate, runs


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.25, "0.2 s"), (42.4, "42 s"), (185, "3 min 05 s"), (3720, "1 h 02 min"), (-1, "0.0 s")],
)
def test_duration_reads_as_people_write_it(seconds, text):
    assert duration(seconds) == text


def test_epoch_line_prints_one_line_per_epoch_and_always_the_last(capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.zeros((8, 3), "float32"), np.zeros(8, "int64")
    model.fit(x, y, epochs=5, verbose=0, callbacks=[EpochLine("tiny", every=2, metrics=["loss"])])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(" · ")[1] for line in lines] == ["epoch 2/5", "epoch 4/5", "epoch 5/5"]
    assert all(line.startswith("tiny · ") and " · loss " in line and "accuracy" not in line for line in lines)
    assert "\r" not in "".join(lines)


def test_epoch_line_refuses_a_zero_interval():
    with pytest.raises(ValueError, match="every"):
        EpochLine(every=0)


def test_runs_yields_every_item_and_reports_each(capsys):
    assert list(runs(["a", "b"], label="seed")) == ["a", "b"]
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("seed 1/2 (a) done in ") and lines[1].startswith("seed 2/2 (b) done in ")


def test_estimate_names_the_step_the_time_and_its_basis(capsys):
    estimate("Features for 600 images", 95, basis="measured 0.16 s per image")
    assert capsys.readouterr().out.strip() == (
        "Features for 600 images: expected to take about 1 min 35 s on this machine (measured 0.16 s per image)"
    )
