"""``python -m course_utils run``: the kernel's log, progress, parameters, the summary."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.harness.notebooks import KERNELSPEC, execute
from course_utils.harness.runner import (
    NotebookReport,
    Progress,
    expected_time,
    run_course,
    summary_table,
    unknown_parameters,
)

NOISY = """
import os, sys, warnings
os.write(2, b"native library noise\\n")  # what TensorFlow's C++ logging does
print("kernel stderr line", file=sys.__stderr__)
warnings.warn("a real warning")
"""


def _notebook(path, *cells: str, time_on_cpu: str = "fast ≈ 3 s, full ≈ 5 s") -> str:
    """A small course-like notebook: a title cell, a parameters cell, then ``cells`` (``## `` ones are markdown)."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("FAST = False\nSIZE = 2\nLABEL = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Tiny\n\n**Time on a CPU:** {time_on_cpu}"), params]
    for source in cells:
        new = nbformat.v4.new_markdown_cell if source.startswith("## ") else nbformat.v4.new_code_cell
        nb.cells.append(new(source))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return str(path)


def test_expected_time_picks_the_mode():
    assert expected_time("fast ≈ 15 s, full ≈ 35 s", fast=True) == "≈ 15 s"
    assert expected_time("fast ≈ 15 s, full ≈ 35 s", fast=False) == "≈ 35 s"
    stated = "fast ≈ 50 s, full ≈ 5.5 min (offline images, MobileNetV2)"
    assert expected_time(stated, fast=False) == "≈ 5.5 min (offline images, MobileNetV2)"
    assert expected_time("about 6 s (fast and full mode alike)", fast=True) == "about 6 s (fast and full mode alike)"


def test_summary_shows_headlines_peak_memory_and_errors():
    table = summary_table(
        [
            NotebookReport(
                "01_tiny.ipynb", "ok", 75.0, {"fast_mode": True, "test_accuracy": 0.98765, "n": 3}, peak_memory_mb=1234
            ),
            NotebookReport(
                "05_fcn_and_cnn_on_mnist.ipynb",
                "ok",
                3.0,
                {"fcn_test_accuracy": 0.97, "cnn_test_accuracy": 0.99, "fcn_lowest_recall": 0.9},
                peak_memory_mb=812,
            ),
            NotebookReport("02_bad.ipynb", "failed", 1.0, error="ValueError: x", failing_cell_number=4),
        ]
    )
    assert "test_accuracy 0.988" in table and "fast_mode" not in table  # by default: the accuracies
    assert "fcn_test_accuracy 0.970, cnn_test_accuracy 0.990" in table and "recall" not in table  # HEADLINES
    assert "1.2 GB" in table and "812 MB" in table and "1 min 15 s" in table
    assert "cell 4: ValueError: x" in table and "2 ok, 1 failed" in table


def test_unknown_parameter_lists_each_notebooks_parameters(tmp_path):
    first = tmp_path / "01_a.ipynb"
    _notebook(first, "pass")
    second = tmp_path / "02_b.ipynb"
    nb = nbformat.read(_notebook(second, "pass"), as_version=4)
    nb.cells[1].source += "\nEPOCHS = 3"
    nbformat.write(nb, second)
    assert unknown_parameters([first, second], {"EPOCHS": 1, "SIZE": 4}) is None  # each known to one of them
    message = unknown_parameters([first, second], {"EPOCHS": 1, "EPOCH": 1})
    assert message.startswith("unknown parameter EPOCH: not in the parameters cell of any chosen notebook")
    assert "01_a: FAST=False, SIZE=2, LABEL='x'" in message
    assert "02_b: FAST=False, SIZE=2, LABEL='x', EPOCHS=3" in message


def test_unknown_parameter_is_a_usage_error_before_anything_runs(tmp_path, capsys):
    from course_utils.harness.cli import main

    path = _notebook(tmp_path / "01_a.ipynb", "raise RuntimeError('must not run')")
    build = tmp_path / "build"
    assert run_course([path], build=build, parameters={"SIZ": 3}) == 2
    err = capsys.readouterr().err
    assert "unknown parameter SIZ" in err and "01_a: FAST=False, SIZE=2" in err
    assert not build.exists()
    assert main(["run", path, "-p", "NOPE=1"]) == 2


def test_progress_without_a_terminal_prints_one_line_per_section():
    out = io.StringIO()
    progress = Progress(out)
    assert progress.live is False  # not a terminal
    progress.start(1, 2, Path("01_tiny.ipynb"), "≈ 3 s", 4)
    for cell in [
        nbformat.v4.new_markdown_cell("## Data"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("y = 2"),
        nbformat.v4.new_markdown_cell("Some text\n\n## Training"),
        nbformat.v4.new_markdown_cell("## Training"),
        nbformat.v4.new_code_cell("z = 3"),
    ]:
        progress.on_cell_start(cell=cell, cell_index=0)
    progress.finish(NotebookReport("01_tiny.ipynb", "ok", 2.0, peak_memory_mb=300))
    lines = out.getvalue().splitlines()
    assert lines[0] == "[1/2] 01_tiny, expected ≈ 3 s"
    assert [line.split()[-1] for line in lines[1:3]] == ["Data", "Training"]
    assert lines[3] == "[1/2] 01_tiny: ok, 2.0 s, peak memory 300 MB"
    assert len(lines) == 4 and "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


@pytest.mark.notebooks
def test_run_sends_the_kernels_output_to_its_log(tmp_path, capfd):
    path = _notebook(
        tmp_path / "01_noisy.ipynb",
        "## Making noise",
        NOISY,
        "## Results",
        "import course_utils as cu\ncu.record('test_accuracy', 0.91234)\ncu.record('size', SIZE)",
        "x = bytearray(150_000_000)  # a peak the summary must see",
    )
    build = tmp_path / "build"
    assert run_course([path], fast=True, build=build, parameters={"SIZE": 5}) == 0
    out, err = capfd.readouterr()  # the file descriptors: what a terminal would show
    for noise in ("native library noise", "kernel stderr line", "a real warning", "without encryption"):
        assert noise not in out + err
    log = (build / "logs" / "01_noisy.log").read_text()
    for noise in ("native library noise", "kernel stderr line", "UserWarning: a real warning"):
        assert noise in log
    assert "a real warning" in (build / "html" / "01_noisy.html").read_text()  # the warning stays in the notebook
    # progress: the notebook, its expected time and its sections; then the summary
    assert "[1/1] 01_noisy, expected ≈ 3 s" in out and "Making noise" in out and "Results" in out
    assert "test_accuracy 0.912" in out and "build/logs" in out and "build/html" in out
    report = json.loads((build / "results.json").read_text())["notebooks"]["01_noisy.ipynb"]
    assert report["results"]["size"] == 5 and report["log"].endswith("01_noisy.log")
    if sys.platform.startswith("linux"):
        assert report["peak_memory_mb"] >= 150  # the kernel's, read from /proc while it runs
        assert "MB" in out.split("peak memory")[-1]


def test_execute_and_refresh_restore_the_environment(tmp_path, monkeypatch):
    import shutil

    import papermill

    from course_utils.harness.notebooks import refresh

    seen = []

    def fake_execute_notebook(input_path, output_path, **kwargs):
        seen.append((os.environ.get("COURSE_HEADLESS"), os.environ.get("COURSE_FAST")))
        shutil.copy(input_path, output_path)

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute_notebook)
    path = _notebook(tmp_path / "01_env.ipynb", "pass")
    monkeypatch.delenv("COURSE_HEADLESS", raising=False)
    monkeypatch.setenv("COURSE_FAST", "0")
    execute(path, tmp_path / "out.ipynb", fast=True)
    assert "COURSE_HEADLESS" not in os.environ and os.environ["COURSE_FAST"] == "0"
    monkeypatch.setenv("COURSE_HEADLESS", "0")
    execute(path, tmp_path / "out.ipynb", fast=False)
    assert os.environ["COURSE_HEADLESS"] == "0" and os.environ["COURSE_FAST"] == "0"
    monkeypatch.delenv("COURSE_FAST")
    refresh(path)
    assert os.environ["COURSE_HEADLESS"] == "0" and "COURSE_FAST" not in os.environ
    assert seen == [("1", "1"), ("1", None), ("1", "1")]  # what the kernels saw
