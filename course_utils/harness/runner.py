"""``python -m course_utils run``: execute the whole course headless and report.

Each notebook runs through papermill on a fresh kernel. Executed copies go to
``build/executed/``, HTML renderings to ``build/html/``, and everything the kernel writes (the
cells' printed output and warnings, TensorFlow's start-up messages, anything a native library
prints) to ``build/logs/``, one file per notebook, so that the terminal shows only the progress
and the summary.
``build/results.json`` holds, for each notebook, its status, wall seconds, peak memory, recorded
results and (on failure) the failing cell and error. One failing notebook does not stop the others.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import nbformat

from course_utils.harness.config import PROJECT_ROOT
from course_utils.harness.notebooks import execute, header, notebook_paths
from course_utils.harness.session import results_from_notebook

# The results the summary shows for each notebook: its main findings, in the order the notebook
# reaches them. A notebook not listed here shows the first few results whose name says "accuracy".
HEADLINES: dict[str, tuple[str, ...]] = {
    "00_start_here": ("python_supported", "keras_major"),
    "01_datasets_mnist_to_imagenet": ("mnist_nearest_mean_accuracy", "fashion_nearest_mean_accuracy"),
    "02_preprocessing": ("accuracy_raw_pixels", "accuracy_scaled_pixels"),
    "03_data_augmentation": ("test_accuracy_without_mean", "test_accuracy_with_mean"),
    "04_convolution_and_pooling": ("backward_max_error_vs_tape", "cnn_test_accuracy"),
    "05_fcn_and_cnn_on_mnist": ("fcn_test_accuracy", "cnn_test_accuracy"),
    "06_vgg16_transfer_learning": ("fine_tuned_val_accuracy", "scratch_cnn_val_accuracy"),
    "07_where_next": ("ssl_ae16_100_labels_accuracy", "traditional_cnn_accuracy"),
}
MAX_DEFAULT_HEADLINES = 3


@dataclass
class NotebookReport:
    """What happened when one notebook ran."""

    notebook: str
    status: str = "not run"
    wall_seconds: float = 0.0
    results: dict[str, Any] = field(default_factory=dict)
    failing_cell: int | None = None  # index in the executed notebook's cells
    failing_cell_number: int | None = None  # its execution count: In [n] in the executed notebook and the HTML
    failing_source: str | None = None
    error: str | None = None
    peak_memory_mb: float | None = None  # the kernel process's peak resident memory (10^6 bytes)
    log: str | None = None  # the file with everything the kernel wrote
    parameters: dict[str, Any] = field(default_factory=dict)  # papermill's, besides FAST


def _find_error(nb: Any) -> tuple[int | None, int | None, str | None, str | None]:
    """The failing cell: its index, execution count, source and error."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                error = f"{output.get('ename')}: {output.get('evalue')}"
                return index, cell.get("execution_count"), cell.source[:500], error
    return None, None, None, None


def _render_html(executed: Path, target: Path, log: Any = None) -> None:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(log=log) if log is not None else HTMLExporter()
    body, _ = exporter.from_filename(str(executed))
    target.write_text(body, encoding="utf-8")


# --- the notebooks' parameters ---------------------------------------------------------------


def notebook_parameters(path: Path | str) -> dict[str, str]:
    """The names in a notebook's cell tagged ``parameters``, each with its default (as written)."""
    import papermill as pm

    return {name: info["default"] for name, info in pm.inspect_notebook(str(path)).items()}


def unknown_parameters(paths: Sequence[Path], parameters: dict[str, Any]) -> str | None:
    """``None`` if every name in ``parameters`` is in some notebook's parameters cell, else why not.

    The message lists each notebook's parameters, with their defaults.
    """
    known = {path: notebook_parameters(path) for path in paths}
    unknown = [name for name in parameters if not any(name in names for names in known.values())]
    if not unknown:
        return None
    plural = "s" if len(unknown) > 1 else ""
    lines = [f"unknown parameter{plural} {', '.join(unknown)}: not in the parameters cell of any chosen notebook."]
    lines.append("Their parameters (with defaults):")
    for path, names in known.items():
        listed = ", ".join(f"{name}={default}" for name, default in names.items()) or "(none)"
        lines += textwrap.wrap(f"{path.stem}: {listed}", width=100, initial_indent="  ", subsequent_indent="    ")
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


# --- the kernel: its output and its memory ---------------------------------------------------


def _logged_kernel_manager(output: IO[str], launched: Callable[[int | None], None]) -> type:
    """A kernel manager class whose kernel process writes its stdout and stderr to ``output``.

    The notebook gets the cells' outputs as usual (Python warnings included); ``output`` gets a
    copy of them (ipykernel's ``quiet=False``) and what only the process sees: ipykernel's own
    messages and what native libraries write to the process's stderr (TensorFlow's log lines,
    which then stay out of the notebook: ``capture_fd_output=False``). ``launched`` is called
    with the kernel's pid.
    """
    from jupyter_client.manager import AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            # start_kernel passes stdout and stderr on to Popen, extra_arguments to the kernel.
            extra = [
                *kw.pop("extra_arguments", []),
                "--IPKernelApp.quiet=False",
                "--IPKernelApp.capture_fd_output=False",
            ]
            await super().start_kernel(**kw, extra_arguments=extra, stdout=output, stderr=output)
            launched(getattr(self.provisioner, "pid", None))

    return LoggedKernelManager


def peak_memory_bytes(pid: int | None) -> int | None:
    """A running process's peak resident memory (Linux's ``VmHWM``); ``None`` where not known."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _children_peak_bytes() -> int | None:
    """The largest peak resident memory of any finished child process (where ``/proc`` is missing)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


# --- progress ----------------------------------------------------------------------------------


def expected_time(stated: str, fast: bool) -> str:
    """The part of a header's "Time on a CPU" that applies: ``"fast ≈ 15 s, full ≈ 35 s"`` -> ``"≈ 15 s"``."""
    parts = re.split(r",\s*(?=(?:fast|full)\b)", stated.strip())
    wanted = "fast" if fast else "full"
    for part in parts:
        if part.startswith(wanted):
            return part[len(wanted) :].strip()
    return stated.strip()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _section(cell: Any) -> str | None:
    """The last ``## `` heading in a markdown cell, if any."""
    if cell.get("cell_type") != "markdown":
        return None
    headings = [line[3:].strip() for line in cell.get("source", "").splitlines() if line.startswith("## ")]
    return headings[-1] if headings else None


class Progress:
    """Progress of a run, written to ``stream``.

    On a terminal: one line, rewritten every second (notebook, elapsed and expected time, cell,
    section). Elsewhere (a CI log): plain lines, one when a notebook starts, one per section
    and one when it ends.
    """

    def __init__(self, stream: IO[str] | None = None, live: bool | None = None):
        self.stream = stream if stream is not None else sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.name, self.tag, self.expected, self.code_cells = "", "", "", 0
        self.started = time.perf_counter()
        self.cell, self.section, self.doing = 0, None, None
        self.pid: int | None = None
        self.peak: int | None = None

    def start(self, number: int, total: int, path: Path, expected: str, code_cells: int) -> None:
        self.name, self.tag = path.stem, f"[{number}/{total}]"
        self.expected, self.code_cells = expected, code_cells
        self.started = time.perf_counter()
        self.cell, self.section, self.doing = 0, None, None
        self.pid = self.peak = None
        if self.live:
            self._stop.clear()
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        else:
            self._print(f"{self.tag} {self.name}, expected {expected or 'time not stated'}")

    def launched(self, pid: int | None) -> None:
        """The kernel is running (as process ``pid``)."""
        self.pid = pid

    def on_cell_start(self, cell: Any, cell_index: int, **_: Any) -> None:
        """nbclient hook: a cell (markdown cells included) is about to run."""
        section = _section(cell)
        if section is not None and section != self.section:
            self.section = section
            if not self.live:
                self._print(f"      {_clock(self._elapsed())}  {section}")
        if cell.get("cell_type") == "code":
            self.cell += 1
        self._show()

    def rendering(self) -> None:
        """The notebook has run; its HTML is being written."""
        self.doing = "writing the HTML"
        self._show()

    def on_cell_executed(self, **_: Any) -> None:
        """nbclient hook: a code cell has finished; the kernel's peak memory is read here."""
        self.peak = peak_memory_bytes(self.pid) or self.peak

    def finish(self, report: NotebookReport) -> None:
        """The notebook is done: one line with its status, time and peak memory."""
        self._stop_ticker()
        memory = f", peak memory {_memory(report.peak_memory_mb)}" if report.peak_memory_mb else ""
        where = f" in cell {report.failing_cell_number}" if report.failing_cell_number is not None else ""
        self._print(f"{self.tag} {self.name}: {report.status}{where}, {_duration(report.wall_seconds)}{memory}")

    def close(self) -> None:
        """End the updating line if a run was interrupted while it showed."""
        if self._stop_ticker():
            self._print("")

    def _stop_ticker(self) -> bool:
        self._stop.set()
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.join()
        return ticker is not None

    def _elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._show()

    def _show(self) -> None:
        if not self.live:
            return
        cell = f"cell {self.cell}/{self.code_cells}" if self.cell else "starting the kernel"
        figure = re.sub(r"\s*\(.*\)$", "", self.expected)  # without a remark in parentheses
        expected = f" (expected {figure})" if figure else ""
        line = f"{self.tag} {self.name}  {_clock(self._elapsed())}{expected}  {self.doing or cell}"
        if self.section and not self.doing:
            line += f"  {self.section}"
        width = shutil.get_terminal_size().columns - 1
        with self._lock:
            self.stream.write("\r" + line[:width] + "\x1b[K")
            self.stream.flush()

    def _print(self, line: str) -> None:
        with self._lock:
            self.stream.write(("\r\x1b[K" if self.live else "") + line + "\n")
            self.stream.flush()


# --- running -----------------------------------------------------------------------------------


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_one(
    path: Path,
    build: Path,
    fast: bool,
    cell_timeout: int = 1800,
    parameters: dict | None = None,
    progress: Progress | None = None,
) -> NotebookReport:
    """Execute one notebook and return its report (never raises for notebook errors).

    Everything the kernel writes goes to ``build/logs/<notebook>.log``, not to the terminal.
    """
    import logging

    report = NotebookReport(notebook=path.name, parameters=dict(parameters or {}))
    executed = build / "executed" / path.name
    log_path = build / "logs" / path.with_suffix(".log").name
    report.log = _relative(log_path)
    progress = progress if progress is not None else Progress(io.StringIO(), live=False)
    children_peak_before = _children_peak_bytes()
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"# {path.name}: everything its kernel wrote (outputs, warnings, native libraries' messages)\n")
        log.flush()
        try:
            execute(
                path,
                executed,
                fast=fast,
                cwd=path.parent,
                cell_timeout=cell_timeout,
                extra_parameters=parameters,
                kernel_manager_class=_logged_kernel_manager(log, progress.launched),
                on_cell_start=progress.on_cell_start,
                on_cell_executed=progress.on_cell_executed,
            )
            report.status = "ok"
        except Exception as error:  # papermill raises for any failing cell
            report.status = "failed"
            text = str(error).strip()
            report.error = f"{type(error).__name__}: {text.splitlines()[-1][:500] if text else ''}"
        report.wall_seconds = round(time.perf_counter() - start, 1)
        peak = progress.peak
        children_peak = _children_peak_bytes()
        if peak is None and children_peak is not None and children_peak != children_peak_before:
            peak = children_peak  # the kernel has ended: its peak, when it beat every earlier child's
        report.peak_memory_mb = round(peak / 1e6) if peak else None
        if executed.exists():
            nb = nbformat.read(executed, as_version=4)
            report.results = results_from_notebook(nb)
            if report.status == "failed":
                cell, number, source, error = _find_error(nb)
                report.failing_cell, report.failing_cell_number, report.failing_source = cell, number, source
                report.error = error or report.error
            progress.rendering()
            html_log = logging.getLogger(f"course_utils.run.{path.stem}")
            html_log.propagate = False
            handler = logging.StreamHandler(log)
            html_log.addHandler(handler)
            try:
                _render_html(executed, build / "html" / path.with_suffix(".html").name, log=html_log)
            except Exception as error:  # a rendering problem must not hide the run's result
                report.error = (report.error or "") + f" (HTML rendering failed: {error})"
            finally:
                html_log.removeHandler(handler)
        log.write(f"# {report.status} in {report.wall_seconds} s\n")
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


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _memory(megabytes: float | None) -> str:
    if not megabytes:
        return "-"
    return f"{megabytes / 1000:.1f} GB" if megabytes >= 1000 else f"{megabytes:.0f} MB"


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if 0 < abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.3f}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def headline_results(report: NotebookReport) -> dict[str, Any]:
    """The results the summary shows for a notebook (see ``HEADLINES``)."""
    names = HEADLINES.get(Path(report.notebook).stem)
    if names is None:
        names = tuple(name for name in report.results if "accuracy" in name)[:MAX_DEFAULT_HEADLINES]
    return {name: report.results[name] for name in names if name in report.results}


def summary_table(reports: Sequence[NotebookReport]) -> str:
    """A plain-text table: notebook, status, time, peak memory, headline results (or the error)."""
    rows = [("notebook", "status", "time", "peak memory", "results")]
    for r in reports:
        if r.status == "ok":
            shown = ", ".join(f"{name} {_value(value)}" for name, value in headline_results(r).items())
            shown = shown or f"{len(r.results)} recorded"
        else:
            where = f"cell {r.failing_cell_number}: " if r.failing_cell_number is not None else ""
            error = r.error.strip().splitlines()[0][:100] if r.error and r.error.strip() else ""
            shown = where + error
        rows.append((Path(r.notebook).stem, r.status, _duration(r.wall_seconds), _memory(r.peak_memory_mb), shown))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    total = sum(r.wall_seconds for r in reports)
    failed = sum(r.status != "ok" for r in reports)
    lines.append(f"{len(reports) - failed} ok, {failed} failed, {_duration(total)} in all")
    return "\n".join(lines)


def run_course(
    names: Sequence[str] = (),
    *,
    fast: bool = False,
    build: Path | None = None,
    parameters: dict | None = None,
    progress: Progress | None = None,
) -> int:
    """Run notebooks in order; write ``build/results.json``; print a summary. Returns the exit code.

    ``parameters`` (e.g. ``{"DATASET": "offline"}``) are passed by papermill to each chosen
    notebook whose parameters cell has the name. A name that no chosen notebook has is an error:
    exit code 2, with each notebook's parameters listed, before anything runs.
    """
    build = Path(build) if build is not None else PROJECT_ROOT / "build"
    paths = _resolve(names)
    parameters = dict(parameters or {})
    if parameters:
        problem = unknown_parameters(paths, parameters)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    for sub in ("executed", "html", "logs"):
        (build / sub).mkdir(parents=True, exist_ok=True)
    progress = progress if progress is not None else Progress()
    reports = []
    try:
        for number, path in enumerate(paths, start=1):
            own = notebook_parameters(path) if parameters else {}
            nb = nbformat.read(path, as_version=4)
            code_cells = sum(cell.cell_type == "code" for cell in nb.cells) + 1  # + papermill's injected cell
            stated = header(path)["time on a CPU"] if nb.cells else ""
            progress.start(number, len(paths), path, expected_time(stated, fast), code_cells)
            report = run_one(
                path, build, fast, parameters={k: v for k, v in parameters.items() if k in own}, progress=progress
            )
            progress.finish(report)
            reports.append(report)
    finally:
        progress.close()
    payload = {
        "fast": fast,
        "parameters": parameters,
        "notebooks": {r.notebook: asdict(r) for r in reports},
    }
    (build / "results.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print()
    print(summary_table(reports))
    print(f"HTML:     {_relative(build / 'html')}/  (one page per notebook, with its outputs)")
    print(f"logs:     {_relative(build / 'logs')}/  (what each kernel wrote: warnings, TensorFlow's messages)")
    print(f"executed: {_relative(build / 'executed')}/")
    print(f"results:  {_relative(build / 'results.json')}")
    return 0 if all(r.status == "ok" for r in reports) else 1
