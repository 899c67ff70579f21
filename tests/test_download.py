"""The data layer against local HTTP servers: good, corrupt, truncated, missing, down, endless, slow."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import io
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from course_utils.data import download, registry
from course_utils.data.registry import RemoteFile
from course_utils.harness import config

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes


def make_entry(urls, payload=PAYLOAD, name="test/blob", relpath="test/blob.bin", content=None):
    """A registry entry for ``payload``; with ``content``, a ``.gz`` whose content is checked too."""
    return RemoteFile(
        name=name,
        relpath=relpath,
        urls=tuple(urls),
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        content_sha256=None if content is None else hashlib.sha256(content).hexdigest(),
        content_size=None if content is None else len(content),
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
    assert published != recompressed and len(recompressed) > len(published)
    entry = make_entry([url + "x.gz"], payload=published, relpath="test/x.gz", content=content)
    (root / "x.gz").write_bytes(recompressed)
    path = download.fetch(entry, data_dir=tmp_path / "c", mirror="", progress=False)
    assert gzip.decompress(path.read_bytes()) == content


def test_content_check_reads_no_more_than_the_content_size(tmp_path, monkeypatch):
    content = b"IDX-like content " * 1000
    entry = make_entry([], payload=gzip.compress(content), relpath="test/x.gz", content=content)
    bomb = tmp_path / "bomb.gz"  # a small file that unpacks to far more than the content
    bomb.write_bytes(gzip.compress(content + bytes(5 << 20)))
    unpacked = []
    real_open = gzip.open

    def counting_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        read = handle.read
        handle.read = lambda n=-1: unpacked.append(len(block := read(n))) or block
        return handle

    monkeypatch.setattr(download.gzip, "open", counting_open)
    assert download.verify(entry, bomb).startswith("size")
    assert sum(unpacked) == len(content) + 1
    other = tmp_path / "other.gz"
    other.write_bytes(gzip.compress(content[::-1]))
    assert download.verify(entry, other) is not None


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


def test_registry_is_one_table_of_distinct_checked_files():
    assert registry.REGISTRY == {entry.name: entry for entry in registry.FILES}
    assert len(registry.REGISTRY) == len(registry.FILES) == len({entry.relpath for entry in registry.FILES})
    for entry in registry.FILES:
        assert entry.size > 0 and entry.description, entry.name
        assert len(entry.sha256) == 64 or (entry.sha256 == "" and len(entry.md5 or "") == 32), entry.name
    for name in ("mnist/t10k-labels", "imagenette/imagenette2-160", "weights/vgg16-imagenet"):
        assert name in registry.REGISTRY  # later notebooks' files too, without importing their modules


class _Endless:
    """A reader that never ends: it gives as many zero bytes as asked, and counts them."""

    def __init__(self):
        self.given = 0

    def read1(self, n: int) -> bytes:
        self.given += n
        return bytes(n)


def test_copy_stops_one_byte_past_the_limit():
    reader, out = _Endless(), io.BytesIO()
    with pytest.raises(download.SourceRejected, match="more than the expected 4,542 bytes"):
        download.copy_capped(reader, out, limit=4542, deadline_s=60.0)
    assert reader.given == len(out.getvalue()) == 4543


class _Server:
    """A local HTTP server whose every GET is answered by ``respond(handler)``."""

    def __init__(self, respond):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    respond(self)
                except OSError:  # the client hung up, as it should
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_endless_source_is_cut_off_at_the_registry_size(tmp_path):
    sent = [0]

    def endless_zeros(handler):  # no Content-Length: the body ends when the server closes
        handler.send_response(200)
        handler.end_headers()
        while sent[0] < 1 << 30:
            handler.wfile.write(bytes(1 << 16))
            sent[0] += 1 << 16

    server = _Server(endless_zeros)
    try:
        entry = dataclasses.replace(registry.get("mnist/t10k-labels"), urls=(server.url + "t10k-labels.gz",))
        start = time.perf_counter()
        with pytest.raises(download.DownloadError, match="more than the expected 4,542 bytes"):
            download.fetch(entry, data_dir=tmp_path / "c", mirror="", progress=False)
        assert time.perf_counter() - start < 10.0
    finally:
        server.close()
    assert sent[0] < 64 << 20  # only what the sockets buffered before the client hung up
    assert leftovers(tmp_path / "c") == []


def test_source_announcing_too_many_bytes_is_not_read(http_root, tmp_path):
    root, url = http_root
    (root / "blob.bin").write_bytes(PAYLOAD + bytes(1000))
    with pytest.raises(download.DownloadError, match="announces 103,400 bytes"):
        download.fetch(make_entry([url + "blob.bin"]), data_dir=tmp_path / "c", mirror="", progress=False)
    assert leftovers(tmp_path / "c") == []


def test_slow_source_hits_the_overall_deadline(tmp_path):
    def trickle(handler):  # one byte every 50 ms: each read succeeds, the whole would take 85 minutes
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(PAYLOAD)))
        handler.end_headers()
        for i in range(len(PAYLOAD)):
            handler.wfile.write(PAYLOAD[i : i + 1])
            time.sleep(0.05)

    server = _Server(trickle)
    try:
        start = time.perf_counter()
        with pytest.raises(download.DownloadError, match="deadline of 1 s passed"):
            download.fetch(
                make_entry([server.url + "blob.bin"]),
                data_dir=tmp_path / "c",
                mirror="",
                progress=False,
                deadline_s=1.0,
            )
        assert time.perf_counter() - start < 10.0  # well under the per-read timeout of 30 s
    finally:
        server.close()
    assert leftovers(tmp_path / "c") == []


def test_default_deadline_grows_with_the_size():
    small, large = registry.get("mnist/t10k-labels"), registry.get("flowers/flower_photos")
    assert download.deadline_for(small) == download.MIN_DEADLINE_S
    assert download.deadline_for(large) == large.size / download.MIN_BYTES_PER_S > download.MIN_DEADLINE_S


def test_cache_folder_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "test").write_text("in the way")
    with pytest.raises(config.DataDirError, match="is a file, not a folder") as info:
        download.fetch(make_entry([]), data_dir=tmp_path, mirror="", progress=False)
    assert str(tmp_path / "test") in str(info.value)


def test_server_answers(http_root, closed_port_url):
    assert download.server_answers(http_root[1])
    assert not download.server_answers(closed_port_url, timeout=1.0)
