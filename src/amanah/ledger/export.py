"""The log as a static directory: what `/log/` serves, for any web server or CDN to mirror.

    DIR/checkpoint                  the latest signed checkpoint
    DIR/tile/<L>/<N>[.p/<W>]        every hash tile that checkpoint implies
    DIR/tile/entries/<N>[.p/<W>]    every entry bundle

Each file is byte for byte what `/log/<path>` serves, so `amanah-verify log DIR` checks a
mirror exactly as it checks the server. Tiles are written first and the checkpoint last,
so a mirror copied mid-export never holds a checkpoint whose tiles are missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from amanah.ledger.models import SignedCheckpoint
from amanah.ledger.services import integrate_pending
from amanah.ledger.wiring import log_storage
from amanah.transparency import DirectoryStorage, StorageError, tiles_for_size
from amanah.transparency.tilewriter import read_tile

__all__ = ["ExportRefused", "LogExport", "log_export"]

# What an export holds at its top level; DirectoryStorage's temporary files start `.tmp-`.
_EXPORT_NAMES = frozenset({"checkpoint", "tile"})
_TEMPORARY_PREFIX = ".tmp-"


class ExportRefused(Exception):
    """The export was not written: the message says why, and names the directory."""


@dataclass(frozen=True)
class LogExport:
    directory: Path
    size: int
    files: int  # tiles and bundles written, not counting the checkpoint
    removed: int  # partial tiles a full tile now supersedes, as on the server


def log_export(directory: Path, *, progress: Callable[[int, int], None] | None = None) -> LogExport:
    """Write the latest signed checkpoint and every tile and bundle it implies to `directory`.

    `directory` must be missing, empty, or an earlier export of this log (its checkpoint
    one this log signed); anything else is refused before a byte is written.
    """
    integrate_pending()  # export everything committed, not just the last batch
    latest = SignedCheckpoint.objects.order_by("-size").values("size", "note").first()
    if latest is None:
        raise ExportRefused(_("The log has no signed checkpoint yet; there is nothing to export."))
    size, note = latest["size"], latest["note"].encode()
    source, target = log_storage(), DirectoryStorage(directory)
    tiles = list(tiles_for_size(size))
    try:
        _check_target(directory)
        for done, tile in enumerate(tiles, start=1):
            # read_tile: should the log grow meanwhile and drop a partial tile, its bytes
            # are the first W of the full tile, exactly what the partial held.
            target.write(tile.path, read_tile(source, tile))
            if progress is not None:
                progress(done, len(tiles))
        target.sync()
        target.write("checkpoint", note)
        target.sync()
        removed = _remove_superseded_partials(directory, {tile.path for tile in tiles})
    except StorageError as error:
        raise ExportRefused(str(error)) from error
    except OSError as error:
        raise ExportRefused(f"{error.filename or directory}: {error.strerror}") from error
    return LogExport(directory, size, len(tiles), removed)


def _check_target(directory: Path) -> None:
    if not directory.exists():
        return
    if not directory.is_dir():
        raise ExportRefused(_("%(directory)s is not a directory.") % {"directory": directory})
    names = {name for name in os.listdir(directory) if not name.startswith(_TEMPORARY_PREFIX)}
    if not names:
        return
    refusal = _(
        "%(directory)s is not empty and is not an export of this log; choose an empty or new"
        " directory."
    ) % {"directory": directory}
    if not names <= _EXPORT_NAMES:
        raise ExportRefused(refusal)
    checkpoint = directory / "checkpoint"
    if not checkpoint.exists():
        return  # an export interrupted before its checkpoint: tiles only
    try:
        text = checkpoint.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ExportRefused(refusal) from None
    # A checkpoint this log signed proves the directory is ours, and that what we are about
    # to write extends it: the log never signs a checkpoint that does not extend the last.
    if not SignedCheckpoint.objects.filter(note=text).exists():
        raise ExportRefused(refusal)


def _remove_superseded_partials(directory: Path, exported: set[str]) -> int:
    """Delete partial tiles whose full tile is now exported, as the server's storage does."""
    removed = 0
    tile_root = directory / "tile"
    for partial_dir in sorted(tile_root.rglob("*.p")):
        full = partial_dir.with_suffix("").relative_to(directory).as_posix()
        if full not in exported or not partial_dir.is_dir():
            continue
        for file in partial_dir.iterdir():
            if file.relative_to(directory).as_posix() not in exported:
                file.unlink()
                removed += 1
        if not any(partial_dir.iterdir()):
            partial_dir.rmdir()
    return removed
