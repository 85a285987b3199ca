"""Shared pieces of the Django-free commands: key loading, progress, failure exits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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
