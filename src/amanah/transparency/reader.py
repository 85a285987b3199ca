"""Reading a tiled log: hashes of perfect subtrees and entries, fetching only the tiles needed.

`TileHashReader` is the `SubtreeHashes` of a log at one tree size. Proofs built through it
touch at most a few tiles per level, and each tile is fetched and folded once while cached.

It builds proofs; it does not authenticate the tiles it reads. A forged tile yields a
proof that fails `verify_inclusion` / `verify_consistency` against the signed root, so
every consumer verifies what it builds (as `verify_log` and `verify_receipt` do).
"""

from __future__ import annotations

from collections import OrderedDict

from .hashing import leaf_hash, node_hash
from .proofs import consistency_proof, inclusion_proof, tree_root
from .storage import LogReader
from .tiles import (
    ENTRIES_LEVEL,
    TILE_HEIGHT,
    TILE_WIDTH,
    TileId,
    decode_entry_bundle,
    decode_hash_tile,
    tile_for,
)
from .tilewriter import read_tile

__all__ = ["TileHashReader"]


def _tile_levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Every complete internal level of one tile: 256 (or W) hashes, then pairs, up to 8 high."""
    levels = [hashes]
    while len(levels) <= TILE_HEIGHT and len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


class TileHashReader:
    """Subtree hashes and entries of the log in `reader`, as of `tree_size` entries."""

    def __init__(self, reader: LogReader, tree_size: int, *, cache_tiles: int = 1024) -> None:
        self.reader = reader
        self.tree_size = tree_size
        self._cache: OrderedDict[TileId, list[list[bytes]]] = OrderedDict()
        self._bundles: OrderedDict[TileId, list[bytes]] = OrderedDict()
        self._cache_tiles = cache_tiles
        self.tiles_read = 0

    def _levels(self, tile: TileId) -> list[list[bytes]]:
        levels = self._cache.get(tile)
        if levels is None:
            self.tiles_read += 1
            levels = _tile_levels(decode_hash_tile(read_tile(self.reader, tile), tile))
            self._cache[tile] = levels
            if len(self._cache) > self._cache_tiles:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(tile)
        return levels

    def subtree_hash(self, height: int, index: int) -> bytes:
        level, within = divmod(height, TILE_HEIGHT)
        first = index << within  # first stored hash of this subtree at `level`
        if (first + (1 << within)) << (TILE_HEIGHT * level) > self.tree_size:
            raise ValueError(f"subtree {height}/{index} is not complete at size {self.tree_size}")
        tile = tile_for(level, first // TILE_WIDTH, self.tree_size)
        return self._levels(tile)[within][(first % TILE_WIDTH) >> within]

    def entry(self, index: int) -> bytes:
        """The bytes of entry `index`, from its entry bundle."""
        if not 0 <= index < self.tree_size:
            raise ValueError(f"entry {index} is not in a log of size {self.tree_size}")
        tile = tile_for(ENTRIES_LEVEL, index // TILE_WIDTH, self.tree_size)
        entries = self._bundles.get(tile)
        if entries is None:
            entries = decode_entry_bundle(read_tile(self.reader, tile), tile)
            self._bundles[tile] = entries
            if len(self._bundles) > 16:
                self._bundles.popitem(last=False)
        return entries[index % TILE_WIDTH]

    def leaf_hash(self, index: int) -> bytes:
        return self.subtree_hash(0, index)

    def root(self) -> bytes:
        return tree_root(self, self.tree_size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        return inclusion_proof(self, index, self.tree_size)

    def consistency_proof(self, old_size: int) -> list[bytes]:
        return consistency_proof(self, old_size, self.tree_size)

    def entry_leaf_hash(self, index: int) -> bytes:
        """The leaf hash recomputed from the entry itself (not read from a tile)."""
        return leaf_hash(self.entry(index))
