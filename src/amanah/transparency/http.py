"""A `LogReader` over HTTP(S): one keep-alive connection, gzip understood, 404 as `TileNotFound`."""

from __future__ import annotations

import gzip
import http.client
import urllib.parse

from .errors import StorageError, TileNotFound
from .storage import check_log_path

__all__ = ["HttpReader"]

_USER_AGENT = "amanah-verify/1"


class HttpReader:
    """Reads `<base_url>/<path>`; the base URL is the log prefix (where `checkpoint` lives)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise StorageError(f"{base_url!r} is not an http:// or https:// URL")
        self.base_url = base_url.rstrip("/")
        self._scheme = parsed.scheme
        self._netloc = parsed.netloc
        self._prefix = parsed.path.rstrip("/")
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            cls = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = cls(self._netloc, timeout=self._timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> HttpReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def read(self, path: str) -> bytes:
        target = f"{self._prefix}/{check_log_path(path)}"
        headers = {"Accept-Encoding": "gzip", "User-Agent": _USER_AGENT}
        for attempt in (1, 2):
            # A keep-alive connection the server closed fails once; retry on a fresh one.
            try:
                connection = self._connect()
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if attempt == 2:
                    raise StorageError(f"cannot fetch {self.base_url}/{path}: {error}") from error
        if response.status == 404:
            raise TileNotFound(path)
        if response.status != 200:
            raise StorageError(f"{self.base_url}/{path}: HTTP {response.status} {response.reason}")
        if response.getheader("Content-Encoding", "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as error:
                raise StorageError(f"{self.base_url}/{path}: bad gzip body") from error
        return body
