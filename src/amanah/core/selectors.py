"""Reads for the core pages."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from amanah.transparency import Checkpoint, DirectoryStorage, FileLog, TileNotFound


@dataclass(frozen=True)
class LogOverview:
    """What the home page shows about the log: enough to go and verify it elsewhere."""

    origin: str
    size: int
    root_hash: str
    verifier_key: str | None


def log_overview(directory: Path) -> LogOverview | None:
    """The published checkpoint's origin, size and root, or None before the first one.

    The note is parsed but not verified: the page only points at the log, and checking it
    is the job of `amanah-verify`, run by someone who does not trust this server.
    """
    try:
        note = DirectoryStorage(directory).read("checkpoint")
    except TileNotFound:
        return None
    # c2sp.org/signed-note: the text ends at the last blank line, keeping its newline.
    checkpoint = Checkpoint.from_text(note[: note.rindex(b"\n\n") + 1])
    return LogOverview(
        origin=checkpoint.origin,
        size=checkpoint.size,
        root_hash=base64.b64encode(checkpoint.root_hash).decode("ascii"),
        # A mirrored log has no key file: the page then says to get the key elsewhere.
        verifier_key=FileLog.published_verifier_key(directory),
    )
