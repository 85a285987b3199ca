"""The log's public API: the latest checkpoint and the entries it covers.

Public like /log/ itself: no token needed. Only what the log publishes is returned; an
entry's private part never is.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from amanah.core.schemas import ErrorOut
from amanah.ledger.errors import LogEntryNotFound, NoCheckpoint
from amanah.ledger.schemas import CheckpointOut, EntryListIn, EntryListOut, EntryOut
from amanah.ledger.selectors import (
    LogCheckpoint,
    LogEntryDetail,
    LogEntryPage,
    log_checkpoint_latest,
    log_entry_get,
    log_entry_list_after,
)
from amanah.ledger.services import integrate_for_readers

router = Router(tags=["log"], auth=None)


@router.get(
    "/checkpoint",
    response={200: CheckpointOut, 404: ErrorOut},
    summary="The latest signed checkpoint",
)
def log_checkpoint(request: HttpRequest) -> LogCheckpoint:
    integrate_for_readers()  # a reader gets every committed entry, batched or not
    checkpoint = log_checkpoint_latest()
    if checkpoint is None:
        raise NoCheckpoint()
    return checkpoint


@router.get(
    "/entries",
    response={200: EntryListOut, 422: ErrorOut},
    summary="Signed entries, oldest first, a page at a time",
)
def log_entries(request: HttpRequest, page: Query[EntryListIn]) -> LogEntryPage:
    integrate_for_readers()
    return log_entry_list_after(after=page.after, limit=page.limit)


@router.get(
    "/entries/{index}",
    response={200: EntryOut, 404: ErrorOut, 422: ErrorOut},
    summary="One signed entry",
)
def log_entry(request: HttpRequest, index: int) -> LogEntryDetail:
    integrate_for_readers()
    entry = log_entry_get(index=index)
    if entry is None:
        raise LogEntryNotFound(index=index)
    return entry
