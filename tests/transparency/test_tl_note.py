"""c2sp.org/signed-note: keys, signing, opening, strict framing."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from tl_support import log_signer, seed

from amanah.transparency import (
    Ed25519Signer,
    Ed25519Verifier,
    MalformedKey,
    MalformedNote,
    NoteSignature,
    SignatureInvalid,
    key_id,
    open_note,
    sign_note,
)
from amanah.transparency.note import MAX_SIGNATURES, split_note

TEXT = b"Amanah test note\nsecond line\n"
DASH = "\u2014"


@pytest.fixture
def alice() -> Ed25519Signer:
    return log_signer("alice.example/log", "alice")


@pytest.fixture
def bob() -> Ed25519Signer:
    return log_signer("bob.example/log", "bob")


def _line(note: bytes, number: int = 0) -> bytes:
    """Signature line `number` of a note, with its newline."""
    block = note[note.rindex(b"\n\n") + 2 :]
    return block.splitlines(keepends=True)[number]


def test_sign_note_layout(alice: Ed25519Signer) -> None:
    note = sign_note(TEXT, [alice])
    signature = alice.sign(TEXT)
    blob = base64.b64encode(alice.key_id.to_bytes(4, "big") + signature).decode()
    assert note == TEXT + b"\n" + f"{DASH} alice.example/log {blob}\n".encode()
    assert note.count("\u2014".encode()) == 1
    assert "\u2014".encode() == b"\xe2\x80\x94"


def test_open_note_returns_text_and_verified_signature(alice: Ed25519Signer) -> None:
    opened = open_note(sign_note(TEXT, [alice]), [alice.verifier()])
    assert opened.text == TEXT
    assert [(s.name, s.key_id) for s in opened.verified] == [(alice.name, alice.key_id)]
    assert opened.unverified == ()
    assert opened.signed_by(alice.verifier())


def test_signing_is_deterministic(alice: Ed25519Signer) -> None:
    assert sign_note(TEXT, [alice]) == sign_note(TEXT, [alice])


def test_text_may_contain_blank_lines(alice: Ed25519Signer) -> None:
    text = b"first\n\nafter a blank line\n\n\n"
    opened = open_note(sign_note(text, [alice]), [alice.verifier()])
    assert opened.text == text


def test_unknown_keys_are_ignored(alice: Ed25519Signer, bob: Ed25519Signer) -> None:
    opened = open_note(sign_note(TEXT, [alice, bob]), [alice.verifier()])
    assert [s.name for s in opened.verified] == ["alice.example/log"]
    assert [(s.name, s.key_id) for s in opened.unverified] == [(bob.name, bob.key_id)]
    assert not opened.signed_by(bob.verifier())


def test_known_key_with_bad_signature_rejects_the_note(
    alice: Ed25519Signer, bob: Ed25519Signer
) -> None:
    # A good signature from another known key does not rescue the note.
    note = sign_note(TEXT, [alice, bob])
    bad = sign_note(b"other text\n", [bob])
    note = note.replace(_line(note, 1), _line(bad))
    with pytest.raises(
        SignatureInvalid, match=f"signature by bob.example/log \\({bob.key_id:08x}\\) is invalid"
    ):
        open_note(note, [alice.verifier(), bob.verifier()])


def test_tampered_text_is_rejected(alice: Ed25519Signer) -> None:
    note = sign_note(TEXT, [alice]).replace(b"second", b"Second")
    with pytest.raises(SignatureInvalid, match="is invalid"):
        open_note(note, [alice.verifier()])


def test_no_known_signature_is_rejected(alice: Ed25519Signer, bob: Ed25519Signer) -> None:
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_note(sign_note(TEXT, [alice]), [bob.verifier()])
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_note(sign_note(TEXT, [alice]), [])


def test_same_name_other_key_is_unknown(alice: Ed25519Signer) -> None:
    impostor = Ed25519Signer(alice.name, seed("impostor"))
    assert impostor.key_id != alice.key_id
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        open_note(sign_note(TEXT, [impostor]), [alice.verifier()])


def test_sign_note_keeps_existing_signatures(alice: Ed25519Signer, bob: Ed25519Signer) -> None:
    first = sign_note(TEXT, [alice])
    _, existing = split_note(first)
    both = sign_note(TEXT, [bob], existing=existing)
    assert both == first + _line(sign_note(TEXT, [bob]))
    opened = open_note(both, [alice.verifier(), bob.verifier()])
    assert len(opened.verified) == 2


def test_sign_note_refuses_bad_input(alice: Ed25519Signer) -> None:
    with pytest.raises(ValueError, match="a note needs at least one signature"):
        sign_note(TEXT, [])
    with pytest.raises(MalformedNote, match="note text must end with a newline"):
        sign_note(b"no newline", [alice])
    with pytest.raises(MalformedNote, match="control character 0x09"):
        sign_note(b"tab\there\n", [alice])


def test_duplicate_lines_from_a_known_key_count_once(alice: Ed25519Signer) -> None:
    note = sign_note(TEXT, [alice])
    opened = open_note(note + _line(note), [alice.verifier()])
    assert len(opened.verified) == 1


# Malformed notes: framing is checked before any signature.


@pytest.fixture
def good(alice: Ed25519Signer) -> bytes:
    return sign_note(TEXT, [alice])


def _open(note: bytes, signer: Ed25519Signer) -> None:
    open_note(note, [signer.verifier()])


def test_missing_blank_line(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match="no blank line before its signatures"):
        _open(good.replace(b"\n\n", b"\n"), alice)


@pytest.mark.parametrize("dash", ["-", "\u2013", "--", "\u2014\u2014"])
def test_wrong_dash(alice: Ed25519Signer, good: bytes, dash: str) -> None:
    # Pitfall 6: only U+2014 EM DASH followed by a space starts a signature line.
    with pytest.raises(MalformedNote, match="does not start with '\u2014 '"):
        _open(good.replace("\u2014".encode(), dash.encode()), alice)


def test_bad_base64(alice: Ed25519Signer, good: bytes) -> None:
    line = _line(good)
    broken = line[:-6] + b"!!!!=\n"
    with pytest.raises(
        MalformedNote, match=r"signature of 'alice\.example/log' is not valid base64"
    ):
        _open(good.replace(line, broken), alice)


def test_non_canonical_base64(alice: Ed25519Signer, good: bytes) -> None:
    # 4 + 64 bytes encode to 92 chars ending "="; the char before the padding carries 2
    # unused bits, so flipping one gives a string that decodes to the same bytes.
    line = _line(good)
    assert line.endswith(b"=\n")
    assert not line.endswith(b"==\n")
    last = line[-3:-2].decode()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    sloppy = alphabet[alphabet.index(last) ^ 1]
    assert sloppy != last
    broken = line[:-3] + sloppy.encode() + b"=\n"
    assert base64.b64decode(broken.split()[-1]) == base64.b64decode(line.split()[-1])
    with pytest.raises(MalformedNote, match="is not canonical base64"):
        _open(good.replace(line, broken), alice)


@pytest.mark.parametrize(
    ("bad", "code"), [(b"\t", "0x09"), (b"\r", "0x0d"), (b"\x00", "0x00"), (b"\x7f", "0x7f")]
)
def test_control_characters(alice: Ed25519Signer, good: bytes, bad: bytes, code: str) -> None:
    with pytest.raises(MalformedNote, match=f"note contains control character {code}"):
        _open(good.replace(b"second line", b"second" + bad + b"line"), alice)


def test_crlf_line_endings(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match="control character 0x0d"):
        _open(good.replace(b"\n", b"\r\n"), alice)


def test_invalid_utf8(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match="note is not valid UTF-8"):
        _open(b"\xff" + good, alice)


def test_missing_final_newline(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match="note does not end with a newline"):
        _open(good[:-1], alice)


def test_empty_signature_block(alice: Ed25519Signer) -> None:
    with pytest.raises(MalformedNote, match="does not end with a newline"):
        _open(TEXT + b"\n", alice)


def test_trailing_line_after_signatures(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match=r"'Unexpected line\.' does not start with"):
        _open(good + b"Unexpected line.\n", alice)


@pytest.mark.parametrize(
    "line",
    [
        f"{DASH} alice.example/log\n",
        f"{DASH} alice.example/log AAAA AAAA\n",
        f"{DASH}  alice.example/log AAAAAAAA\n",
    ],
)
def test_signature_line_fields(alice: Ed25519Signer, good: bytes, line: str) -> None:
    with pytest.raises(MalformedNote, match=r"is not '\u2014 <name> <signature>'"):
        _open(good + line.encode(), alice)


def test_signature_too_short_for_key_id(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match="too short to hold a key ID"):
        _open(good + f"{DASH} alice.example/log AAAAAA==\n".encode(), alice)


def test_bad_key_name_in_signature_line(alice: Ed25519Signer, good: bytes) -> None:
    with pytest.raises(MalformedNote, match="must be non-empty, without spaces or '\\+'"):
        _open(good + f"{DASH} a+b AAAAAAAA\n".encode(), alice)


def test_signature_count_limit(alice: Ed25519Signer, good: bytes) -> None:
    line = _line(good)
    assert MAX_SIGNATURES == 100
    opened = open_note(good + line * (MAX_SIGNATURES - 1), [alice.verifier()])
    assert opened.text == TEXT
    with pytest.raises(MalformedNote, match="note has 101 signatures; at most 100 allowed"):
        _open(good + line * MAX_SIGNATURES, alice)


def test_sixteen_distinct_signers_are_accepted(alice: Ed25519Signer) -> None:
    # The spec asks verifiers to accept at least 16 signatures.
    others = [Ed25519Signer(f"w{i}.example", seed(f"w{i}")) for i in range(15)]
    opened = open_note(sign_note(TEXT, [alice, *others]), [alice.verifier()])
    assert len(opened.verified) == 1
    assert len(opened.unverified) == 15


# Keys.


def test_key_id_definition(alice: Ed25519Signer) -> None:
    public = alice.verifier().public_key
    digest = hashlib.sha256(b"alice.example/log\n\x01" + public).digest()
    assert key_id("alice.example/log", b"\x01" + public) == int.from_bytes(digest[:4], "big")
    assert alice.key_id == alice.verifier().key_id == key_id(alice.name, b"\x01" + public)


def test_key_text_round_trip(alice: Ed25519Signer) -> None:
    vkey = alice.verifier().key_text
    assert re.fullmatch(r"alice\.example/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}", vkey)
    assert vkey.split("+")[1] == f"{alice.key_id:08x}"
    assert Ed25519Verifier.from_key_text(vkey).key_text == vkey
    skey = alice.key_text
    assert skey.startswith(f"PRIVATE+KEY+alice.example/log+{alice.key_id:08x}+A")
    again = Ed25519Signer.from_key_text(skey + "\n")
    assert again.key_text == skey
    assert again.sign(TEXT) == alice.sign(TEXT)


def test_vkey_with_plus_in_base64() -> None:
    # Pitfall 8: split only on the first two '+'; base64 may contain more.
    for n in range(200):
        signer = Ed25519Signer("plus.example", seed(f"plus {n}"))
        vkey = signer.verifier().key_text
        if "+" in vkey.split("+", 2)[2]:
            break
    else:
        pytest.fail("no seed gave a key with '+' in its base64")
    parsed = Ed25519Verifier.from_key_text(vkey)
    assert parsed.name == "plus.example"
    assert parsed.public_key == signer.verifier().public_key
    assert parsed.key_id == signer.key_id


def test_signer_repr_hides_the_seed(alice: Ed25519Signer) -> None:
    material = alice.key_text.rsplit("+", 1)[1]
    assert material not in repr(alice)
    assert f"{alice.key_id:08x}" in repr(alice)


def test_generated_signers_differ() -> None:
    one, two = Ed25519Signer.generate("gen.example"), Ed25519Signer.generate("gen.example")
    assert one.verifier().public_key != two.verifier().public_key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alice.example/log+0000000+AAAA", "8 lowercase hex digits"),
        ("alice.example/log+ABCDEF01+AAAA", "8 lowercase hex digits"),
        ("alice.example/log+abcdef01", "does not have 3 '\\+'-separated fields"),
        ("+abcdef01+AAAA", "must be non-empty"),
        ("alice example+abcdef01+AAAA", "without spaces"),
        ("alice.example/log+abcdef01+!!!!", "key is not valid base64"),
        ("alice.example/log+abcdef01+AAB=", "key is not canonical base64"),
        ("alice.example/log+abcdef01+", "key has no algorithm byte"),
        ("alice.example/log+abcdef01+AgAA", "key algorithm 0x02 is not 0x01"),
        ("alice.example/log+abcdef01+AQAA", "Ed25519 public key is 2 bytes, not 32"),
    ],
)
def test_malformed_verifier_keys(text: str, message: str) -> None:
    with pytest.raises(MalformedKey, match=message):
        Ed25519Verifier.from_key_text(text)


def test_verifier_key_id_must_match(alice: Ed25519Signer) -> None:
    name, id_text, material = alice.verifier().key_text.split("+", 2)
    wrong = f"{(alice.key_id ^ 1):08x}"
    with pytest.raises(MalformedKey, match=f"key ID {wrong} does not match the key"):
        Ed25519Verifier.from_key_text(f"{name}+{wrong}+{material}")
    with pytest.raises(MalformedKey, match="does not match the key"):
        # The key ID covers the name: the same key under another name is another key.
        Ed25519Verifier.from_key_text(f"other.example+{id_text}+{material}")


def test_malformed_signer_keys(alice: Ed25519Signer) -> None:
    with pytest.raises(MalformedKey, match="must start with PRIVATE\\+KEY\\+"):
        Ed25519Signer.from_key_text(alice.key_text.replace("PRIVATE+KEY", "PUBLIC+KEY"))
    with pytest.raises(MalformedKey, match="does not have 5"):
        Ed25519Signer.from_key_text(alice.verifier().key_text)
    with pytest.raises(MalformedKey, match="private key seed is 31 bytes, not 32"):
        Ed25519Signer("x.example", bytes(31))


def test_key_names_are_checked() -> None:
    for bad in ["", "a b", "a+b", "a\u2003b", "a\x01b"]:
        with pytest.raises(MalformedKey, match="key name"):
            Ed25519Signer(bad, seed("x"))


def test_note_signature_to_line() -> None:
    line = NoteSignature("n.example", 0x01020304, b"\xff" * 3).to_line()
    assert line == f"{DASH} n.example AQIDBP///w==\n".encode()


def test_identical_unknown_signature_lines_are_listed_once() -> None:
    # Go's note.Open (x/mod sumdb/note) drops repeated identical unverified lines.
    alice = Ed25519Signer.generate("alice.example")
    bob = Ed25519Signer.generate("bob.example")
    text = b"hello\n"
    note = sign_note(text, [alice, bob])
    bob_line = note.splitlines(keepends=True)[-1]
    opened = open_note(note + bob_line, [alice.verifier()])
    assert [(s.name, s.key_id) for s in opened.unverified] == [(bob.name, bob.key_id)]
