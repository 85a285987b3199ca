"""c2sp.org/tlog-checkpoint: strict parsing, canonical round trip, opening signed checkpoints."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tl_support import ORIGIN, log_signer

from amanah.transparency import (
    EMPTY_ROOT,
    Checkpoint,
    MalformedCheckpoint,
    MalformedInput,
    SignatureInvalid,
    leaf_hash,
    open_checkpoint,
    sign_note,
)

ROOT = leaf_hash(b"root")
ROOT_B64 = base64.b64encode(ROOT).decode()


def test_to_text_layout() -> None:
    text = Checkpoint(ORIGIN, 3, ROOT).to_text()
    assert text == f"{ORIGIN}\n3\n{ROOT_B64}\n".encode()
    assert len(ROOT_B64) == 44


def test_empty_tree_checkpoint() -> None:
    text = Checkpoint(ORIGIN, 0, EMPTY_ROOT).to_text()
    assert text == f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n".encode()
    assert Checkpoint.from_text(text) == Checkpoint(ORIGIN, 0, EMPTY_ROOT)


def test_extensions_round_trip() -> None:
    checkpoint = Checkpoint("go.sum database tree", 7, ROOT, ("ext one", "ext two"))
    text = checkpoint.to_text()
    assert text.endswith(b"\next one\next two\n")
    assert Checkpoint.from_text(text) == checkpoint


@pytest.mark.parametrize(
    ("size_text", "message"),
    [
        ("03", "checkpoint size '03' is not canonical decimal"),
        ("00", "'00' is not canonical decimal"),
        ("-1", "'-1' is not canonical decimal"),
        ("+1", "'\\+1' is not canonical decimal"),
        (" 1", "is not canonical decimal"),
        ("1 ", "is not canonical decimal"),
        ("0x10", "is not canonical decimal"),
        ("1_000", "is not canonical decimal"),
        ("\u0661", "is not canonical decimal"),  # ARABIC-INDIC DIGIT ONE: int() would accept it
        ("", "is not canonical decimal"),
        ("9223372036854775808", "exceeds 2\\^63-1"),
        ("9" * 40, "exceeds 2\\^63-1"),
    ],
)
def test_size_must_be_canonical_decimal(size_text: str, message: str) -> None:
    text = f"{ORIGIN}\n{size_text}\n{ROOT_B64}\n".encode()
    with pytest.raises(MalformedCheckpoint, match=message):
        Checkpoint.from_text(text)


def test_largest_size_is_accepted() -> None:
    text = f"{ORIGIN}\n9223372036854775807\n{ROOT_B64}\n".encode()
    assert Checkpoint.from_text(text).size == 2**63 - 1


@pytest.mark.parametrize(
    ("root_text", "message"),
    [
        (ROOT_B64[:-1], "root hash must be 44 characters of base64"),
        (ROOT_B64 + "A", "root hash must be 44 characters of base64"),
        (ROOT_B64.rstrip("="), "root hash must be 44 characters of base64"),
        ("!" * 43 + "=", "checkpoint root hash is not valid base64"),
        (base64.b64encode(bytes(31)).decode(), "root hash is 31 bytes, not 32"),
        (base64.b64encode(bytes(33)).decode(), "root hash is 33 bytes, not 32"),
    ],
)
def test_root_must_be_44_chars_of_32_bytes(root_text: str, message: str) -> None:
    assert len(root_text) in (43, 44, 45)
    with pytest.raises(MalformedCheckpoint, match=message):
        Checkpoint.from_text(f"{ORIGIN}\n3\n{root_text}\n".encode())


def test_root_must_be_canonical_base64() -> None:
    # The last character before '=' has two unused bits; flipping one decodes to the same
    # 32 bytes but is not the canonical spelling.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    sloppy = ROOT_B64[:42] + alphabet[alphabet.index(ROOT_B64[42]) ^ 1] + "="
    assert sloppy != ROOT_B64
    assert base64.b64decode(sloppy) == ROOT
    with pytest.raises(MalformedCheckpoint, match="not canonical base64"):
        Checkpoint.from_text(f"{ORIGIN}\n3\n{sloppy}\n".encode())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{ORIGIN}\n3\n".encode(), "needs origin, size and root hash lines"),
        (f"{ORIGIN}\n".encode(), "needs origin, size and root hash lines"),
        (b"\n", "needs origin, size and root hash lines"),
        (f"\n3\n{ROOT_B64}\n".encode(), "origin must be one non-empty line"),
        (f"{ORIGIN}\n3\n{ROOT_B64}".encode(), "must end with a newline"),
        (f"{ORIGIN}\n3\n{ROOT_B64}\n\n".encode(), "extension lines must be non-empty"),
        (f"{ORIGIN}\r\n3\n{ROOT_B64}\n".encode(), "control character 0x0d"),
        (b"\xff\n3\n" + ROOT_B64.encode() + b"\n", "not valid UTF-8"),
    ],
)
def test_malformed_bodies(text: bytes, message: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=message):
        Checkpoint.from_text(text)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 1, ROOT), "origin must be one non-empty line"),
        (("a\nb", 1, ROOT), "origin must be one non-empty line"),
        ((ORIGIN, -1, ROOT), "checkpoint size -1 is out of range"),
        ((ORIGIN, 2**63, ROOT), "is out of range"),
        ((ORIGIN, 1, ROOT[:31]), "root hash is 31 bytes, not 32"),
        ((ORIGIN, 1, ROOT, ("",)), "extension lines must be non-empty single lines"),
    ],
)
def test_constructor_validates(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=message):
        Checkpoint(*args)  # type: ignore[arg-type]


@given(size_text=st.text(max_size=25))
@settings(max_examples=200, deadline=None)
def test_size_never_leaks_value_error(size_text: str) -> None:
    # STYLE §3.9: a bad size is MalformedInput, never a bare ValueError.
    text = f"{ORIGIN}\n{size_text}\n{ROOT_B64}\n".encode()
    try:
        checkpoint = Checkpoint.from_text(text)
    except MalformedInput:
        return
    assert str(checkpoint.size) == size_text


_line = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
checkpoints = st.builds(
    Checkpoint,
    origin=_line,
    size=st.integers(min_value=0, max_value=2**63 - 1),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(_line, max_size=3).map(tuple),
)


@given(checkpoints)
@settings(max_examples=200, deadline=None)
def test_round_trip_from_value(checkpoint: Checkpoint) -> None:
    assert Checkpoint.from_text(checkpoint.to_text()) == checkpoint


@given(st.binary(max_size=120) | checkpoints.map(Checkpoint.to_text))
@settings(max_examples=300, deadline=None)
def test_parse_then_serialise_is_identity(text: bytes) -> None:
    # parse(x).to_text() == x for every x the parser accepts: there is one spelling only.
    try:
        checkpoint = Checkpoint.from_text(text)
    except MalformedInput:
        return
    assert checkpoint.to_text() == text


# Opening signed checkpoints.


def test_open_checkpoint() -> None:
    signer = log_signer()
    note = sign_note(Checkpoint(ORIGIN, 3, ROOT).to_text(), [signer])
    signed = open_checkpoint(note, signer.verifier())
    assert signed.checkpoint == Checkpoint(ORIGIN, 3, ROOT)
    assert signed.note == note
    assert signed.witnesses == ()


def test_origin_must_be_the_expected_one() -> None:
    signer = log_signer()
    note = sign_note(Checkpoint("elsewhere.example", 3, ROOT).to_text(), [signer])
    with pytest.raises(
        MalformedCheckpoint,
        match=r"checkpoint origin 'elsewhere\.example' is not the expected 'example\.org/log'",
    ):
        open_checkpoint(note, signer.verifier())
    assert open_checkpoint(note, signer.verifier(), origin="elsewhere.example").checkpoint.size == 3


def test_signature_is_checked_before_the_body_is_parsed() -> None:
    signer, other = log_signer(), log_signer(label="other")
    garbage = sign_note(b"not a checkpoint\n", [signer])
    with pytest.raises(MalformedCheckpoint, match="needs origin, size and root hash lines"):
        open_checkpoint(garbage, signer.verifier())
    forged = sign_note(b"not a checkpoint\n", [other])
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_checkpoint(forged, signer.verifier())


def test_tampered_checkpoint_is_refused() -> None:
    signer = log_signer()
    note = sign_note(Checkpoint(ORIGIN, 3, ROOT).to_text(), [signer])
    with pytest.raises(SignatureInvalid, match="is invalid"):
        open_checkpoint(note.replace(b"\n3\n", b"\n4\n"), signer.verifier())
