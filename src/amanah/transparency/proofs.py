"""RFC 9162 §2.1: tree heads, inclusion and consistency proofs, generated and verified.

Generation works over any `SubtreeHashes` source (a list of leaves in memory, or the
tiles of a log), asking only for hashes of perfect, aligned subtrees: exactly what a
tiled log stores. Verification needs nothing but the proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from .errors import ProofInvalid
from .hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash

__all__ = [
    "MemoryHashes",
    "SubtreeHashes",
    "consistency_proof",
    "fold_perfect",
    "inclusion_proof",
    "largest_power_of_two_below",
    "root_from_leaf_hashes",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]


class SubtreeHashes(Protocol):
    """Hashes of perfect subtrees: `subtree_hash(h, k)` is MTH(D[k·2^h : (k+1)·2^h])."""

    def subtree_hash(self, height: int, index: int) -> bytes: ...


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two strictly less than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def fold_perfect(hashes: Sequence[bytes]) -> bytes:
    """Root of a perfect subtree given its 2^h bottom hashes, pairing level by level."""
    # The hot loop of tile integration and verification: SHA-256 is called directly
    # rather than through node_hash to save a Python call per interior node.
    sha256, prefix = hashlib.sha256, b"\x01"
    level = list(hashes)
    while len(level) > 1:
        level = [sha256(prefix + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0]


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole tree from its leaf hashes (RFC 9162 §2.1.1).

    Pairing level by level and promoting an odd last node unchanged yields exactly the
    tree of the "largest power of two below n" recursion, without recursion.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _range_hash(source: SubtreeHashes, lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) for the ranges the RFC recursion produces (lo aligned to the split)."""
    width = hi - lo
    if width & (width - 1) == 0 and lo % width == 0:
        return source.subtree_hash(width.bit_length() - 1, lo // width)
    k = largest_power_of_two_below(width)
    return node_hash(_range_hash(source, lo, lo + k), _range_hash(source, lo + k, hi))


def tree_root(source: SubtreeHashes, size: int) -> bytes:
    """MTH(D[0:size]), read from perfect-subtree hashes."""
    return EMPTY_ROOT if size == 0 else _range_hash(source, 0, size)


def inclusion_proof(source: SubtreeHashes, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf-to-root order."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    # Walk down from the root, collecting siblings; reversed at the end to go leaf-up.
    while hi - lo > 1:
        k = largest_power_of_two_below(hi - lo)
        if index < lo + k:
            path.append(_range_hash(source, lo + k, hi))
            hi = lo + k
        else:
            path.append(_range_hash(source, lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_proof(source: SubtreeHashes, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1 (empty when the sizes are equal)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    proof: list[bytes] = []
    lo, hi, complete = 0, new_size, True
    m = old_size
    while True:
        if m == hi - lo:
            if not complete:
                proof.append(_range_hash(source, lo, hi))
            break
        k = largest_power_of_two_below(hi - lo)
        if m <= k:
            proof.append(_range_hash(source, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_range_hash(source, lo, lo + k))
            m -= k
            lo += k
            complete = False
    proof.reverse()
    return proof


def _check_hashes(proof: Sequence[bytes], what: str) -> None:
    for position, item in enumerate(proof):
        if len(item) != HASH_SIZE:
            raise ProofInvalid(f"{what} hash {position} is {len(item)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an inclusion proof (RFC 9162 §2.1.3.2); raise `ProofInvalid` if it fails."""
    _check_hashes(proof, "inclusion proof")
    if not 0 <= index < size:
        raise ProofInvalid(f"index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofInvalid("inclusion proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofInvalid(f"inclusion proof for entry {index} does not lead to the root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2); raise `ProofInvalid` if it fails.

    Sizes the RFC leaves out are decided here: equal sizes need equal roots and an empty
    proof; old size 0 is rejected, as Go's tlog and transparency-dev/merkle do, so the
    caller must decide what the empty tree is consistent with.
    """
    _check_hashes(proof, "consistency proof")
    if old_size > new_size:
        raise ProofInvalid(f"tree shrank from {old_size} to {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofInvalid("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofInvalid(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        raise ProofInvalid("consistency from the empty tree is not proved by hashes")
    if not proof:
        raise ProofInvalid("consistency proof is empty")
    chain = list(proof)
    if old_size & (old_size - 1) == 0:
        chain.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = chain[0]
    for c in chain[1:]:
        if sn == 0:
            raise ProofInvalid("consistency proof is too long")
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid("consistency proof is too short")
    if fr != old_root:
        raise ProofInvalid(f"consistency proof does not lead to the old root (size {old_size})")
    if sr != new_root:
        raise ProofInvalid(f"consistency proof does not lead to the new root (size {new_size})")


class MemoryHashes:
    """`SubtreeHashes` over entries held in memory: the reference the tiles are tested against."""

    def __init__(self, entries: Sequence[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[leaf_hash(e) for e in entries]]
        self._build()

    @classmethod
    def from_leaf_hashes(cls, hashes: Sequence[bytes]) -> MemoryHashes:
        memory = cls()
        memory._levels = [list(hashes)]
        memory._build()
        return memory

    def _build(self) -> None:
        del self._levels[1:]
        level = self._levels[0]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self._levels.append(level)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def subtree_hash(self, height: int, index: int) -> bytes:
        try:
            return self._levels[height][index]
        except IndexError:
            raise ValueError(f"no complete subtree of height {height} at {index}") from None

    def root(self, size: int | None = None) -> bytes:
        return tree_root(self, self.size if size is None else size)
