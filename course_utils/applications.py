"""Keras applications the course transfers from: which constructor, which preprocessing, which last block.

Notebook 06 builds, freezes, extends and fine-tunes these networks; this module only looks up
what differs between them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Architecture:
    """What the course needs to know about one Keras application."""

    name: str
    module: str  # keras.applications.<module>
    builder: str  # the constructor's name in that module
    last_block: tuple[str, ...]  # layer-name prefixes of the block fine-tuning unfreezes


ARCHITECTURES = {
    "vgg16": Architecture("vgg16", "vgg16", "VGG16", ("block5_",)),
    "mobilenet_v2": Architecture("mobilenet_v2", "mobilenet_v2", "MobileNetV2", ("block_16_", "Conv_1", "out_relu")),
}


def architecture(name: str) -> Architecture:
    """The table entry of ``name``; a ``KeyError`` lists the known names."""
    if name not in ARCHITECTURES:
        raise KeyError(f"no architecture {name!r}; have: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def application(name: str) -> ModuleType:
    """The ``keras.applications`` module of an architecture (its constructor, ``preprocess_input``, ...)."""
    return importlib.import_module(f"keras.applications.{architecture(name).module}")


def builder(name: str) -> Callable:
    """The architecture's constructor, e.g. ``keras.applications.vgg16.VGG16``."""
    return getattr(application(name), architecture(name).builder)


def preprocess_fn(name: str) -> Callable:
    """The architecture's own ``preprocess_input`` (VGG16: BGR minus ImageNet means; MobileNetV2: [-1, 1])."""
    return application(name).preprocess_input


__all__ = ["ARCHITECTURES", "Architecture", "application", "architecture", "builder", "preprocess_fn"]
