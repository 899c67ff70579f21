"""Committed notebooks carry the outputs of a full-mode run, and those outputs are current.

The fingerprint covers the code cells, the stored run's parameters and the generated lesson modules a
notebook uses; change any of them and the notebook must be run again (``refresh --full``).
"""

from __future__ import annotations

import nbformat
import pytest

from course_utils.harness.notebooks import OUTPUTS_LINE, build, clean, has_stored_outputs, notebook_paths
from course_utils.harness.notebooks import policy_problems as notebook_policy_problems
from course_utils.harness.stored import (
    BUDGET_BYTES,
    WIDGET_MIME,
    as_displayed,
    fingerprint,
    lesson_modules_used,
    run_parameters,
    smaller_image,
    store_outputs,
    stored_problems,
)

NOTEBOOKS = notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_carries_current_full_mode_outputs(path):
    assert stored_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_plain_and_error_free(path):
    nb = nbformat.read(path, as_version=4)
    assert notebook_policy_problems(nb) == []
    streams = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if "text" in o]
    assert not [s for s in streams if "\r" in s or "\x08" in s], "progress bars: print one line per epoch instead"
    assert not [s for s in streams if "cpu_feature_guard" in s or "cuda_platform" in s], "native log lines"
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    if path.stem != "00_start_here":
        assert images > 0, "a full run of every lesson notebook draws figures"


def _executed_copy(source, target, *, outputs):
    nb = nbformat.read(source, as_version=4)
    injected = nbformat.v4.new_code_cell("FAST = False  # injected", metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(2, injected)
    code = [c for c in nb.cells if c.cell_type == "code" and c is not injected]
    for cell, cell_outputs in zip(code, outputs, strict=True):
        cell.outputs = cell_outputs
        cell.execution_count = 99
    nbformat.write(nb, target)


@pytest.fixture
def notebook(tmp_path):
    path = tmp_path / "09_demo.ipynb"
    build(
        [
            ("md", "# 09 · Demo\n\n**What you will learn**\n- x\n\n**Time on a CPU:** about 1 s\n\nMore text."),
            ("parameters", "FAST = False\nSEED = 42\nDATASET = 'mnist'"),
            ("code", "from course_utils.lessons.convolution import conv2d\nprint(1)"),
            ("code", "show()"),
            ("md", "## Summary\n\n## Exercises"),
        ],
        path,
    )
    return path


def _outputs():
    text = nbformat.v4.new_output("stream", name="stdout", text="1\n")
    log = nbformat.v4.new_output(
        "stream", name="stderr", text="I0000 00:00:1795.5   11350 cpu_feature_guard.cc:227] optimized\n"
    )
    widget = nbformat.v4.new_output("display_data", data={WIDGET_MIME: {"model_id": "x"}, "text/plain": "w"})
    return [[], [text, log], [widget]]


def test_store_outputs_copies_the_run_and_records_what_made_it(notebook, tmp_path):
    executed = tmp_path / "executed.ipynb"
    _executed_copy(notebook, executed, outputs=_outputs())
    nb = store_outputs(notebook, executed, seconds=125)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3], "counts are positions, not a run's numbers"
    assert [o["text"] for o in code[1].outputs] == ["1\n"], "native log lines are dropped"
    assert code[2].outputs[0]["data"] == {"text/plain": "w"}, "a widget keeps only its plain-text fallback"
    stored = nb.metadata["course"]["stored_outputs"]
    assert stored["mode"] == "full" and stored["parameters"] == {"DATASET": "offline"}
    assert stored["fingerprint"] == fingerprint(nb, notebook.stem)
    title = nb.cells[0].source.splitlines()
    line = next(t for t in title if t.startswith(OUTPUTS_LINE))
    assert "`DATASET='offline'`" in line and "2 min" in line and "core CPU" in line
    assert title[title.index(line) - 1] == "" and title[title.index(line) + 1] == "", "a paragraph of its own"
    assert stored_problems(notebook) == [] and notebook_policy_problems(nb) == []
    store_outputs(notebook, executed)
    assert sum(t.startswith(OUTPUTS_LINE) for t in nbformat.read(notebook, 4).cells[0].source.splitlines()) == 1


def test_changed_code_or_lesson_module_makes_the_outputs_stale(notebook, tmp_path, monkeypatch):
    executed = tmp_path / "executed.ipynb"
    _executed_copy(notebook, executed, outputs=_outputs())
    nb = store_outputs(notebook, executed)
    assert lesson_modules_used(nb, notebook.stem) == ["convolution"]
    nb.cells[3].source += "\nprint(2)"
    nbformat.write(nb, notebook)
    assert any("changed after its outputs were stored" in p for p in stored_problems(notebook))
    nb.cells[3].source = nb.cells[3].source.removesuffix("\nprint(2)")
    nbformat.write(nb, notebook)
    assert stored_problems(notebook) == []
    import course_utils.harness.stored as stored

    real = stored.PROJECT_ROOT
    fake = tmp_path / "root"
    (fake / "course_utils" / "lessons").mkdir(parents=True)
    source = real / "course_utils" / "lessons" / "convolution.py"
    (fake / "course_utils" / "lessons" / "convolution.py").write_text(source.read_text() + "\nX = 1\n")
    monkeypatch.setattr(stored, "PROJECT_ROOT", fake)
    assert any("(convolution)" in p for p in stored_problems(notebook))


def test_outputs_of_other_code_are_refused(notebook, tmp_path):
    executed = tmp_path / "executed.ipynb"
    _executed_copy(notebook, executed, outputs=_outputs())
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[3].source = "print(3)"
    nbformat.write(nb, notebook)
    with pytest.raises(ValueError, match="changed after the run"):
        store_outputs(notebook, executed)


def test_a_run_that_failed_is_not_stored(notebook, tmp_path):
    executed = tmp_path / "executed.ipynb"
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=[])
    _executed_copy(notebook, executed, outputs=[[], [], [error]])
    with pytest.raises(ValueError, match="error"):
        store_outputs(notebook, executed)


def test_clean_removes_the_stored_run_and_its_description(notebook, tmp_path):
    executed = tmp_path / "executed.ipynb"
    _executed_copy(notebook, executed, outputs=_outputs())
    original = nbformat.read(notebook, as_version=4).cells[0].source
    cleaned = clean(store_outputs(notebook, executed))
    assert not has_stored_outputs(cleaned) and cleaned.cells[0].source == original
    assert all(not c.outputs for c in cleaned.cells if c.cell_type == "code")
    nbformat.write(cleaned, notebook)
    assert stored_problems(notebook)[0].startswith("no stored full-mode outputs: run `python -m course_utils refresh")


def test_the_size_budget_is_enforced(notebook, tmp_path):
    executed = tmp_path / "executed.ipynb"
    big = nbformat.v4.new_output("display_data", data={"image/png": "A" * (BUDGET_BYTES + 1)})
    _executed_copy(notebook, executed, outputs=[[], [], [big]])
    store_outputs(notebook, executed)
    assert any("over the budget" in p for p in stored_problems(notebook))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("epoch 1\rEpoch 1/2 done\n", "Epoch 1/2 done\n"),
        ("12/50 [==>...]\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r50/50 [=====]\n", "50/50 [=====]\n"),
        ("long line\rshort\n", "shortline\n"),  # a terminal overwrites; it does not clear
        ("a\nb\n", "a\nb\n"),
    ],
)
def test_stored_streams_read_as_jupyter_shows_them(raw, shown):
    assert as_displayed(raw) == shown


def _png(array) -> str:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def test_a_photo_is_stored_as_a_jpeg_and_a_plot_stays_a_png():
    import numpy as np
    from scipy import ndimage

    rng = np.random.default_rng(0)
    smooth = ndimage.gaussian_filter(rng.random((500, 500, 3)), sigma=(3, 3, 0))
    photo = ((smooth - smooth.min()) / np.ptp(smooth) * 255 + rng.normal(0, 6, smooth.shape)).clip(0, 255)
    stored = smaller_image({"image/png": _png(photo.astype("uint8")), "text/plain": "<Figure>"})
    assert set(stored) == {"image/jpeg", "text/plain"} and stored["text/plain"] == "<Figure>"
    plot = np.full((300, 400, 3), 255, "uint8")
    plot[150, :] = 0  # a line on white: small as a PNG
    data = {"image/png": _png(plot)}
    assert smaller_image(data) == data


def test_only_parameters_the_notebook_has_are_part_of_the_run(notebook):
    assert run_parameters(nbformat.read(notebook, as_version=4)) == {"DATASET": "offline"}
