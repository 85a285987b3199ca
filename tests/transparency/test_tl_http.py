"""HttpReader against a local HTTP server on 127.0.0.1 (no outside network)."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tl_support import entries, log_signer, write_log

from amanah.transparency import HttpReader, StorageError, TileNotFound, verify_log


class LogServer:
    """Serves `files` under /prefix/; `gzip_paths` are sent gzip-encoded, `broken` as 500."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.gzip_paths: set[str] = set()
        self.raw_bodies: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Accept-Encoding")))
                path = self.path.removeprefix("/prefix/")
                if path == "broken":
                    self._send(500, b"oops")
                elif path in server.raw_bodies:
                    self._send(200, server.raw_bodies[path], {"Content-Encoding": "gzip"})
                elif path in server.files:
                    body = server.files[path]
                    if path in server.gzip_paths:
                        self._send(200, gzip.compress(body), {"Content-Encoding": "gzip"})
                    else:
                        self._send(200, body)
                else:
                    self._send(404, b"not found")

            def _send(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/prefix/"


@pytest.fixture
def server() -> Iterator[LogServer]:
    running = LogServer()
    running.thread.start()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()
    running.thread.join(timeout=5)


def test_reads_files_over_one_connection(server: LogServer) -> None:
    server.files = {"checkpoint": b"note\n", "tile/0/000.p/1": b"x" * 32}
    with HttpReader(server.url) as reader:
        assert reader.read("checkpoint") == b"note\n"
        assert reader.read("tile/0/000.p/1") == b"x" * 32
    assert server.requests == [
        ("/prefix/checkpoint", "gzip"),
        ("/prefix/tile/0/000.p/1", "gzip"),
    ]


def test_gzip_bodies_are_decoded(server: LogServer) -> None:
    server.files = {"tile/entries/000.p/2": b"\x00\x01a\x00\x01b"}
    server.gzip_paths = {"tile/entries/000.p/2"}
    with HttpReader(server.url) as reader:
        assert reader.read("tile/entries/000.p/2") == b"\x00\x01a\x00\x01b"


def test_bad_gzip_is_a_storage_error(server: LogServer) -> None:
    server.raw_bodies = {"tile/0/000": b"not gzip at all"}
    with HttpReader(server.url) as reader, pytest.raises(StorageError, match="bad gzip body"):
        reader.read("tile/0/000")


def test_404_is_tile_not_found(server: LogServer) -> None:
    with HttpReader(server.url) as reader, pytest.raises(TileNotFound, match="tile/0/000"):
        reader.read("tile/0/000")


def test_500_is_storage_error(server: LogServer) -> None:
    with HttpReader(server.url) as reader, pytest.raises(StorageError, match="HTTP 500"):
        reader.read("broken")


def test_unsafe_paths_are_refused_before_any_request(server: LogServer) -> None:
    with HttpReader(server.url) as reader, pytest.raises(StorageError, match="public log path"):
        reader.read("../secret")
    assert server.requests == []


@pytest.mark.parametrize("url", ["ftp://example.org/log", "example.org/log", "http://"])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(StorageError, match="is not an http:// or https:// URL"):
        HttpReader(url)


def test_connection_refused_is_storage_error(server: LogServer) -> None:
    url = server.url
    server.httpd.shutdown()
    server.httpd.server_close()
    with HttpReader(url, timeout=2) as reader, pytest.raises(StorageError, match="cannot fetch"):
        reader.read("checkpoint")


def test_verify_log_over_http(server: LogServer) -> None:
    storage, _ = write_log(entries(300))
    server.files = storage.files
    server.gzip_paths = {p for p in storage.files if p.startswith("tile/entries/")}
    with HttpReader(server.url.rstrip("/")) as reader:
        report = verify_log(reader, log_signer().verifier(), entries=[299])
    assert report.checkpoint.size == 300
    assert report.entries[0].entry == b"entry 299"
