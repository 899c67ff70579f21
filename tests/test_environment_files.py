"""environment.yml (conda) and pyproject.toml (pip) describe the same environment."""

from __future__ import annotations

import re

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import yaml
from conftest import PROJECT_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_name(r): r.replace(" ", "") for r in requirements}


def _conda() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_name(r): r.replace(" ", "") for r in pip if not r.startswith("-e")}


def test_same_packages_and_bounds():
    assert _conda() == _pyproject()


def test_tensorflow_keeps_keras_3_and_serves_gpus():
    deps = _pyproject()
    assert "tensorflow" in deps and "tensorflow-cpu" not in deps
    assert ">=2.16" in deps["tensorflow"]  # TensorFlow 2.16 is the first with Keras 3
    assert deps["keras"].startswith("keras>=3")


def test_conda_python_within_supported_range():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[1] in {"3.10", "3.11", "3.12", "3.13"}
