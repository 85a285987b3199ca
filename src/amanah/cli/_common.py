"""Shared pieces of the Django-free commands: key loading, progress, failure exits."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from amanah.transparency import TransparencyError, parse_verifier_key
from amanah.transparency.cosignature import CosignatureVerifier
from amanah.transparency.note import Ed25519Verifier

# Exit codes promised in the README: verification failures and usage/I-O errors differ.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)
# Seconds to wait for the server (the commands that talk to the API).
TIMEOUT = 30.0


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    stderr.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def read_key_text(value: str) -> str:
    """A key given inline, or as the path of a file holding it (keys stay out of argv)."""
    path = Path(value)
    if "+" not in value or path.is_file():
        try:
            return path.read_text().strip()
        except OSError as error:
            raise fail(f"cannot read key file {value}: {error.strerror}") from error
    return value.strip()


def load_log_key(value: str) -> Ed25519Verifier:
    try:
        key = parse_verifier_key(read_key_text(value))
    except TransparencyError as error:
        raise fail(f"--key: {error}") from error
    if isinstance(key, CosignatureVerifier):
        raise fail("--key: this is a witness (cosignature) key, not a log key")
    return key


def load_witness_keys(values: list[str]) -> list[CosignatureVerifier]:
    keys: list[CosignatureVerifier] = []
    for value in values:
        try:
            key = parse_verifier_key(read_key_text(value))
        except TransparencyError as error:
            raise fail(f"--witness {value[:40]}: {error}") from error
        if not isinstance(key, CosignatureVerifier):
            raise fail(f"--witness {key.name}: not a cosignature/v1 (type 0x04) key")
        keys.append(key)
    return keys


@contextmanager
def progress_bar(label: str, *, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A callback `(done, total)` that drives a transient bar on stderr, or does nothing."""
    if not enabled:
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=stderr, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@contextmanager
def progress_after(
    label: str,
    *,
    delay: float = 1.0,
    console: Console = stderr,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Callable[[int, int], None]]:
    """A callback `(done, total)` that shows a transient bar on `console` only once the
    work has taken more than `delay` seconds: a quick job prints nothing extra."""
    started = clock()
    shown: list[tuple[Progress, TaskID]] = []

    def update(done: int, total: int) -> None:
        if not shown:
            if clock() - started <= delay:
                return
            columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
            progress = Progress(*columns, TimeRemainingColumn(), console=console, transient=True)
            progress.start()
            shown.append((progress, progress.add_task(label, total=total)))
        progress, task = shown[0]
        progress.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        for progress, _task in shown:
            progress.stop()


# --- talking to the server's API (/api/v1) over HTTP, with the standard library ----------


class Refused(Exception):
    """The server answered with an error (`{"code", "message", "fields"}`)."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        super().__init__(status)

    def __str__(self) -> str:
        if isinstance(self.body, dict) and "code" in self.body:
            fields = self.body.get("fields") or {}
            details = "".join(f"\n  {name}: {value}" for name, value in fields.items())
            return f"{self.body.get('message', '')} ({self.body['code']}){details}"
        return f"HTTP {self.status}"


class _ReportingBody:
    """A request body that reports how much of it has been sent (`progress(sent, total)`):
    on a poor connection, a large upload shows it is moving."""

    def __init__(self, data: bytes, progress: Callable[[int, int], None]) -> None:
        self._data, self._sent, self._progress = data, 0, progress

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else min(size, 64 * 1024)
        chunk = self._data[self._sent : self._sent + size]
        self._sent += len(chunk)
        self._progress(self._sent, len(self._data))
        return chunk


def http_json(
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: Any = None,
    upload_progress: Callable[[int, int], None] | None = None,
) -> tuple[int, Any]:
    """Send a request, return (status, decoded JSON). Raises `Refused` on an error answer
    and `OSError` when the server cannot be reached or answers something else than JSON."""
    data = None if body is None else json.dumps(body).encode()
    sent: Any = data
    if data is not None and upload_progress is not None:
        sent = _ReportingBody(data, upload_progress)
    request = urllib.request.Request(url, data=sent, method=method)  # noqa: S310
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
        request.add_header("Content-Length", str(len(data)))
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        raise Refused(error.code, answer) from None
    try:
        return status, json.loads(raw)
    except ValueError as error:
        raise OSError(f"{url} did not answer JSON") from error


def api_url(server: str) -> str:
    if not server.startswith(("http://", "https://")):
        raise fail(f"--server {server}: give an http(s) URL")
    return server.rstrip("/") + "/api/v1"


def read_token(path: Path) -> str:
    try:
        token = path.read_text().strip()
    except OSError as error:
        raise fail(f"cannot read token file {path}: {error.strerror}") from error
    if not token:
        raise fail(f"token file {path} is empty")
    return token
