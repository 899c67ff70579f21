"""``python -m course_utils run``: execute the whole course headless and report.

Each notebook runs through papermill on a fresh kernel. Executed copies go to
``build/executed/``, HTML renderings to ``build/html/``, and ``build/results.json`` holds, for
each notebook, its status, wall seconds, recorded results and (on failure) the failing cell
and error. One failing notebook does not stop the others.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from tqdm.auto import tqdm

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.notebooks import execute, notebook_paths
from course_utils.harness.session import results_from_notebook


@dataclass
class NotebookReport:
    """What happened when one notebook ran."""

    notebook: str
    status: str = "not run"
    wall_seconds: float = 0.0
    results: dict[str, Any] = field(default_factory=dict)
    failing_cell: int | None = None
    failing_source: str | None = None
    error: str | None = None


def _find_error(nb: Any) -> tuple[int | None, str | None, str | None]:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, cell.source[:500], f"{output.get('ename')}: {output.get('evalue')}"
    return None, None, None


def _render_html(executed: Path, target: Path) -> None:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(executed))
    target.write_text(body, encoding="utf-8")


def run_one(
    path: Path, build: Path, fast: bool, cell_timeout: int = 1800, parameters: dict | None = None
) -> NotebookReport:
    """Execute one notebook and return its report (never raises for notebook errors)."""
    report = NotebookReport(notebook=path.name)
    executed = build / "executed" / path.name
    start = time.perf_counter()
    try:
        execute(path, executed, fast=fast, cwd=path.parent, cell_timeout=cell_timeout, extra_parameters=parameters)
        report.status = "ok"
    except Exception as error:  # papermill raises for any failing cell
        report.status = "failed"
        report.error = (
            f"{type(error).__name__}: {str(error).strip().splitlines()[-1][:500] if str(error).strip() else ''}"
        )
    report.wall_seconds = round(time.perf_counter() - start, 1)
    if executed.exists():
        nb = nbformat.read(executed, as_version=4)
        report.results = results_from_notebook(nb)
        if report.status == "failed":
            cell, source, error = _find_error(nb)
            report.failing_cell, report.failing_source = cell, source
            report.error = error or report.error
        try:
            _render_html(executed, build / "html" / path.with_suffix(".html").name)
        except Exception as error:  # a rendering problem must not hide the run's result
            report.error = (report.error or "") + f" (HTML rendering failed: {error})"
    return report


def _resolve(names: Sequence[str]) -> list[Path]:
    every = notebook_paths()
    if not names:
        return every
    chosen = []
    for name in names:
        path = Path(name)
        if path.is_file():
            chosen.append(path.resolve())
            continue
        matches = [p for p in every if p.name.startswith(name) or p.stem == name]
        if not matches:
            raise SystemExit(f"no notebook matches {name!r}; have: {', '.join(p.name for p in every)}")
        chosen.extend(matches)
    return chosen


def summary_table(reports: Sequence[NotebookReport]) -> str:
    """A plain-text table: notebook, status, seconds, number of results, error."""
    rows = [("notebook", "status", "seconds", "results", "error")]
    for r in reports:
        rows.append((r.notebook, r.status, f"{r.wall_seconds:.1f}", str(len(r.results)), (r.error or "")[:60]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    total = sum(r.wall_seconds for r in reports)
    failed = sum(r.status != "ok" for r in reports)
    lines.append(f"{len(reports) - failed} ok, {failed} failed, {total:.0f} s in all")
    return "\n".join(lines)


def parse_parameter(text: str) -> tuple[str, object]:
    """``"NAME=VALUE"`` as a papermill parameter; VALUE is a Python literal or else a string."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise ValueError(f"a parameter is NAME=VALUE (e.g. EPOCHS=3 or DATASET=offline), not {text!r}")
    try:
        return name.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name.strip(), value


def run_course(
    names: Sequence[str] = (),
    *,
    fast: bool = False,
    build: Path | None = None,
    parameters: dict | None = None,
) -> int:
    """Run notebooks in order; write ``build/results.json``; print a summary. Returns the exit code.

    ``parameters`` (e.g. ``{"DATASET": "offline"}``) are passed by papermill to every notebook
    chosen; a notebook ignores names its parameters cell does not define.
    """
    build = Path(build) if build is not None else PROJECT_ROOT / "build"
    for sub in ("executed", "html"):
        (build / sub).mkdir(parents=True, exist_ok=True)
    paths = _resolve(names)
    reports = []
    bar = tqdm(paths, desc="course", unit="notebook")
    for path in bar:
        bar.set_postfix_str(path.name)
        reports.append(run_one(path, build, fast, parameters=parameters))
    bar.close()
    payload = {
        "fast": fast,
        "parameters": dict(parameters or {}),
        "notebooks": {r.notebook: asdict(r) for r in reports},
    }
    (build / "results.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(summary_table(reports))
    print(f"executed notebooks: {build / 'executed'}\nHTML: {build / 'html'}\nresults: {build / 'results.json'}")
    return 0 if all(r.status == "ok" for r in reports) else 1
