"""The weights manager: local copies first, Keras's download only when the server answers,
and a clear error when a file cannot be had. No test reaches the internet."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path

import pytest

from course_utils.data import weights
from course_utils.data.registry import REGISTRY, RemoteFile

PAYLOAD = b"not really weights " * 100
SHARED_MIRROR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def keras_style(urls, payload=PAYLOAD, name="test/keras-weights"):
    """A file verified like Keras's: size and MD5, no SHA-256."""
    entry = RemoteFile(
        name=name,
        relpath="weights/fake_keras.h5",
        urls=tuple(urls),
        size=len(payload),
        sha256="",
        md5=hashlib.md5(payload).hexdigest(),
        description="a test file",
    )
    return weights.WeightsFile(entry)


def mirror_style(payload=PAYLOAD):
    entry = RemoteFile(
        name="test/mirror-weights",
        relpath="weights/fake_mirror.weights.h5",
        urls=(),
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        description="a test file",
    )
    return weights.WeightsFile(entry)


def never_download(*args):
    raise AssertionError("the download must not be attempted")


@pytest.fixture
def places(tmp_path):
    dirs = {k: tmp_path / k for k in ("mirror", "cache", "keras")}
    for d in dirs.values():
        d.mkdir()
    return dirs


def where(places):
    return {"mirror": str(places["mirror"]), "data_dir": places["cache"], "keras_dir": places["keras"]}


def test_registry_entries():
    vgg = REGISTRY["weights/vgg16-imagenet"]
    assert vgg.urls == (
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    )
    assert REGISTRY["weights/vgg16-imagenet-notop"].urls[0].endswith("_notop.h5")
    assert weights.VGG16_TOP.keras_md5 == "64373286793e3c8b2b4e3219cbf3544b"  # Keras's own hash
    assert weights.VGG16_TOP.entry is REGISTRY["weights/vgg16-imagenet"]
    for w in (weights.MOBILENET_V2_TOP, weights.MOBILENET_V2_NOTOP):
        assert w.entry.urls == () and "torchvision" in w.entry.description and w.entry.sha256


@pytest.mark.skipif(not SHARED_MIRROR.is_dir(), reason="needs the course's offline mirror")
def test_mirror_files_match_their_registry_entries():
    for w in (weights.MOBILENET_V2_TOP, weights.MOBILENET_V2_NOTOP):
        assert weights.verify(w, SHARED_MIRROR / w.entry.relpath) is None


def test_verify_by_keras_md5(tmp_path):
    w = keras_style([])
    good, bad = tmp_path / "good.h5", tmp_path / "bad.h5"
    good.write_bytes(PAYLOAD)
    bad.write_bytes(PAYLOAD[:-1] + b"X")
    assert weights.verify(w, good) is None
    assert "MD5" in weights.verify(w, bad)
    assert weights.verify(w, tmp_path / "none.h5") == "missing"


def test_copy_from_mirror_is_put_where_keras_looks(places, closed_port_url):
    w = keras_style([closed_port_url + "fake_keras.h5"])
    (places["mirror"] / "weights").mkdir()
    (places["mirror"] / "weights" / "fake_keras.h5").write_bytes(PAYLOAD)
    path = weights.install_for_keras(w, downloader=never_download, **where(places))
    assert path == places["keras"] / "fake_keras.h5" and path.read_bytes() == PAYLOAD


def test_corrupt_keras_copy_is_replaced_from_the_mirror(places):
    w = keras_style([])
    (places["keras"] / "fake_keras.h5").write_bytes(b"truncated")
    (places["mirror"] / "weights").mkdir()
    (places["mirror"] / "weights" / "fake_keras.h5").write_bytes(PAYLOAD)
    path = weights.install_for_keras(w, downloader=never_download, **where(places))
    assert path.read_bytes() == PAYLOAD


def test_missing_everywhere_fails_fast_with_a_clear_message(places, closed_port_url):
    url = closed_port_url + "fake_keras.h5"
    w = keras_style([url])
    start = time.perf_counter()
    with pytest.raises(weights.WeightsUnavailableError) as info:
        weights.install_for_keras(w, downloader=never_download, timeout=2.0, **where(places))
    assert time.perf_counter() - start < 5.0
    message = str(info.value)
    assert "fake_keras.h5" in message and url in message  # which file, from where
    assert str(places["keras"] / "fake_keras.h5") in message  # where to put it
    assert "did not answer" in message
    assert not any(places["keras"].iterdir())


def test_downloads_off_never_touch_the_network(places):
    w = keras_style(["http://127.0.0.1:9/never"])
    with pytest.raises(weights.WeightsUnavailableError, match="not attempted"):
        weights.install_for_keras(w, download_ok=False, downloader=never_download, **where(places))


def test_keras_download_from_a_local_server(places, http_root):
    root, url = http_root
    (root / "fake_keras.h5").write_bytes(PAYLOAD)
    path = weights.install_for_keras(keras_style([url + "fake_keras.h5"]), **where(places))
    assert path == places["keras"] / "fake_keras.h5" and path.read_bytes() == PAYLOAD


def test_bad_download_is_reported(places, http_root):
    root, url = http_root
    (root / "fake_keras.h5").write_bytes(PAYLOAD)
    w = keras_style([url + "fake_keras.h5"])
    w = weights.WeightsFile(dataclasses.replace(w.entry, md5="0" * 32))  # Keras's check fails
    with pytest.raises(weights.WeightsUnavailableError) as info:
        weights.install_for_keras(w, **where(places))
    assert url + "fake_keras.h5" in str(info.value)


def test_imagenet_or_none(places, closed_port_url, capsys):
    w = keras_style([closed_port_url + "fake_keras.h5"])
    assert weights.imagenet_or_none(w, required=False, downloader=never_download, **where(places)) is None
    assert "meaningless" in capsys.readouterr().out
    with pytest.raises(weights.WeightsUnavailableError):
        weights.imagenet_or_none(w, required=True, downloader=never_download, **where(places))
    (places["keras"] / "fake_keras.h5").write_bytes(PAYLOAD)
    assert weights.imagenet_or_none(w, required=True, **where(places)) == "imagenet"


def test_mirror_only_file(places):
    w = mirror_style()
    with pytest.raises(weights.WeightsUnavailableError, match="no public URL|could not get"):
        weights.mirror_weights_path(w, mirror=str(places["mirror"]), data_dir=places["cache"], progress=False)
    (places["mirror"] / "weights").mkdir()
    (places["mirror"] / "weights" / "fake_mirror.weights.h5").write_bytes(PAYLOAD)
    path = weights.mirror_weights_path(w, mirror=str(places["mirror"]), data_dir=places["cache"], progress=False)
    assert path.read_bytes() == PAYLOAD and path.is_relative_to(places["cache"])


@pytest.mark.skipif(not SHARED_MIRROR.is_dir(), reason="needs the course's offline mirror")
def test_class_index_is_installed_for_keras(tmp_path):
    path = weights.install_class_index(tmp_path / "models", data_dir=tmp_path / "cache", progress=False)
    assert path == tmp_path / "models" / "imagenet_class_index.json"
    assert len(json.loads(path.read_text())) == 1000
    assert weights.install_class_index(tmp_path / "models", data_dir=tmp_path / "cache", progress=False) == path


def test_keras_models_dir_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert weights.keras_models_dir() == tmp_path / "kh" / "models"
