"""c2sp.org/tlog-cosignature cosignature/v1 and k-of-n witness policies."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tl_support import ORIGIN, FakeClock, log_signer, seed, witness_signer

from amanah.transparency import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    Ed25519Signer,
    Ed25519Verifier,
    MalformedKey,
    SignatureInvalid,
    cosignature_message,
    key_id,
    leaf_hash,
    open_checkpoint,
    open_note,
    parse_verifier_key,
    sign_note,
)

TEXT = Checkpoint(ORIGIN, 5, leaf_hash(b"root")).to_text()


def test_message_is_exact() -> None:
    assert cosignature_message(b"o\n1\nR\n", 1234) == b"cosignature/v1\ntime 1234\no\n1\nR\n"
    assert cosignature_message(TEXT, 0).startswith(b"cosignature/v1\ntime 0\n" + ORIGIN.encode())


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_message_timestamp_range(timestamp: int) -> None:
    with pytest.raises(ValueError, match=f"timestamp {timestamp} is out of range"):
        cosignature_message(TEXT, timestamp)


def test_sign_with_fake_clock() -> None:
    clock = FakeClock(1234.9)
    witness = CosignatureSigner("witness.example", seed("w"), clock=clock)
    signature = witness.sign(TEXT)
    assert len(signature) == 8 + 64
    assert signature[:8] == (1234).to_bytes(8, "big")
    # The Ed25519 part signs exactly the cosignature/v1 message, checked without our code.
    public = Ed25519PublicKey.from_public_bytes(witness.verifier().public_key)
    public.verify(signature[8:], b"cosignature/v1\ntime 1234\n" + TEXT)
    assert witness.verifier().verify(TEXT, signature)
    clock.now = 99
    assert witness.sign(TEXT)[:8] == (99).to_bytes(8, "big")


def test_cosignature_line_is_104_base64_chars() -> None:
    witness = witness_signer("witness.example")
    note = sign_note(TEXT, [witness])
    blob = note.rstrip(b"\n").rsplit(b" ", 1)[1]
    assert len(blob) == 104
    assert blob.endswith(b"==")
    assert base64.b64decode(blob)[:4] == witness.key_id.to_bytes(4, "big")


def test_key_id_uses_type_byte_0x04() -> None:
    # Pitfall 7: the same seed has different key IDs as a log key and as a cosigner key.
    log = Ed25519Signer("shared.example", seed("shared"))
    witness = CosignatureSigner("shared.example", seed("shared"))
    public = log.verifier().public_key
    assert witness.verifier().public_key == public
    assert log.key_id == key_id("shared.example", b"\x01" + public)
    assert witness.key_id == key_id("shared.example", b"\x04" + public)
    assert log.key_id != witness.key_id


def test_log_signature_is_not_a_cosignature_and_vice_versa() -> None:
    log = Ed25519Signer("shared.example", seed("shared"))
    witness = CosignatureSigner("shared.example", seed("shared"), clock=FakeClock(5))
    as_log = open_note(sign_note(TEXT, [log]), [log.verifier(), witness.verifier()])
    assert [s.key_id for s in as_log.verified] == [log.key_id]
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_note(sign_note(TEXT, [witness]), [log.verifier()])
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_note(sign_note(TEXT, [log]), [witness.verifier()])


def test_verifier_key_text_and_parse_dispatch() -> None:
    witness = witness_signer("witness.example")
    vkey = witness.verifier().key_text
    assert vkey.split("+")[2].startswith("B")  # base64 of a 0x04 type byte
    parsed = parse_verifier_key(vkey)
    assert isinstance(parsed, CosignatureVerifier)
    assert parsed.key_id == witness.key_id
    log_vkey = log_signer().verifier().key_text
    parsed_log = parse_verifier_key(log_vkey)
    assert type(parsed_log) is Ed25519Verifier
    assert parsed_log.key_text == log_vkey
    assert CosignatureSigner.from_key_text(witness.key_text).key_text == witness.key_text


def test_parse_verifier_key_refuses_other_algorithms() -> None:
    raw = base64.b64encode(b"\x02" + bytes(32)).decode()
    with pytest.raises(MalformedKey, match="unsupported key algorithm 0x02"):
        parse_verifier_key(f"x.example+00000000+{raw}")


def test_cosignature_verifier_refuses_bad_signatures() -> None:
    witness = witness_signer("witness.example")
    verifier = witness.verifier()
    good = witness.sign(TEXT)
    assert verifier.verify(TEXT, good)
    assert not verifier.verify(TEXT, good[:-1])  # not 72 bytes
    assert not verifier.verify(TEXT, good[8:])  # no timestamp
    assert not verifier.verify(TEXT, (1235).to_bytes(8, "big") + good[8:])  # other time
    assert not verifier.verify(TEXT, b"\xff" * 8 + good[8:])  # timestamp > 2^63-1
    assert not verifier.verify(TEXT.replace(b"5", b"6"), good)


# k-of-n witness policy in open_checkpoint.


@pytest.fixture
def witnesses() -> list[CosignatureSigner]:
    return [witness_signer(f"w{i}.example", at=1000 + i) for i in range(3)]


def _cosigned(*cosigners: CosignatureSigner) -> bytes:
    return sign_note(TEXT, [log_signer(), *cosigners])


def test_threshold_met(witnesses: list[CosignatureSigner]) -> None:
    note = _cosigned(witnesses[0], witnesses[2])
    signed = open_checkpoint(
        note,
        log_signer().verifier(),
        witnesses=[w.verifier() for w in witnesses],
        witness_threshold=2,
    )
    assert signed.witnesses == ("w0.example", "w2.example")
    assert signed.cosigned_at == (1000, 1002)
    assert signed.checkpoint.size == 5


def test_threshold_not_met(witnesses: list[CosignatureSigner]) -> None:
    note = _cosigned(witnesses[0], witnesses[2])
    with pytest.raises(
        SignatureInvalid, match="checkpoint has 2 valid witness cosignatures; 3 required"
    ):
        open_checkpoint(
            note,
            log_signer().verifier(),
            witnesses=[w.verifier() for w in witnesses],
            witness_threshold=3,
        )


def test_unknown_cosigners_do_not_count(witnesses: list[CosignatureSigner]) -> None:
    stranger = witness_signer("stranger.example")
    note = _cosigned(witnesses[0], stranger)
    with pytest.raises(SignatureInvalid, match="has 1 valid witness cosignatures; 2 required"):
        open_checkpoint(
            note,
            log_signer().verifier(),
            witnesses=[w.verifier() for w in witnesses],
            witness_threshold=2,
        )


def test_invalid_cosignature_from_a_known_witness_rejects(
    witnesses: list[CosignatureSigner],
) -> None:
    good = _cosigned(witnesses[0])
    forged = sign_note(Checkpoint(ORIGIN, 6, leaf_hash(b"x")).to_text(), [witnesses[1]])
    line = forged[forged.rindex(b"\n\n") + 2 :]
    with pytest.raises(
        SignatureInvalid, match=r"signature by w1\.example \([0-9a-f]{8}\) is invalid"
    ):
        open_checkpoint(
            good + line,
            log_signer().verifier(),
            witnesses=[w.verifier() for w in witnesses],
            witness_threshold=1,
        )


def test_witness_signature_alone_is_not_a_log_signature(
    witnesses: list[CosignatureSigner],
) -> None:
    note = sign_note(TEXT, [witnesses[0]])
    with pytest.raises(SignatureInvalid, match=r"not signed by the log key example\.org/log"):
        open_checkpoint(note, log_signer().verifier(), witnesses=[witnesses[0].verifier()])


def test_threshold_above_witness_count_is_a_usage_error(
    witnesses: list[CosignatureSigner],
) -> None:
    with pytest.raises(ValueError, match="cannot require 4 of 3 witnesses"):
        open_checkpoint(
            _cosigned(*witnesses),
            log_signer().verifier(),
            witnesses=[w.verifier() for w in witnesses],
            witness_threshold=4,
        )


def test_regression_duplicate_witness_counts_once(witnesses: list[CosignatureSigner]) -> None:
    # Bug: open_checkpoint counted each entry of `witnesses`, so listing one witness twice
    # (e.g. a repeated --witness flag) let a single cosignature meet a 2-of-n policy.
    once = witnesses[0].verifier()
    note = _cosigned(witnesses[0])
    with pytest.raises(ValueError, match="cannot require 2 of 1 witnesses"):
        open_checkpoint(note, log_signer().verifier(), witnesses=[once, once], witness_threshold=2)
    with pytest.raises(SignatureInvalid, match="has 1 valid witness cosignatures; 2 required"):
        open_checkpoint(
            note,
            log_signer().verifier(),
            witnesses=[once, witnesses[1].verifier(), witnesses[0].verifier()],
            witness_threshold=2,
        )


def test_timestamp_of_requires_the_witness_line(witnesses: list[CosignatureSigner]) -> None:
    opened = open_note(_cosigned(witnesses[0]), [log_signer().verifier(), witnesses[0].verifier()])
    assert witnesses[0].verifier().timestamp_of(opened) == 1000
    with pytest.raises(KeyError, match=r"w1\.example"):
        witnesses[1].verifier().timestamp_of(opened)
