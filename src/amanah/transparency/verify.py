"""The outsider's check of a whole log: what `amanah-verify log` runs.

1. The checkpoint's log signature (and k-of-n witness cosignatures, when asked for).
2. Every entry bundle re-hashed against its level-0 tile, every full tile folded into
   the tile above, every partial tile compared, and the root recomputed.
3. The new checkpoint proved consistent with the last one this verifier trusted for the
   same origin; a shrunk or forked log is refused with both checkpoints kept for evidence.
4. Inclusion of any entries asked for.
Only when all of this passes does the new checkpoint become the trusted one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from .checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint
from .cosignature import CosignatureVerifier
from .errors import LogForked, MalformedTile, ProofInvalid, TileMismatch, TileNotFound
from .hashing import leaf_hash
from .note import Verifier
from .proofs import verify_consistency, verify_inclusion
from .reader import TileHashReader
from .storage import LogReader
from .tiles import (
    ENTRIES_LEVEL,
    TILE_WIDTH,
    TileId,
    check_hash_tile_size,
    tile_for,
)
from .tilewriter import TileTreeBuilder, read_tile

__all__ = ["EntryInclusion", "LogReport", "TrustStore", "recompute_root", "verify_log"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class EntryInclusion:
    index: int
    leaf_hash: bytes
    entry: bytes


@dataclass(frozen=True)
class LogReport:
    """What a successful verification established."""

    signed: SignedCheckpoint
    previous: Checkpoint | None
    entries: tuple[EntryInclusion, ...]

    @property
    def checkpoint(self) -> Checkpoint:
        return self.signed.checkpoint


class TrustStore:
    """The last checkpoint trusted per origin, one file each, named by SHA-256 of the origin."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def _path(self, origin: str) -> Path:
        return self.directory / (hashlib.sha256(origin.encode()).hexdigest() + ".checkpoint")

    def load(self, origin: str) -> bytes | None:
        try:
            return self._path(origin).read_bytes()
        except FileNotFoundError:
            return None

    def save(self, origin: str, note: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(origin)
        temp = path.with_suffix(".tmp")
        temp.write_bytes(note)
        os.replace(temp, path)


def _compare(reader: LogReader, tile: TileId, expected: bytes) -> None:
    stored = check_hash_tile_size(read_tile(reader, tile), tile)
    if stored != expected:
        raise TileMismatch(f"tile {tile.path} differs from what the entries below it hash to")


def _bundle_leaf_hashes(data: bytes, bundle: TileId) -> list[bytes]:
    """The leaf hash of every entry of a bundle, splitting and hashing in one pass.

    The same parse as `decode_entry_bundle`, fused with hashing because this loop runs
    once per entry of the whole log and is most of what verification costs.
    """
    sha256_, prefix = sha256, b"\x00"
    hashes: list[bytes] = []
    offset, end = 0, len(data)
    while offset < end:
        if offset + 2 > end:
            raise MalformedTile(f"{bundle.path}: truncated length prefix at byte {offset}")
        start = offset + 2
        offset = start + (data[offset] << 8 | data[offset + 1])
        if offset > end:
            raise MalformedTile(f"{bundle.path}: entry {len(hashes)} runs past the end")
        hashes.append(sha256_(prefix + data[start:offset]).digest())
    if len(hashes) != bundle.width:
        raise MalformedTile(f"{bundle.path} holds {len(hashes)} entries, expected {bundle.width}")
    return hashes


def recompute_root(reader: LogReader, tree_size: int, progress: Progress | None = None) -> bytes:
    """Re-hash every entry and check every tile of a log of `tree_size`; return the root."""

    def check_upper(tile: TileId, data: bytes) -> None:
        if tile.level > 0:  # level 0 is compared against its bundle in the loop below
            _compare(reader, tile, data)

    builder = TileTreeBuilder(check_upper)
    tiles = (tree_size + TILE_WIDTH - 1) // TILE_WIDTH
    for index in range(tiles):
        bundle = tile_for(ENTRIES_LEVEL, index, tree_size)
        hashes = _bundle_leaf_hashes(read_tile(reader, bundle), bundle)
        _compare(reader, tile_for(0, index, tree_size), b"".join(hashes))
        builder.add(hashes)
        if progress is not None:
            progress(min((index + 1) * TILE_WIDTH, tree_size), tree_size)
    for tile, hashes in builder.partial_tiles():
        if tile.level > 0:
            _compare(reader, tile, b"".join(hashes))
    return builder.root()


def _check_against_trusted(
    previous: SignedCheckpoint, signed: SignedCheckpoint, hashes: TileHashReader
) -> None:
    old, new = previous.checkpoint, signed.checkpoint
    try:
        if old.size > new.size:
            raise ProofInvalid(
                f"the log served is smaller ({new.size} entries) than the checkpoint trusted"
                f" before ({old.size}): it was rolled back, or this is a stale mirror"
            )
        proof = hashes.consistency_proof(old.size) if 0 < old.size < new.size else []
        if old.size > 0:
            verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    except ProofInvalid as error:
        raise LogForked(
            f"the log is not an extension of the checkpoint trusted earlier: {error}",
            trusted=previous.note,
            seen=signed.note,
        ) from error


def verify_log(
    reader: LogReader,
    log_key: Verifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[CosignatureVerifier] = (),
    witness_threshold: int = 0,
    trust: TrustStore | None = None,
    entries: Sequence[int] = (),
    progress: Progress | None = None,
) -> LogReport:
    """Verify a whole log; raise a `VerificationFailed` subclass on the first problem."""
    try:
        note = reader.read("checkpoint")
    except TileNotFound:
        raise TileNotFound("the log has no checkpoint") from None
    signed = open_checkpoint(
        note, log_key, origin=origin, witnesses=witnesses, witness_threshold=witness_threshold
    )
    checkpoint = signed.checkpoint
    root = recompute_root(reader, checkpoint.size, progress)
    if root != checkpoint.root_hash:
        raise TileMismatch(
            "the root recomputed from the tiles differs from the checkpoint"
            f" at size {checkpoint.size}"
        )
    hashes = TileHashReader(reader, checkpoint.size)
    previous: SignedCheckpoint | None = None
    if trust is not None:
        trusted_note = trust.load(checkpoint.origin)
        if trusted_note is not None:
            previous = open_checkpoint(trusted_note, log_key, origin=checkpoint.origin)
            _check_against_trusted(previous, signed, hashes)
    proved = []
    for index in entries:
        if not 0 <= index < checkpoint.size:
            raise ProofInvalid(f"entry {index} is not in the log (size {checkpoint.size})")
        entry = hashes.entry(index)
        leaf = leaf_hash(entry)
        verify_inclusion(leaf, index, checkpoint.size, hashes.inclusion_proof(index), root)
        proved.append(EntryInclusion(index, leaf, entry))
    if trust is not None:
        trust.save(checkpoint.origin, note)
    return LogReport(signed, previous.checkpoint if previous else None, tuple(proved))
