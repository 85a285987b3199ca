"""`make bench`, second part: the fund's services with the log, against a plain audit row
and against django-simple-history, on SQLite and on PostgreSQL.

The same operations run in three variants, each in a fresh child process with a fresh
database, in the same run:

- "log": the services as they are; `ledger.record` writes canonical JSON (with a salted
  commitment to the private part) and, after each commit, the entries are integrated into
  tiles and a checkpoint is signed.
- "plain audit row": `ledger.record` replaced by a function that keeps the log's
  sequencing (lock the sequencer row, take its index, increment it: the services and the
  board's quorum rules rely on dense indexes) and inserts one plain row into a bench-only
  table (index, kind, actor, JSON text, timestamp); no canonical JSON, no commitment, no
  tiles, no checkpoint.
- "django-simple-history": the same sequencing without the audit row; the fund's and the
  board's models are tracked by django-simple-history instead (bench/history_app.py).

Operations: N contributions (`contribution_record`, flexible USD, varying amounts), then one
allocation of what the disbursements need, approved by the board (not timed), then M
disbursements, each `disbursement_prepare` and three board members signing its motion
until it executes (`Fund.pass_motion` of tests/funds/fund_factories.py). The log variant's
log must verify at the end (`verify_log`), or the run fails.

    python bench/fund.py [--contributions 2000] [--disbursements 500] [--full]
                         [--databases sqlite,postgresql] [--output docs/benchmarks.md]

The results replace this scale's subsection of the fund section of docs/benchmarks.md;
the other scales' subsections stay (bench/run.py keeps the whole fund section too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## The fund's services: the log against a plain audit row"
VARIANTS = {
    "log": "log",
    "plain": "plain audit row",
    "history": "django-simple-history",
}
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TARGET = 1.3  # the target: the log costs at most 1.3x of a plain audit row
AUDIT_TABLE = "bench_audit_row"
LOG_ENTRIES_PER_CONTRIBUTION = 1
# motion.opened, fund.disbursement_reserved, 3 x motion.signed, motion.executed,
# fund.disbursement_approved
LOG_ENTRIES_PER_DISBURSEMENT = 7
TRANSACTIONS_PER_DISBURSEMENT = 4  # disbursement_prepare, then one per signature


# --- amounts (the same in every variant) --------------------------------------------------


def contribution_amount(i: int) -> Decimal:
    """5,000.00 to 14,999.99 USD, varying."""
    return Decimal(5000 + (i * 7919) % 10000) + Decimal((i * 37) % 100) / 100


def disbursement_amount(i: int) -> Decimal:
    """100.00 to 199.99 USD, varying."""
    return Decimal(100 + (i * 31) % 100) + Decimal((i * 7) % 100) / 100


# --- the child: one variant on one fresh database -----------------------------------------


class Stopwatch:
    """Seconds spent in one function, summed; the wrapper costs well under a microsecond."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        return timed

    def take(self) -> dict[str, float]:
        taken = {"seconds": self.seconds, "calls": self.calls}
        self.seconds, self.calls = 0.0, 0
        return taken


@dataclass(frozen=True)
class Recorded:
    """What the services read from `ledger.record`'s answer: the index."""

    index: int


def plain_recorder(audit_row: bool) -> Callable[..., Recorded]:
    """`ledger.record` without the log: the same sequencing, and one plain audit row
    (or none, for the simple-history variant, whose history tables are the audit)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from amanah.ledger.models import SINGLETON, Sequencer

    insert = (
        f"INSERT INTO {AUDIT_TABLE} (log_index, kind, actor, data, recorded_at)"  # noqa: S608
        " VALUES (%s, %s, %s, %s, %s)"
    )

    def record(
        kind: str,
        data: Mapping[str, Any],
        *,
        actor: str,
        private: Mapping[str, Any] | None = None,
        signatures: Sequence[Mapping[str, Any]] = (),
    ) -> Recorded:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("record must run inside the service's transaction.atomic()")
        sequencer = Sequencer.objects.select_for_update().get(id=SINGLETON)
        index = sequencer.next_index
        if audit_row:
            # What a plain audit row would keep: everything, private part included, as
            # JSON text; the log keeps the same information (private part in its row).
            body: dict[str, Any] = {"data": dict(data)}
            if private is not None:
                body["private"] = dict(private)
            if signatures:
                body["signatures"] = list(signatures)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(insert, [index, kind, actor, json.dumps(body), now])
        sequencer.next_index += 1
        sequencer.save(update_fields=["next_index"])
        return Recorded(index)

    return record


def create_audit_table() -> None:
    """The bench-only audit table, indexed as the log's entry table is (by index, kind)."""
    from django.db import connection

    timestamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {AUDIT_TABLE} (log_index bigint PRIMARY KEY,"
            " kind varchar(100) NOT NULL, actor varchar(200) NOT NULL, data text NOT NULL,"
            f" recorded_at {timestamp} NOT NULL)"
        )
        cursor.execute(f"CREATE INDEX {AUDIT_TABLE}_kind ON {AUDIT_TABLE} (kind)")


def child(variant: str, contributions: int, disbursements: int) -> dict[str, Any]:
    """Set up the fund, run the operations, and return the measurements."""
    sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "funds"), str(ROOT / "tests" / "governance")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from amanah.ledger import services as ledger

    call_command("migrate", verbosity=0, interactive=False)
    recorded = Stopwatch()
    integrated = Stopwatch()
    if variant == "log":
        ledger.record = recorded.wrap(ledger.record)
        # `integrate_due` (what `record` registers) calls `integrate_pending` by its
        # module-level name, so wrapping that name times every integration.
        ledger.integrate_pending = integrated.wrap(ledger.integrate_pending)
    else:
        ledger.record = recorded.wrap(plain_recorder(audit_row=variant == "plain"))
    if variant == "plain":
        create_audit_table()
    if variant == "history":
        from bench.history_app import history_models

        with connection.schema_editor() as editor:
            for model in history_models():
                editor.create_model(model)

    from fund_factories import build_fund

    from amanah.funds import services

    fund = build_fund()  # the board, donors, rates, projects: not timed
    secretariat = fund.secretariat
    donors = [fund.donor(country) for country in ("PK", "QA", "JO")]
    recorded.take(), integrated.take()

    def progress(what: str, done: int, total: int, start: float) -> None:
        if done % max(1, total // 10) == 0 or done == total:
            rate = done / (time.perf_counter() - start)
            print(f"  {variant}: {done:,}/{total:,} {what} ({rate:.0f}/s)", file=sys.stderr)

    results: dict[str, Any] = {"variant": variant, "database": connection.vendor}
    start = time.perf_counter()
    for i in range(contributions):
        services.contribution_record(
            donor=donors[i % len(donors)],
            amount=contribution_amount(i),
            currency="USD",
            on="2026-01-05",
            bank_reference=f"BENCH-{i:08d}",
            actor=secretariat,
        )
        progress("contributions", i + 1, contributions, start)
    # The phase ends with everything published: what the last batch holds is integrated
    # (a reader of the log would trigger it), inside the time measured.
    ledger.integrate_pending()
    results["contributions"] = {
        "count": contributions,
        "seconds": time.perf_counter() - start,
        "record": recorded.take(),
        "integrate": integrated.take(),
    }

    if disbursements:
        needed = sum((disbursement_amount(i) for i in range(disbursements)), Decimal(0))
        allocation = services.allocation_prepare(
            project=fund.housing.code, amount=needed, currency="USD", actor=secretariat
        )
        fund.pass_motion(allocation.motion)  # not timed
        recorded.take(), integrated.take()
        start = time.perf_counter()
        for i in range(disbursements):
            disbursement = services.disbursement_prepare(
                allocation=allocation.id,
                amount=disbursement_amount(i),
                bank_account=f"PS92PALS{i:021d}",
                actor=secretariat,
            )
            fund.pass_motion(disbursement.motion)
            progress("disbursements", i + 1, disbursements, start)
        ledger.integrate_pending()
        results["disbursements"] = {
            "count": disbursements,
            "seconds": time.perf_counter() - start,
            "record": recorded.take(),
            "integrate": integrated.take(),
        }
    results["rows"] = count_rows(variant)
    if variant == "log":
        results["verified"] = verify()
    return results


def count_rows(variant: str) -> dict[str, int]:
    from django.db import connection

    from amanah.ledger.models import LogEntry, LogTile, Sequencer, SignedCheckpoint

    rows = {"sequenced": Sequencer.objects.get().next_index}
    if variant == "log":
        rows["log entries"] = LogEntry.objects.count()
        rows["signed checkpoints"] = SignedCheckpoint.objects.count()
        rows["tile rows"] = LogTile.objects.count()
    if variant == "plain":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {AUDIT_TABLE}")  # noqa: S608
            rows["audit rows"] = cursor.fetchone()[0]
    if variant == "history":
        from bench.history_app import history_models

        for model in history_models():
            count = model.objects.count()
            if count:
                rows[f"{model._meta.db_table} rows"] = count
    return rows


def verify() -> dict[str, Any]:
    """The log variant's log, verified as an outsider would, from its stored tiles."""
    from amanah.ledger.models import LogEntry, TreeHead
    from amanah.ledger.storage import DatabaseTileStorage
    from amanah.ledger.wiring import log_verifier
    from amanah.transparency import verify_log

    key = log_verifier()
    if key is None:
        raise RuntimeError("the log variant signed no checkpoint")
    start = time.perf_counter()
    report = verify_log(DatabaseTileStorage(), key)
    seconds = time.perf_counter() - start
    size = report.checkpoint.size
    entries = LogEntry.objects.count()
    if size != entries or TreeHead.objects.get().size != entries:
        raise RuntimeError(f"the checkpoint covers {size} entries of {entries}")
    return {"checkpoint_size": size, "seconds": seconds}


# --- the parent: fresh databases, children, the report -------------------------------------


@contextmanager
def postgres_cluster() -> Iterator[Any]:
    """A throwaway cluster started with the test suite's plugin (its own helpers), or None
    with the reason when there is no server to run."""
    from amanah.testing import postgres

    availability = postgres.check_availability()
    if availability.binaries is None:
        yield None, availability.reason
        return
    owner = postgres._system_user()
    root = postgres._make_tempdir()
    paths = postgres._Paths(root=root, datadir=root / "data", logfile=root / "postgres.log")
    try:
        yield postgres.start_cluster(availability.binaries, owner, paths), None
    finally:
        postgres.stop_cluster(availability.binaries, owner, paths)


def run_child(
    variant: str, database: str, cluster: Any, args: argparse.Namespace
) -> dict[str, Any]:
    scratch = ROOT / "var" / "bench" / f"fund-{database}-{variant}-{uuid.uuid4().hex[:8]}"
    scratch.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "AMANAH_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        AMANAH_VAR_DIR=str(scratch),  # the SQLite file, the log key, the secret key
        AMANAH_BENCH_VARIANT=variant,
        AMANAH_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    name = f"amanah_bench_{variant}_{uuid.uuid4().hex[:8]}"
    if database == "postgresql":
        import psycopg
        from psycopg import sql

        with psycopg.connect(cluster.url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env["DATABASE_URL"] = cluster.url_for(name)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        variant,
        "--contributions",
        str(args.contributions),
        "--disbursements",
        str(args.disbursements),
    ]
    print(f"{DATABASES[database]}, {VARIANTS[variant]} ...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            command, env=env, cwd=scratch, stdout=subprocess.PIPE, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(
                f"{database} {variant} failed (exit {done.returncode}):\n{done.stdout}"
            )
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        if database == "postgresql":
            import psycopg
            from psycopg import sql

            with psycopg.connect(cluster.url, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def versions(cluster: Any) -> str:
    import sqlite3

    import django
    import simple_history

    found = [
        f"Django {django.__version__}",
        f"SQLite {sqlite3.sqlite_version}",
        f"django-simple-history {simple_history.__version__}",
    ]
    if cluster is not None:
        found.append(f"PostgreSQL {cluster.major}")
    return ", ".join(found)


def phase_rows(database: str, phase: str, results: dict[str, dict[str, Any]]) -> list[str]:
    """One table row per variant for one phase, with the log's ratio to each variant."""
    log = results["log"][phase]
    rows = []
    for variant, label in VARIANTS.items():
        if variant not in results:
            continue
        measured = results[variant][phase]
        seconds, count = measured["seconds"], measured["count"]
        ratio = log["seconds"] / seconds
        if variant == "log":
            note = "-"
        elif variant == "plain":
            note = f"≤ {TARGET:g}x: {'met' if ratio <= TARGET else 'missed'}"
        else:
            note = "the peer; no target"
        what = f"{count:,} {phase}"
        rows.append(
            f"| {DATABASES[database]} | {what} | {label} | {seconds:.2f} | {count / seconds:,.1f}"
            f" | {ratio:.2f} | {note} |"
        )
    return rows


def where_time_goes(database: str, phase: str, log: dict[str, Any]) -> str:
    measured = log[phase]
    total = measured["seconds"]
    record, integrate = measured["record"]["seconds"], measured["integrate"]["seconds"]
    return (
        f"| {DATABASES[database]} | {measured['count']:,} {phase} | {total:.2f}"
        f" | {record:.2f} ({record / total:.0%}) | {integrate:.2f} ({integrate / total:.0%})"
        f" | {measured['integrate']['calls']:,} | {total - record - integrate:.2f} |"
    )


def report(
    args: argparse.Namespace,
    measured: dict[str, dict[str, dict[str, Any]]],
    skipped: dict[str, str],
    cluster_versions: str,
) -> str:
    phases = ["contributions"] + (["disbursements"] if args.disbursements else [])
    table = [
        "| database | operations | variant | seconds | operations per second"
        " | log ÷ this variant | target / note |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    breakdown = [
        "| database | operations | seconds | in `ledger.record` | in `integrate_pending`"
        " (tiles + checkpoint, after commit) | integrations | the rest (services, books,"
        " commits) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for database, results in measured.items():
        for phase in phases:
            table.extend(phase_rows(database, phase, results))
            breakdown.append(where_time_goes(database, phase, results["log"]))
    lines = [
        f"### {args.contributions:,} contributions and {args.disbursements:,} disbursements",
        "",
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; `python bench/fund.py"
        f" --contributions {args.contributions} --disbursements {args.disbursements}`",
        f"- machine: {machine()}; {cluster_versions}",
        "- each figure is one run of one fresh child process on a fresh database (no best-of-3:"
        " a run writes its database). SQLite: the production settings (WAL,"
        " synchronous=NORMAL) in a file on the project disk. PostgreSQL: a throwaway cluster"
        " on a Unix socket, fsync and synchronous_commit off (the test suite's cluster)",
        f"- per contribution: 1 durable transaction, {LOG_ENTRIES_PER_CONTRIBUTION} log entry"
        " (`fund.contribution_recorded`, with a salted commitment to the bank reference);"
        f" per disbursement: {TRANSACTIONS_PER_DISBURSEMENT} durable transactions"
        f" (`disbursement_prepare`, 3 signatures) and {LOG_ENTRIES_PER_DISBURSEMENT} log entries"
        " (motion.opened, fund.disbursement_reserved, 3 × motion.signed, motion.executed,"
        " fund.disbursement_approved); the log integrates its entries and signs a checkpoint"
        " in batches, as in production: after a commit once 64 entries are pending or the"
        " oldest is 2 s old (AMANAH_LOG_BATCH_ENTRIES, AMANAH_LOG_BATCH_SECONDS)",
        "- plain audit row: the same sequencing (sequencer row locked, index taken and"
        " incremented) and one row per entry (index, kind, actor, JSON text, timestamp) in a"
        " table indexed like the log's; django-simple-history: the same sequencing, no audit"
        " row, and a history row for each `save()` of the tracked fund, board, organisation"
        " and project models (bench/history_app.py). The account balances are tracked but"
        " get no history rows: the services write them with `bulk_create`/`bulk_update`,"
        " which send no signals (simple-history would need `bulk_update_with_history` in the"
        " services); the journal and postings are not tracked (append-only, derived)",
        f"- load average when the run started: {args.load}; this machine is shared, and a"
        " single run is only as steady as the load around it",
        "",
        *table,
        "",
        "Where the log variant's time goes (timed inside the same run):",
        "",
        *breakdown,
        "",
        "`record` registers `integrate_due` with `on_commit` at every call; it integrates"
        " (and signs) only when a batch is due, so most commits sign nothing; whether one is"
        " due is counted in memory, with no query. Each phase ends by integrating what the"
        " last batch holds, inside the time measured.",
        "",
        "Rows written (the log variant's log verified from its tiles, see below):",
        "",
    ]
    for database, results in measured.items():
        for variant, label in VARIANTS.items():
            if variant in results:
                rows = ", ".join(f"{k}: {v:,}" for k, v in results[variant]["rows"].items())
                lines.append(f"- {DATABASES[database]}, {label}: {rows}")
        verified = results["log"]["verified"]
        lines.append(
            f"- {DATABASES[database]}, log verified with `verify_log` (DatabaseTileStorage, the"
            f" log's key): checkpoint of {verified['checkpoint_size']:,} entries,"
            f" {verified['seconds']:.2f} s"
        )
    for database, reason in skipped.items():
        lines.append(f"- {DATABASES[database]}: not measured ({reason})")
    lines.append("")
    return "\n".join(lines)


def write_section(output: Path, subsection: str, scale_heading: str) -> None:
    """Put `subsection` into the fund section of `output`, replacing the same scale's."""
    text = output.read_text() if output.exists() else "# Benchmarks\n"
    head, _, section = text.partition(SECTION)
    parts = re.split(r"(?m)^(?=### )", section)
    subsections = [subsection if p.startswith(scale_heading + "\n") else p for p in parts[1:]]
    if subsection not in subsections:
        subsections.append(subsection)
    intro = (
        "\n\nProduced by `make bench` (`python bench/fund.py`, after bench/run.py); do not"
        " edit by hand. Each subsection is one run at one scale, replaced when that scale runs"
        f" again. The target: the log costs at most {TARGET:g}x of a plain audit row. The"
        " issue's scale, 100,000 contributions and 100,000 disbursements, is"
        " `python bench/fund.py --full`; it was not run for the figures below, and no figure"
        " here is extrapolated from a smaller run.\n\n"
    )
    body = "".join(p.rstrip("\n") + "\n\n" for p in subsections)
    output.write_text(head.rstrip("\n") + "\n\n" + SECTION + intro + body.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=2_000)
    # A disbursement is 4 transactions and 7 entries: about 10 times a contribution's work.
    # The defaults keep `make bench` at a few minutes on a 2-core machine.
    parser.add_argument("--disbursements", type=int, default=500)
    parser.add_argument("--full", action="store_true", help="the issue's scale: 100,000 of each")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directories")
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.full:
        args.contributions = args.disbursements = 100_000
    if args.child:
        print(json.dumps(child(args.child, args.contributions, args.disbursements)))
        return

    # Ctrl-C and kill unwind like an error, so the throwaway cluster is stopped and removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    databases = [d for d in args.databases.split(",") if d]
    variants = [v for v in args.variants.split(",") if v]
    if unknown := set(databases) - set(DATABASES) | set(variants) - set(VARIANTS):
        parser.error(f"unknown database or variant: {', '.join(sorted(unknown))}")
    if "log" not in variants:
        parser.error("the log variant is what the others are compared with")
    contributed = sum(contribution_amount(i) for i in range(args.contributions))
    if sum(disbursement_amount(i) for i in range(args.disbursements)) > contributed:
        parser.error("the disbursements need more money than the contributions bring")

    measured: dict[str, dict[str, dict[str, Any]]] = {}
    skipped: dict[str, str] = {}
    with postgres_cluster() if "postgresql" in databases else _none() as (cluster, reason):
        for database in databases:
            if database == "postgresql" and cluster is None:
                skipped[database] = f"PostgreSQL unavailable: {reason}"
                print(f"skipping PostgreSQL: {reason}", file=sys.stderr)
                continue
            measured[database] = {v: run_child(v, database, cluster, args) for v in variants}
        found_versions = versions(cluster)
    if not measured:
        raise SystemExit("nothing was measured")
    text = report(args, measured, skipped, found_versions)
    print()
    print(text)
    write_section(args.output, text, text.splitlines()[0])
    print(f"written to {args.output}")


@contextmanager
def _none() -> Iterator[tuple[None, str]]:
    yield None, "not asked for"


if __name__ == "__main__":
    main()
