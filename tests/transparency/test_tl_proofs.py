"""RFC 9162 §2.1.3-2.1.4: tree heads, inclusion and consistency proofs."""

from __future__ import annotations

import pytest
from tl_support import classic_vectors, entries, mth, ref_path, ref_proof

from amanah.transparency import (
    EMPTY_ROOT,
    MemoryHashes,
    ProofInvalid,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from amanah.transparency.proofs import fold_perfect, largest_power_of_two_below


class RfcExampleTree:
    """The 7-leaf tree drawn in RFC 9162 §2.1.5 (a..f and j are leaves d0..d6)."""

    def __init__(self) -> None:
        self.data = entries(7, tag="d")
        a, b, c, d, e, f, j = (leaf_hash(x) for x in self.data)
        g, h, i = node_hash(a, b), node_hash(c, d), node_hash(e, f)
        k, l = node_hash(g, h), node_hash(i, j)  # noqa: E741 - the RFC's names
        self.nodes = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}
        self.nodes |= {"h": h, "i": i, "j": j, "k": k, "l": l}
        self.root = node_hash(k, l)
        self.memory = MemoryHashes(self.data)

    def named(self, names: str) -> list[bytes]:
        return [self.nodes[n] for n in names]


@pytest.fixture
def rfc() -> RfcExampleTree:
    return RfcExampleTree()


def test_rfc_example_root(rfc: RfcExampleTree) -> None:
    assert rfc.memory.root() == rfc.root == mth(rfc.data)


@pytest.mark.parametrize(
    ("old_size", "names"),
    [(3, "cdgl"), (4, "l"), (6, "ijk")],
    ids=["PROOF(3)", "PROOF(4)", "PROOF(6)"],
)
def test_rfc_example_consistency_proofs(rfc: RfcExampleTree, old_size: int, names: str) -> None:
    proof = consistency_proof(rfc.memory, old_size, 7)
    assert proof == rfc.named(names)
    verify_consistency(old_size, 7, rfc.memory.root(old_size), rfc.root, proof)


@pytest.mark.parametrize(
    ("index", "names"),
    [(0, "bhl"), (3, "cgl"), (4, "fjk"), (6, "ik")],
)
def test_rfc_example_inclusion_paths(rfc: RfcExampleTree, index: int, names: str) -> None:
    proof = inclusion_proof(rfc.memory, index, 7)
    assert proof == rfc.named(names)
    verify_inclusion(leaf_hash(rfc.data[index]), index, 7, proof, rfc.root)


def test_roots_match_recursive_definition_for_small_trees() -> None:
    data = entries(70)
    memory = MemoryHashes(data)
    for n in range(71):
        assert memory.root(n) == mth(data[:n]), n
        assert root_from_leaf_hashes([leaf_hash(x) for x in data[:n]]) == mth(data[:n]), n


def test_proofs_match_recursive_definition_for_small_trees() -> None:
    data = entries(33)
    memory = MemoryHashes(data)
    for n in range(1, 34):
        for m in range(n):
            assert inclusion_proof(memory, m, n) == ref_path(m, data[:n]), (m, n)
        for m in range(1, n + 1):
            assert consistency_proof(memory, m, n) == ref_proof(m, data[:n]), (m, n)


def test_classic_roots_from_leaf_hashes() -> None:
    leaves, roots = classic_vectors()
    for size, root in roots.items():
        assert root_from_leaf_hashes([leaf_hash(x) for x in leaves[:size]]) == root


def test_empty_tree_root() -> None:
    assert tree_root(MemoryHashes(), 0) == EMPTY_ROOT
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert MemoryHashes().root() == EMPTY_ROOT


@pytest.mark.parametrize(("n", "k"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1025, 1024)])
def test_largest_power_of_two_strictly_below(n: int, k: int) -> None:
    # Pitfall 2: for n = 8 the split is 4, not 8.
    assert largest_power_of_two_below(n) == k


def test_fold_perfect_pairs_level_by_level() -> None:
    a, b, c, d = (leaf_hash(bytes([i])) for i in range(4))
    assert fold_perfect([a]) == a
    assert fold_perfect([a, b, c, d]) == node_hash(node_hash(a, b), node_hash(c, d))


def test_memory_hashes_from_leaf_hashes_equals_from_entries() -> None:
    data = entries(13)
    by_entries = MemoryHashes(data)
    by_hashes = MemoryHashes.from_leaf_hashes([leaf_hash(x) for x in data])
    assert by_hashes.size == by_entries.size == 13
    assert by_hashes.root() == by_entries.root()
    assert by_hashes.subtree_hash(2, 2) == by_entries.subtree_hash(2, 2)


def test_memory_hashes_refuses_incomplete_subtree() -> None:
    memory = MemoryHashes(entries(5))
    with pytest.raises(ValueError, match="no complete subtree of height 2 at 1"):
        memory.subtree_hash(2, 1)


# Generation: edge cases are programming errors (ValueError), not verification failures.


def test_inclusion_proof_index_out_of_range() -> None:
    memory = MemoryHashes(entries(4))
    with pytest.raises(ValueError, match="index 4 is outside a tree of size 4"):
        inclusion_proof(memory, 4, 4)
    with pytest.raises(ValueError, match="index -1 is outside"):
        inclusion_proof(memory, -1, 4)


def test_inclusion_proof_single_leaf_is_empty() -> None:
    memory = MemoryHashes(entries(1))
    assert inclusion_proof(memory, 0, 1) == []
    verify_inclusion(leaf_hash(b"entry 0"), 0, 1, [], memory.root())


@pytest.mark.parametrize(("m", "n"), [(0, 5), (6, 5), (-1, 5)])
def test_consistency_proof_generation_refuses(m: int, n: int) -> None:
    with pytest.raises(ValueError, match=f"no consistency proof from size {m} to {n}"):
        consistency_proof(MemoryHashes(entries(6)), m, n)


def test_consistency_proof_equal_sizes_is_empty() -> None:
    memory = MemoryHashes(entries(6))
    assert consistency_proof(memory, 5, 5) == []
    verify_consistency(5, 5, memory.root(5), memory.root(5), [])


# Verification of inclusion proofs.


@pytest.fixture
def tree10() -> MemoryHashes:
    return MemoryHashes(entries(10))


def test_verify_inclusion_rejects_index_outside_tree(tree10: MemoryHashes) -> None:
    proof = inclusion_proof(tree10, 3, 10)
    with pytest.raises(ProofInvalid, match="index 10 is not in a tree of size 10"):
        verify_inclusion(leaf_hash(b"entry 3"), 10, 10, proof, tree10.root())
    with pytest.raises(ProofInvalid, match="index -1 is not in a tree"):
        verify_inclusion(leaf_hash(b"entry 3"), -1, 10, proof, tree10.root())


def test_verify_inclusion_rejects_extra_hash(tree10: MemoryHashes) -> None:
    proof = inclusion_proof(tree10, 3, 10)
    with pytest.raises(ProofInvalid, match="longer than the tree is deep"):
        verify_inclusion(leaf_hash(b"entry 3"), 3, 10, [*proof, EMPTY_ROOT], tree10.root())


def test_verify_inclusion_rejects_missing_hash(tree10: MemoryHashes) -> None:
    proof = inclusion_proof(tree10, 3, 10)
    with pytest.raises(ProofInvalid, match="shorter than the tree is deep"):
        verify_inclusion(leaf_hash(b"entry 3"), 3, 10, proof[:-1], tree10.root())


def test_verify_inclusion_rejects_wrong_leaf_index_and_root(tree10: MemoryHashes) -> None:
    proof = inclusion_proof(tree10, 3, 10)
    leaf, root = leaf_hash(b"entry 3"), tree10.root()
    verify_inclusion(leaf, 3, 10, proof, root)
    with pytest.raises(ProofInvalid, match="proof for entry 3 does not lead to the root"):
        verify_inclusion(leaf_hash(b"entry 4"), 3, 10, proof, root)
    with pytest.raises(ProofInvalid, match="proof for entry 2 does not lead to the root"):
        verify_inclusion(leaf, 2, 10, proof, root)
    with pytest.raises(ProofInvalid, match="does not lead to the root"):
        verify_inclusion(leaf, 3, 10, proof, tree10.root(9))
    with pytest.raises(ProofInvalid, match="does not lead to the root"):
        # The entry itself instead of its leaf hash is refused (only 32-byte hashes chain).
        verify_inclusion(leaf_hash(leaf), 3, 10, proof, root)


def test_verify_inclusion_rejects_short_hash(tree10: MemoryHashes) -> None:
    proof = inclusion_proof(tree10, 3, 10)
    proof[1] = proof[1][:31]
    with pytest.raises(ProofInvalid, match="inclusion proof hash 1 is 31 bytes, not 32"):
        verify_inclusion(leaf_hash(b"entry 3"), 3, 10, proof, tree10.root())


# Verification of consistency proofs.


def test_verify_consistency_equal_sizes(tree10: MemoryHashes) -> None:
    with pytest.raises(ProofInvalid, match="between equal sizes must be empty"):
        verify_consistency(10, 10, tree10.root(), tree10.root(), [EMPTY_ROOT])
    with pytest.raises(ProofInvalid, match="two different roots for the same size 10"):
        verify_consistency(10, 10, tree10.root(), tree10.root(9), [])


def test_verify_consistency_from_empty_tree_is_left_to_the_caller(tree10: MemoryHashes) -> None:
    with pytest.raises(ProofInvalid, match="consistency from the empty tree"):
        verify_consistency(0, 10, EMPTY_ROOT, tree10.root(), [])


def test_verify_consistency_rejects_shrinking(tree10: MemoryHashes) -> None:
    with pytest.raises(ProofInvalid, match="tree shrank from 10 to 9"):
        verify_consistency(10, 9, tree10.root(), tree10.root(9), [])


def test_verify_consistency_rejects_empty_proof(tree10: MemoryHashes) -> None:
    with pytest.raises(ProofInvalid, match="consistency proof is empty"):
        verify_consistency(4, 10, tree10.root(4), tree10.root(), [])


def test_verify_consistency_rejects_wrong_length(tree10: MemoryHashes) -> None:
    proof = consistency_proof(tree10, 3, 10)
    old, new = tree10.root(3), tree10.root()
    verify_consistency(3, 10, old, new, proof)
    with pytest.raises(ProofInvalid, match="consistency proof is too long"):
        verify_consistency(3, 10, old, new, [*proof, EMPTY_ROOT])
    with pytest.raises(ProofInvalid, match="consistency proof is too short"):
        verify_consistency(3, 10, old, new, proof[:-1])


def test_verify_consistency_rejects_wrong_roots(tree10: MemoryHashes) -> None:
    proof = consistency_proof(tree10, 3, 10)
    old, new = tree10.root(3), tree10.root()
    with pytest.raises(ProofInvalid, match=r"does not lead to the old root \(size 3\)"):
        verify_consistency(3, 10, tree10.root(2), new, proof)
    with pytest.raises(ProofInvalid, match=r"does not lead to the new root \(size 10\)"):
        verify_consistency(3, 10, old, tree10.root(9), proof)


def test_verify_consistency_power_of_two_old_size_uses_old_root(tree10: MemoryHashes) -> None:
    # For m a power of two the old root is implied, not sent (RFC 9162 §2.1.4.2 step 3).
    proof = consistency_proof(tree10, 4, 10)
    assert tree10.root(4) not in proof
    verify_consistency(4, 10, tree10.root(4), tree10.root(), proof)
    # A wrong old root then starts the chain, so it surfaces as a wrong new root.
    with pytest.raises(ProofInvalid, match="does not lead to the new root"):
        verify_consistency(4, 10, tree10.root(3), tree10.root(), proof)


def test_verify_consistency_rejects_short_hash(tree10: MemoryHashes) -> None:
    proof = [*consistency_proof(tree10, 3, 10)]
    proof[0] = proof[0] + b"\x00"
    with pytest.raises(ProofInvalid, match="consistency proof hash 0 is 33 bytes"):
        verify_consistency(3, 10, tree10.root(3), tree10.root(), proof)


def test_verify_consistency_rejects_proof_for_other_sizes(tree10: MemoryHashes) -> None:
    proof = consistency_proof(tree10, 3, 10)
    with pytest.raises(ProofInvalid, match=r"consistency proof (is too|does not lead)"):
        verify_consistency(5, 10, tree10.root(5), tree10.root(), proof)
    with pytest.raises(ProofInvalid, match=r"consistency proof (is too|does not lead)"):
        verify_consistency(3, 9, tree10.root(3), tree10.root(9), proof)
