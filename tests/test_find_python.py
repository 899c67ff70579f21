"""tools/find-python: make setup's search for a CPython that TensorFlow has wheels for."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "find-python"


def _fake_python(folder: Path, name: str, version: str) -> Path:
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "{version}"\n')
    path.chmod(0o755)
    return path


def _run(folder: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(folder), "HOME": os.environ.get("HOME", "/tmp")}  # only the fake interpreters
    return subprocess.run(["/bin/sh", str(SCRIPT)], capture_output=True, text=True, env=env, check=False)


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
def test_a_too_new_default_python_is_passed_over_for_a_supported_one(tmp_path):
    _fake_python(tmp_path, "python3", "3.14")
    wanted = _fake_python(tmp_path, "python3.12", "3.12")
    done = _run(tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == str(wanted)


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
def test_the_default_python_is_used_when_supported(tmp_path):
    wanted = _fake_python(tmp_path, "python3", "3.13")
    _fake_python(tmp_path, "python3.11", "3.11")
    assert _run(tmp_path).stdout.strip() == str(wanted)


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
def test_no_supported_python_gives_one_line_saying_what_to_do(tmp_path):
    _fake_python(tmp_path, "python3", "3.14")
    _fake_python(tmp_path, "python3.9", "3.9")
    done = _run(tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    for phrase in ("3.10, 3.11, 3.12 or 3.13", "uv python install", "make setup PYTHON="):
        assert phrase in message
