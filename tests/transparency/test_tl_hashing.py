"""RFC 9162 §2.1.1 hashing: known answers and domain separation."""

from __future__ import annotations

import base64
import hashlib

from amanah.transparency import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash


def test_empty_root_is_sha256_of_nothing() -> None:
    # Pitfall 1: not 32 zero bytes (Go's tlog.TreeHash(0)) and not the hash of an empty leaf.
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert base64.b64encode(EMPTY_ROOT) == b"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert bytes(32) != EMPTY_ROOT
    assert leaf_hash(b"") != EMPTY_ROOT


def test_leaf_hash_of_empty_entry() -> None:
    # Known answer: MTH of the one-leaf tree with the empty entry (RFC 6962 test data).
    assert (
        leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


def test_leaf_hash_prefixes_zero_byte() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert leaf_hash(b"abc") != hashlib.sha256(b"abc").digest()


def test_node_hash_prefixes_one_byte_and_keeps_order() -> None:
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert node_hash(left, right) != node_hash(right, left)


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    # Pitfall 3: without the prefixes an interior node could pass for a 64-byte leaf.
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert leaf_hash(left + right) != node_hash(left, right)


def test_hash_size() -> None:
    assert HASH_SIZE == 32
    assert len(leaf_hash(b"x")) == len(node_hash(EMPTY_ROOT, EMPTY_ROOT)) == HASH_SIZE
