"""c2sp.org/tlog-tiles: tile coordinates, paths, and the codecs of tiles and entry bundles."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .errors import EntryTooLarge, MalformedTile
from .hashing import HASH_SIZE

__all__ = [
    "ENTRIES_LEVEL",
    "MAX_ENTRY_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TileId",
    "check_entry_sizes",
    "check_hash_tile_size",
    "decode_entry_bundle",
    "decode_hash_tile",
    "encode_entry_bundle",
    "format_index",
    "parse_tile_path",
    "tile_for",
    "tiles_for_size",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF
# Entry bundles have no level of their own; they shadow level 0 tile for tile.
ENTRIES_LEVEL = -1

_GROUP = re.compile(r"x[0-9]{3}")
_LAST_GROUP = re.compile(r"[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_LEVEL = re.compile(r"0|[1-9][0-9]?")


@dataclass(frozen=True, order=True)
class TileId:
    """One tile: `level` 0..63 for hash tiles or `ENTRIES_LEVEL` for an entry bundle.

    `width` is the number of hashes (or entries) in it: `TILE_WIDTH` for a full tile,
    1..255 for a partial one.
    """

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not (self.level == ENTRIES_LEVEL or 0 <= self.level <= MAX_LEVEL):
            raise MalformedTile(f"tile level {self.level} is outside 0..{MAX_LEVEL}")
        if self.index < 0:
            raise MalformedTile(f"tile index {self.index} is negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise MalformedTile(f"tile width {self.width} is outside 1..{TILE_WIDTH}")

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES_LEVEL

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, relative to the log prefix."""
        level = "entries" if self.is_entries else str(self.level)
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{format_index(self.index)}{suffix}"

    def full(self) -> TileId:
        """The full tile this partial tile will become."""
        return TileId(self.level, self.index)

    def __str__(self) -> str:
        return self.path


def format_index(index: int) -> str:
    """Tile index in 3-digit groups, every group but the last prefixed `x` (1000 → x001/000)."""
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def _parse_index(parts: Sequence[str], path: str) -> int:
    *leading, last = parts
    if not _LAST_GROUP.fullmatch(last) or not all(_GROUP.fullmatch(g) for g in leading):
        raise MalformedTile(f"tile path {path!r}: index groups must be xNNN/.../NNN")
    if leading and leading[0] == "x000":
        raise MalformedTile(f"tile path {path!r}: index has a leading zero group")
    return int("".join(g.removeprefix("x") for g in parts))


def parse_tile_path(path: str) -> TileId:
    """Parse `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, rejecting any other spelling."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise MalformedTile(f"tile path {path!r} does not start with tile/<level>/")
    width = TILE_WIDTH
    if len(parts) >= 4 and parts[-2].endswith(".p"):
        if not _WIDTH.fullmatch(parts[-1]) or int(parts[-1]) >= TILE_WIDTH:
            raise MalformedTile(f"tile path {path!r}: partial width must be 1..255")
        width = int(parts[-1])
        parts = [*parts[:-2], parts[-2].removesuffix(".p")]
    level_text = parts[1]
    if level_text == "entries":
        level = ENTRIES_LEVEL
    elif _LEVEL.fullmatch(level_text) and int(level_text) <= MAX_LEVEL:
        level = int(level_text)
    else:
        raise MalformedTile(f"tile path {path!r}: level must be 0..63 or 'entries'")
    return TileId(level, _parse_index(parts[2:], path), width)


def tile_for(level: int, index: int, tree_size: int) -> TileId:
    """The tile at `level`, `index` as it stands in a tree of `tree_size` entries."""
    stored = tree_size >> (TILE_HEIGHT * max(level, 0))
    full_tiles, rest = divmod(stored, TILE_WIDTH)
    if index < full_tiles:
        return TileId(level, index)
    if index == full_tiles and rest:
        return TileId(level, index, rest)
    raise MalformedTile(f"tree of size {tree_size} has no tile {level}/{index}")


def tiles_for_size(tree_size: int, *, entries: bool = True) -> Iterator[TileId]:
    """Every tile a log of `tree_size` serves, level by level (entry bundles first)."""
    levels = [ENTRIES_LEVEL, 0] if entries else [0]
    level = 1
    while tree_size >> (TILE_HEIGHT * level):
        levels.append(level)
        level += 1
    for lvl in levels:
        stored = tree_size >> (TILE_HEIGHT * max(lvl, 0))
        for index in range((stored + TILE_WIDTH - 1) // TILE_WIDTH):
            yield tile_for(lvl, index, tree_size)


def check_hash_tile_size(data: bytes, tile: TileId) -> bytes:
    """A hash tile must hold exactly `tile.width` hashes."""
    if len(data) != tile.width * HASH_SIZE:
        raise MalformedTile(
            f"{tile.path} is {len(data)} bytes; {tile.width} hashes need {tile.width * HASH_SIZE}"
        )
    return data


def decode_hash_tile(data: bytes, tile: TileId) -> list[bytes]:
    """Split a hash tile into its hashes, checking it holds exactly `tile.width` of them."""
    check_hash_tile_size(data, tile)
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def check_entry_sizes(entries: Sequence[bytes], first_index: int = 0) -> None:
    """Refuse any entry an entry bundle cannot hold, naming the first such entry."""
    if entries and max(map(len, entries)) > MAX_ENTRY_SIZE:
        number, entry = next((n, e) for n, e in enumerate(entries) if len(e) > MAX_ENTRY_SIZE)
        raise EntryTooLarge(
            f"entry {first_index + number} is {len(entry)} bytes;"
            f" an entry bundle holds at most {MAX_ENTRY_SIZE}"
        )


# Every possible length prefix, built once: bundle encoding is on the integration hot path.
_LENGTH_PREFIX = [n.to_bytes(2, "big") for n in range(MAX_ENTRY_SIZE + 1)]


def encode_entry_bundle(entries: Sequence[bytes], *, checked: bool = False) -> bytes:
    """Each entry as a big-endian uint16 length, then its bytes (`checked`: sizes already
    vetted by the caller)."""
    if not checked:
        check_entry_sizes(entries)
    prefix = _LENGTH_PREFIX
    return b"".join([prefix[len(e)] + e for e in entries])


def decode_entry_bundle(data: bytes, tile: TileId) -> list[bytes]:
    """Split an entry bundle, checking it holds exactly `tile.width` entries and nothing else."""
    entries: list[bytes] = []
    offset, end = 0, len(data)
    while offset < end:
        if offset + 2 > end:
            raise MalformedTile(f"{tile.path}: truncated length prefix at byte {offset}")
        start = offset + 2
        offset = start + (data[offset] << 8 | data[offset + 1])
        if offset > end:
            raise MalformedTile(f"{tile.path}: entry {len(entries)} runs past the end")
        entries.append(data[start:offset])
    if len(entries) != tile.width:
        raise MalformedTile(f"{tile.path} holds {len(entries)} entries, expected {tile.width}")
    return entries
