"""Helpers shared by the course notebooks: data, plots, models, checks and the harness.

The lesson stays in the notebooks; what they merely need lives here, with tests.
"""

from . import plots
from .config import data_dir, data_mirror, fast_mode
from .datasets import (
    FASHION_MNIST_CLASSES,
    MNIST_CLASSES,
    load_fashion_mnist,
    load_imagenet_class_index,
    load_mnist,
    read_idx,
)
from .download import DownloadError, fetch, is_cached
from .harness import record, seed_everything, setup_notebook

__all__ = [
    "DownloadError",
    "FASHION_MNIST_CLASSES",
    "MNIST_CLASSES",
    "data_dir",
    "data_mirror",
    "fast_mode",
    "fetch",
    "is_cached",
    "load_fashion_mnist",
    "load_imagenet_class_index",
    "load_mnist",
    "plots",
    "read_idx",
    "record",
    "seed_everything",
    "setup_notebook",
]
