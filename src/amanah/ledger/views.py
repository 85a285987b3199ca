"""The log's files over HTTP, byte for byte as c2sp.org/tlog-tiles lays them out."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from amanah.ledger.services import integrate_for_readers
from amanah.ledger.wiring import log_storage
from amanah.transparency import MalformedInput, TileNotFound, parse_tile_path

# The checkpoint changes as the log grows; a few seconds of caching spares the server
# a burst of verifiers without hiding new entries for long (c2sp.org/tlog-tiles).
_CHECKPOINT_CACHE = "public, max-age=5"
# A tile's path names its exact content: a full tile never changes, and a partial one is
# a different path from the full tile it grows into.
_TILE_CACHE = "public, max-age=31536000, immutable"


@require_safe
def checkpoint(request: HttpRequest) -> HttpResponse:
    # A reader of the log gets every committed entry: integrate a batch still pending.
    integrate_for_readers()
    return _log_file("checkpoint", "text/plain; charset=utf-8", _CHECKPOINT_CACHE)


@require_safe
def tile(request: HttpRequest, rest: str) -> HttpResponse:
    try:
        tile_id = parse_tile_path(f"tile/{rest}")
    except MalformedInput:
        raise Http404("not a tile path") from None
    # Read the canonical spelling, never the request's: only tile/... can come out of it.
    return _log_file(tile_id.path, "application/octet-stream", _TILE_CACHE)


def _log_file(path: str, content_type: str, cache_control: str) -> HttpResponse:
    try:
        data = log_storage().read(path)
    except TileNotFound:
        raise Http404("no such log file") from None
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = cache_control
    # Public bytes meant for any verifier, including one running on another site's page.
    response["Access-Control-Allow-Origin"] = "*"
    return response
