"""Stored outputs: the committed notebooks carry the outputs of one full-mode run.

A reader on the web sees every figure, table and result without running anything. To keep that
honest, ``store_outputs`` writes, with the outputs, a fingerprint of what produced them: every code
cell, the parameters of the run and the generated lesson modules the notebook uses. When any of those
changes, the fingerprint no longer matches (``tests/test_stored_outputs.py``) until
``python -m course_utils refresh --full NN`` runs the notebook again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import platform
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.export import LESSON_MODULES
from course_utils.harness.notebooks import KERNELSPEC, OUTPUTS_LINE, without_outputs_line

# The configuration of the stored run. Notebook 06 runs on the offline data and the course's
# MobileNetV2 weights: VGG16's ImageNet weights and Imagenette are not part of the offline mirror.
STORED_RUN_PARAMETERS: dict[str, object] = {"DATASET": "offline", "MODEL": "mobilenet_v2"}
STORED_FIGURE_DPI = 72  # figures in stored outputs: readable on a page, small in the repository
BUDGET_BYTES = 2_500_000  # per notebook, outputs included
JPEG_ABOVE_BYTES = 150_000  # a larger PNG (photos, dense image grids) is stored as a JPEG when that is much smaller
JPEG_QUALITY = 85
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_LESSON_IMPORT = re.compile(r"course_utils\.lessons(?:\.(\w+)|\s+import\s+([\w\s,()]+))")
_NATIVE_LOG = re.compile(r"^[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\].*(?:\n|$)", re.MULTILINE)  # absl's log lines


def lesson_modules_used(nb: Any, stem: str) -> list[str]:
    """The generated lesson modules a notebook's code imports, plus its own (if it exports one)."""
    names = set()
    own = LESSON_MODULES.get(stem[:2])
    if own:
        names.add(own)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for attribute, imported in _LESSON_IMPORT.findall(cell.source):
            if attribute:
                names.add(attribute)
            names.update(n for n in re.split(r"[\s,()]+", imported) if n)
    return sorted(n for n in names if (PROJECT_ROOT / "course_utils" / "lessons" / f"{n}.py").is_file())


def run_parameters(nb: Any) -> dict[str, object]:
    """The stored-run parameters that this notebook's parameters cell has."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    own = code[0].source if code and "parameters" in code[0].metadata.get("tags", []) else ""
    return {k: v for k, v in STORED_RUN_PARAMETERS.items() if re.search(rf"^{k}\s*=", own, re.MULTILINE)}


def fingerprint(nb: Any, stem: str, parameters: dict[str, object] | None = None) -> str:
    """SHA-256 over the code cells, the run's parameters and the lesson modules the notebook uses."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(b"\x00cell\x00" + cell.source.encode())
    params = run_parameters(nb) if parameters is None else parameters
    digest.update(b"\x00parameters\x00" + json.dumps(params, sort_keys=True).encode())
    for name in lesson_modules_used(nb, stem):
        text = (PROJECT_ROOT / "course_utils" / "lessons" / f"{name}.py").read_text(encoding="utf-8")
        digest.update(f"\x00lesson {name}\x00".encode() + text.encode())
    return digest.hexdigest()


def as_displayed(text: str) -> str:
    """Stream text as Jupyter shows it: a carriage return rewrites its line from the start, a backspace
    removes the character before it (Keras's progress bar redraws itself with both)."""
    lines = []
    for raw in text.split("\n"):
        line: list[str] = []
        column = 0
        for char in raw:
            if char == "\r":
                column = 0
            elif char == "\b":
                column = max(0, column - 1)
                del line[column:]
            else:
                if column < len(line):
                    line[column] = char
                else:
                    line.append(char)
                column += 1
        lines.append("".join(line))
    return "\n".join(lines)


def smaller_image(data: dict) -> dict:
    """``data`` with a large PNG re-encoded as a JPEG when that takes at most half the bytes.

    Photos and grids of photos compress badly as PNG; plots and diagrams stay PNG (they are small).
    """
    png = data.get("image/png")
    if not isinstance(png, str) or len(png) * 3 // 4 <= JPEG_ABOVE_BYTES:
        return data
    import base64
    import io

    from PIL import Image

    try:
        image = Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB")
    except (OSError, ValueError):  # not an image PIL can read: stored as it is
        return data
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    jpeg = base64.b64encode(buffer.getvalue()).decode("ascii")
    if len(jpeg) * 2 > len(png):
        return data
    return {
        ("image/jpeg" if key == "image/png" else key): (jpeg if key == "image/png" else value)
        for key, value in data.items()
    }


def _keep_output(output: Any) -> Any | None:
    """An output fit to store: widget views keep their plain-text fallback, native log lines go."""
    output = copy.deepcopy(output)
    if output.get("output_type") in ("display_data", "execute_result"):
        output["data"].pop(WIDGET_MIME, None)
        if not output["data"]:
            return None
        output["data"] = smaller_image(output["data"])
        if "image/jpeg" in output["data"] and "image/png" in output.get("metadata", {}):
            output["metadata"]["image/jpeg"] = output["metadata"].pop("image/png")
    if output.get("output_type") == "stream":
        text = _NATIVE_LOG.sub("", as_displayed(output.get("text", "")))
        if not text.strip():
            return None
        output["text"] = text
    return output


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _outputs_line(parameters: dict[str, object], seconds: float | None) -> str:
    setting = ", ".join(f"`{k}={v!r}`" for k, v in parameters.items())
    where = f"a {os.cpu_count()}-core CPU" + (" (a GPU was present)" if shutil.which("nvidia-smi") else ", no GPU")
    took = f", {round(seconds / 60)} min" if seconds and seconds >= 90 else (f", {seconds:.0f} s" if seconds else "")
    return (
        f"{OUTPUTS_LINE} one full-mode run (`FAST = False`{', ' + setting if setting else ''}) on {where}{took}, "
        f"TensorFlow {_version('tensorflow')}, Keras {_version('keras')}, Python {platform.python_version()}. "
        "Your run will differ in the last digits; re-run to see yours."
    )


def _set_outputs_line(cell: Any, line: str) -> None:
    """Put ``line`` in its own paragraph after the title cell's time line (or at its end)."""
    lines = without_outputs_line(cell.source.splitlines())
    at = next((i + 1 for i, text in enumerate(lines) if text.startswith("**Time on a CPU:**")), len(lines))
    after = [""] if at < len(lines) and lines[at].strip() else []
    cell.source = "\n".join([*lines[:at], "", line, *after, *lines[at:]])


def store_outputs(source: Path | str, executed: Path | str, *, seconds: float | None = None) -> Any:
    """Copy the outputs of a full-mode run (``executed``) into the notebook ``source`` and write it.

    Refuses when the executed code differs from the source's (the notebook changed during the run).
    """
    source, executed = Path(source), Path(executed)
    nb = nbformat.read(source, as_version=4)
    ran = nbformat.read(executed, as_version=4)
    ran_code = [
        c for c in ran.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]
    code = [c for c in nb.cells if c.cell_type == "code"]
    if [c.source for c in code] != [c.source for c in ran_code]:
        raise ValueError(f"{source.name}: the notebook's code changed after the run; run it again")
    if any(o.get("output_type") == "error" for c in ran_code for o in c.outputs):
        raise ValueError(f"{source.name}: the run ended in an error; nothing stored")
    for position, (cell, done) in enumerate(zip(code, ran_code, strict=True), start=1):
        cell.outputs = [kept for o in done.outputs if (kept := _keep_output(o)) is not None]
        cell.execution_count = position
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = position
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    parameters = run_parameters(nb)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    _set_outputs_line(nb.cells[0], _outputs_line(parameters, seconds))
    nb.metadata["course"] = {
        "stored_outputs": {"mode": "full", "parameters": parameters, "fingerprint": fingerprint(nb, source.stem)}
    }
    nbformat.write(nb, source)
    return nb


def stored_problems(path: Path | str) -> list[str]:
    """What is wrong with a committed notebook's stored outputs (empty when they are current)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    refresh = f"python -m course_utils refresh --full {path.stem[:2]}"
    stored = nb.metadata.get("course", {}).get("stored_outputs")
    if not stored:
        return [f"no stored full-mode outputs: run `{refresh}`"]
    problems = []
    if stored.get("mode") != "full":
        problems.append("the stored outputs are not from a full-mode run")
    if stored.get("parameters") != run_parameters(nb):
        problems.append(f"stored with parameters {stored.get('parameters')}, expected {run_parameters(nb)}")
    if stored.get("fingerprint") != fingerprint(nb, path.stem):
        used = ", ".join(lesson_modules_used(nb, path.stem)) or "none"
        problems.append(
            f"the code cells or the lesson modules it uses ({used}) changed after its outputs were stored: "
            f"run `{refresh}`"
        )
    if not any(line.startswith(OUTPUTS_LINE) for line in nb.cells[0].source.splitlines()):
        problems.append(f"the title cell does not say which run the outputs come from ({OUTPUTS_LINE})")
    size = path.stat().st_size
    if size > BUDGET_BYTES:
        problems.append(f"{size:,} bytes, over the budget of {BUDGET_BYTES:,}")
    return problems
