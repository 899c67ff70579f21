"""Shared test set-up: the offline mirror (when present) and a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import threading
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_MIRROR = PROJECT_ROOT.parent / "shared" / "data"

# Real data comes through the course's own mirror setting when the offline mirror exists;
# elsewhere the tests download it like any learner would.
if not os.environ.get("COURSE_DATA_MIRROR") and SHARED_MIRROR.is_dir():
    os.environ["COURSE_DATA_MIRROR"] = str(SHARED_MIRROR)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


class LocalServer:
    """An HTTP server on 127.0.0.1 serving one folder, started and stopped by a test."""

    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_root(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    with LocalServer(root) as server:
        yield root, server.url


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
