"""Plumbing shared by the course notebooks: data, plots, measurements and the harness.

The lessons live in the notebooks; ``course_utils.lessons`` holds the code their ``#| export``
cells generate, and the rest of this package is what they merely need, with tests.
"""

from course_utils import plots
from course_utils.data.datasets import (
    FASHION_MNIST_CLASSES,
    MNIST_CLASSES,
    load_fashion_mnist,
    load_imagenet_class_index,
    load_mnist,
    read_idx,
)
from course_utils.data.download import DownloadError, fetch, is_cached
from course_utils.harness.config import data_dir, data_mirror, fast_mode
from course_utils.harness.session import record, seed_everything, setup_notebook

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
