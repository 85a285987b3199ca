"""Incremental integration into tiles (TileWriter, TileTreeBuilder) and reading them back."""

from __future__ import annotations

import pytest
from tl_support import entries

from amanah.transparency import (
    EMPTY_ROOT,
    EntryTooLarge,
    MemoryHashes,
    MemoryStorage,
    TileHashReader,
    TileId,
    TileNotFound,
    TileTreeBuilder,
    TileWriter,
    consistency_proof,
    decode_entry_bundle,
    decode_hash_tile,
    encode_entry_bundle,
    inclusion_proof,
    leaf_hash,
    tiles_for_size,
)
from amanah.transparency.proofs import fold_perfect
from amanah.transparency.tiles import ENTRIES_LEVEL
from amanah.transparency.tilewriter import read_tile


def _written(count: int, chunk: int | None = None) -> tuple[MemoryStorage, TileWriter]:
    storage = MemoryStorage()
    writer = TileWriter(storage)
    items = entries(count)
    step = chunk or max(count, 1)
    for start in range(0, count, step):
        writer.append(items[start : start + step])
    writer.flush()
    return storage, writer


def test_files_written_for_300_entries() -> None:
    storage, writer = _written(300)
    assert sorted(storage.files) == sorted(t.path for t in tiles_for_size(300))
    assert sorted(storage.files) == [
        "tile/0/000",
        "tile/0/001.p/44",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/44",
    ]
    assert writer.size == 300
    assert writer.root() == MemoryHashes(entries(300)).root()


def test_tile_contents() -> None:
    storage, _ = _written(300)
    items = entries(300)
    level0 = decode_hash_tile(storage.files["tile/0/000"], TileId(0, 0))
    assert level0 == [leaf_hash(e) for e in items[:256]]
    partial = decode_hash_tile(storage.files["tile/0/001.p/44"], TileId(0, 1, 44))
    assert partial == [leaf_hash(e) for e in items[256:]]
    bundle = decode_entry_bundle(storage.files["tile/entries/001.p/44"], TileId(-1, 1, 44))
    assert bundle == items[256:]
    # Level 1 holds the fold of the full level-0 tile only: partial tiles are never folded up.
    assert storage.files["tile/1/000.p/1"] == fold_perfect(level0)
    assert storage.files["tile/1/000.p/1"] == MemoryHashes(items).subtree_hash(8, 0)


def test_append_returns_first_index() -> None:
    writer = TileWriter(MemoryStorage())
    assert writer.append(entries(3)) == 0
    assert writer.append(entries(2)) == 3
    assert writer.append([]) == 5
    assert writer.size == 5


def test_empty_writer() -> None:
    storage = MemoryStorage()
    writer = TileWriter(storage)
    assert writer.root() == EMPTY_ROOT
    writer.flush()
    assert storage.files == {}


def test_full_tiles_are_written_before_flush_partials_only_by_flush() -> None:
    storage = MemoryStorage()
    writer = TileWriter(storage)
    writer.append(entries(260))
    assert sorted(storage.files) == ["tile/0/000", "tile/entries/000"]
    writer.flush()
    assert "tile/0/001.p/4" in storage.files


class RecordingStorage(MemoryStorage):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, path: str, data: bytes) -> None:
        self.writes.append(path)
        super().write(path, data)


def test_flush_without_appending_rewrites_nothing() -> None:
    # The partial tiles of the size a writer starts from are covered by a checkpoint.
    storage = RecordingStorage()
    first = TileWriter(storage)
    first.append(entries(10))
    first.flush()
    assert sorted(storage.writes) == ["tile/0/000.p/10", "tile/entries/000.p/10"]
    storage.writes.clear()
    reopened = TileWriter(storage, 10)
    reopened.append([])
    reopened.flush()
    assert storage.writes == []


def test_entry_too_large_writes_nothing() -> None:
    storage, _ = _written(255)
    before = dict(storage.files)
    writer = TileWriter(storage, 255)
    with pytest.raises(EntryTooLarge, match="entry 256 is 65536 bytes"):
        writer.append([b"fits", bytes(65536)])
    writer.flush()
    assert storage.files == before
    assert writer.size == 255


def test_largest_entry_fits() -> None:
    storage = MemoryStorage()
    writer = TileWriter(storage)
    writer.append([bytes(65535)])
    writer.flush()
    assert TileHashReader(storage, 1).entry(0) == bytes(65535)


@pytest.mark.parametrize("size", [1, 255, 256, 257, 300, 511, 512, 65536, 65537])
def test_reopen_at_size_continues_the_same_tree(size: int) -> None:
    storage, writer = _written(size, chunk=1000)
    reopened = TileWriter(storage, size)
    assert reopened.size == size
    assert reopened.root() == writer.root()
    reopened.append(entries(10, start=size))
    reopened.flush()
    assert reopened.root() == MemoryHashes(entries(size + 10)).root()


def test_reopen_needs_flushed_partials() -> None:
    storage = MemoryStorage()
    TileWriter(storage).append(entries(5))  # never flushed
    with pytest.raises(TileNotFound, match=r"tile/0/000"):
        TileWriter(storage, 5)


def test_builder_validates_partials() -> None:
    with pytest.raises(ValueError, match="level 0 holds 3 hashes, expected 5"):
        TileTreeBuilder(lambda tile, data: None, size=5, partials=[[EMPTY_ROOT] * 3])


def test_regression_builder_refuses_missing_levels() -> None:
    # Bug: TileTreeBuilder checked only the levels it was given, so size=256 with
    # partials=[[]] built a tree whose root was the empty root, silently.
    with pytest.raises(ValueError, match="1 levels of hashes cannot hold a tree of size 256"):
        TileTreeBuilder(lambda tile, data: None, size=256, partials=[[]])
    builder = TileTreeBuilder(lambda tile, data: None, size=256, partials=[[], [EMPTY_ROOT]])
    assert builder.root() == EMPTY_ROOT  # the one level-1 hash given is the root


def test_builder_reports_full_tiles_lowest_first() -> None:
    seen: list[TileId] = []
    builder = TileTreeBuilder(lambda tile, data: seen.append(tile))
    hashes = [leaf_hash(e) for e in entries(65536)]
    for start in range(0, len(hashes), 256):
        builder.add(hashes[start : start + 256])
    assert seen[:2] == [TileId(0, 0), TileId(0, 1)]
    assert seen[-2:] == [TileId(0, 255), TileId(1, 0)]
    assert len(seen) == 257
    assert builder.partial_tiles() == [(TileId(2, 0, 1), [builder.root()])]


# Reading tiles back.


def test_read_tile_falls_back_to_full_tile() -> None:
    storage, _ = _written(300)
    old = MemoryStorage()
    old.files = {k: v for k, v in storage.files.items() if not k.startswith("tile/1")}
    # A reader at size 200 wants tile/0/000.p/200, which this log dropped: use the full tile.
    assert read_tile(old, TileId(0, 0, 200)) == storage.files["tile/0/000"][: 200 * 32]
    bundle = read_tile(old, TileId(ENTRIES_LEVEL, 0, 200))
    assert bundle == encode_entry_bundle(entries(200))
    with pytest.raises(TileNotFound, match="tile/0/002"):
        read_tile(old, TileId(0, 2, 5))
    with pytest.raises(TileNotFound, match="tile/0/002"):
        read_tile(old, TileId(0, 2))


def test_reader_at_an_older_size() -> None:
    storage, _ = _written(100)
    writer = TileWriter(storage, 100)
    writer.append(entries(400, start=100))
    writer.flush()
    old = TileHashReader(storage, 100)
    assert old.root() == MemoryHashes(entries(100)).root()
    assert TileHashReader(storage, 500).root() == MemoryHashes(entries(500)).root()


def test_reader_entries_and_leaf_hashes() -> None:
    storage, _ = _written(300)
    reader = TileHashReader(storage, 300)
    assert reader.entry(0) == b"entry 0"
    assert reader.entry(299) == b"entry 299"
    assert reader.leaf_hash(257) == reader.entry_leaf_hash(257) == leaf_hash(b"entry 257")
    with pytest.raises(ValueError, match="entry 300 is not in a log of size 300"):
        reader.entry(300)
    with pytest.raises(ValueError, match="subtree 8/1 is not complete at size 300"):
        reader.subtree_hash(8, 1)


def test_reader_proofs_equal_memory_proofs_across_levels() -> None:
    items = entries(65793)  # 257 full level-0 tiles, a full level-1 tile, partials above
    storage = MemoryStorage()
    writer = TileWriter(storage)
    writer.append(items)
    writer.flush()
    memory = MemoryHashes(items)
    size = len(items)
    reader = TileHashReader(storage, size)
    assert reader.root() == memory.root() == writer.root()
    for index in (0, 255, 256, 65535, 65536, 65791, 65792):
        assert reader.inclusion_proof(index) == inclusion_proof(memory, index, size)
    for old in (1, 255, 256, 257, 65535, 65536, 65537, 65792, 65793):
        assert reader.consistency_proof(old) == consistency_proof(memory, old, size)
    assert reader.tiles_read < 20


def test_reader_caches_tiles() -> None:
    storage, _ = _written(1000)
    reader = TileHashReader(storage, 1000)
    reader.inclusion_proof(5)
    first = reader.tiles_read
    reader.inclusion_proof(6)
    assert reader.tiles_read == first
