"""requirements.lock: the exact versions the course is tested with (`make setup` installs them).

The lock must agree with pyproject.toml and environment.yml, and install as it stands on every
supported Python (3.10-3.13) on Linux and macOS: for each, uv resolves pyproject.toml's
requirements (test extra included) with the lock as constraints, from wheels only, and must pick
exactly the lock's pins for that interpreter and platform, nothing more, nothing less.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import pytest
import yaml
from conftest import PROJECT_ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = PROJECT_ROOT / "requirements.lock"
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# uv's name for each platform, and the marker values pip sees there.
PLATFORMS = {
    "x86_64-manylinux_2_28": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "aarch64-manylinux_2_28": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
    "aarch64-apple-darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
}
TARGETS = [(python, platform) for python in PYTHONS for platform in PLATFORMS]


def _locked() -> list[Requirement]:
    lines = LOCK.read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _declared() -> list[tuple[str, Requirement]]:
    """Every requirement pyproject.toml and environment.yml name, with where it comes from."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = [("pyproject.toml", r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        requirements += [("pyproject.toml", r) for r in extra]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    requirements += [("environment.yml", r) for r in pip if not r.startswith("-")]
    return [(source, Requirement(r)) for source, r in requirements]


def _environment(python: str, platform: str) -> dict[str, str]:
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        **PLATFORMS[platform],
    }


def _pins(requirements: list[Requirement], environment: dict[str, str] | None = None) -> dict[str, str]:
    pins: dict[str, str] = {}
    for r in requirements:
        if environment is None or r.marker is None or r.marker.evaluate(environment):
            name = canonicalize_name(r.name)
            assert name not in pins, f"requirements.lock pins {name} twice for {environment}"
            pins[name] = str(r.specifier).removeprefix("==")
    return pins


def test_every_entry_is_an_exact_pin():
    for r in _locked():
        assert len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==", r
        assert not r.url and not r.extras, r
    assert "mnist-to-imagenet" not in {canonicalize_name(r.name) for r in _locked()}  # `pip install -e .` adds it


def test_lock_agrees_with_pyproject_and_environment_yml():
    locked: dict[str, list[Requirement]] = {}
    for r in _locked():
        locked.setdefault(canonicalize_name(r.name), []).append(r)
    for source, wanted in _declared():
        name = canonicalize_name(wanted.name)
        assert name in locked, f"{source} asks for {wanted}, requirements.lock has no {name}: run `make lock`"
        for pin in locked[name]:
            version = str(pin.specifier).removeprefix("==")
            assert wanted.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {pin}, outside {source}'s {wanted}: run `make lock`"
            )


def test_one_tensorflow_for_every_python():
    tensorflow = [r for r in _locked() if canonicalize_name(r.name) == "tensorflow"]
    assert len(tensorflow) == 1 and tensorflow[0].marker is None, tensorflow


def _uv() -> str | None:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _resolve(uv: str, python: str, platform: str) -> subprocess.CompletedProcess:
    command = [uv, "pip", "compile", "pyproject.toml", "--extra", "test", "--constraints", LOCK.name]
    command += ["--python-version", python, "--python-platform", platform, "--no-build", "--no-python-downloads"]
    command += ["--no-header", "--no-annotate", "--quiet", "--no-progress"]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/tensorflow/", timeout=10):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def resolutions() -> dict[tuple[str, str], subprocess.CompletedProcess]:
    uv = _uv()
    if uv is None:
        if os.environ.get("CI") == "true":
            pytest.fail("uv is missing; the test extra installs it (`make setup`)")
        pytest.skip("uv is not installed: `make setup` installs it (test extra), or `pip install uv`")
    # One run first fills uv's cache with the package index; the others then mostly read it.
    runs = {TARGETS[0]: _resolve(uv, *TARGETS[0])}
    with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
        runs.update(zip(TARGETS[1:], pool.map(lambda target: _resolve(uv, *target), TARGETS[1:]), strict=True))
    if any(run.returncode for run in runs.values()) and os.environ.get("CI") != "true" and not _pypi_reachable():
        pytest.skip("PyPI is unreachable: the lock's resolution check needs the package index")
    return runs


@pytest.mark.parametrize(("python", "platform"), TARGETS)
def test_lock_installs_as_it_stands(resolutions, python, platform):
    run = resolutions[python, platform]
    assert run.returncode == 0, f"the locked set does not resolve for Python {python} on {platform}:\n{run.stderr}"
    resolved = _pins([Requirement(line) for line in run.stdout.splitlines() if line.strip()])
    locked = _pins(_locked(), _environment(python, platform))
    unlocked = {n: v for n, v in resolved.items() if locked.get(n) != v}
    unused = {n: v for n, v in locked.items() if resolved.get(n) != v}
    assert resolved == locked, (
        f"Python {python} on {platform}: resolved but not locked {unlocked}, locked but not resolved {unused}: "
        "run `make lock`"
    )
