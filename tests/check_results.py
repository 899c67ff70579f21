"""Check a run's recorded results against the bounds in ``notebook_bounds.py``.

    python tests/check_results.py [build/results.json]

A fast run (``python -m course_utils run --fast``) is checked against ``BOUNDS``, a full run
against ``FULL_BOUNDS`` (declared for some notebooks only). Prints one line per checked value;
exits 1 if a notebook failed to run or a value is out of bounds or missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_bounds import BOUNDS, FULL_BOUNDS, out_of_bounds  # noqa: E402 (importable only once tests/ is on the path)


def bounds_for(report: dict) -> dict[str, dict[str, object]]:
    """The bounds table for a fast or a full run."""
    return BOUNDS if report.get("fast") else FULL_BOUNDS


def problems_in(report: dict) -> list[str]:
    """What is wrong with one ``build/results.json`` report, as readable lines."""
    bounds = bounds_for(report)
    problems = []
    for name, notebook in report.get("notebooks", {}).items():
        stem = Path(name).stem
        if notebook.get("status") != "ok":
            error = (notebook.get("error") or "no error recorded").strip().splitlines()[0]
            problems.append(f"{stem}: did not run ({error})")
            continue
        failures = out_of_bounds(notebook.get("results", {}), bounds.get(stem, {}))
        problems += [f"{stem}: {key} = {value}, expected {bound}" for key, (value, bound) in failures.items()]
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "build/results.json")
    report = json.loads(path.read_text())
    mode = "fast" if report.get("fast") else "full"
    checked = [Path(n).stem for n in report.get("notebooks", {})]
    declared = sum(stem in bounds_for(report) for stem in checked)
    print(f"{path}: {mode} run; bounds declared for {declared} of {len(checked)} notebooks")
    problems = problems_in(report)
    for line in problems:
        print("  FAIL", line)
    print("all recorded results within bounds" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
