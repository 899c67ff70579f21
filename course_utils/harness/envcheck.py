"""The environment check that notebook 00 runs: versions, hardware, data and network."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from course_utils.data import download, registry
from course_utils.harness import config


@dataclass
class Check:
    """One line of the environment report."""

    name: str
    ok: bool
    detail: str


def python_check() -> Check:
    version = sys.version_info
    ok = (3, 10) <= version[:2] <= (3, 13)  # the CPython versions TensorFlow publishes wheels for
    return Check("Python", ok, f"{platform.python_version()} (course supports 3.10-3.13)")


def framework_checks() -> list[Check]:
    import keras
    import tensorflow as tf

    keras_ok = int(keras.__version__.split(".")[0]) >= 3
    gpus = tf.config.list_physical_devices("GPU")
    return [
        Check("TensorFlow", True, tf.__version__),
        Check("Keras", keras_ok, f"{keras.__version__} (Keras 3 needed)"),
        Check(
            "GPU", True, f"{len(gpus)} found" if gpus else "none: the course runs on the CPU (fast mode recommended)"
        ),
    ]


def cache_check() -> Check:
    try:
        folder = config.data_dir()
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as error:  # config.DataDirError says which variable, which path, what to do
        return Check("data cache", False, str(error).replace("\n", " "))
    return Check("data cache", True, f"{folder} is writable")


def data_checks() -> list[Check]:
    from course_utils.data import weights

    try:
        config.data_dir()
    except config.DataDirError:
        return [Check("data files", False, "not checked: the data cache is unusable (see above)")]
    mirror = config.data_mirror()
    checks = []
    for name, entry in sorted(registry.REGISTRY.items()):
        if name in weights.WEIGHTS and weights.find_local(name) is not None:
            state = "on disk (verified)"
        elif download.is_cached(entry):
            state = "cached"
        elif mirror and Path(download.sources(entry, mirror)[0]).is_file():
            state = "in the local mirror (copied on first use)"
        else:
            state = "needs a download"
        checks.append(Check(name, True, state))
    return checks


def network_check(url: str = "https://storage.googleapis.com/", timeout: float = 3.0) -> Check:
    """Whether the public download servers answer (a TCP connection, nothing sent)."""
    if download.server_answers(url, timeout):
        return Check("network", True, f"{url} answers")
    mirror = config.data_mirror()
    hint = f"; the local mirror {mirror} will be used" if mirror else "; set COURSE_DATA_MIRROR or pre-fetch the data"
    return Check("network", bool(mirror), f"{url} did not answer within {timeout:g} s{hint}")


def environment_report(check_network: bool = True) -> list[Check]:
    """Every check, in the order notebook 00 shows them."""
    checks = [python_check(), *framework_checks(), cache_check()]
    checks.append(Check("data mirror", True, config.data_mirror() or "none (COURSE_DATA_MIRROR unset)"))
    checks.extend(data_checks())
    if check_network:
        checks.append(network_check())
    checks.append(Check("fast mode", True, "on" if config.fast_mode() else "off (COURSE_FAST unset)"))
    checks.append(Check("CPU cores", True, str(os.cpu_count())))
    return checks


def format_report(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    return "\n".join(f"{'ok ' if c.ok else 'NO '} {c.name:<{width}}  {c.detail}" for c in checks)
