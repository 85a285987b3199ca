"""Known-answer vectors from other implementations (files in tests/vectors/, DO NOT MODIFY).

Each vector's origin is written next to it here and in tests/vectors/README.md.
"""

from __future__ import annotations

import pytest
from tl_support import classic_vectors, vector

from amanah.transparency import (
    Ed25519Signer,
    Ed25519Verifier,
    MalformedNote,
    MemoryHashes,
    SignatureInvalid,
    consistency_proof,
    inclusion_proof,
    key_id,
    leaf_hash,
    open_checkpoint,
    open_note,
    parse_verifier_key,
    sign_note,
    verify_consistency,
    verify_inclusion,
)
from amanah.transparency.note import split_note

# golang.org/x/mod sumdb/note/note_test.go (TestSign, TestOpen): key, text, signed note.
PETER_VKEY = vector("go-note-peterneumann.vkey").decode().strip()
PETER_SKEY = vector("go-note-peterneumann.skey").decode().strip()
PETER_NOTE = vector("go-note-peterneumann.note")
# Same file, TestOpen: a second key and the note signed by both.
ENOCH_VKEY = vector("go-note-enochroot.vkey").decode().strip()
TWO_SIGNATURES = vector("go-note-two-signatures.note")
GO_TEXT = (
    b"If you think cryptography is the answer to your problem,\n"
    b"then you don't know what your problem is.\n"
)
# Go source, cmd/go/internal/modfetch/key.go: the checksum database's key.
SUMDB_VKEY = vector("sum-golang-org.vkey").decode().strip()
# C2SP/C2SP tlog-checkpoint.md: the example checkpoint (a sumdb signature, rewritten origin).
C2SP_EXAMPLE = vector("c2sp-tlog-checkpoint-example.note")
# The same example with origin and key name restored to sum.golang.org's own.
SUMDB_CHECKPOINT = vector("sum-golang-org-20852163.note")


@pytest.mark.parametrize(
    "name",
    [
        "go-note-peterneumann.note",
        "go-note-two-signatures.note",
        "c2sp-tlog-checkpoint-example.note",
        "sum-golang-org-20852163.note",
    ],
)
def test_vector_notes_are_byte_exact(name: str) -> None:
    # Guards against an editor "fixing" a vector: no CR, one final newline, em dashes.
    note = vector(name)
    assert b"\r" not in note
    _, block = note.rsplit(b"\n\n", 1)
    assert block.endswith(b"\n")
    assert not block.endswith(b"\n\n")
    assert all(line.startswith("\u2014 ".encode()) for line in block.splitlines())


# Go x/mod signed notes.


def test_peter_neumann_verifier_key() -> None:
    verifier = Ed25519Verifier.from_key_text(PETER_VKEY)
    assert verifier.name == "PeterNeumann"
    assert verifier.key_id == 0xC74F20A3
    assert verifier.key_text == PETER_VKEY
    assert verifier.key_id == key_id("PeterNeumann", b"\x01" + verifier.public_key)


def test_peter_neumann_signer_key_matches_verifier_key() -> None:
    signer = Ed25519Signer.from_key_text(PETER_SKEY)
    assert signer.key_id == 0xC74F20A3
    assert signer.key_text == PETER_SKEY
    assert signer.verifier().key_text == PETER_VKEY


def test_peter_neumann_signing_reproduces_go_byte_for_byte() -> None:
    # Ed25519 is deterministic: our signature line must equal Go's exactly.
    signer = Ed25519Signer.from_key_text(PETER_SKEY)
    assert sign_note(GO_TEXT, [signer]) == PETER_NOTE


def test_peter_neumann_note_opens() -> None:
    opened = open_note(PETER_NOTE, [Ed25519Verifier.from_key_text(PETER_VKEY)])
    assert opened.text == GO_TEXT
    assert [(s.name, s.key_id) for s in opened.verified] == [("PeterNeumann", 0xC74F20A3)]


def test_go_open_one_verified_one_not() -> None:
    opened = open_note(TWO_SIGNATURES, [Ed25519Verifier.from_key_text(PETER_VKEY)])
    assert [s.name for s in opened.verified] == ["PeterNeumann"]
    assert [(s.name, s.key_id) for s in opened.unverified] == [("EnochRoot", 0xAF0CFE78)]


def test_go_open_both_verified() -> None:
    keys = [Ed25519Verifier.from_key_text(k) for k in (PETER_VKEY, ENOCH_VKEY)]
    opened = open_note(TWO_SIGNATURES, keys)
    assert [s.name for s in opened.verified] == ["PeterNeumann", "EnochRoot"]
    assert opened.unverified == ()


def test_go_open_none_verified() -> None:
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_note(TWO_SIGNATURES, [])


def _peter_line() -> str:
    return PETER_NOTE.decode().split("\n\n")[1]


def test_go_open_too_many_signatures() -> None:
    note = GO_TEXT + b"\n" + _peter_line().encode() * 101
    with pytest.raises(MalformedNote, match="101 signatures"):
        open_note(note, [Ed25519Verifier.from_key_text(PETER_VKEY)])


def test_go_open_invalid_signature() -> None:
    line = _peter_line()
    bad = GO_TEXT + b"\n" + (line[:60] + "ABCD" + line[60:]).encode()
    with pytest.raises(
        SignatureInvalid, match=r"signature by PeterNeumann \(c74f20a3\) is invalid"
    ):
        open_note(bad, [Ed25519Verifier.from_key_text(PETER_VKEY)])


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,
        GO_TEXT + b"\n",
        PETER_NOTE[:-1],
        b"\x01" + PETER_NOTE,
        b"\xff" + PETER_NOTE,
        GO_TEXT
        + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
        "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=".encode(),
        PETER_NOTE + b"Unexpected line.\n",
    ],
    ids=[
        "no-signatures",
        "blank-only",
        "no-final-newline",
        "control",
        "not-utf8",
        "bad-name",
        "trailing-line",
    ],
)
def test_go_open_malformed_messages(note: bytes) -> None:
    # The badMsgs of x/mod's TestOpen: every one is a malformed note.
    with pytest.raises(MalformedNote, match=r"note|signature line"):
        open_note(note, [Ed25519Verifier.from_key_text(PETER_VKEY)])


# sum.golang.org.


def test_sum_golang_org_key_parses() -> None:
    verifier = parse_verifier_key(SUMDB_VKEY)
    assert type(verifier) is Ed25519Verifier
    assert verifier.name == "sum.golang.org"
    assert verifier.key_id == 0x033DE0AE
    assert f"{verifier.key_id:08x}" == "033de0ae"
    assert verifier.key_text == SUMDB_VKEY
    assert "+" in SUMDB_VKEY.split("+", 2)[2]  # pitfall 8: '+' inside the base64


def test_sum_golang_org_checkpoint_verifies() -> None:
    signed = open_checkpoint(
        SUMDB_CHECKPOINT, parse_verifier_key(SUMDB_VKEY), origin="go.sum database tree"
    )
    assert signed.checkpoint.size == 20852163
    assert signed.checkpoint.origin == "go.sum database tree"


def test_c2sp_checkpoint_example_does_not_verify() -> None:
    # TLOG.md pitfall 16: the spec's example is a real sumdb signature on a rewritten origin.
    sumdb = parse_verifier_key(SUMDB_VKEY)
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_checkpoint(C2SP_EXAMPLE, sumdb, origin="example.com/behind-the-sofa")

    class RenamedSumdbKey:
        """sum.golang.org's public key under the example's name and key ID."""

        name = "example.com/behind-the-sofa"
        key_id = 0x033DE0AE

        def verify(self, message: bytes, signature: bytes) -> bool:
            return sumdb.verify(message, signature)

    with pytest.raises(
        SignatureInvalid, match=r"signature by example\.com/behind-the-sofa \(033de0ae\) is invalid"
    ):
        open_checkpoint(C2SP_EXAMPLE, RenamedSumdbKey())
    text, signatures = split_note(C2SP_EXAMPLE)
    assert signatures[0].key_id == 0x033DE0AE
    assert signatures[0].signature == split_note(SUMDB_CHECKPOINT)[1][0].signature
    assert (
        text.replace(b"example.com/behind-the-sofa", b"go.sum database tree")
        == (split_note(SUMDB_CHECKPOINT)[0])
    )


# RFC 6962 / transparency-dev/merkle testonly/constants.go.


def test_classic_roots() -> None:
    leaves, roots = classic_vectors()
    assert len(leaves) == 8
    assert sorted(roots) == list(range(1, 9))
    memory = MemoryHashes(leaves)
    for size, root in roots.items():
        assert memory.root(size) == root, size
    assert roots[1] == leaf_hash(b"")


def test_classic_tree_proofs_verify() -> None:
    leaves, roots = classic_vectors()
    memory = MemoryHashes(leaves)
    for n in range(1, 9):
        for m in range(n):
            proof = inclusion_proof(memory, m, n)
            verify_inclusion(leaf_hash(leaves[m]), m, n, proof, roots[n])
        for m in range(1, n + 1):
            verify_consistency(m, n, roots[m], roots[n], consistency_proof(memory, m, n))
