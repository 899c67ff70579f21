"""Command line: ``python -m course_utils run | data | refresh | check | export | student``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _local_state(name: str) -> str | None:
    """``None`` if a verified local copy exists, else why not."""
    from course_utils.data import download, registry, weights

    if name in weights.WEIGHTS:  # also found in Keras's folder and the mirror, where Keras's loader looks
        return None if weights.find_local(name) is not None else "missing"
    entry = registry.get(name)
    return download.verify(entry, download.cached_path(entry))


def _fetch_one(name: str):
    from course_utils.data import download, weights

    if name in weights.WEIGHTS:
        if weights.WEIGHTS[name].keras_md5 is not None:
            return weights.install_for_keras(name)
        return weights.mirror_weights_path(name)
    return download.fetch(name)


def _data(args: argparse.Namespace) -> int:
    from course_utils.data import download, registry, weights

    names = args.names or sorted(registry.REGISTRY)
    if args.action == "list":
        for name in names:
            entry = registry.get(name)
            state = "cached" if _local_state(name) is None else "missing"
            print(f"{name:40s} {entry.size / 1e6:9.2f} MB  {state:7s}  {entry.description}")
        return 0
    if args.action == "verify":
        bad = 0
        for name in names:
            problem = _local_state(name)
            print(f"{name:40s} {'ok' if problem is None else problem}")
            bad += problem is not None
        return 1 if bad else 0
    failed = 0
    for name in names:  # fetch
        try:
            print(f"{name:40s} ok  {_fetch_one(name)}")
        except (download.DownloadError, weights.WeightsUnavailableError) as error:
            print(f"{name:40s} FAILED\n{error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def _refresh_full(names: list[str], *, run: bool = True) -> int:
    """Run notebooks in full mode (the stored-run configuration) and store their outputs.

    With ``run=False``, store the outputs of the last such run (``build/stored-run/``) again, e.g.
    after a change to how outputs are stored; a notebook whose code changed since is refused.
    """
    import json

    from course_utils.harness.config import PROJECT_ROOT
    from course_utils.harness.notebooks import _environment, policy_problems
    from course_utils.harness.runner import _resolve, notebook_parameters, run_course
    from course_utils.harness.stored import STORED_FIGURE_DPI, STORED_RUN_PARAMETERS, store_outputs, stored_problems

    paths = _resolve(names)
    build = PROJECT_ROOT / "build" / "stored-run"
    status = 0
    if run:
        own = set().union(*(notebook_parameters(p) for p in paths))
        parameters = {k: v for k, v in STORED_RUN_PARAMETERS.items() if k in own}
        with _environment(COURSE_FIGURE_DPI=str(STORED_FIGURE_DPI)):
            status = run_course([str(p) for p in paths], fast=False, build=build, parameters=parameters)
    report = json.loads((build / "results.json").read_text(encoding="utf-8"))["notebooks"]
    for path in paths:
        done = report.get(path.name, {})
        if done.get("status") != "ok":
            print(f"{path.name}: not stored (the run failed or did not run: {done.get('error')})", file=sys.stderr)
            status = 1
            continue
        try:
            nb = store_outputs(path, build / "executed" / path.name, seconds=done.get("wall_seconds"))
        except ValueError as error:
            print(f"{path.name}: not stored: {error}", file=sys.stderr)
            status = 1
            continue
        problems = policy_problems(nb) + stored_problems(path)
        print(f"{path.name}: outputs stored ({path.stat().st_size:,} bytes)", *problems, sep="; ")
        status |= bool(problems)
    return status


def _refresh(args: argparse.Namespace) -> int:
    from course_utils.harness.notebooks import refresh

    if args.full or args.from_last_run:
        return _refresh_full(args.notebooks, run=not args.from_last_run)

    status = 0
    for path in args.notebooks:
        problems = refresh(path)
        print(f"{path}: {'clean' if not problems else '; '.join(problems)}")
        status |= bool(problems)
    return status


def _check(args: argparse.Namespace) -> int:
    import nbformat

    from course_utils.harness.notebooks import notebook_paths, policy_problems

    status = 0
    for path in args.notebooks or notebook_paths():
        problems = policy_problems(nbformat.read(path, as_version=4))
        print(f"{path}: {'ok' if not problems else '; '.join(problems)}")
        status |= bool(problems)
    return status


def _export(args: argparse.Namespace) -> int:
    from course_utils.harness.export import ExportError, export, stale_files

    try:
        changed = stale_files() if args.check else export()
    except ExportError as error:
        print(f"export failed: {error}", file=sys.stderr)
        return 2
    verb = "out of date" if args.check else "written"
    for name in changed:
        print(f"course_utils/lessons/{name}: {verb}")
    if not changed:
        print("course_utils/lessons/ is up to date")
    return 1 if (args.check and changed) else 0


def _student(args: argparse.Namespace) -> int:
    from course_utils.harness.student import STUDENT_DIR, build_student_edition

    if args.nbgrader:
        from course_utils.harness.student import write_nbgrader_source

        written = write_nbgrader_source(Path(args.nbgrader))
        print(f"nbgrader source: {len(written)} notebooks in {Path(args.nbgrader) / 'source'}/")
        return 0
    archive = build_student_edition(Path(args.out) if args.out else STUDENT_DIR)
    print(f"student edition: {archive.with_suffix('')}/ and {archive}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the course headless (papermill)")
    run.add_argument("--fast", action="store_true", help="fast mode: small data, few epochs")
    run.add_argument("notebooks", nargs="*", help="notebook files or name prefixes (default: all)")
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the notebooks' parameters cell (repeatable), e.g. -p DATASET=offline; "
        "a name that none of the chosen notebooks has is an error",
    )

    data = sub.add_parser("data", help="list, fetch or verify the course's data files")
    data.add_argument("action", choices=["list", "fetch", "verify"])
    data.add_argument("names", nargs="*", help="registry names (default: all)")

    refresh = sub.add_parser(
        "refresh",
        help="re-execute notebooks in fast mode and store them cleaned (only the outputs nbval checks); "
        "with --full, run them in full mode and store every output",
    )
    refresh.add_argument("notebooks", nargs="+", help="notebook files or name prefixes (with --full)")
    refresh.add_argument(
        "--full", action="store_true", help="store the outputs of a full-mode run (what readers see on the web)"
    )
    refresh.add_argument(
        "--from-last-run",
        action="store_true",
        help="with --full's layout: store again the outputs of the last full run (build/stored-run/) without running",
    )

    check = sub.add_parser("check", help="check notebooks against the output policy")
    check.add_argument("notebooks", nargs="*")

    export = sub.add_parser("export", help="generate course_utils/lessons/ from the notebooks' '#| export' cells")
    export.add_argument("--check", action="store_true", help="only report modules that are out of date")

    student = sub.add_parser("student", help="write the student edition (solutions cleared) and a zip of it")
    student.add_argument("--out", help="folder to write (default: build/student)")
    student.add_argument("--nbgrader", metavar="COURSE_DIR", help="instead, write nbgrader source notebooks there")

    args = parser.parse_args(argv)
    if args.command == "run":
        from course_utils.harness.runner import parse_parameter, run_course

        try:
            parameters = dict(parse_parameter(text) for text in args.parameter)
        except ValueError as error:
            parser.error(str(error))
        return run_course(args.notebooks, fast=args.fast, parameters=parameters)
    if args.command == "data":
        from course_utils.harness.config import DataDirError

        try:
            return _data(args)
        except KeyError as error:
            print(error.args[0], file=sys.stderr)
            return 2
        except DataDirError as error:
            print(error, file=sys.stderr)
            return 2
    if args.command == "refresh":
        return _refresh(args)
    if args.command == "export":
        return _export(args)
    if args.command == "student":
        return _student(args)
    return _check(args)


if __name__ == "__main__":
    sys.exit(main())
