"""`amanah audit`: verify a log, then replay it: re-check every decision of the board and
recompute the fund's books and public figures.

    amanah audit LOG --key VERIFIER_KEY [--against URL] [--json] [--state DIR]

LOG is a directory (an export, a mirror) or an http(s) URL of the log prefix. The log is
verified first, exactly as `amanah-verify log` does (signatures, every tile, consistency
with the checkpoint trusted before); then every entry is read from its entry bundle and
replayed by `amanah.governance.replay` and `amanah.funds.book`, with no database and no
Django. With `--against URL` the public figures recomputed from the log are compared with
the ones the server at URL serves for the same log size (`/api/v1/fund/figures`): every
total must match to the cent.

Exit status: 0 verified and every decision checks out, 1 verification failed or the
replay found a violation, 2 usage or I/O error (nothing could be concluded).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from amanah.funds.book import STAGES, FundBook, FundViolation
from amanah.governance.replay import AuditReport, replay
from amanah.transparency import (
    LogReader,
    LogReport,
    TileHashReader,
    TileMismatch,
    verify_log,
)

from ._common import EXIT_FAILED, fail, progress_bar, stdout
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


def _fed_to(book: FundBook, entries: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    """Pass the entries on to the governance replay, feeding the fund's books on the way."""
    for index, raw in entries:
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            value = None
        # Every entry counts towards the log size the figures are "as of".
        book.entry(index, value if isinstance(value, dict) else {})
        yield index, raw


FIGURES_PATH = "/api/v1/fund/figures"


def _served_figures(server: str, size: int) -> Any:
    url = server.rstrip("/") + FIGURES_PATH + "?" + urllib.parse.urlencode({"log_size": size})
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise fail(f"{url} answered HTTP {error.code}") from None
    except (OSError, ValueError) as error:
        raise fail(f"cannot read {url}: {error}") from None


def differences(served: Any, recomputed: Any, path: str = "") -> list[str]:
    """Where two figures documents differ, as paths like `totals.paid: 10.00 != 12.00`."""
    if isinstance(served, Mapping) and isinstance(recomputed, Mapping):
        found: list[str] = []
        for key in sorted(set(served) | set(recomputed), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in served:
                found.append(f"{where}: not served")
            elif key not in recomputed:
                found.append(f"{where}: served, but not in the log")
            else:
                found += differences(served[key], recomputed[key], where)
        return found
    return [] if served == recomputed else [f"{path}: served {served}, log gives {recomputed}"]


def _report_json(
    verified: LogReport, report: AuditReport, book: FundBook, against: list[str] | None
) -> dict[str, object]:
    checkpoint = verified.checkpoint
    return {
        "verified": True,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        **report.to_json(),
        "fund": {
            "ok": not book.violations and not against,
            "violations": [v.to_json() for v in book.violations],
            "figures": book.figures(),
            "against": None
            if against is None
            else {"matches": not against, "differences": against},
        },
    }


def _print_fund(book: FundBook, against: list[str] | None, server: str | None) -> None:
    totals = book.figures()["totals"]
    table = Table(title="The fund, recomputed from the log", title_justify="left")
    table.add_column("stage")
    table.add_column("USD", justify="right")
    for stage in STAGES:
        table.add_row(stage, float_free(totals[stage]))
    stdout.print(table)
    if book.violations:
        _print_violations("Fund violations", book.violations)
    if against is not None:
        if against:
            stdout.print(f"[bold red]MISMATCH:[/] {escape(str(server))} serves other figures:")
            for line in against[:20]:
                stdout.print(f"  {escape(line)}")
        else:
            stdout.print(
                f"[green]OK[/] {escape(str(server))} serves exactly the figures the log gives"
            )


def float_free(amount: str) -> str:
    """A decimal string with thousands separators, without ever going through a float."""
    whole, dot, cents = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{cents}"


def _print_violations(title: str, violations: list[FundViolation]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("entry", justify="right")
    table.add_column("code")
    table.add_column("what")
    for violation in violations:
        table.add_row(str(violation.index), violation.code, escape(violation.message))
    stdout.print(table)


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
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="URL",
            help="Compare the recomputed figures with those this server's API serves.",
        ),
    ] = None,
) -> None:
    """Verify the log, then replay it: every motion executed must have been opened,
    signed in the log and approved by the quorum policy in force; every seat, key and
    policy change after genesis must be the effect of such a motion; the fund's books
    must balance and never overdraw. With --against, the server's public figures must
    equal the ones recomputed from the log."""
    if against is not None and not against.startswith(("http://", "https://")):
        raise fail(f"--against {against}: give the server's http(s) URL")
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
        book = FundBook()
        with progress_bar("replaying entries", enabled=not as_json) as progress:
            report = replay(_fed_to(book, _entries(reader, verified.checkpoint.size, progress)))
    found = None
    if against is not None:
        served = _served_figures(against, verified.checkpoint.size)
        found = differences(served, book.figures())
    if as_json:
        print(json.dumps(_report_json(verified, report, book, found), indent=2))
    else:
        _print_report(verified, report)
        _print_fund(book, found, against)
    if not report.ok or book.violations or found:
        raise typer.Exit(EXIT_FAILED)
