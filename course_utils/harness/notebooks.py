"""Notebook plumbing: the output policy, cleaning, and executing notebooks with papermill."""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat

NBVAL_MARKER = "# NBVAL_CHECK_OUTPUT"
OUTPUTS_LINE = "**Outputs shown:**"  # the title cell's line naming the run whose outputs are stored
KERNELSPEC = {
    "name": "mnist-to-imagenet",
    "display_name": "Python 3 (MNIST to ImageNet)",
    "language": "python",
}
EXECUTION_KERNEL = "python3"  # the interpreter running the harness (the course's environment)


def notebook_paths(folder: Path | str | None = None) -> list[Path]:
    """The course notebooks, in order (``NN_name.ipynb``)."""
    from course_utils.harness.config import PROJECT_ROOT

    folder = Path(folder) if folder is not None else PROJECT_ROOT / "notebooks"
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


TIME_PREFIX = "**Time on a CPU:**"


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set (or, for ``None``, remove) environment variables, and restore their old values after."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def header(path: Path | str) -> dict[str, str]:
    """A notebook's title and its stated CPU time, read from its first (markdown) cell."""
    lines = nbformat.read(path, as_version=4).cells[0].source.splitlines()
    title = lines[0].lstrip("# ").strip() if lines else ""
    time = next((line[len(TIME_PREFIX) :].strip() for line in lines if line.startswith(TIME_PREFIX)), "")
    return {"title": title, "time on a CPU": time}


def is_checked(cell: Any) -> bool:
    """True for a code cell whose output nbval compares."""
    return cell.get("cell_type") == "code" and cell.get("source", "").lstrip().startswith(NBVAL_MARKER)


def has_stored_outputs(nb: Any) -> bool:
    """True for a notebook that carries the outputs of a full-mode run (see ``harness.stored``)."""
    return bool(nb.metadata.get("course", {}).get("stored_outputs"))


def without_outputs_line(lines: list[str]) -> list[str]:
    """Title-cell lines without the stored-outputs paragraph (the line and the blank line before it)."""
    lines = list(lines)
    for at in [i for i, line in enumerate(lines) if line.startswith(OUTPUTS_LINE)][::-1]:
        del lines[at - 1 if at > 0 and not lines[at - 1].strip() else at : at + 1]
    return lines


def clean(nb: Any) -> Any:
    """A copy of ``nb`` without a run's outputs: outputs only in nbval-checked cells, counts cleared.

    Stored full-mode outputs go too, with the line and the record that described them.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata.get("course", {}).pop("stored_outputs", None)
    if not nb.metadata.get("course", True):
        nb.metadata.pop("course")
    if nb.cells and nb.cells[0].cell_type == "markdown":
        nb.cells[0].source = "\n".join(without_outputs_line(nb.cells[0].source.splitlines()))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    code_index = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        code_index += 1
        if is_checked(cell):
            # nbval only compares cells that carry an execution count: give each checked
            # cell its position among the code cells, so the number never depends on a run.
            cell.execution_count = code_index
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = code_index
        else:
            cell.execution_count = None
            cell.outputs = []
    return nb


def build(cells: list[tuple[str, str]], path: Path | str) -> Any:
    """Write a notebook from ``(kind, source)`` pairs; kind is ``md``, ``code`` or ``parameters``.

    An authoring aid: write the cells, then ``python -m course_utils refresh`` executes the
    notebook so that the outputs nbval checks are real ones.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        source = source.strip("\n")
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        elif kind in ("code", "parameters"):
            cell = nbformat.v4.new_code_cell(source)
            if kind == "parameters":
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
        else:
            raise ValueError(f"unknown cell kind {kind!r}")
    nbformat.write(nb, str(path))
    return nb


def policy_problems(nb: Any) -> list[str]:
    """Everything in a committed notebook that breaks the course's rules."""
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or "parameters" not in code[0].metadata.get("tags", []):
        problems.append("the first code cell must be tagged 'parameters'")
    elif "FAST" not in code[0].source:
        problems.append("the parameters cell must set FAST")
    if nb.metadata.get("kernelspec", {}).get("name") != KERNELSPEC["name"]:
        problems.append(f"kernelspec must be {KERNELSPEC['name']!r}")
    stored = has_stored_outputs(nb)
    for index, cell in enumerate(code):
        expected_count = index + 1 if (stored or is_checked(cell)) else None
        if cell.execution_count != expected_count:
            problems.append(f"code cell {index}: execution count {cell.execution_count}, expected {expected_count}")
        for output in cell.outputs:
            if output.get("output_type") == "error":
                problems.append(f"code cell {index}: stored error output")
            elif not (stored or is_checked(cell)):
                problems.append(f"code cell {index}: stored output in a cell nbval does not check")
                break
    if not nb.cells or nb.cells[0].cell_type != "markdown" or not nb.cells[0].source.startswith("# "):
        problems.append("the first cell must be a markdown title ('# ...')")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    for heading in ("what you will learn", "summary", "exercises"):
        if heading not in text:
            problems.append(f"no '{heading}' section")
    return problems


def execute(
    path: Path | str,
    output: Path | str,
    *,
    fast: bool = True,
    cwd: Path | str | None = None,
    cell_timeout: int = 900,
    progress: bool = False,
    extra_parameters: dict | None = None,
    **engine_kwargs: Any,
) -> Any:
    """Run a notebook with papermill (fresh kernel), writing the executed copy to ``output``.

    ``engine_kwargs`` go to papermill's engine, nbclient: e.g. ``kernel_manager_class`` or the
    hooks ``on_cell_start`` and ``on_cell_executed``. ``COURSE_FAST`` and ``COURSE_HEADLESS`` are
    set for the run and restored afterwards.

    Returns the executed notebook; raises papermill's ``PapermillExecutionError`` on failure
    (the executed copy, with the error in it, is still written).
    """
    import papermill as pm

    parameters = {"FAST": bool(fast)}
    parameters.update(extra_parameters or {})
    with _environment(COURSE_FAST="1" if fast else None, COURSE_HEADLESS="1"):  # nobody watches a papermill run
        return pm.execute_notebook(
            str(path),
            str(output),
            parameters=parameters,
            kernel_name=EXECUTION_KERNEL,
            cwd=str(cwd) if cwd is not None else str(Path(path).parent),
            execution_timeout=cell_timeout,
            progress_bar=progress,
            log_output=False,
            **engine_kwargs,
        )


def refresh(path: Path | str) -> list[str]:
    """Execute a notebook in fast mode and store it cleaned (keeping nbval-checked outputs).

    This is how the outputs nbval checks are made while a notebook is written: by running it, never by
    hand. It removes stored full-mode outputs; ``python -m course_utils refresh --full`` stores them.
    Returns the policy problems left (empty when the notebook is fit to commit).
    """
    import tempfile

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp, _environment(COURSE_FAST="1", COURSE_HEADLESS="1"):
        executed = Path(tmp) / path.name
        import papermill as pm

        pm.execute_notebook(
            str(path),
            str(executed),
            kernel_name=EXECUTION_KERNEL,
            cwd=str(path.parent),
            progress_bar=True,
            log_output=False,
        )
        nb = nbformat.read(executed, as_version=4)
    cleaned = clean(nb)
    nbformat.write(cleaned, path)
    return policy_problems(cleaned)
