"""verify_log: the outsider's full check, the trust store, and tamper detection."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from tl_support import ORIGIN, entries, flip_bit, log_signer, witness_signer, write_log

from amanah.transparency import (
    Checkpoint,
    LogForked,
    MalformedCheckpoint,
    MalformedNote,
    MalformedTile,
    MemoryHashes,
    MemoryStorage,
    ProofInvalid,
    SignatureInvalid,
    TileMismatch,
    TileNotFound,
    TrustStore,
    leaf_hash,
    parse_tile_path,
    recompute_root,
    sign_note,
    tiles_for_size,
    verify_log,
)
from amanah.transparency.tiles import format_index

SIZE = 3 * 256 + 17  # three full tiles, a partial one, and a partial level-1 tile


@pytest.fixture(scope="module")
def pristine() -> tuple[dict[str, bytes], bytes]:
    storage, note = write_log(entries(SIZE))
    return storage.files, note


@pytest.fixture
def storage(pristine: tuple[dict[str, bytes], bytes]) -> MemoryStorage:
    fresh = MemoryStorage()
    fresh.files = dict(pristine[0])
    return fresh


KEY = log_signer().verifier()


def test_verify_log_report(storage: MemoryStorage) -> None:
    report = verify_log(storage, KEY, entries=[0, 256, SIZE - 1])
    assert report.checkpoint == Checkpoint(ORIGIN, SIZE, MemoryHashes(entries(SIZE)).root())
    assert report.previous is None
    assert [(e.index, e.entry) for e in report.entries] == [
        (0, b"entry 0"),
        (256, b"entry 256"),
        (SIZE - 1, f"entry {SIZE - 1}".encode()),
    ]
    assert report.entries[1].leaf_hash == leaf_hash(b"entry 256")


def test_progress_is_reported_per_tile(storage: MemoryStorage) -> None:
    calls: list[tuple[int, int]] = []
    verify_log(storage, KEY, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(256, SIZE), (512, SIZE), (768, SIZE), (SIZE, SIZE)]


def test_recompute_root(storage: MemoryStorage) -> None:
    assert recompute_root(storage, SIZE) == MemoryHashes(entries(SIZE)).root()
    assert recompute_root(storage, 0) == MemoryHashes().root()


def test_empty_log_verifies() -> None:
    storage, _ = write_log([])
    assert verify_log(storage, KEY).checkpoint.size == 0


def test_entry_outside_the_log(storage: MemoryStorage) -> None:
    with pytest.raises(ProofInvalid, match=f"entry {SIZE} is not in the log \\(size {SIZE}\\)"):
        verify_log(storage, KEY, entries=[SIZE])


def test_wrong_key_or_origin(storage: MemoryStorage) -> None:
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        verify_log(storage, log_signer(label="other").verifier())
    with pytest.raises(MalformedCheckpoint, match="is not the expected 'elsewhere'"):
        verify_log(storage, KEY, origin="elsewhere")


def test_missing_checkpoint() -> None:
    with pytest.raises(TileNotFound, match="the log has no checkpoint"):
        verify_log(MemoryStorage(), KEY)


def test_missing_tile(storage: MemoryStorage) -> None:
    del storage.files["tile/0/001"]
    with pytest.raises(TileNotFound, match="tile/0/001"):
        verify_log(storage, KEY)


def test_checkpoint_root_that_the_tiles_do_not_give(storage: MemoryStorage) -> None:
    # Signed by the right key, but over a root the entries do not hash to.
    text = Checkpoint(ORIGIN, SIZE, leaf_hash(b"made up")).to_text()
    storage.files["checkpoint"] = sign_note(text, [log_signer()])
    with pytest.raises(TileMismatch, match=f"differs from the checkpoint at size {SIZE}"):
        verify_log(storage, KEY)


def test_checkpoint_larger_than_the_tiles(storage: MemoryStorage) -> None:
    text = Checkpoint(ORIGIN, SIZE + 1, leaf_hash(b"made up")).to_text()
    storage.files["checkpoint"] = sign_note(text, [log_signer()])
    # The partial bundle for 786 entries is missing, and so is the full one it falls back to.
    with pytest.raises(TileNotFound, match=r"^tile/entries/003$"):
        verify_log(storage, KEY)


def test_witness_policy(storage: MemoryStorage) -> None:
    witness = witness_signer("witness.example")
    with pytest.raises(SignatureInvalid, match="0 valid witness cosignatures; 1 required"):
        verify_log(storage, KEY, witnesses=[witness.verifier()], witness_threshold=1)
    text = Checkpoint(ORIGIN, SIZE, MemoryHashes(entries(SIZE)).root()).to_text()
    storage.files["checkpoint"] = sign_note(text, [log_signer(), witness])
    report = verify_log(storage, KEY, witnesses=[witness.verifier()], witness_threshold=1)
    assert report.signed.witnesses == ("witness.example",)


# Tampering: every file of the log matters.

TILE_PATHS = sorted(t.path for t in tiles_for_size(SIZE))


def test_the_fixture_log_has_the_expected_files(storage: MemoryStorage) -> None:
    assert sorted(storage.files) == sorted([*TILE_PATHS, "checkpoint"])
    assert "tile/1/000.p/3" in TILE_PATHS


def _names(path: str) -> str:
    """A pattern for the tile an error about tampering with `path` must name.

    A bad bundle may be reported as its level-0 tile (the hashes disagree) and vice versa.
    """
    tile = parse_tile_path(path)
    if tile.level <= 0:
        return rf"tile/(0|entries)/{format_index(tile.index)}"
    return re.escape(path)


@pytest.mark.parametrize("path", TILE_PATHS)
def test_every_tampered_tile_is_refused(storage: MemoryStorage, path: str) -> None:
    original = storage.files[path]
    # First, last and a middle bit; for bundles that includes the length prefix.
    for bit in (0, len(original) * 4 + 3, len(original) * 8 - 1):
        storage.files[path] = flip_bit(original, bit)
        with pytest.raises((TileMismatch, MalformedTile), match=_names(path)):
            verify_log(storage, KEY)
    storage.files[path] = original[:-1]
    with pytest.raises(MalformedTile, match=_names(path)):
        verify_log(storage, KEY)
    storage.files[path] = original + b"\x00"
    with pytest.raises(MalformedTile, match=_names(path)):
        verify_log(storage, KEY)
    storage.files[path] = original
    verify_log(storage, KEY)


def test_tampered_hash_tile_names_the_tile(storage: MemoryStorage) -> None:
    storage.files["tile/1/000.p/3"] = flip_bit(storage.files["tile/1/000.p/3"], 100)
    with pytest.raises(TileMismatch, match=r"tile tile/1/000\.p/3 differs"):
        verify_log(storage, KEY)


def test_tampered_entry_is_refused_even_with_a_matching_level0_tile(
    storage: MemoryStorage,
) -> None:
    # Swap two entries in a bundle: lengths stay valid, only the hashes can tell.
    bundle = storage.files["tile/entries/001"]
    storage.files["tile/entries/001"] = bundle.replace(b"entry 300", b"entry 301", 1)
    with pytest.raises(TileMismatch, match=r"tile tile/0/001 differs"):
        verify_log(storage, KEY)


def test_every_tampered_checkpoint_bit_is_refused(storage: MemoryStorage) -> None:
    note = storage.files["checkpoint"]
    for bit in range(len(note) * 8):
        storage.files["checkpoint"] = flip_bit(note, bit)
        with pytest.raises((SignatureInvalid, MalformedNote), match=r"signature|note|key name"):
            verify_log(storage, KEY)


# The trust store: a second run checks the log only grew.


def test_trust_store_accepts_growth(storage: MemoryStorage, tmp_path: Path) -> None:
    trust = TrustStore(tmp_path / "trust")
    first = verify_log(storage, KEY, trust=trust)
    stored = tmp_path / "trust" / (hashlib.sha256(ORIGIN.encode()).hexdigest() + ".checkpoint")
    assert stored.read_bytes() == storage.files["checkpoint"] == trust.load(ORIGIN)
    assert first.previous is None
    again = verify_log(storage, KEY, trust=trust)  # same checkpoint: consistent with itself
    assert again.previous == first.checkpoint
    _, note = write_log(entries(500, start=SIZE), storage=storage, start=SIZE)
    grown = verify_log(storage, KEY, trust=trust)
    assert grown.previous == first.checkpoint
    assert grown.checkpoint.size == SIZE + 500
    assert trust.load(ORIGIN) == note


def test_trust_store_refuses_a_rebuilt_log(storage: MemoryStorage, tmp_path: Path) -> None:
    trust = TrustStore(tmp_path / "trust")
    verify_log(storage, KEY, trust=trust)
    trusted = trust.load(ORIGIN)
    # The same key signs a log rebuilt with different entries (a fork).
    forked, forked_note = write_log([*entries(10), b"rewritten"], log_signer())
    with pytest.raises(LogForked, match="not an extension of the checkpoint trusted earlier") as e:
        verify_log(forked, KEY, trust=trust)
    assert e.value.trusted == trusted
    assert e.value.seen == forked_note
    assert trust.load(ORIGIN) == trusted  # nothing learned from a failed run


def test_trust_store_refuses_a_fork_that_grew(storage: MemoryStorage, tmp_path: Path) -> None:
    trust = TrustStore(tmp_path / "trust")
    verify_log(storage, KEY, trust=trust)
    forked, forked_note = write_log([*entries(SIZE - 1), b"rewritten", *entries(9)])
    with pytest.raises(LogForked, match="does not lead to the old root") as e:
        verify_log(forked, KEY, trust=trust)
    assert e.value.seen == forked_note


def test_trust_store_refuses_same_size_other_root(storage: MemoryStorage, tmp_path: Path) -> None:
    trust = TrustStore(tmp_path / "trust")
    verify_log(storage, KEY, trust=trust)
    forked, _ = write_log([*entries(SIZE - 1), b"rewritten"])
    with pytest.raises(LogForked, match=f"two different roots for the same size {SIZE}"):
        verify_log(forked, KEY, trust=trust)


def test_trust_store_refuses_a_shrunk_log(storage: MemoryStorage, tmp_path: Path) -> None:
    trust = TrustStore(tmp_path / "trust")
    verify_log(storage, KEY, trust=trust)
    smaller, smaller_note = write_log(entries(SIZE - 1))
    with pytest.raises(
        LogForked,
        match=rf"smaller \({SIZE - 1} entries\) than the checkpoint trusted before \({SIZE}\)",
    ) as e:
        verify_log(smaller, KEY, trust=trust)
    assert e.value.trusted == storage.files["checkpoint"]
    assert e.value.seen == smaller_note


def test_trust_store_is_per_origin(storage: MemoryStorage, tmp_path: Path) -> None:
    trust = TrustStore(tmp_path / "trust")
    verify_log(storage, KEY, trust=trust)
    other = log_signer("other.example/log", "other")
    other_log, _ = write_log(entries(3), other)
    assert verify_log(other_log, other.verifier(), trust=trust).previous is None
    assert trust.load("other.example/log") is not None
    assert trust.load(ORIGIN) == storage.files["checkpoint"]


# A bigger log crossing level 2, with the tiles that only it has.


@pytest.fixture(scope="module")
def big() -> tuple[dict[str, bytes], bytes]:
    storage, note = write_log(entries(65793))
    return storage.files, note


@pytest.mark.parametrize(
    "path", ["tile/1/000", "tile/1/001.p/1", "tile/2/000.p/1", "tile/0/257.p/1"]
)
def test_big_log_tampered_upper_tiles(big: tuple[dict[str, bytes], bytes], path: str) -> None:
    storage = MemoryStorage()
    storage.files = dict(big[0])
    report = verify_log(storage, KEY, entries=[0, 65535, 65536, 65792])
    assert report.checkpoint.size == 65793
    storage.files[path] = flip_bit(storage.files[path], 9)
    with pytest.raises(TileMismatch, match=f"tile {path} differs"):
        verify_log(storage, KEY)
