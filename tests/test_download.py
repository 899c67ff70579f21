"""The data layer against a local HTTP server: good, corrupt, truncated, missing, down."""

from __future__ import annotations

import gzip
import hashlib
import multiprocessing
from pathlib import Path

import pytest

from course_utils import download
from course_utils.registry import RemoteFile

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes


def make_entry(urls, payload=PAYLOAD, name="test/blob", relpath="test/blob.bin", content_sha256=None):
    return RemoteFile(
        name=name,
        relpath=relpath,
        urls=tuple(urls),
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        content_sha256=content_sha256,
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def test_good_file_is_downloaded_and_verified(http_root, tmp_path):
    root, url = http_root
    (root / "blob.bin").write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    path = download.fetch(make_entry([url + "blob.bin"]), data_dir=cache, mirror="", progress=False)
    assert path == cache / "test" / "blob.bin"
    assert path.read_bytes() == PAYLOAD
    assert leftovers(cache) == ["blob.bin"]


def test_second_fetch_uses_cache_without_network(http_root, tmp_path, closed_port_url):
    root, url = http_root
    (root / "blob.bin").write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    download.fetch(make_entry([url + "blob.bin"]), data_dir=cache, mirror="", progress=False)
    again = download.fetch(make_entry([closed_port_url + "blob.bin"]), data_dir=cache, mirror="", progress=False)
    assert again.read_bytes() == PAYLOAD


def test_corrupt_file_is_rejected_and_not_left(http_root, tmp_path):
    root, url = http_root
    corrupt = bytearray(PAYLOAD)
    corrupt[500] ^= 0xFF
    (root / "blob.bin").write_bytes(bytes(corrupt))
    cache = tmp_path / "cache"
    with pytest.raises(download.DownloadError) as info:
        download.fetch(make_entry([url + "blob.bin"]), data_dir=cache, mirror="", progress=False)
    message = str(info.value)
    assert "SHA-256" in message and url + "blob.bin" in message
    assert str(cache / "test" / "blob.bin") in message  # the manual fix names where to put it
    assert leftovers(cache) == []


def test_truncated_file_is_rejected(http_root, tmp_path):
    root, url = http_root
    (root / "blob.bin").write_bytes(PAYLOAD[:1000])
    cache = tmp_path / "cache"
    with pytest.raises(download.DownloadError, match="truncated"):
        download.fetch(make_entry([url + "blob.bin"]), data_dir=cache, mirror="", progress=False)
    assert leftovers(cache) == []


def test_404_is_reported(http_root, tmp_path):
    _, url = http_root
    with pytest.raises(download.DownloadError, match="HTTP 404"):
        download.fetch(make_entry([url + "missing.bin"]), data_dir=tmp_path / "c", mirror="", progress=False)
    assert leftovers(tmp_path / "c") == []


def test_server_down_is_reported(tmp_path, closed_port_url):
    with pytest.raises(download.DownloadError, match="unreachable"):
        download.fetch(make_entry([closed_port_url + "blob.bin"]), data_dir=tmp_path / "c", mirror="", progress=False)


def test_first_source_bad_second_good(http_root, tmp_path, closed_port_url):
    root, url = http_root
    (root / "bad.bin").write_bytes(PAYLOAD[::-1])
    (root / "good.bin").write_bytes(PAYLOAD)
    entry = make_entry([closed_port_url + "blob.bin", url + "bad.bin", url + "good.bin"])
    path = download.fetch(entry, data_dir=tmp_path / "c", mirror="", progress=False)
    assert path.read_bytes() == PAYLOAD
    assert leftovers(tmp_path / "c") == ["blob.bin"]


def test_cached_file_gone_corrupt_is_fetched_again(http_root, tmp_path):
    root, url = http_root
    (root / "blob.bin").write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    entry = make_entry([url + "blob.bin"])
    path = download.fetch(entry, data_dir=cache, mirror="", progress=False)
    path.write_bytes(b"garbage")
    assert not download.is_cached(entry, cache)
    again = download.fetch(entry, data_dir=cache, mirror="", progress=False)
    assert again.read_bytes() == PAYLOAD


def test_every_source_failing_lists_each_source(http_root, tmp_path, closed_port_url):
    root, url = http_root
    (root / "bad.bin").write_bytes(b"x" * len(PAYLOAD))
    entry = make_entry([closed_port_url + "a.bin", url + "missing.bin", url + "bad.bin"])
    with pytest.raises(download.DownloadError) as info:
        download.fetch(entry, data_dir=tmp_path / "c", mirror=str(tmp_path / "no-mirror"), progress=False)
    message = str(info.value)
    for part in ("not in the mirror", "unreachable", "HTTP 404", "SHA-256", entry.sha256, "COURSE_DATA_MIRROR"):
        assert part in message


def test_directory_mirror_is_tried_first(tmp_path, closed_port_url):
    mirror = tmp_path / "mirror"
    (mirror / "test").mkdir(parents=True)
    (mirror / "test" / "blob.bin").write_bytes(PAYLOAD)
    entry = make_entry([closed_port_url + "blob.bin"])
    path = download.fetch(entry, data_dir=tmp_path / "c", mirror=str(mirror), progress=False)
    assert path.read_bytes() == PAYLOAD


def test_url_mirror_prefix(http_root, tmp_path, closed_port_url):
    root, url = http_root
    (root / "test").mkdir()
    (root / "test" / "blob.bin").write_bytes(PAYLOAD)
    path = download.fetch(make_entry([closed_port_url]), data_dir=tmp_path / "c", mirror=url, progress=False)
    assert path.read_bytes() == PAYLOAD


def test_recompressed_gzip_accepted_by_content_hash(http_root, tmp_path):
    root, url = http_root
    content = b"IDX-like content " * 1000
    published = gzip.compress(content, compresslevel=9, mtime=0)
    recompressed = gzip.compress(content, compresslevel=1, mtime=12345)
    assert published != recompressed
    entry = make_entry(
        [url + "x.gz"], payload=published, relpath="test/x.gz", content_sha256=hashlib.sha256(content).hexdigest()
    )
    (root / "x.gz").write_bytes(recompressed)
    path = download.fetch(entry, data_dir=tmp_path / "c", mirror="", progress=False)
    assert gzip.decompress(path.read_bytes()) == content


def _fetch_in_process(args):
    url, cache = args
    return (
        download.fetch(make_entry([url + "blob.bin"]), data_dir=cache, mirror="", progress=False).read_bytes()
        == PAYLOAD
    )


def test_two_processes_fetching_at_once(http_root, tmp_path):
    root, url = http_root
    (root / "blob.bin").write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        outcomes = pool.map(_fetch_in_process, [(url, cache), (url, cache)])
    assert outcomes == [True, True]
    assert leftovers(cache) == ["blob.bin"]
    assert (cache / "test" / "blob.bin").read_bytes() == PAYLOAD


def test_unknown_name_lists_known_ones():
    with pytest.raises(KeyError, match="mnist/train-images"):
        download.fetch("no/such-file")
