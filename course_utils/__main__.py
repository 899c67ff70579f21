"""Command line: ``python -m course_utils run | data | refresh | check``."""

from __future__ import annotations

import argparse
import sys


def _data(args: argparse.Namespace) -> int:
    from . import download, registry

    names = args.names or sorted(registry.REGISTRY)
    if args.action == "list":
        for name in names:
            entry = registry.get(name)
            state = "cached" if download.is_cached(entry) else "missing"
            print(f"{name:32s} {entry.size/1e6:9.2f} MB  {state:7s}  {entry.description}")
        return 0
    if args.action == "verify":
        bad = 0
        for name in names:
            entry = registry.get(name)
            problem = download.verify(entry, download.cached_path(entry))
            print(f"{name:32s} {'ok' if problem is None else problem}")
            bad += problem is not None
        return 1 if bad else 0
    failed = 0
    for name in names:  # fetch
        try:
            path = download.fetch(name)
            print(f"{name:32s} ok  {path}")
        except download.DownloadError as error:
            print(f"{name:32s} FAILED\n{error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def _refresh(args: argparse.Namespace) -> int:
    from .notebooks import refresh

    status = 0
    for path in args.notebooks:
        problems = refresh(path)
        print(f"{path}: {'clean' if not problems else '; '.join(problems)}")
        status |= bool(problems)
    return status


def _check(args: argparse.Namespace) -> int:
    import nbformat

    from .notebooks import notebook_paths, policy_problems

    status = 0
    for path in args.notebooks or notebook_paths():
        problems = policy_problems(nbformat.read(path, as_version=4))
        print(f"{path}: {'ok' if not problems else '; '.join(problems)}")
        status |= bool(problems)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the course headless (papermill)")
    run.add_argument("--fast", action="store_true", help="fast mode: small data, few epochs")
    run.add_argument("notebooks", nargs="*", help="notebook files or name prefixes (default: all)")

    data = sub.add_parser("data", help="list, fetch or verify the course's data files")
    data.add_argument("action", choices=["list", "fetch", "verify"])
    data.add_argument("names", nargs="*", help="registry names (default: all)")

    refresh = sub.add_parser("refresh", help="re-execute notebooks (fast) and store them cleaned")
    refresh.add_argument("notebooks", nargs="+")

    check = sub.add_parser("check", help="check notebooks against the output policy")
    check.add_argument("notebooks", nargs="*")

    args = parser.parse_args(argv)
    if args.command == "run":
        from .runner import run_course

        return run_course(args.notebooks, fast=args.fast)
    if args.command == "data":
        return _data(args)
    if args.command == "refresh":
        return _refresh(args)
    return _check(args)


if __name__ == "__main__":
    sys.exit(main())
