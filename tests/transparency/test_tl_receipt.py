"""c2sp.org/tlog-proof receipts: framing, round trip, and offline verification."""

from __future__ import annotations

import base64

import pytest
from tl_support import ORIGIN, entries, flip_bit, log_signer, witness_signer, write_log

from amanah.transparency import (
    MalformedProof,
    ProofInvalid,
    Receipt,
    SignatureInvalid,
    TileHashReader,
    make_receipt,
    verify_receipt,
)

ITEMS = entries(300)


@pytest.fixture(scope="module")
def log() -> tuple[TileHashReader, bytes]:
    storage, note = write_log(ITEMS)
    return TileHashReader(storage, len(ITEMS)), note


@pytest.fixture
def receipt(log: tuple[TileHashReader, bytes]) -> Receipt:
    reader, note = log
    return make_receipt(reader, 257, note)


def test_receipt_layout(receipt: Receipt, log: tuple[TileHashReader, bytes]) -> None:
    data = receipt.to_bytes()
    head, _, note = data.partition(b"\n\n")
    lines = head.decode().split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1] == "extra " + base64.b64encode(b"entry 257").decode()
    assert lines[2] == "index 257"
    assert [base64.b64decode(x) for x in lines[3:]] == list(log[0].inclusion_proof(257))
    assert note == log[1]


def test_receipt_round_trip(receipt: Receipt) -> None:
    data = receipt.to_bytes()
    parsed = Receipt.from_bytes(data)
    assert parsed == receipt
    assert parsed.to_bytes() == data


def test_verify_receipt(receipt: Receipt) -> None:
    signed = verify_receipt(Receipt.from_bytes(receipt.to_bytes()), log_signer().verifier())
    assert signed.checkpoint.size == 300
    assert signed.checkpoint.origin == ORIGIN


def test_verify_receipt_with_entry_supplied(log: tuple[TileHashReader, bytes]) -> None:
    reader, note = log
    bare = make_receipt(reader, 3, note, include_entry=False)
    assert bare.extra is None
    assert b"extra" not in bare.to_bytes()
    verify_receipt(bare, log_signer().verifier(), entry=b"entry 3")
    with pytest.raises(MalformedProof, match="receipt carries no entry; supply the entry"):
        verify_receipt(bare, log_signer().verifier())
    with pytest.raises(ProofInvalid, match="does not lead to the root"):
        verify_receipt(bare, log_signer().verifier(), entry=b"entry 4")


def test_entry_must_match_the_one_carried(receipt: Receipt) -> None:
    verify_receipt(receipt, log_signer().verifier(), entry=b"entry 257")
    with pytest.raises(ProofInvalid, match="differs from the entry the receipt carries"):
        verify_receipt(receipt, log_signer().verifier(), entry=b"entry 258")


def test_tampered_extra_fails(receipt: Receipt) -> None:
    forged = Receipt(receipt.index, receipt.proof, receipt.checkpoint_note, b"entry 258")
    with pytest.raises(ProofInvalid, match="proof for entry 257 does not lead to the root"):
        verify_receipt(forged, log_signer().verifier())


def test_tampered_index_fails(receipt: Receipt) -> None:
    for index in (256, 258, 299):
        forged = Receipt(index, receipt.proof, receipt.checkpoint_note, receipt.extra)
        # Entry 299 sits in the last, shallower part of the tree: the path is too long.
        expected = rf"proof for entry {index} does not lead|proof is longer than the tree"
        with pytest.raises(ProofInvalid, match=expected):
            verify_receipt(forged, log_signer().verifier())
    forged = Receipt(300, receipt.proof, receipt.checkpoint_note, receipt.extra)
    with pytest.raises(ProofInvalid, match="index 300 is not in a tree of size 300"):
        verify_receipt(forged, log_signer().verifier())


def test_tampered_proof_fails(receipt: Receipt) -> None:
    for position in range(len(receipt.proof)):
        proof = list(receipt.proof)
        proof[position] = flip_bit(proof[position], 7)
        forged = Receipt(receipt.index, tuple(proof), receipt.checkpoint_note, receipt.extra)
        with pytest.raises(ProofInvalid, match="does not lead to the root"):
            verify_receipt(forged, log_signer().verifier())
    short = Receipt(receipt.index, receipt.proof[:-1], receipt.checkpoint_note, receipt.extra)
    with pytest.raises(ProofInvalid, match="shorter than the tree is deep"):
        verify_receipt(short, log_signer().verifier())


def test_tampered_checkpoint_fails(receipt: Receipt) -> None:
    note = receipt.checkpoint_note.replace(b"\n300\n", b"\n301\n")
    forged = Receipt(receipt.index, receipt.proof, note, receipt.extra)
    with pytest.raises(
        SignatureInvalid, match=r"signature by example\.org/log \([0-9a-f]{8}\) is invalid"
    ):
        verify_receipt(forged, log_signer().verifier())


def test_other_log_key_fails(receipt: Receipt) -> None:
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        verify_receipt(receipt, log_signer(label="other").verifier())


def test_receipt_with_witness_policy() -> None:
    witness = witness_signer("witness.example")
    storage, note = write_log(entries(5), cosigners=[witness])
    receipt = make_receipt(TileHashReader(storage, 5), 4, note)
    signed = verify_receipt(
        receipt, log_signer().verifier(), witnesses=[witness.verifier()], witness_threshold=1
    )
    assert signed.witnesses == ("witness.example",)
    _, plain = write_log(entries(5))
    unwitnessed = Receipt(receipt.index, receipt.proof, plain, receipt.extra)
    with pytest.raises(SignatureInvalid, match="0 valid witness cosignatures; 1 required"):
        verify_receipt(
            unwitnessed,
            log_signer().verifier(),
            witnesses=[witness.verifier()],
            witness_threshold=1,
        )


def test_single_entry_log_receipt_has_no_proof_lines() -> None:
    storage, note = write_log([b""])
    receipt = make_receipt(TileHashReader(storage, 1), 0, note)
    assert receipt.proof == ()
    assert receipt.to_bytes().startswith(b"c2sp.org/tlog-proof@v1\nextra \nindex 0\n\n")
    parsed = Receipt.from_bytes(receipt.to_bytes())
    assert parsed.extra == b""
    verify_receipt(parsed, log_signer().verifier())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"c2sp.org/tlog-proof@v1\nindex 0\n", "no blank line before its checkpoint"),
        (b"c2sp.org/tlog-proof@v2\nindex 0\n\nX", "must start with 'c2sp.org/tlog-proof@v1'"),
        (b"c2sp.org/tlog-proof@v1\n\nX", "needs an 'index <n>' line"),
        (b"c2sp.org/tlog-proof@v1\nindex 01\n\nX", "needs an 'index <n>' line"),
        (b"c2sp.org/tlog-proof@v1\nindex -1\n\nX", "needs an 'index <n>' line"),
        (b"c2sp.org/tlog-proof@v1\nindex  1\n\nX", "needs an 'index <n>' line"),
        (b"c2sp.org/tlog-proof@v1\nextra AA==\n\nX", "needs an 'index <n>' line"),
        (b"c2sp.org/tlog-proof@v1\nextra A\nindex 0\n\nX", "extra data is not valid base64"),
        (b"c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nX", "every proof line must be a 32-byte hash"),
        (b"c2sp.org/tlog-proof@v1\nindex 0\n!!!!\n\nX", "proof line 0 is not valid base64"),
        (b"c2sp.org/tlog-proof@v1\xc3\xa9\nindex 0\n\nX", "receipt header is not ASCII"),
    ],
)
def test_malformed_receipts(data: bytes, message: str) -> None:
    with pytest.raises(MalformedProof, match=message):
        Receipt.from_bytes(data)


def test_non_canonical_proof_line_is_refused(receipt: Receipt) -> None:
    data = receipt.to_bytes()
    line = base64.b64encode(receipt.proof[0])
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    sloppy = line[:42] + bytes([alphabet[alphabet.index(line[42]) ^ 1]]) + b"="
    with pytest.raises(MalformedProof, match="proof line 0 is not canonical base64"):
        Receipt.from_bytes(data.replace(line, sloppy, 1))
