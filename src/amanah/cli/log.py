"""`amanah-log`: a file-backed transparency log a script can drive.

    amanah-log init DIR --origin ORIGIN      new log and key; prints the verifier key
    amanah-log append DIR [--jsonl] < FILE   one entry per line; nothing is signed yet
    amanah-log checkpoint DIR                sign and publish the current tree
    amanah-log receipt DIR INDEX             an offline tlog-proof receipt for one entry

Input is read and checked in full before anything is written, so a bad line appends
nothing. Needs only amanah.transparency, never Django.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from amanah.transparency import (
    FileLog,
    LogForked,
    MalformedInput,
    StorageError,
    TransparencyError,
    canonicalise_json_line,
)

from ._common import EXIT_FAILED, fail, progress_bar, stderr, stdout

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Create and grow a tiled transparency log in a directory.",
)

DirArgument = Annotated[Path, typer.Argument(help="The log's directory.")]


def _open(directory: Path) -> FileLog:
    try:
        return FileLog.open(directory)
    except StorageError as error:
        raise fail(str(error)) from error


@app.command("init")
def init_command(
    directory: DirArgument,
    origin: Annotated[str, typer.Option(help="The log's identity, e.g. example.org/log.")],
) -> None:
    """Create an empty log with a new signing key (kept in DIR/.amanah-log, mode 0600)."""
    try:
        log = FileLog.init(directory, origin=origin)
    except (StorageError, MalformedInput) as error:
        raise fail(str(error)) from error
    stderr.print(f"Created a log in {directory}; its verifier key is:", markup=False)
    print(log.verifier_key)


def _read_entries(jsonl: bool) -> list[bytes]:
    entries = []
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        line = raw.removesuffix(b"\n")
        if jsonl:
            if not line.strip():
                continue
            try:
                line = canonicalise_json_line(line)
            except MalformedInput as error:
                raise fail(f"line {number}: {error}") from error
        entries.append(line)
    return entries


@app.command("append")
def append_command(
    directory: DirArgument,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Each line is JSON; log its RFC 8785 canonical form.")
    ] = False,
) -> None:
    """Append the lines of standard input as entries (sign them with `checkpoint`)."""
    log = _open(directory)
    entries = _read_entries(jsonl)
    try:
        with progress_bar("integrating", enabled=len(entries) > 50_000) as progress:
            first = log.append(entries, progress)
    except TransparencyError as error:
        raise fail(str(error)) from error
    if entries:
        stderr.print(
            f"Appended {len(entries):,} entries: indexes {first} to {first + len(entries) - 1}"
        )
    else:
        stderr.print("Nothing to append.")


@app.command("checkpoint")
def checkpoint_command(directory: DirArgument) -> None:
    """Sign a checkpoint for everything appended so far and publish it as DIR/checkpoint."""
    log = _open(directory)
    try:
        note = log.checkpoint()
    except LogForked as error:
        stderr.print(f"[bold red]refused:[/] {error}")
        raise typer.Exit(EXIT_FAILED) from error
    except TransparencyError as error:
        raise fail(str(error)) from error
    sys.stdout.write(note.decode())


@app.command("receipt")
def receipt_command(
    directory: DirArgument,
    index: Annotated[int, typer.Argument(min=0, help="The entry's index.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write a c2sp.org/tlog-proof receipt for one entry under the published checkpoint."""
    log = _open(directory)
    try:
        data = log.receipt(index).to_bytes()
    except (TransparencyError, ValueError) as error:
        raise fail(str(error)) from error
    if output is None:
        sys.stdout.write(data.decode())
    else:
        output.write_bytes(data)
        stdout.print(f"Wrote {output}", markup=False)


def main() -> None:
    app()
