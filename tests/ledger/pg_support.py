"""The child-process half of test_ledger_pg_concurrency.py: a workload against PostgreSQL.

Run as ``python pg_support.py SCENARIO`` with ``DJANGO_SETTINGS_MODULE=amanah.settings.base``,
``DATABASE_URL`` naming a fresh, empty database on the throwaway cluster and
``AMANAH_VAR_DIR`` a private temporary directory (the log key is created there). It
migrates that database, runs the scenario and prints one JSON object on stdout; the test
asserts on it.

Why a child process: `ledger.record` and `integrate_pending` use Django's ``default``
alias, which the test settings pin to SQLite for the rest of the session. A child with
the production settings module uses PostgreSQL as its default database, exactly as a
deployment does, without touching the parent's connections.

Failures inside the workload are reported, not raised: thread tracebacks, and errors
that Django's robust ``on_commit`` would otherwise only log (a failed integration).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django

WRITERS = 8
TRANSACTIONS_PER_WRITER = 25
RACE_ROUNDS = 6
# The longest the first racing transaction stays open, waiting for every other thread to
# queue on the sequencer row lock (it usually takes a few milliseconds).
RACE_HOLD_SECONDS = 5.0


class _RollBack(Exception):
    """Raised inside a transaction the workload means to roll back."""


class _ErrorRecords(logging.Handler):
    """Keeps what Django's robust on_commit logs when `integrate_pending` fails."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []
        self._lock_messages = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        with self._lock_messages:
            self.messages.append(text)


def _run_threads(count: int, work: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run `work(i, barrier)` in `count` threads, each with its own DB connection."""
    from django.db import connections

    barrier = threading.Barrier(count, timeout=60)
    results: list[Any] = [None] * count
    errors: list[str] = []

    def target(number: int) -> None:
        try:
            results[number] = work(number, barrier)
        except BaseException:
            errors.append(f"thread {number}:\n{traceback.format_exc()}")
            barrier.abort()
        finally:
            # Django opens one connection per thread; close it before the thread ends.
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors.extend(f"thread {i} did not finish" for i, t in enumerate(threads) if t.is_alive())
    if errors:
        raise RuntimeError("\n".join(errors))
    return results


def _entry_key(entry: bytes) -> str:
    return str(json.loads(entry)["data"]["key"])


def _log_state() -> dict[str, Any]:
    """Everything the tests assert on, read back after the writers are done."""
    from amanah.ledger.models import LogEntry, Sequencer, SignedCheckpoint, TreeHead

    entries = [
        {"index": index, "key": _entry_key(bytes(entry)), "actor": actor}
        for index, entry, actor in LogEntry.objects.order_by("index").values_list(
            "index", "entry", "actor"
        )
    ]
    sequencer = Sequencer.objects.filter().first()
    head = TreeHead.objects.filter().first()
    checkpoints = [
        {"size": size, "root": bytes(root).hex()}
        for size, root in SignedCheckpoint.objects.order_by("id").values_list("size", "root_hash")
    ]
    return {
        "entries": entries,
        "sequencer_rows": Sequencer.objects.count(),
        "next_index": None if sequencer is None else sequencer.next_index,
        "tree_head_rows": TreeHead.objects.count(),
        "tree_size": None if head is None else head.size,
        "tree_root": None if head is None else bytes(head.root_hash).hex(),
        "checkpoints": checkpoints,
    }


def _verify(failures: list[str]) -> dict[str, Any]:
    """Check the final log as an outsider would, and every checkpoint against every later one.

    Problems are appended to `failures`; the returned counts show how much was checked.
    """
    from amanah.ledger.models import LogEntry, LogTile, SignedCheckpoint
    from amanah.ledger.storage import DatabaseTileStorage
    from amanah.ledger.wiring import log_signer
    from amanah.transparency import (
        TileHashReader,
        TransparencyError,
        open_checkpoint,
        verify_consistency,
        verify_log,
    )

    storage = DatabaseTileStorage()
    verifier = log_signer().verifier()
    stored = {
        index: bytes(entry) for index, entry in LogEntry.objects.values_list("index", "entry")
    }
    size = len(stored)

    # 1. The whole log, with an inclusion proof for every entry.
    try:
        report = verify_log(storage, verifier, entries=range(size))
    except (TransparencyError, ValueError) as error:
        failures.append(f"verify_log: {type(error).__name__}: {error}")
        report = None
    if report is not None:
        if report.checkpoint.size != size:
            failures.append(f"published checkpoint has size {report.checkpoint.size}, not {size}")
        for proved in report.entries:
            if proved.entry != stored[proved.index]:
                failures.append(f"entry {proved.index} in the tiles differs from its row")

    # 2. Every signed checkpoint: its note, its root at its size, and consistency with
    #    every earlier one, through proofs built from the tiles as they are now.
    signed = list(SignedCheckpoint.objects.order_by("id").values_list("size", "root_hash", "note"))
    published = LogTile.objects.filter(path="checkpoint").values_list("data", flat=True).first()
    if signed and (published is None or bytes(published).decode() != signed[-1][2]):
        failures.append("the published checkpoint is not the last one signed")
    pairs = 0
    for later, (new_size, new_root, note) in enumerate(signed):
        new_root = bytes(new_root)
        try:
            opened = open_checkpoint(note.encode(), verifier).checkpoint
            if (opened.size, opened.root_hash) != (new_size, new_root):
                failures.append(f"checkpoint row {new_size} disagrees with its signed note")
            reader = TileHashReader(storage, new_size)
            if reader.root() != new_root:
                failures.append(f"the tiles give another root at signed size {new_size}")
        except (TransparencyError, ValueError) as error:
            failures.append(f"checkpoint {new_size}: {type(error).__name__}: {error}")
            continue
        for old_size, old_root, _ in signed[:later]:
            pairs += 1
            try:
                proof = reader.consistency_proof(old_size)
                verify_consistency(old_size, new_size, bytes(old_root), new_root, proof)
            except (TransparencyError, ValueError) as error:
                failures.append(f"{old_size} -> {new_size}: {type(error).__name__}: {error}")
    return {
        "verified_size": None if report is None else report.checkpoint.size,
        "inclusion_proofs": 0 if report is None else len(report.entries),
        "consistency_pairs": pairs,
    }


def _plan(writer: int, number: int) -> tuple[int, bool]:
    """How many entries transaction `number` of `writer` records, and whether it rolls back."""
    # 1, 2 or 3 entries in turn; one transaction in five rolled back, at staggered places.
    return 1 + (writer + number) % 3, (3 * writer + number) % 5 == 4


def scenario_writers() -> dict[str, Any]:
    """8 writers start together; each runs 25 transactions of 1-3 records, some rolled back."""
    from django.db import transaction

    from amanah.ledger import services

    def work(writer: int, barrier: threading.Barrier) -> dict[str, list[str]]:
        committed: list[str] = []
        rolled_back: list[str] = []
        barrier.wait()
        for number in range(TRANSACTIONS_PER_WRITER):
            count, roll_back = _plan(writer, number)
            keys = [f"w{writer}-t{number}-e{k}" for k in range(count)]
            try:
                with transaction.atomic():
                    for key in keys:
                        services.record("test.concurrent", {"key": key}, actor=f"writer-{writer}")
                    if roll_back:
                        raise _RollBack
            except _RollBack:
                rolled_back.extend(keys)
            else:
                committed.extend(keys)
        return {"committed": committed, "rolled_back": rolled_back}

    started = time.monotonic()
    per_writer = _run_threads(WRITERS, work)
    elapsed = time.monotonic() - started
    failures: list[str] = []
    state = _log_state()
    checked = _verify(failures)
    return {
        "committed": [key for result in per_writer for key in result["committed"]],
        "rolled_back": [key for result in per_writer for key in result["rolled_back"]],
        "workload_seconds": round(elapsed, 3),
        **state,
        **checked,
        "verify_failures": failures,
    }


@contextmanager
def _count_singleton_inserts(counts: dict[str, int]) -> Iterator[None]:
    """Count this thread's INSERTs into the Sequencer and TreeHead tables."""
    from django.db import connection

    from amanah.ledger.models import Sequencer, TreeHead

    tables = (Sequencer._meta.db_table, TreeHead._meta.db_table)

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("INSERT") and any(t in sql for t in tables):
            counts["singleton_inserts"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def _hold_until_all_wait(everyone_waits: threading.Event) -> int:
    """Keep the current transaction open until the other racers all wait on a lock.

    Returns the most sessions seen waiting on a lock. The first holder sets the event
    when it sees every other thread queued; later holders then go on at once.
    """
    from django.db import connection

    most = 0
    deadline = time.monotonic() + RACE_HOLD_SECONDS
    while not everyone_waits.is_set() and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Statistics views are snapshotted once per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            (waiting,) = cursor.fetchone()
        most = max(most, waiting)
        if waiting >= WRITERS - 1:
            everyone_waits.set()
        else:
            time.sleep(0.005)
    return most


def _singleton_rows() -> dict[str, Any]:
    from amanah.ledger.models import Sequencer, TreeHead

    return {
        "sequencer": [list(row) for row in Sequencer.objects.values_list("id", "next_index")],
        "tree_head": [
            [pk, size, bytes(root).hex()]
            for pk, size, root in TreeHead.objects.values_list("id", "size", "root_hash")
        ],
    }


def _reset_log() -> None:
    """Back to the state `migrate` leaves: no entries, the singleton rows at zero."""
    from django.db import connection

    from amanah.ledger.models import LogEntry, LogTile, Sequencer, SignedCheckpoint, TreeHead
    from amanah.transparency import EMPTY_ROOT

    tables = ", ".join(m._meta.db_table for m in (LogEntry, LogTile, SignedCheckpoint))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    Sequencer.objects.update(next_index=0)
    TreeHead.objects.update(size=0, root_hash=EMPTY_ROOT)


def scenario_first_writers() -> dict[str, Any]:
    """8 threads take the very first indexes of an empty log together.

    Round 0 runs on the log exactly as `migrate` left it; later rounds reset it to that
    state. Every thread opens a transaction, records one entry and holds the transaction
    open until all the others queue on the sequencer row it holds; in odd
    rounds the even threads then roll back (the first holder may be one of them). Each
    thread then records one more entry in a second transaction. Every round's log must be
    dense and complete, and no writer may create a singleton row itself.

    Last, with the Sequencer row deleted, 8 threads race their first record again: each
    must fail (the row is never created lazily) and nothing may be written.
    """
    from django.db import connection, transaction

    from amanah.ledger import services
    from amanah.ledger.models import LogEntry, Sequencer

    initial = _singleton_rows()
    rounds = []
    for round_number in range(RACE_ROUNDS):
        if round_number:
            _reset_log()
        before = _singleton_rows()
        connection.close()

        everyone_waits = threading.Event()

        def work(
            thread: int,
            barrier: threading.Barrier,
            round_number: int = round_number,
            everyone_waits: threading.Event = everyone_waits,
        ) -> Any:
            counts = {"singleton_inserts": 0}
            most_waiting = 0
            committed: list[str] = []
            rolled_back: list[str] = []
            roll_back = round_number % 2 == 1 and thread % 2 == 0
            first, second = f"r{round_number}-t{thread}-first", f"r{round_number}-t{thread}-second"
            with _count_singleton_inserts(counts):
                barrier.wait()
                try:
                    with transaction.atomic():
                        services.record("test.race", {"key": first}, actor=f"racer-{thread}")
                        most_waiting = _hold_until_all_wait(everyone_waits)
                        if roll_back:
                            raise _RollBack
                except _RollBack:
                    rolled_back.append(first)
                else:
                    committed.append(first)
                with transaction.atomic():
                    services.record("test.race", {"key": second}, actor=f"racer-{thread}")
                committed.append(second)
            return {
                "committed": committed,
                "rolled_back": rolled_back,
                "most_waiting": most_waiting,
                **counts,
            }

        started = time.monotonic()
        per_thread = _run_threads(WRITERS, work)
        elapsed = time.monotonic() - started
        state = _log_state()
        failures: list[str] = []
        checked = _verify(failures)
        rounds.append(
            {
                "round": round_number,
                "before": before,
                "seconds": round(elapsed, 3),
                "committed": [key for result in per_thread for key in result["committed"]],
                "rolled_back": [key for result in per_thread for key in result["rolled_back"]],
                "singleton_inserts": sum(result["singleton_inserts"] for result in per_thread),
                "most_waiting": max(result["most_waiting"] for result in per_thread),
                **state,
                **checked,
                "verify_failures": failures,
            }
        )
        connection.close()

    _reset_log()
    Sequencer.objects.all().delete()
    connection.close()

    def no_row(thread: int, barrier: threading.Barrier) -> str | None:
        barrier.wait()
        try:
            with transaction.atomic():
                services.record("test.race", {"key": f"no-row-t{thread}"}, actor="racer")
        except Exception as error:
            return type(error).__name__
        return None

    missing_row_errors = _run_threads(WRITERS, no_row)
    return {
        "initial": initial,
        "rounds": rounds,
        "missing_row": {
            "errors": missing_row_errors,
            "entries": LogEntry.objects.count(),
            "sequencer_rows": Sequencer.objects.count(),
        },
    }


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "writers": scenario_writers,
    "first_writers": scenario_first_writers,
}


def main(argv: list[str]) -> int:
    (scenario,) = argv
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"expected PostgreSQL as the default database, got {connection.vendor}")
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.monotonic() - started
    connection.close()

    errors = _ErrorRecords()
    logging.getLogger("django.db.backends.base").addHandler(errors)
    result = SCENARIOS[scenario]()
    result["migrate_seconds"] = round(migrated, 3)
    result["on_commit_errors"] = errors.messages
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
