"""Reads of the log for pages and commands.

Only what a checkpoint has signed is shown: an entry recorded but not yet integrated has
no proof to offer, so pages behave as if it did not exist yet. The private part of an
entry is never read here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Subquery

from amanah.ledger.models import SINGLETON, LogEntry, Sequencer, SignedCheckpoint
from amanah.ledger.wiring import log_storage, log_verifier
from amanah.transparency import TileHashReader, leaf_hash, make_receipt

__all__ = [
    "LogCheckpoint",
    "LogEntryDetail",
    "LogEntryPage",
    "LogEntryPublic",
    "LogEntrySummary",
    "LogOverview",
    "log_checkpoint_latest",
    "log_entry_get",
    "log_entry_list_after",
    "log_entry_list_latest",
    "log_entry_receipt",
    "log_overview",
    "log_size_now",
]


@dataclass(frozen=True)
class LogOverview:
    """What a page shows about the log: enough to go and verify it elsewhere."""

    origin: str
    size: int
    root_hash: bytes
    verifier_key: str | None


def _verifier_key() -> str | None:
    verifier = log_verifier()
    return None if verifier is None else verifier.key_text


def _origin() -> str:
    return str(settings.AMANAH_LOG_ORIGIN)


def log_overview() -> LogOverview | None:
    """The latest signed checkpoint and the key to check it with; None before the first."""
    latest = SignedCheckpoint.objects.order_by("-size").first()
    if latest is None:
        return None
    return LogOverview(_origin(), latest.size, bytes(latest.root_hash), _verifier_key())


@dataclass(frozen=True)
class LogCheckpoint:
    """The latest signed checkpoint, as the API publishes it."""

    origin: str
    size: int
    root_hash: bytes
    note: str  # the signed note, byte for byte the log's /checkpoint
    signed_at: datetime


def log_checkpoint_latest() -> LogCheckpoint | None:
    """The latest signed checkpoint; None before the first."""
    latest = SignedCheckpoint.objects.order_by("-size").first()
    if latest is None:
        return None
    return LogCheckpoint(
        _origin(), latest.size, bytes(latest.root_hash), latest.note, latest.signed_at
    )


@dataclass(frozen=True)
class LogEntrySummary:
    index: int
    kind: str
    recorded_at: datetime
    actor: str


@dataclass(frozen=True)
class LogEntryDetail:
    """One entry as the log publishes it, and the checkpoint its receipt is made under."""

    index: int
    kind: str
    recorded_at: datetime
    actor: str
    entry: bytes  # the exact bytes in the log
    data: dict[str, Any]  # the public data, parsed from `entry`
    private_commitment: str | None
    signature_count: int
    leaf_hash: bytes
    checkpoint_size: int
    verifier_key: str | None


_SUMMARY_FIELDS = ("index", "kind", "recorded_at", "actor")


def _latest_size() -> Subquery:
    return Subquery(SignedCheckpoint.objects.order_by("-size").values("size")[:1])


def log_entry_list_latest(*, limit: int = 10) -> list[LogEntrySummary]:
    """The newest `limit` signed entries, newest first, in one query."""
    rows = (
        LogEntry.objects.filter(index__lt=_latest_size())
        .order_by("-index")
        .values(*_SUMMARY_FIELDS)[:limit]
    )
    return [LogEntrySummary(**row) for row in rows]


@dataclass(frozen=True)
class LogEntryPublic:
    """An entry's public fields, with its data parsed from the logged bytes."""

    index: int
    kind: str
    recorded_at: datetime
    actor: str
    data: dict[str, Any]


@dataclass(frozen=True)
class LogEntryPage:
    entries: list[LogEntryPublic]
    # The `after` that continues this page; None when no signed entry follows.
    next_after: int | None


def log_entry_list_after(*, after: int | None, limit: int) -> LogEntryPage:
    """Up to `limit` signed entries with an index above `after` (from the first when
    None), oldest first, in one query."""
    rows = LogEntry.objects.filter(index__lt=_latest_size()).order_by("index")
    if after is not None:
        rows = rows.filter(index__gt=after)
    # One row more than asked tells whether another page follows.
    found = list(rows.values(*_SUMMARY_FIELDS, "entry")[: limit + 1])
    entries = [_public(**row) for row in found[:limit]]
    next_after = entries[-1].index if len(found) > limit else None
    return LogEntryPage(entries, next_after)


def _public(*, entry: bytes, **summary: Any) -> LogEntryPublic:
    return LogEntryPublic(**summary, data=json.loads(bytes(entry))["data"])


def log_entry_get(*, index: int) -> LogEntryDetail | None:
    """Entry `index`, or None when no signed checkpoint covers it yet."""
    latest = SignedCheckpoint.objects.order_by("-size").values("size").first()
    if latest is None or not 0 <= index < latest["size"]:
        return None
    row = LogEntry.objects.filter(index=index).values(*_SUMMARY_FIELDS, "entry").get()
    entry = bytes(row.pop("entry"))
    value = json.loads(entry)
    return LogEntryDetail(
        **row,
        entry=entry,
        data=value["data"],
        private_commitment=value["private_commitment"],
        signature_count=len(value["signatures"]),
        leaf_hash=leaf_hash(entry),
        checkpoint_size=latest["size"],
        verifier_key=_verifier_key(),
    )


def log_entry_receipt(*, index: int) -> bytes | None:
    """A c2sp.org/tlog-proof for entry `index` under the latest signed checkpoint, carrying
    the entry itself; None when no signed checkpoint covers it yet."""
    latest = SignedCheckpoint.objects.order_by("-size").values("size", "note").first()
    if latest is None or not 0 <= index < latest["size"]:
        return None
    reader = TileHashReader(log_storage(), latest["size"])
    return make_receipt(reader, index, latest["note"].encode()).to_bytes()


def log_size_now() -> int:
    """How many entries the log holds: the next entry's index."""
    return int(Sequencer.objects.get(id=SINGLETON).next_index)
