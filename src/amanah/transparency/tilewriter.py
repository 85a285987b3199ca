"""Integrating entries into tiles incrementally (c2sp.org/tlog-tiles).

The tree is kept as the unfinished ("partial") tile of each level. Each entry costs one
leaf hash plus, amortised, about one interior hash when a full tile is folded into the
level above; nothing already written is read or hashed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256

from .errors import TileNotFound
from .hashing import EMPTY_ROOT, HASH_SIZE, node_hash
from .proofs import fold_perfect
from .storage import LogReader, LogStorage
from .tiles import (
    ENTRIES_LEVEL,
    TILE_HEIGHT,
    TILE_WIDTH,
    TileId,
    check_entry_sizes,
    decode_entry_bundle,
    decode_hash_tile,
    encode_entry_bundle,
    tile_for,
)

__all__ = ["TileTreeBuilder", "TileWriter", "read_tile"]


def read_tile(reader: LogReader, tile: TileId) -> bytes:
    """Read a tile, falling back from a partial tile to the first hashes of the full one.

    Logs may drop partial tiles once the full tile exists (c2sp.org/tlog-tiles).
    """
    try:
        return reader.read(tile.path)
    except TileNotFound:
        if not tile.is_partial:
            raise
    data = reader.read(tile.full().path)
    if tile.is_entries:
        # A bundle's first W entries: re-encode exactly those (lengths are self-delimiting).
        return encode_entry_bundle(decode_entry_bundle(data, tile.full())[: tile.width])
    return data[: tile.width * HASH_SIZE]


class TileTreeBuilder:
    """The right edge of a tiled Merkle tree: the pending hashes of every level.

    `on_full_tile(tile, data)` is called for each tile (hash tiles only) that fills up,
    lowest level first; the tile's fold is then pushed into the level above.
    """

    def __init__(
        self,
        on_full_tile: Callable[[TileId, bytes], None],
        *,
        size: int = 0,
        partials: Sequence[Sequence[bytes]] = (),
    ) -> None:
        self.size = size
        self._on_full_tile = on_full_tile
        self._pending: list[list[bytes]] = [list(p) for p in partials] or [[]]
        if size >> (TILE_HEIGHT * len(self._pending)):
            raise ValueError(
                f"{len(self._pending)} levels of hashes cannot hold a tree of size {size}"
            )
        for level, pending in enumerate(self._pending):
            expected = (size >> (TILE_HEIGHT * level)) % TILE_WIDTH
            if len(pending) != expected:
                raise ValueError(f"level {level} holds {len(pending)} hashes, expected {expected}")

    def add(self, hashes: Sequence[bytes]) -> None:
        """Append leaf hashes; callers pass at most one level-0 tile's worth for speed."""
        pending = self._pending[0]
        if not pending and len(hashes) == TILE_WIDTH:
            # Whole aligned tiles are the common case when integrating or verifying in bulk.
            self._pending[0] = list(hashes)
            self.size += TILE_WIDTH
            self._complete(0)
            return
        size = self.size
        for h in hashes:
            pending.append(h)
            size += 1
            if len(pending) == TILE_WIDTH:
                self.size = size
                self._complete(0)
                pending = self._pending[0]
        self.size = size

    def _complete(self, level: int) -> None:
        hashes = self._pending[level]
        index = self.size >> (TILE_HEIGHT * (level + 1))
        self._on_full_tile(TileId(level, index - 1), b"".join(hashes))
        self._pending[level] = []
        if level + 1 == len(self._pending):
            self._pending.append([])
        above = self._pending[level + 1]
        above.append(fold_perfect(hashes))
        if len(above) == TILE_WIDTH:
            self._complete(level + 1)

    def partial_tiles(self) -> list[tuple[TileId, list[bytes]]]:
        """The non-empty pending tiles as they stand at `self.size`."""
        return [
            (tile_for(level, self.size >> (TILE_HEIGHT * (level + 1)), self.size), hashes)
            for level, hashes in enumerate(self._pending)
            if hashes
        ]

    def root(self) -> bytes:
        """MTH of the whole tree: perfect subtrees of every pending tile, folded right to left."""
        subtrees: list[bytes] = []
        for hashes in reversed(self._pending):
            start = 0
            while start < len(hashes):
                width = 1 << ((len(hashes) - start).bit_length() - 1)
                subtrees.append(fold_perfect(hashes[start : start + width]))
                start += width
        if not subtrees:
            return EMPTY_ROOT
        root = subtrees[-1]
        for left in reversed(subtrees[:-1]):
            root = node_hash(left, root)
        return root


class TileWriter:
    """Appends entries to a tiled log in `storage`, writing full tiles as they complete.

    Partial tiles and the partial entry bundle are written by `flush()`, once per batch;
    until then a crash loses only the unflushed batch and the tree on disk is unchanged.
    """

    def __init__(self, storage: LogStorage, size: int = 0) -> None:
        self._storage = storage
        partials = self._load_partials(size)
        self._builder = TileTreeBuilder(self._write_tile, size=size, partials=partials)
        self._bundle: list[bytes] = self._load_bundle(size)
        self._flushed_size = size

    @property
    def size(self) -> int:
        return self._builder.size

    def _load_partials(self, size: int) -> list[list[bytes]]:
        partials: list[list[bytes]] = []
        level = 0
        while size >> (TILE_HEIGHT * level):
            stored = size >> (TILE_HEIGHT * level)
            width = stored % TILE_WIDTH
            hashes: list[bytes] = []
            if width:
                tile = tile_for(level, stored // TILE_WIDTH, size)
                hashes = decode_hash_tile(read_tile(self._storage, tile), tile)
            partials.append(hashes)
            level += 1
        return partials

    def _load_bundle(self, size: int) -> list[bytes]:
        if not size % TILE_WIDTH:
            return []
        tile = tile_for(ENTRIES_LEVEL, size // TILE_WIDTH, size)
        return decode_entry_bundle(read_tile(self._storage, tile), tile)

    def _write_tile(self, tile: TileId, data: bytes) -> None:
        self._storage.write(tile.path, data)

    def append(
        self, entries: Iterable[bytes], progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Integrate entries; returns the index of the first. Entries over 64 KiB are refused
        before anything is written. `progress(done, total)` is called once per tile."""
        first = self.size
        batch = list(entries)
        check_entry_sizes(batch, first)
        position = 0
        while position < len(batch):
            room = TILE_WIDTH - len(self._bundle)
            chunk = batch[position : position + room]
            position += len(chunk)
            self._bundle.extend(chunk)
            if len(self._bundle) == TILE_WIDTH:
                tile_index = (self.size + len(chunk)) // TILE_WIDTH - 1
                self._storage.write(
                    TileId(ENTRIES_LEVEL, tile_index).path,
                    encode_entry_bundle(self._bundle, checked=True),
                )
                self._bundle = []
            self._builder.add([sha256(b"\x00" + e).digest() for e in chunk])
            if progress is not None:
                progress(position, len(batch))
        return first

    def flush(self) -> None:
        """Write the partial tiles and bundle for the current size, then sync storage.

        Nothing is rewritten when nothing was appended: the partial tiles of the size the
        writer started from are already covered by a checkpoint and must stay untouched.
        """
        if self.size == self._flushed_size:
            return
        self._flushed_size = self.size
        for tile, hashes in self._builder.partial_tiles():
            self._storage.write(tile.path, b"".join(hashes))
        if self._bundle:
            tile = tile_for(ENTRIES_LEVEL, self.size // TILE_WIDTH, self.size)
            self._storage.write(tile.path, encode_entry_bundle(self._bundle, checked=True))
        self._storage.sync()

    def root(self) -> bytes:
        return self._builder.root()
