"""Hypothesis properties of the transparency core, each kept to a second or two."""

from __future__ import annotations

import base64
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tl_support import entries, flip_bit, log_signer, write_log

from amanah.transparency import (
    MalformedInput,
    MalformedNote,
    MalformedTile,
    MemoryHashes,
    MemoryStorage,
    ProofInvalid,
    Receipt,
    SignatureInvalid,
    TileHashReader,
    TileId,
    TileMismatch,
    TileWriter,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    open_note,
    parse_tile_path,
    sign_note,
    tiles_for_size,
    verify_consistency,
    verify_inclusion,
    verify_log,
)
from amanah.transparency.note import NoteSignature, split_note
from amanah.transparency.tiles import ENTRIES_LEVEL

MAX_N = 600
ITEMS = entries(MAX_N)


@cache
def memory() -> MemoryHashes:
    # One tree of 600 serves every n <= 600: proofs for size n only use subtrees inside n.
    return MemoryHashes(ITEMS)


@cache
def big_log() -> tuple[MemoryHashes, TileHashReader]:
    items = entries(65793)
    storage = MemoryStorage()
    writer = TileWriter(storage)
    writer.append(items)
    writer.flush()
    return MemoryHashes(items), TileHashReader(storage, len(items))


sizes = st.integers(min_value=1, max_value=MAX_N)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(sizes)
    return n, draw(st.integers(min_value=0, max_value=n - 1))


@st.composite
def old_and_new(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(sizes)
    return draw(st.integers(min_value=1, max_value=n)), n


@given(n=st.integers(min_value=1, max_value=64))
@settings(max_examples=64, deadline=None)
def test_every_inclusion_proof_verifies_in_small_trees(n: int) -> None:
    root = memory().root(n)
    for index in range(n):
        proof = inclusion_proof(memory(), index, n)
        verify_inclusion(leaf_hash(ITEMS[index]), index, n, proof, root)


@given(tree_and_index())
@settings(max_examples=300, deadline=None)
def test_sampled_inclusion_proofs_verify(case: tuple[int, int]) -> None:
    n, index = case
    proof = inclusion_proof(memory(), index, n)
    verify_inclusion(leaf_hash(ITEMS[index]), index, n, proof, memory().root(n))


@given(old_and_new())
@settings(max_examples=300, deadline=None)
def test_consistency_proofs_verify(case: tuple[int, int]) -> None:
    m, n = case
    proof = consistency_proof(memory(), m, n)
    verify_consistency(m, n, memory().root(m), memory().root(n), proof)


@cache
def grown_log() -> MemoryStorage:
    """A tiled log of 600 entries that published (flushed) every size from 1 to 600."""
    storage = MemoryStorage()
    writer = TileWriter(storage)
    for item in ITEMS:
        writer.append([item])
        writer.flush()
    return storage


@given(old_and_new(), st.data())
@settings(max_examples=150, deadline=None)
def test_proofs_from_tiles_at_every_published_size(
    case: tuple[int, int], data: st.DataObject
) -> None:
    # A verifier holding the checkpoint of size m asks a log now at n for proofs: the tiles
    # of size n (full and partial, several levels) must give what the RFC definition gives.
    m, n = case
    reader = TileHashReader(grown_log(), n)
    assert reader.root() == memory().root(n)
    proof = reader.consistency_proof(m)
    assert proof == consistency_proof(memory(), m, n)
    verify_consistency(m, n, memory().root(m), memory().root(n), proof)
    index = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    path = reader.inclusion_proof(index)
    assert path == inclusion_proof(memory(), index, n)
    verify_inclusion(reader.entry_leaf_hash(index), index, n, path, memory().root(n))


def test_big_fixed_sizes() -> None:
    # 65,793 = 256 * 257 + 1: crosses a full level-1 tile into level 2.
    reference, reader = big_log()
    size = reader.tree_size
    root = reader.root()
    assert root == reference.root()
    for index in (0, 1, 255, 256, 65535, 65536, 65791, 65792):
        proof = reader.inclusion_proof(index)
        verify_inclusion(reference.subtree_hash(0, index), index, size, proof, root)
    for old in (1, 2, 255, 256, 257, 65535, 65536, 65537, 65792, 65793):
        proof = reader.consistency_proof(old)
        verify_consistency(old, size, reference.root(old), root, proof)


@given(
    st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=8),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.data(),
)
@settings(max_examples=40, deadline=None)
def test_tile_writer_in_random_chunks_with_reopen(
    chunks: list[int], reopen: list[bool], data: st.DataObject
) -> None:
    total = sum(chunks)
    items = entries(total)
    storage = MemoryStorage()
    writer = TileWriter(storage)
    position = 0
    for chunk, again in zip(chunks, reopen, strict=False):
        writer.append(items[position : position + chunk])
        position += chunk
        if again:
            writer.flush()
            writer = TileWriter(storage, position)
    writer.flush()
    reference = MemoryHashes(items)
    assert writer.root() == reference.root()
    assume(total > 0)
    reader = TileHashReader(storage, total)
    assert reader.root() == reference.root()
    index = data.draw(st.integers(min_value=0, max_value=total - 1), label="index")
    old = data.draw(st.integers(min_value=1, max_value=total), label="old size")
    assert reader.inclusion_proof(index) == inclusion_proof(reference, index, total)
    assert reader.consistency_proof(old) == consistency_proof(reference, old, total)
    assert reader.entry(index) == items[index]


# Single-bit flips make verification fail.


@given(tree_and_index(), st.data())
@settings(max_examples=200, deadline=None)
def test_flipping_a_bit_breaks_inclusion(case: tuple[int, int], data: st.DataObject) -> None:
    n, index = case
    proof = inclusion_proof(memory(), index, n)
    leaf, root = leaf_hash(ITEMS[index]), memory().root(n)
    bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
    target = data.draw(st.sampled_from(["leaf", "root", *range(len(proof))]), label="target")
    if target == "leaf":
        leaf = flip_bit(leaf, bit)
    elif target == "root":
        root = flip_bit(root, bit)
    else:
        assert isinstance(target, int)
        proof[target] = flip_bit(proof[target], bit)
    with pytest.raises(ProofInvalid, match="does not lead to the root"):
        verify_inclusion(leaf, index, n, proof, root)


@st.composite
def old_below_new(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=2, max_value=MAX_N))
    return draw(st.integers(min_value=1, max_value=n - 1)), n


@given(old_below_new(), st.data())
@settings(max_examples=200, deadline=None)
def test_flipping_a_bit_breaks_consistency(case: tuple[int, int], data: st.DataObject) -> None:
    m, n = case
    proof = consistency_proof(memory(), m, n)
    old, new = memory().root(m), memory().root(n)
    bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
    target = data.draw(st.sampled_from(["old", "new", *range(len(proof))]), label="target")
    if target == "old":
        old = flip_bit(old, bit)
    elif target == "new":
        new = flip_bit(new, bit)
    else:
        assert isinstance(target, int)
        proof[target] = flip_bit(proof[target], bit)
    with pytest.raises(ProofInvalid, match=r"does not lead to the (old|new) root"):
        verify_consistency(m, n, old, new, proof)


SIGNER = log_signer()
NOTE_TEXT = b"example.org/log\n5\n" + base64.b64encode(leaf_hash(b"r")) + b"\n"


@given(st.integers(min_value=0, max_value=68 * 8 - 1))
@settings(max_examples=200, deadline=None)
def test_flipping_a_bit_of_a_signature_breaks_the_note(bit: int) -> None:
    text, (signature,) = split_note(sign_note(NOTE_TEXT, [SIGNER]))
    blob = flip_bit(signature.key_id.to_bytes(4, "big") + signature.signature, bit)
    line = NoteSignature(signature.name, int.from_bytes(blob[:4], "big"), blob[4:]).to_line()
    # A flipped key ID makes the line unknown; a flipped signature makes it invalid.
    expected = "is invalid" if bit >= 32 else "no signature on the note is from a known key"
    with pytest.raises(SignatureInvalid, match=expected):
        open_note(text + b"\n" + line, [SIGNER.verifier()])


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_flipping_any_bit_of_a_signed_note_is_refused(data: st.DataObject) -> None:
    note = sign_note(NOTE_TEXT, [SIGNER])
    bit = data.draw(st.integers(min_value=0, max_value=len(note) * 8 - 1), label="bit")
    with pytest.raises((SignatureInvalid, MalformedNote), match=r"signature|note|key name"):
        open_note(flip_bit(note, bit), [SIGNER.verifier()])


TILED_SIZE = 2 * 256 + 7


@cache
def tiled_log() -> dict[str, bytes]:
    storage, _ = write_log(entries(TILED_SIZE))
    return storage.files


@given(st.sampled_from(sorted(t.path for t in tiles_for_size(TILED_SIZE))), st.data())
@settings(max_examples=100, deadline=None)
def test_flipping_a_bit_of_a_tile_breaks_verify_log(path: str, data: st.DataObject) -> None:
    storage = MemoryStorage()
    storage.files = dict(tiled_log())
    bit = data.draw(st.integers(min_value=0, max_value=len(storage.files[path]) * 8 - 1))
    storage.files[path] = flip_bit(storage.files[path], bit)
    with pytest.raises((TileMismatch, MalformedTile), match=r"tile/"):
        verify_log(storage, SIGNER.verifier())


# Canonical encodings: parse(x).to_bytes() == x.

tile_ids = st.builds(
    TileId,
    level=st.sampled_from([ENTRIES_LEVEL, *range(64)]),
    index=st.integers(min_value=0, max_value=10**12),
    width=st.integers(min_value=1, max_value=256),
)


@given(tile_ids)
@settings(max_examples=300, deadline=None)
def test_tile_path_round_trip(tile: TileId) -> None:
    assert parse_tile_path(tile.path) == tile


@given(st.text(alphabet="tile/entrs0123456789x.p", max_size=30) | tile_ids.map(lambda t: t.path))
@settings(max_examples=500, deadline=None)
def test_parsed_tile_paths_have_one_spelling(path: str) -> None:
    try:
        tile = parse_tile_path(path)
    except MalformedTile:
        return
    assert tile.path == path


receipts = st.builds(
    Receipt,
    index=st.integers(min_value=0, max_value=2**63 - 1),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=64).map(tuple),
    checkpoint_note=st.binary(max_size=200),
    extra=st.none() | st.binary(max_size=100),
)


@given(receipts)
@settings(max_examples=200, deadline=None)
def test_receipt_round_trip(receipt: Receipt) -> None:
    data = receipt.to_bytes()
    parsed = Receipt.from_bytes(data)
    assert parsed == receipt
    assert parsed.to_bytes() == data


@given(receipts.map(Receipt.to_bytes), st.integers(min_value=0), st.binary(max_size=3))
@settings(max_examples=300, deadline=None)
def test_parsed_receipts_have_one_spelling(data: bytes, at: int, junk: bytes) -> None:
    at %= len(data) + 1
    mutated = data[:at] + junk + data[at + len(junk) :]
    try:
        receipt = Receipt.from_bytes(mutated)
    except MalformedInput:
        return
    assert receipt.to_bytes() == mutated
