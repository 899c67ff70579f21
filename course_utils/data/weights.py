"""Pretrained weights: Keras's official files and the course mirror's, found offline first.

``keras.applications.VGG16(weights="imagenet")`` downloads its file itself into
``$KERAS_HOME/models`` (default ``~/.keras/models``) and checks it against an MD5 written in
Keras's source. This module makes that same call work offline and fail fast: it looks for a
verified copy in Keras's folder, the course cache and the course mirror first, puts it where
Keras's loader finds it, and lets Keras download only when no local copy exists and the
server answers. Otherwise it raises :class:`WeightsUnavailableError`, which names the file,
its URL and where to put it.

The mirror's MobileNetV2 files are torchvision's ImageNet weights ported to Keras; they have
no public URL and are loaded by path (``MobileNetV2(weights=path)``), never by ``"imagenet"``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course_utils.data import download
from course_utils.data.registry import RemoteFile, get
from course_utils.harness import config


@dataclass(frozen=True)
class WeightsFile:
    """A weights file of the registry.

    Keras's own files carry only Keras's MD5 (``entry.md5``): Keras publishes no SHA-256 for its
    weights, and its loader downloads them itself and checks that MD5.
    """

    entry: RemoteFile

    @property
    def filename(self) -> str:
        return self.entry.filename

    @property
    def keras_md5(self) -> str | None:
        """The MD5 Keras checks, for Keras's official files; ``None`` for the mirror's."""
        return self.entry.md5


VGG16_TOP = WeightsFile(get("weights/vgg16-imagenet"))
VGG16_NOTOP = WeightsFile(get("weights/vgg16-imagenet-notop"))
MOBILENET_V2_TOP = WeightsFile(get("weights/mobilenet_v2-torchvision"))
MOBILENET_V2_NOTOP = WeightsFile(get("weights/mobilenet_v2-torchvision-notop"))
WEIGHTS: dict[str, WeightsFile] = {
    w.entry.name: w for w in (VGG16_TOP, VGG16_NOTOP, MOBILENET_V2_TOP, MOBILENET_V2_NOTOP)
}

CLASS_INDEX_FILENAME = "imagenet_class_index.json"


class WeightsUnavailableError(RuntimeError):
    """No verified copy of a weights file could be found or downloaded."""


def _resolve(weights: WeightsFile | str) -> WeightsFile:
    if isinstance(weights, WeightsFile):
        return weights
    if weights not in WEIGHTS:
        raise KeyError(f"no weights named {weights!r}; have: {', '.join(WEIGHTS)}")
    return WEIGHTS[weights]


def keras_models_dir() -> Path:
    """Where Keras's own loader keeps downloaded weights: ``$KERAS_HOME/models``.

    Mirrors Keras's rule: ``KERAS_HOME`` if set, else ``~/.keras`` (``/tmp/.keras`` when the
    home folder is not writable).
    """
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home) / "models"


def verify(weights: WeightsFile | str, path: Path | str) -> str | None:
    """``None`` if ``path`` is a good copy, else why not (size, SHA-256 or Keras's MD5)."""
    return download.verify(_resolve(weights).entry, path)


def local_candidates(
    weights: WeightsFile | str,
    *,
    mirror: str | None = None,
    data_dir: Path | str | None = None,
    keras_dir: Path | str | None = None,
) -> list[Path]:
    """Every local place a copy may be, in the order they are tried."""
    weights = _resolve(weights)
    keras_dir = Path(keras_dir) if keras_dir is not None else keras_models_dir()
    mirror = config.data_mirror() if mirror is None else mirror
    found = [keras_dir / weights.filename, download.cached_path(weights.entry, data_dir)]
    if mirror and "://" not in mirror:
        found.append(Path(mirror).expanduser() / weights.entry.relpath)
    return found


def find_local(weights: WeightsFile | str, **where) -> Path | None:
    """The first verified local copy (Keras's folder, course cache, mirror), or ``None``."""
    for path in local_candidates(weights, **where):
        if verify(weights, path) is None:
            return path
    return None


def _keras_download(weights: WeightsFile, url: str, keras_dir: Path) -> Path:
    """Keras's own download into ``keras_dir`` (checked by Keras against its MD5)."""
    import keras

    return Path(
        keras.utils.get_file(
            weights.filename,
            url,
            file_hash=weights.keras_md5,
            cache_subdir=keras_dir.name,
            cache_dir=str(keras_dir.parent),
        )
    )


def _missing_message(weights: WeightsFile, keras_dir: Path, tried: list[tuple[str, str]]) -> str:
    entry = weights.entry
    check = f"Keras's MD5 {weights.keras_md5}" if weights.keras_md5 else f"SHA-256 {entry.sha256}"
    lines = [
        f"The weights file {weights.filename} ({entry.size:,} bytes, {check}) is not available.",
        f"It is: {entry.description}.",
        "Tried:",
    ]
    lines += [f"  - {where}: {why}" for where, why in tried]
    if entry.urls:
        lines.append(f"Download it on a machine with internet from {entry.urls[0]}")
    else:
        lines.append("It has no public URL: copy it from the course's data mirror")
    lines += [
        f"and put it at {keras_dir / weights.filename} (where Keras's own loader looks),",
        f"or in the course cache as {download.cached_path(weights.entry)},",
        f"or in a folder named by COURSE_DATA_MIRROR as {entry.relpath}; then run again.",
    ]
    return "\n".join(lines)


def install_for_keras(
    weights: WeightsFile | str,
    *,
    download_ok: bool = True,
    mirror: str | None = None,
    data_dir: Path | str | None = None,
    keras_dir: Path | str | None = None,
    timeout: float = 3.0,
    downloader: Callable[[WeightsFile, str, Path], Path] | None = None,
) -> Path:
    """Put a verified copy where Keras's loader looks, so ``weights="imagenet"`` works; return it.

    Local copies are tried first (Keras's folder, course cache, mirror). Only when there is
    none, ``download_ok`` is true and the server answers within ``timeout`` seconds, Keras
    downloads the file itself (``downloader`` replaces that download in tests).

    Raises:
        WeightsUnavailableError: no local copy and no download; the message says which file,
            from which URL, and where to put it.
    """
    weights = _resolve(weights)
    keras_dir = Path(keras_dir) if keras_dir is not None else keras_models_dir()
    target = keras_dir / weights.filename
    tried: list[tuple[str, str]] = []
    for path in local_candidates(weights, mirror=mirror, data_dir=data_dir, keras_dir=keras_dir):
        problem = verify(weights, path)
        if problem is None:
            return path if path == target else download.copy_into(path, target)
        tried.append((str(path), problem))
    if not download_ok:
        tried.append(("download", "not attempted (downloads are off here)"))
    else:
        for url in weights.entry.urls:
            if not download.server_answers(url, timeout):
                tried.append((url, f"server did not answer within {timeout:g} s"))
                continue
            try:
                path = (downloader or _keras_download)(weights, url, keras_dir)
            except Exception as error:  # Keras raises several kinds; report them all the same way
                tried.append((url, f"{type(error).__name__}: {error}"))
                continue
            problem = verify(weights, path)
            if problem is None:
                return path
            tried.append((url, problem))
    raise WeightsUnavailableError(_missing_message(weights, keras_dir, tried))


def imagenet_or_none(weights: WeightsFile | str, *, required: bool, **kwargs) -> str | None:
    """``"imagenet"`` if the file could be put in place, else ``None`` (random weights).

    With ``required`` the :class:`WeightsUnavailableError` is raised instead; without it a
    warning that predictions will be meaningless is printed. ``kwargs`` go to
    :func:`install_for_keras`.
    """
    weights = _resolve(weights)
    try:
        path = install_for_keras(weights, **kwargs)
    except WeightsUnavailableError as error:
        if required:
            raise
        print(
            f"{weights.filename} is not available, so this model gets RANDOM weights:\n"
            "its predictions below are meaningless (the code path is the same).\n"
            f"Why: {str(error).splitlines()[0]}"
        )
        return None
    print(f"ImageNet weights: {path}")
    return "imagenet"


def mirror_weights_path(weights: WeightsFile | str, **fetch_kwargs) -> Path:
    """A verified local path to a mirror-only file (e.g. the ported MobileNetV2 weights)."""
    weights = _resolve(weights)
    try:
        return download.fetch(weights.entry, **fetch_kwargs)
    except download.DownloadError as error:
        raise WeightsUnavailableError(f"{weights.entry.description}: {error}") from error


def install_class_index(keras_dir: Path | str | None = None, **fetch_kwargs) -> Path:
    """Copy the verified ImageNet class index to where ``decode_predictions`` looks for it."""
    source = download.fetch("imagenet/class-index", **fetch_kwargs)
    target = (Path(keras_dir) if keras_dir is not None else keras_models_dir()) / CLASS_INDEX_FILENAME
    if download.verify(get("imagenet/class-index"), target) is None:
        return target
    return download.copy_into(source, target)


__all__ = [
    "MOBILENET_V2_NOTOP",
    "MOBILENET_V2_TOP",
    "VGG16_NOTOP",
    "VGG16_TOP",
    "WEIGHTS",
    "WeightsFile",
    "WeightsUnavailableError",
    "find_local",
    "imagenet_or_none",
    "install_class_index",
    "install_for_keras",
    "keras_models_dir",
    "mirror_weights_path",
    "verify",
]
