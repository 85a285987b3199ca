"""`amanah audit`: verify a log, then replay it: re-check every decision of the board,
recompute the fund's books, the access programme, the construction materials' stock and
the damage to assets, and the public figures of each.

    amanah audit LOG --key VERIFIER_KEY [--against URL] [--json] [--state DIR]

LOG is a directory (an export, a mirror) or an http(s) URL of the log prefix. The log is
verified first, exactly as `amanah-verify log` does (signatures, every tile, consistency
with the checkpoint trusted before); then every entry is read from its entry bundle and
replayed by `amanah.governance.replay`, `amanah.funds.book`, `amanah.access.replay`,
`amanah.materials.replay` and `amanah.assets.replay`, with no database and no Django. With
`--against URL` the public figures recomputed from the log are compared with the ones the
server at URL serves for the same log size (`/api/v1/fund/figures`,
`/api/v1/access/metrics`, `/api/v1/materials/reconciliation` and `/movements`,
`/api/v1/assets/damage`, each with `?log_size=`): every total must match to the cent, every
count exactly.

Exit status: 0 verified and every decision checks out, 1 verification failed or the
replay found a violation, 2 usage or I/O error (nothing could be concluded).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import typer
from rich.markup import escape
from rich.table import Table

from amanah.access import replay as access_replay
from amanah.access.replay import AccessBook
from amanah.assets import replay as assets_replay
from amanah.assets.replay import AssetsBook
from amanah.funds.book import STAGES, FundBook
from amanah.governance.replay import AuditReport, replay
from amanah.materials import replay as materials_replay
from amanah.materials.replay import MaterialsBook
from amanah.reference.geography import governorate
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


class Book(Protocol):
    """A replay fed every entry: the fund's, the access programme's, the materials', the
    assets'."""

    def entry(self, index: int, value: Mapping[str, Any]) -> None: ...


class Violation(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass
class Books:
    fund: FundBook
    access: AccessBook
    materials: MaterialsBook
    assets: AssetsBook

    def all(self) -> tuple[Book, ...]:
        return (self.fund, self.access, self.materials, self.assets)


def _fed_to(
    books: Sequence[Book], entries: Iterator[tuple[int, bytes]]
) -> Iterator[tuple[int, bytes]]:
    """Pass the entries on to the governance replay, feeding every book on the way."""
    for index, raw in entries:
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            value = None
        for book in books:
            # Every entry counts towards the log size the figures are "as of".
            book.entry(index, value if isinstance(value, dict) else {})
        yield index, raw


FIGURES_PATH = "/api/v1/fund/figures"
ACCESS_PATH = "/api/v1/access/metrics"
RECONCILIATION_PATH = "/api/v1/materials/reconciliation"
MOVEMENTS_PATH = "/api/v1/materials/movements"
DAMAGE_PATH = "/api/v1/assets/damage"


@dataclass(frozen=True)
class Against:
    """Where the server's figures differ from the log's, book by book (none: they agree)."""

    fund: list[str]
    access: list[str]
    materials: list[str]
    assets: list[str]

    @classmethod
    def fetch(cls, server: str, size: int, books: Books) -> Against:
        access = access_replay.served_figures(_served_figures(server, size, ACCESS_PATH), size)
        materials = materials_replay.served_figures(
            _served_figures(server, size, RECONCILIATION_PATH),
            _served_figures(server, size, MOVEMENTS_PATH),
            size,
        )
        assets = assets_replay.served_figures(_served_figures(server, size, DAMAGE_PATH), size)
        return cls(
            fund=differences(_served_figures(server, size), books.fund.figures()),
            access=differences(access, books.access.figures()),
            materials=differences(materials, books.materials.figures()),
            assets=differences(assets, books.assets.figures()),
        )


def _served_figures(server: str, size: int, path: str = FIGURES_PATH) -> Any:
    url = server.rstrip("/") + path + "?" + urllib.parse.urlencode({"log_size": size})
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


def _book_json(
    violations: Sequence[Any], figures: dict[str, Any], against: list[str] | None
) -> dict[str, object]:
    return {
        "ok": not violations and not against,
        "violations": [v.to_json() for v in violations],
        "figures": figures,
        "against": None if against is None else {"matches": not against, "differences": against},
    }


def _report_json(
    verified: LogReport, report: AuditReport, books: Books, against: Against | None
) -> dict[str, object]:
    checkpoint = verified.checkpoint
    return {
        "verified": True,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        **report.to_json(),
        "fund": _book_json(books.fund.violations, books.fund.figures(), _of(against, "fund")),
        "access": _book_json(
            books.access.violations, books.access.figures(), _of(against, "access")
        ),
        "materials": _book_json(
            books.materials.violations, books.materials.figures(), _of(against, "materials")
        ),
        "assets": _book_json(
            books.assets.violations, books.assets.figures(), _of(against, "assets")
        ),
    }


def _of(against: Against | None, book: str) -> list[str] | None:
    found: list[str] | None = None if against is None else getattr(against, book)
    return found


def _print_against(against: list[str] | None, server: str | None) -> None:
    if against is None:
        return
    if against:
        stdout.print(f"[bold red]MISMATCH:[/] {escape(str(server))} serves other figures:")
        for line in against[:20]:
            stdout.print(f"  {escape(line)}")
        if len(against) > 20:
            stdout.print(f"  ... and {len(against) - 20:,} more")
    else:
        stdout.print(f"[green]OK[/] {escape(str(server))} serves exactly the figures the log gives")


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
    _print_against(against, server)


ACCESS_COUNTS = (
    ("trucks requested", "trucks_requested"),
    ("trucks cleared", "trucks_cleared"),
    ("trucks crossed", "trucks_crossed"),
    ("trucks turned back", "trucks_turned_back"),
    ("consignments decided", "consignments_decided"),
    ("consignments denied", "consignments_denied"),
)


def _print_access(book: AccessBook, against: list[str] | None, server: str | None) -> None:
    figures = book.figures()
    days = figures["days"].values()
    table = Table(title="Humanitarian access, recomputed from the log", title_justify="left")
    table.add_column("count")
    table.add_column("total", justify="right")
    for label, name in ACCESS_COUNTS:
        table.add_row(label, f"{sum(day[name] for day in days):,}")
    rejected = sum(row["rejections"] for row in figures["rejected"].values())
    table.add_row("items rejected", f"{rejected:,}")
    table.add_row("crossing days stated closed", f"{sum(figures['closed_days'].values()):,}")
    table.add_row("consignments published", f"{len(book.consignments):,}")
    stdout.print(table)
    if book.violations:
        _print_violations("Access violations", book.violations)
    _print_against(against, server)


def _print_materials(book: MaterialsBook, against: list[str] | None, server: str | None) -> None:
    lines = book.figures()["reconciliation"]
    table = Table(title="Construction materials, recomputed from the log", title_justify="left")
    for column in ("project", "vendor", "material"):
        table.add_column(column)
    for column in ("received", "used", "in stock", "returned", "lost", "with contractor"):
        table.add_column(column, justify="right")
    for key, line in lines.items():
        project, _vendor, material = key.split(" ")
        with_contractor = book.with_contractor((project, _vendor, material))
        table.add_row(
            escape(project), escape(str(line["vendor_name"])), escape(material),
            *(line[name] for name in ("received", "used", "in_stock", "returned", "lost")),
            format(with_contractor, "f"),
        )  # fmt: skip
    if lines:
        stdout.print(table)
    else:
        stdout.print("no construction material was moved for a project")
    if book.violations:
        _print_violations("Materials violations", book.violations)
    _print_against(against, server)


DAMAGE_ROWS = (
    ("destroyed", "destroyed"),
    ("severe", "severe"),
    ("moderate", "moderate"),
    ("possible", "possible"),
    ("undamaged", "undamaged"),
    ("restored", "restored"),
    ("not assessed", "not_assessed"),
    ("damaged", "damaged"),  # destroyed, severe, moderate
    ("damaged again", "damaged_again"),
    ("in all", "assets"),
)


def _print_assets(book: AssetsBook, against: list[str] | None, server: str | None) -> None:
    figures = book.figures()
    lines, total = figures["governorates"], figures["total"]
    # A row per condition, a column per governorate: five narrow columns fit a terminal.
    table = Table(title="Damage and rebuilding, recomputed from the log", title_justify="left")
    table.add_column("assets")
    for pcode in lines:
        table.add_column(escape(governorate(pcode).name_en), justify="right")
    table.add_column("all", justify="right")
    for label, name in DAMAGE_ROWS:
        table.add_row(label, *(f"{line[name]:,}" for line in lines.values()), f"{total[name]:,}")
    if total["assets"]:
        stdout.print(table)
    else:
        stdout.print("no asset was registered")
    if book.violations:
        _print_violations("Assets violations", book.violations)
    _print_against(against, server)


def float_free(amount: str) -> str:
    """A decimal string with thousands separators, without ever going through a float."""
    whole, dot, cents = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{cents}"


def _print_violations(title: str, violations: Sequence[Violation]) -> None:
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
    must balance and never overdraw; every consignment's published events must follow its
    lifecycle; no stock of construction material may go below zero; every assessment must
    name a registered asset, and only a site visit find one restored. With --against, the
    server's public figures must equal the ones recomputed from the log."""
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
        books = Books(FundBook(), AccessBook(), MaterialsBook(), AssetsBook())
        with progress_bar("replaying entries", enabled=not as_json) as progress:
            entries = _entries(reader, verified.checkpoint.size, progress)
            report = replay(_fed_to(books.all(), entries))
    found = None
    if against is not None:
        found = Against.fetch(against, verified.checkpoint.size, books)
    if as_json:
        print(json.dumps(_report_json(verified, report, books, found), indent=2))
    else:
        _print_report(verified, report)
        _print_fund(books.fund, _of(found, "fund"), against)
        _print_access(books.access, _of(found, "access"), against)
        _print_materials(books.materials, _of(found, "materials"), against)
        _print_assets(books.assets, _of(found, "assets"), against)
    violations = (
        books.fund.violations
        or books.access.violations
        or books.materials.violations
        or books.assets.violations
    )
    disagree = found is not None and (found.fund or found.access or found.materials or found.assets)
    if not report.ok or violations or disagree:
        raise typer.Exit(EXIT_FAILED)
