"""c2sp.org/tlog-tiles: tile coordinates, path spelling, tile and entry-bundle codecs."""

from __future__ import annotations

from collections import Counter

import pytest
from tl_support import vector

from amanah.transparency import (
    TILE_HEIGHT,
    TILE_WIDTH,
    EntryTooLarge,
    MalformedTile,
    TileId,
    decode_entry_bundle,
    decode_hash_tile,
    encode_entry_bundle,
    leaf_hash,
    parse_tile_path,
    tiles_for_size,
)
from amanah.transparency.tiles import ENTRIES_LEVEL, MAX_ENTRY_SIZE, format_index, tile_for


def _valid_paths() -> list[tuple[str, int, int, int]]:
    rows = []
    for line in vector("tile-paths-valid.txt").decode().splitlines():
        path, level, index, width = line.split()
        rows.append((path, int(level), int(index), int(width)))
    return rows


def _invalid_paths() -> list[str]:
    return vector("tile-paths-invalid.txt").decode().splitlines()


def test_tile_geometry() -> None:
    assert (TILE_HEIGHT, TILE_WIDTH, MAX_ENTRY_SIZE) == (8, 256, 65535)


@pytest.mark.parametrize(
    ("index", "text"),
    [
        (0, "000"),
        (5, "005"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (1000000, "x001/x000/000"),
    ],
)
def test_format_index(index: int, text: str) -> None:
    assert format_index(index) == text


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (TileId(0, 5), "tile/0/005"),
        (TileId(0, 5, 3), "tile/0/005.p/3"),
        (TileId(1, 1000), "tile/1/x001/000"),
        (TileId(2, 1234067, 255), "tile/2/x001/x234/067.p/255"),
        (TileId(ENTRIES_LEVEL, 0, 112), "tile/entries/000.p/112"),
        (TileId(ENTRIES_LEVEL, 1000), "tile/entries/x001/000"),
    ],
)
def test_tile_path(tile: TileId, path: str) -> None:
    assert tile.path == str(tile) == path


@pytest.mark.parametrize(("path", "level", "index", "width"), _valid_paths())
def test_parse_valid_paths(path: str, level: int, index: int, width: int) -> None:
    # Vector file tests/vectors/tile-paths-valid.txt (written from c2sp.org/tlog-tiles).
    tile = parse_tile_path(path)
    assert (tile.level, tile.index, tile.width) == (level, index, width)
    assert tile.path == path


@pytest.mark.parametrize("path", _invalid_paths())
def test_parse_invalid_paths(path: str) -> None:
    # Vector file tests/vectors/tile-paths-invalid.txt.
    with pytest.raises(MalformedTile, match="tile path"):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("tile/0/5", "index groups must be xNNN/.../NNN"),
        ("tile/0/x000/005", "index has a leading zero group"),
        ("tile/0/005.p/0", "partial width must be 1..255"),
        ("tile/0/005.p/256", "partial width must be 1..255"),
        ("tile/0/005.p/007", "partial width must be 1..255"),
        ("tile/64/000", "level must be 0..63 or 'entries'"),
        ("tile/0", "does not start with tile/<level>/"),
    ],
)
def test_parse_error_messages_name_the_problem(path: str, reason: str) -> None:
    with pytest.raises(MalformedTile) as caught:
        parse_tile_path(path)
    assert repr(path) in str(caught.value)
    assert reason in str(caught.value)


def test_regression_partial_tile_with_one_group_index_parses() -> None:
    # Bug: parse_tile_path only looked for `.p/W` when the path had 5+ segments, so
    # every partial tile of a log under 256,000 entries (tile/0/000.p/5) was refused,
    # and the ledger's tile view answered 400 for tiles the checkpoint implies.
    assert parse_tile_path("tile/0/000.p/5") == TileId(0, 0, 5)
    assert parse_tile_path("tile/entries/005.p/3") == TileId(ENTRIES_LEVEL, 5, 3)
    for tile in tiles_for_size(70000):
        assert parse_tile_path(tile.path) == tile


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((64, 0), "tile level 64 is outside 0..63"),
        ((-2, 0), "tile level -2 is outside"),
        ((0, -1), "tile index -1 is negative"),
        ((0, 0, 0), "tile width 0 is outside 1..256"),
        ((0, 0, 257), "tile width 257 is outside 1..256"),
    ],
)
def test_tile_id_validates(args: tuple[int, ...], message: str) -> None:
    with pytest.raises(MalformedTile, match=message):
        TileId(*args)


def test_tile_id_properties() -> None:
    partial = TileId(ENTRIES_LEVEL, 3, 17)
    assert partial.is_entries
    assert partial.is_partial
    assert partial.full() == TileId(ENTRIES_LEVEL, 3)
    assert not partial.full().is_partial
    assert not TileId(0, 3).is_entries


def _by_level(size: int) -> dict[int, list[TileId]]:
    levels: dict[int, list[TileId]] = {}
    for tile in tiles_for_size(size, entries=False):
        levels.setdefault(tile.level, []).append(tile)
    return levels


def test_tiles_for_size_70000() -> None:
    # Example of /work/shared/TLOG.md §6 (pitfall 10: widths per level, not just level 0).
    levels = _by_level(70000)
    assert sorted(levels) == [0, 1, 2]
    assert Counter(t.width for t in levels[0]) == Counter({256: 273, 112: 1})
    assert levels[0][-1] == TileId(0, 273, 112)
    assert levels[1] == [TileId(1, 0), TileId(1, 1, 17)]
    assert levels[2] == [TileId(2, 0, 1)]
    bundles = [t for t in tiles_for_size(70000) if t.is_entries]
    assert [(t.index, t.width) for t in bundles] == [(t.index, t.width) for t in levels[0]]


def test_tiles_for_size_256() -> None:
    assert list(tiles_for_size(256)) == [
        TileId(ENTRIES_LEVEL, 0),
        TileId(0, 0),
        TileId(1, 0, 1),
    ]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, []),
        (1, [TileId(ENTRIES_LEVEL, 0, 1), TileId(0, 0, 1)]),
        (255, [TileId(ENTRIES_LEVEL, 0, 255), TileId(0, 0, 255)]),
        (
            257,
            [
                TileId(ENTRIES_LEVEL, 0),
                TileId(ENTRIES_LEVEL, 1, 1),
                TileId(0, 0),
                TileId(0, 1, 1),
                TileId(1, 0, 1),
            ],
        ),
        (65536, [*(TileId(0, i) for i in range(256)), TileId(1, 0), TileId(2, 0, 1)]),
    ],
)
def test_tiles_for_size_edges(size: int, expected: list[TileId]) -> None:
    got = list(tiles_for_size(size))
    if size == 65536:
        got = [t for t in got if not t.is_entries]
    assert got == expected


def test_tile_for_refuses_tiles_beyond_the_tree() -> None:
    assert tile_for(0, 1, 300) == TileId(0, 1, 44)
    assert tile_for(1, 0, 300) == TileId(1, 0, 1)
    with pytest.raises(MalformedTile, match="tree of size 300 has no tile 0/2"):
        tile_for(0, 2, 300)
    with pytest.raises(MalformedTile, match="tree of size 256 has no tile 0/1"):
        tile_for(0, 1, 256)


def test_decode_hash_tile() -> None:
    hashes = [leaf_hash(bytes([i])) for i in range(3)]
    assert decode_hash_tile(b"".join(hashes), TileId(0, 0, 3)) == hashes
    with pytest.raises(MalformedTile, match=r"tile/0/000\.p/3 is 95 bytes; 3 hashes need 96"):
        decode_hash_tile(b"".join(hashes)[:-1], TileId(0, 0, 3))
    with pytest.raises(MalformedTile, match="is 96 bytes; 256 hashes need 8192"):
        decode_hash_tile(b"".join(hashes), TileId(0, 0))


def test_entry_bundle_round_trip() -> None:
    items = [b"", b"a", b"\x00\xff" * 100, bytes(MAX_ENTRY_SIZE)]
    bundle = encode_entry_bundle(items)
    assert bundle[:3] == b"\x00\x00\x00"  # empty entry, then the length of b"a"
    assert bundle[3:6] == b"\x01a\x00"
    assert decode_entry_bundle(bundle, TileId(ENTRIES_LEVEL, 0, 4)) == items


def test_entry_bundle_lengths_are_big_endian_uint16() -> None:
    assert encode_entry_bundle([b"x" * 258]) == b"\x01\x02" + b"x" * 258


def test_entry_too_large_for_a_bundle() -> None:
    with pytest.raises(EntryTooLarge, match=r"entry 1 is 65536 bytes;.* at most 65535"):
        encode_entry_bundle([b"ok", bytes(65536)])


def test_decode_entry_bundle_truncated_length_prefix() -> None:
    bundle = encode_entry_bundle([b"abc"]) + b"\x00"
    with pytest.raises(MalformedTile, match="truncated length prefix at byte 5"):
        decode_entry_bundle(bundle, TileId(ENTRIES_LEVEL, 0, 2))


def test_decode_entry_bundle_entry_past_end() -> None:
    bundle = encode_entry_bundle([b"abc", b"defg"])[:-1]
    with pytest.raises(MalformedTile, match="entry 1 runs past the end"):
        decode_entry_bundle(bundle, TileId(ENTRIES_LEVEL, 0, 2))


def test_decode_entry_bundle_wrong_count() -> None:
    bundle = encode_entry_bundle([b"abc", b"defg"])
    with pytest.raises(MalformedTile, match=r"tile/entries/000\.p/3 holds 2 entries, expected 3"):
        decode_entry_bundle(bundle, TileId(ENTRIES_LEVEL, 0, 3))
    with pytest.raises(MalformedTile, match="holds 2 entries, expected 1"):
        decode_entry_bundle(bundle, TileId(ENTRIES_LEVEL, 0, 1))
    with pytest.raises(MalformedTile, match="holds 0 entries, expected 1"):
        decode_entry_bundle(b"", TileId(ENTRIES_LEVEL, 0, 1))
