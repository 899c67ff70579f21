"""Plumbing shared by the course notebooks: data, plots, measurements and the harness.

The lessons live in the notebooks; ``course_utils.lessons`` holds the code their ``#| export``
cells generate, and the rest of this package is what they merely need, with tests.
"""

import importlib

# What notebooks use as cu.<name>, and where it lives. Imported on first use (PEP 562), so that
# `python -m course_utils export` and the other maintainer commands need no numpy or matplotlib.
_WHERE = {
    "plots": "course_utils.plots",
    "EpochLine": "course_utils.measure.progress",
    "estimate": "course_utils.measure.progress",
    "runs": "course_utils.measure.progress",
    "FASHION_MNIST_CLASSES": "course_utils.data.datasets",
    "MNIST_CLASSES": "course_utils.data.datasets",
    "load_fashion_mnist": "course_utils.data.datasets",
    "load_imagenet_class_index": "course_utils.data.datasets",
    "load_mnist": "course_utils.data.datasets",
    "read_idx": "course_utils.data.datasets",
    "DownloadError": "course_utils.data.download",
    "fetch": "course_utils.data.download",
    "is_cached": "course_utils.data.download",
    "data_dir": "course_utils.harness.config",
    "data_mirror": "course_utils.harness.config",
    "fast_mode": "course_utils.harness.config",
    "record": "course_utils.harness.session",
    "seed_everything": "course_utils.harness.session",
    "setup_notebook": "course_utils.harness.session",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
    module = importlib.import_module(_WHERE[name])
    value = module if module.__name__.endswith(f".{name}") else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "DownloadError",
    "EpochLine",
    "FASHION_MNIST_CLASSES",
    "MNIST_CLASSES",
    "data_dir",
    "data_mirror",
    "estimate",
    "fast_mode",
    "fetch",
    "is_cached",
    "load_fashion_mnist",
    "load_imagenet_class_index",
    "load_mnist",
    "plots",
    "read_idx",
    "record",
    "runs",
    "seed_everything",
    "setup_notebook",
]
