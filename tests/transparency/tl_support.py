"""Shared helpers for the amanah.transparency tests: deterministic keys, reference trees, logs.

Plain functions (not fixtures) so hypothesis tests can use them too. Nothing here imports
Django: the transparency suite must pass with Django uninstalled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from amanah.transparency import (
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    MemoryStorage,
    TileWriter,
    leaf_hash,
    node_hash,
    sign_note,
)

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
ORIGIN = "example.org/log"


def vector(name: str) -> bytes:
    """The bytes of an immutable file under tests/vectors/."""
    return (VECTORS / name).read_bytes()


def classic_vectors() -> tuple[list[bytes], dict[int, bytes]]:
    """RFC 6962 test leaves and the roots for sizes 1..8 (transparency-dev/merkle)."""
    data = json.loads(vector("rfc6962-classic-roots.json"))
    leaves = [bytes.fromhex(h) for h in data["leaves_hex"]]
    roots = {int(k): bytes.fromhex(v) for k, v in data["roots_hex"].items()}
    return leaves, roots


def seed(label: str) -> bytes:
    """A deterministic 32-byte Ed25519 seed, so failures reproduce."""
    return hashlib.sha256(label.encode()).digest()


def log_signer(name: str = ORIGIN, label: str = "log") -> Ed25519Signer:
    return Ed25519Signer(name, seed(label))


def witness_signer(name: str, *, at: int = 1234) -> CosignatureSigner:
    return CosignatureSigner(name, seed(name), clock=FakeClock(at))


class FakeClock:
    """A clock that says what it is told: POSIX seconds, settable."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def entries(count: int, start: int = 0, tag: str = "entry") -> list[bytes]:
    return [f"{tag} {i}".encode() for i in range(start, start + count)]


def mth(items: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, written recursively from the definition (independent reference)."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return leaf_hash(items[0])
    k = _split(len(items))
    return node_hash(mth(items[:k]), mth(items[k:]))


def ref_path(m: int, items: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]), recursively from the definition."""
    if len(items) == 1:
        return []
    k = _split(len(items))
    if m < k:
        return [*ref_path(m, items[:k]), mth(items[k:])]
    return [*ref_path(m - k, items[k:]), mth(items[:k])]


def ref_proof(m: int, items: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), from the definition."""
    return _subproof(m, items, True)


def _subproof(m: int, items: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(items)
    if m == n:
        return [] if complete else [mth(items)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, items[:k], complete), mth(items[k:])]
    return [*_subproof(m - k, items[k:], False), mth(items[:k])]


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def write_log(
    items: Sequence[bytes],
    signer: Ed25519Signer | None = None,
    *,
    storage: MemoryStorage | None = None,
    start: int = 0,
    cosigners: Sequence[CosignatureSigner] = (),
) -> tuple[MemoryStorage, bytes]:
    """Append `items` to a tiled log in memory (at size `start`) and publish a checkpoint.

    Returns the storage and the signed checkpoint note, which is also at `checkpoint`.
    """
    signer = signer or log_signer()
    storage = storage if storage is not None else MemoryStorage()
    writer = TileWriter(storage, start)
    writer.append(items)
    writer.flush()
    text = Checkpoint(signer.name, writer.size, writer.root()).to_text()
    note = sign_note(text, [signer, *cosigners])
    storage.write("checkpoint", note)
    return storage, note


def flip_bit(data: bytes, bit: int) -> bytes:
    """`data` with bit number `bit` (0 = most significant bit of byte 0) inverted."""
    out = bytearray(data)
    out[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(out)
