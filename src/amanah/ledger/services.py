"""Writing to the log: `record` (inside the caller's transaction) and `integrate_pending`.

    with transaction.atomic():
        pledge.save()
        ledger.record("pledge.recorded", pledge_public(pledge), actor=actor)

The entry and the domain change commit together or not at all. After commit, once a batch
is due (`integrate_due`), or when someone reads the log, the new entries are integrated
into tiles and a checkpoint is signed, in one transaction of their own; if that step
fails or the process dies, the next one (or `amanah log integrate`) integrates everything
still pending, so nothing recorded is ever left out.

Sequencing relies on PostgreSQL's default READ COMMITTED isolation: a writer waiting on
the sequencer row re-reads it once the holder commits. Under REPEATABLE READ or
SERIALIZABLE that writer would fail with a serialization error instead, so leave
`isolation_level` unset in DATABASES.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction

from amanah.ledger.models import SINGLETON, LogEntry, Sequencer, SignedCheckpoint, TreeHead
from amanah.ledger.wiring import log_signer, log_storage
from amanah.transparency import (
    Checkpoint,
    LogForked,
    ProofInvalid,
    TileHashReader,
    TileWriter,
    canonical_json,
    commit_private,
    sign_note,
    verify_consistency,
)

__all__ = [
    "LedgerError",
    "Service",
    "integrate_due",
    "integrate_for_readers",
    "integrate_pending",
    "lock_log",
    "record",
    "service",
]

_logger = logging.getLogger(__name__)
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# The bundle format stores each entry's length in 16 bits.
_MAX_ENTRY_BYTES = 0xFFFF


class LedgerError(ValueError):
    """A log entry that must not be written; the message names the field at fault."""


# RFC 8785 numbers are IEEE 754 doubles: integers beyond 2**53 - 1 would lose digits.
_MAX_SAFE_INTEGER = 2**53 - 1


def _check_json(value: Any, where: str) -> None:
    """Only JSON types, and no floats: amounts travel as decimal strings, never binary floats."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise LedgerError(f"{where} is an integer too large for JSON; log it as a string")
        return
    if isinstance(value, str):
        _check_text(value, where)
        return
    if isinstance(value, float | Decimal):
        raise LedgerError(
            f"{where} is a {type(value).__name__}; log amounts as decimal strings, not numbers"
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LedgerError(f"{where} has a key that is not a string: {key!r}")
            _check_text(key, f"{where} key {key!r}")
            _check_json(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check_json(item, f"{where}[{position}]")
        return
    raise LedgerError(f"{where} is a {type(value).__name__}, which JSON cannot hold")


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LedgerError(f"{where} holds a lone surrogate, which UTF-8 cannot encode") from None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def lock_log() -> None:
    """Take the log's write lock now, in the caller's transaction, until it ends.

    `record` takes it anyway; a service that first reads what it decides on (a balance,
    how many tranches an allocation has) takes it before reading, so that what it read
    cannot change before it writes, and every writer takes the same lock first (no two
    transactions can then wait on each other's locks in a cycle)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_log must run inside the service's transaction.atomic()")
    Sequencer.objects.select_for_update().get(id=SINGLETON)


P = ParamSpec("P")
R = TypeVar("R")


class Service(Generic[P, R]):
    """A domain service: called, it runs in a durable transaction of its own, holding the
    log's write lock (`lock_log`) before it reads anything it decides on; its
    `in_callers_transaction` runs the same steps in a transaction already open (the demo
    loader's, a CSV import's), which a durable block cannot nest in."""

    def __init__(self, steps: Callable[P, R]) -> None:
        functools.update_wrapper(self, steps)
        self.in_callers_transaction = steps

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(durable=True):
            lock_log()
            return self.in_callers_transaction(*args, **kwargs)


def service(steps: Callable[P, R]) -> Service[P, R]:
    """Make `steps` a `Service` (used as a decorator)."""
    return Service(steps)


def record(
    kind: str,
    data: Mapping[str, Any],
    *,
    actor: str,
    private: Mapping[str, Any] | None = None,
    signatures: Sequence[Mapping[str, Any]] = (),
) -> LogEntry:
    """Append one public fact to the log, in the caller's (already open) transaction.

    `private` stays in the database; the entry carries only a salted commitment to it.
    The index is taken under a row lock, so concurrent writers get dense, unique indexes.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.record must run inside the service's transaction.atomic()")
    if not _KIND.fullmatch(kind):
        raise LedgerError(f"kind {kind!r} must be dotted lowercase words, like 'pledge.recorded'")
    if not actor:
        raise LedgerError("actor must name who made the change")
    _check_json(dict(data), "data")
    _check_json(list(signatures), "signatures")
    commitment, salt = None, None
    if private is not None:
        _check_json(dict(private), "private")
        commitment, salt = commit_private(dict(private))
    at = _now()
    entry = canonical_json(
        {
            "type": f"amanah.{kind}.v1",
            "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "actor": actor,
            "data": dict(data),
            "private_commitment": commitment,
            "signatures": list(signatures),
        }
    )
    if len(entry) > _MAX_ENTRY_BYTES:
        raise LedgerError(
            f"data is too large to log: {len(entry)} bytes, at most {_MAX_ENTRY_BYTES}"
        )
    sequencer = Sequencer.objects.select_for_update().get(id=SINGLETON)
    logged = LogEntry.objects.create(
        index=sequencer.next_index,
        kind=kind,
        recorded_at=at,
        actor=actor,
        entry=entry,
        private_data=None if private is None else dict(private),
        private_salt=salt,
    )
    sequencer.next_index += 1
    sequencer.save(update_fields=["next_index"])
    # robust: the entry is committed whatever happens here; a failed integration is
    # logged and retried by the next commit or by `amanah log integrate`.
    transaction.on_commit(integrate_due, robust=True)
    return logged


class _Batch:
    """This process's entries recorded since it last integrated, and since when: a hint
    that spares every commit the database reads of working out whether a batch is due.
    Other processes keep their own; `integrate_pending` always takes everything pending,
    whoever recorded it, and a reader of the log integrates whatever is left."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.since: float | None = None

    def due(self, entries: int, seconds: float) -> bool:
        with self._lock:
            now = time.monotonic()
            self.count += 1
            if self.since is None:
                self.since = now
            if self.count < entries and now - self.since < seconds:
                return False
            self.count, self.since = 0, None
            return True


_BATCH = _Batch()


def integrate_due() -> SignedCheckpoint | None:
    """After a commit (one call per entry recorded): integrate what is pending once a
    batch is due (settings AMANAH_LOG_BATCH_ENTRIES and AMANAH_LOG_BATCH_SECONDS), else
    leave it for a later commit or the next reader of the log (`integrate_pending`)."""
    entries = settings.AMANAH_LOG_BATCH_ENTRIES
    if entries <= 1 or _BATCH.due(entries, settings.AMANAH_LOG_BATCH_SECONDS):
        return integrate_pending()
    return None


def integrate_for_readers() -> None:
    """Before serving the log: integrate what a batch still holds, so a reader gets every
    committed entry. If that fails (the tiles refuse to extend the last checkpoint, say),
    the reader still gets the last good checkpoint and the error goes to the server's log,
    as when the integration after a commit fails."""
    try:
        integrate_pending()
    except Exception:
        _logger.exception("integrating pending entries for a reader of the log failed")


def integrate_pending() -> SignedCheckpoint | None:
    """Integrate every committed entry not yet in the tiles, then sign a checkpoint.

    Returns the new checkpoint, or None when there was nothing to integrate.
    """
    # Every `record` in a transaction schedules a run; all but the first find nothing
    # left. Checking without a lock first spares those a locking transaction each.
    head_size = TreeHead.objects.filter(id=SINGLETON).values_list("size", flat=True).first()
    if head_size is not None and not LogEntry.objects.filter(index__gte=head_size).exists():
        return None
    with transaction.atomic():
        head = TreeHead.objects.select_for_update().get(id=SINGLETON)
        pending = list(
            LogEntry.objects.filter(index__gte=head.size)
            .order_by("index")
            .values_list("index", "entry")
        )
        if not pending:
            return None
        if pending[0][0] != head.size or pending[-1][0] != head.size + len(pending) - 1:
            raise RuntimeError(f"log entries are not dense after index {head.size}")
        storage = log_storage()
        writer = TileWriter(storage, head.size)
        if writer.root() != bytes(head.root_hash):
            raise RuntimeError(f"the stored tiles do not match the tree head at size {head.size}")
        writer.append([bytes(entry) for _, entry in pending])
        writer.flush()
        head.size, head.root_hash = writer.size, writer.root()
        head.save()
        return _sign(head.size, bytes(head.root_hash), storage)


def _sign(size: int, root: bytes, storage: Any) -> SignedCheckpoint:
    """Sign the tree head, after proving it extends the last checkpoint signed."""
    last = SignedCheckpoint.objects.order_by("-size").first()
    if last is not None:
        try:
            proof = TileHashReader(storage, size).consistency_proof(last.size) if last.size else []
            if last.size:
                verify_consistency(last.size, size, bytes(last.root_hash), root, proof)
        except (ProofInvalid, ValueError) as error:
            raise LogForked(
                f"refusing to sign size {size}: not an extension of the checkpoint signed at"
                f" size {last.size} ({error})"
            ) from error
    signer = log_signer()
    note = sign_note(Checkpoint(signer.name, size, root).to_text(), [signer])
    storage.write("checkpoint", note)
    return SignedCheckpoint.objects.create(
        size=size, root_hash=root, note=note.decode(), signed_at=_now()
    )
