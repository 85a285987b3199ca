"""The `LogStorage` port of `amanah.transparency`, over the `LogTile` table.

Writes happen inside the integrator's transaction, so a batch of tiles and the tree head
that covers them commit together; `sync` has nothing left to do.
"""

from __future__ import annotations

from amanah.ledger.models import LogTile
from amanah.transparency import TileNotFound
from amanah.transparency.storage import check_log_path


class DatabaseTileStorage:
    def read(self, path: str) -> bytes:
        data = (
            LogTile.objects.filter(path=check_log_path(path)).values_list("data", flat=True).first()
        )
        if data is None:
            raise TileNotFound(path)
        return bytes(data)

    def write(self, path: str, data: bytes) -> None:
        LogTile.objects.update_or_create(path=check_log_path(path), defaults={"data": data})
        if ".p/" not in path:
            # A full tile supersedes its partial versions; c2sp.org/tlog-tiles lets a log
            # drop them, and clients fall back to the full tile's first W hashes.
            LogTile.objects.filter(path__startswith=f"{path}.p/").delete()

    def sync(self) -> None:
        return None
