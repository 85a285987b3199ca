"""The log's page: the latest signed checkpoints with any witness cosignatures, and every
entry, newest first, by kind.

Only what a checkpoint has signed is listed, as on the entry pages (`ledger.selectors`):
an entry not yet integrated has no proof to offer. The reads below are the page's own;
they touch the entries' public columns only, never their private part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.ledger.services import integrate_for_readers
from amanah.transparency.note import split_note

ENTRIES_PER_PAGE = 50
CHECKPOINTS_SHOWN = 5


@dataclass(frozen=True)
class Cosignature:
    """A signature line on a checkpoint from a key other than the log's: a witness's."""

    name: str
    key_id: str  # 8 hex digits, as C2SP signed-note key IDs are written


@dataclass(frozen=True)
class CheckpointRow:
    size: int
    signed_at: datetime
    note: str  # the signed note, byte for byte what /log/checkpoint served
    cosignatures: tuple[Cosignature, ...]


def _cosignatures(note: str, origin: str) -> tuple[Cosignature, ...]:
    _text, signatures = split_note(note.encode())
    return tuple(
        Cosignature(line.name, f"{line.key_id:08x}") for line in signatures if line.name != origin
    )


def _checkpoints(limit: int) -> list[CheckpointRow]:
    """The latest `limit` checkpoints the log key signed, the latest first. One query."""
    origin = str(settings.AMANAH_LOG_ORIGIN)
    rows = SignedCheckpoint.objects.order_by("-size").values("size", "signed_at", "note")[:limit]
    return [CheckpointRow(**row, cosignatures=_cosignatures(row["note"], origin)) for row in rows]


@require_safe
def log_page(request: HttpRequest) -> HttpResponse:
    integrate_for_readers()  # list every committed entry, even one a batch still holds
    checkpoints = _checkpoints(CHECKPOINTS_SHOWN)
    signed = checkpoints[0].size if checkpoints else 0
    entries = LogEntry.objects.filter(index__lt=signed)
    kinds = list(entries.order_by("kind").values_list("kind", flat=True).distinct())
    kind = request.GET.get("kind", "")
    if kind:
        entries = entries.filter(kind=kind)
    listed = entries.order_by("-index").values("index", "kind", "recorded_at", "actor")
    context = {
        "checkpoints": checkpoints,
        "cosigned": any(row.cosignatures for row in checkpoints),
        "kinds": kinds,
        "kind": kind,
        "page": Paginator(listed, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
        "size": signed,
    }
    return render(request, "portal/log.html", context)
