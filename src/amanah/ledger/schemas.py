"""API schemas of the log, one per operation. Hashes and bytes travel as standard base64,
as in the signed checkpoint itself. Descriptions are the API's documentation, in English
like the rest of docs/openapi.json, so that the committed schema has one spelling."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from ninja import Field, Schema

from amanah.ledger.selectors import LogCheckpoint, LogEntryDetail

__all__ = ["CheckpointOut", "EntryListIn", "EntryListOut", "EntryOut"]

MAX_PAGE = 100


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CheckpointOut(Schema):
    origin: str = Field(description="The log's name, the first line of the checkpoint.")
    size: int = Field(description="How many entries the checkpoint covers.")
    root_hash: str = Field(description="RFC 9162 Merkle tree root over them, base64.")
    note: str = Field(description="The c2sp.org/tlog-checkpoint signed note, as published.")
    signed_at: datetime

    @staticmethod
    def resolve_root_hash(checkpoint: LogCheckpoint) -> str:
        return _b64(checkpoint.root_hash)


class EntryListIn(Schema):
    after: int | None = Field(
        None, ge=0, description="Start after this index; from the first entry when absent."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="At most this many entries.")


class EntryListItemOut(Schema):
    index: int
    kind: str
    recorded_at: datetime
    actor: str
    data: dict[str, Any] = Field(description="The entry's public data.")


class EntryListOut(Schema):
    entries: list[EntryListItemOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page is the last."
    )


class EntryOut(Schema):
    index: int
    kind: str
    recorded_at: datetime
    actor: str
    data: dict[str, Any] = Field(description="The entry's public data.")
    private_commitment: str | None = Field(
        description="Hex SHA-256 commitment to the entry's private part, which is not published."
    )
    entry: str = Field(description="The entry's exact bytes in the log (canonical JSON), base64.")
    leaf_hash: str = Field(description="RFC 9162 leaf hash of `entry`, base64.")
    checkpoint_size: int = Field(description="Size of the latest checkpoint, which covers it.")

    @staticmethod
    def resolve_entry(detail: LogEntryDetail) -> str:
        return _b64(detail.entry)

    @staticmethod
    def resolve_leaf_hash(detail: LogEntryDetail) -> str:
        return _b64(detail.leaf_hash)
