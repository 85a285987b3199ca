"""`amanah audit`: verify a log, then replay it and re-check every decision of the board.

    amanah audit LOG --key VERIFIER_KEY [--json] [--state DIR]

LOG is a directory (an export, a mirror) or an http(s) URL of the log prefix. The log is
verified first, exactly as `amanah-verify log` does (signatures, every tile, consistency
with the checkpoint trusted before); then every entry is read from its entry bundle and
replayed by `amanah.governance.replay`, with no database and no Django.

Exit status: 0 verified and every decision checks out, 1 verification failed or the
replay found a violation, 2 usage or I/O error (nothing could be concluded).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from amanah.governance.replay import AuditReport, replay
from amanah.transparency import (
    LogReader,
    LogReport,
    TileHashReader,
    TileMismatch,
    verify_log,
)

from ._common import EXIT_FAILED, progress_bar, stdout
from .verify import (
    JsonOption,
    KeyOption,
    OriginOption,
    StateOption,
    ThresholdOption,
    WitnessOption,
    _open_log,
    trust_policy,
    verification_exits,
)

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Verify a log, then replay it and re-check every decision of the board.",
)


class PinnedReader:
    """A reader that remembers the digest of every file read, and refuses one served
    differently later: the entries replayed are the very entries verified."""

    def __init__(self, reader: LogReader) -> None:
        self.reader = reader
        self._digests: dict[str, bytes] = {}

    def read(self, path: str) -> bytes:
        data = self.reader.read(path)
        digest = hashlib.sha256(data).digest()
        if self._digests.setdefault(path, digest) != digest:
            raise TileMismatch(f"{path} was served with other bytes than when it was verified")
        return data


def _entries(
    reader: LogReader, size: int, progress: Callable[[int, int], None]
) -> Iterator[tuple[int, bytes]]:
    hashes = TileHashReader(reader, size)
    for index in range(size):
        yield index, hashes.entry(index)
        if index % 256 == 255 or index == size - 1:
            progress(index + 1, size)


def _report_json(verified: LogReport, report: AuditReport) -> dict[str, object]:
    checkpoint = verified.checkpoint
    return {
        "verified": True,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        **report.to_json(),
    }


def _print_report(verified: LogReport, report: AuditReport) -> None:
    checkpoint = verified.checkpoint
    stdout.print(
        f"[green]verified[/] {escape(checkpoint.origin)}: {checkpoint.size:,} entries,"
        " every tile checked"
    )
    governance = sum(report.kinds.values())
    skipped = sum(report.skipped.values())
    stdout.print(
        f"replayed {governance:,} governance entries; {skipped:,} entries of other kinds skipped"
    )
    if report.motions_executed:
        table = Table(title="Motions executed", title_justify="left")
        table.add_column("entry", justify="right")
        table.add_column("motion", overflow="fold")
        table.add_column("kind")
        table.add_column("counted seats")
        table.add_column("audit")
        for motion in report.motions_executed:
            table.add_row(
                str(motion.index),
                escape(motion.motion),
                escape(motion.kind),
                escape(", ".join(motion.counted_seats)),
                "[green]ok[/]" if motion.valid else "[bold red]FAILED[/]",
            )
        stdout.print(table)
    else:
        stdout.print("no motion was executed")
    if report.ok:
        stdout.print("[green]OK[/] every decision in the log checks out")
        return
    table = Table(title="Violations", title_justify="left")
    table.add_column("entry", justify="right")
    table.add_column("code")
    table.add_column("what")
    for violation in report.violations:
        table.add_row(str(violation.index), violation.code, escape(violation.message))
    stdout.print(table)
    stdout.print(f"[bold red]AUDIT FAILED:[/] {len(report.violations)} violation(s)")


@app.command("audit")
def audit_command(
    log: Annotated[str, typer.Argument(help="Log prefix: a directory or an http(s) URL.")],
    key: KeyOption,
    witness: WitnessOption = None,
    witness_threshold: ThresholdOption = 0,
    origin: OriginOption = None,
    state: StateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify the log, then replay it: every motion executed must have been opened,
    signed in the log and approved by the quorum policy in force; every seat, key and
    policy change after genesis must be the effect of such a motion."""
    policy = trust_policy(key, witness, witness_threshold, state)
    opened = _open_log(log)
    reader = PinnedReader(opened)
    with verification_exits(opened, as_json):
        with progress_bar("verifying entries", enabled=not as_json) as progress:
            verified = verify_log(
                reader,
                policy.log_key,
                origin=origin,
                witnesses=policy.witnesses,
                witness_threshold=policy.witness_threshold,
                trust=policy.store,
                progress=progress,
            )
        with progress_bar("replaying entries", enabled=not as_json) as progress:
            report = replay(_entries(reader, verified.checkpoint.size, progress))
    if as_json:
        print(json.dumps(_report_json(verified, report), indent=2))
    else:
        _print_report(verified, report)
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)
