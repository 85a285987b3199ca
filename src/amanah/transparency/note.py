"""c2sp.org/signed-note: Ed25519 keys in their text forms, signing and opening notes.

A note is text (lines ending in newline), a blank line, then signature lines
`— <name> <base64(key ID || signature)>`. Opening a note checks every signature whose
(name, key ID) is known, ignores the others, and fails if a known one is wrong or if
none verified: the semantics of Go's golang.org/x/mod/sumdb/note.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import MalformedKey, MalformedNote, SignatureInvalid

__all__ = [
    "ALG_ED25519",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Note",
    "NoteSignature",
    "Signer",
    "Verifier",
    "check_key_name",
    "key_id",
    "open_note",
    "sign_note",
]

ALG_ED25519 = 0x01
_SIG_PREFIX = "— "
# Go's x/mod stops at 100 signature lines; the spec asks verifiers to accept at least 16.
MAX_SIGNATURES = 100


class Verifier(Protocol):
    """Checks signatures by one key, identified by `name` and `key_id`."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


class Signer(Protocol):
    """Signs note text with one key, identified by `name` and `key_id`."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes: ...


def check_key_name(name: str) -> str:
    """A key name is non-empty with no Unicode whitespace and no `+`."""
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise MalformedKey(f"key name {name!r} must be non-empty, without spaces or '+'")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise MalformedKey(f"key name {name!r} contains a control character")
    return name


def key_id(name: str, key_material: bytes) -> int:
    """SHA-256(name || 0x0A || type byte || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + key_material).digest()
    return int.from_bytes(digest[:4], "big")


def b64decode_strict(text: str, what: str, error: type[Exception] = MalformedNote) -> bytes:
    """Standard padded base64, rejecting anything that would not re-encode identically."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise error(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != text:
        raise error(f"{what} is not canonical base64")
    return raw


def _split_key(text: str, parts: int) -> list[str]:
    # base64 may contain '+', so split only on the separators that precede it.
    fields = text.split("+", parts - 1)
    if len(fields) != parts:
        raise MalformedKey(f"key {text!r} does not have {parts} '+'-separated fields")
    return fields


def parse_key_fields(text: str, *, private: bool) -> tuple[str, int, bytes]:
    """(name, key ID, type byte || key bytes) of a verifier or signer key text, checked."""
    if private:
        fields = _split_key(text, 5)
        if fields[:2] != ["PRIVATE", "KEY"]:
            raise MalformedKey("signer key must start with PRIVATE+KEY+")
        fields = fields[2:]
    else:
        fields = _split_key(text, 3)
    name, id_text, material_text = fields
    check_key_name(name)
    if (
        len(id_text) != 8
        or id_text.lower() != id_text
        or not all(c in "0123456789abcdef" for c in id_text)
    ):
        raise MalformedKey(f"key ID {id_text!r} must be 8 lowercase hex digits")
    material = b64decode_strict(material_text, "key", MalformedKey)
    if not material:
        raise MalformedKey("key has no algorithm byte")
    return name, int(id_text, 16), material


class Ed25519Verifier:
    """An Ed25519 note verifier (algorithm 0x01), from or to a vkey `name+id+base64`."""

    algorithm = ALG_ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise MalformedKey(f"Ed25519 public key is {len(public_key)} bytes, not 32")
        self._name = check_key_name(name)
        self._raw = public_key
        self._key = Ed25519PublicKey.from_public_bytes(public_key)
        self._id = key_id(name, bytes([self.algorithm]) + public_key)

    @classmethod
    def from_key_text(cls, text: str) -> Self:
        name, id_, material = parse_key_fields(text.strip(), private=False)
        if material[0] != cls.algorithm:
            raise MalformedKey(f"key algorithm {material[0]:#04x} is not {cls.algorithm:#04x}")
        verifier = cls(name, material[1:])
        if verifier.key_id != id_:
            raise MalformedKey(f"key ID {id_:08x} does not match the key ({verifier.key_id:08x})")
        return verifier

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._id

    @property
    def public_key(self) -> bytes:
        return self._raw

    @property
    def key_text(self) -> str:
        material = base64.b64encode(bytes([self.algorithm]) + self._raw).decode()
        return f"{self._name}+{self._id:08x}+{material}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key_text!r})"


class Ed25519Signer:
    """An Ed25519 note signer; its text form is Go's `PRIVATE+KEY+name+id+base64(0x01||seed)`."""

    algorithm = ALG_ED25519
    verifier_class: type[Ed25519Verifier] = Ed25519Verifier

    def __init__(self, name: str, seed: bytes) -> None:
        if len(seed) != 32:
            raise MalformedKey(f"Ed25519 private key seed is {len(seed)} bytes, not 32")
        self._seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._verifier = self.verifier_class(name, self._key.public_key().public_bytes_raw())

    @classmethod
    def generate(cls, name: str) -> Self:
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_key_text(cls, text: str) -> Self:
        name, id_, material = parse_key_fields(text.strip(), private=True)
        if material[0] != cls.algorithm:
            raise MalformedKey(f"key algorithm {material[0]:#04x} is not {cls.algorithm:#04x}")
        signer = cls(name, material[1:])
        if signer.key_id != id_:
            raise MalformedKey(f"key ID {id_:08x} does not match the key ({signer.key_id:08x})")
        return signer

    @property
    def name(self) -> str:
        return self._verifier.name

    @property
    def key_id(self) -> int:
        return self._verifier.key_id

    @property
    def key_text(self) -> str:
        material = base64.b64encode(bytes([self.algorithm]) + self._seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    def verifier(self) -> Ed25519Verifier:
        return self._verifier

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def __repr__(self) -> str:
        # Never print the seed.
        return f"{type(self).__name__}(name={self.name!r}, key_id={self.key_id:08x})"


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: who signed (name, key ID) and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def to_line(self) -> bytes:
        blob = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{_SIG_PREFIX}{self.name} {blob}\n".encode()


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the signatures that verified, and those from unknown keys."""

    text: bytes
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]

    def signed_by(self, verifier: Verifier) -> bool:
        return any(s.name == verifier.name and s.key_id == verifier.key_id for s in self.verified)


def _check_text(text: bytes, what: str) -> str:
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNote(f"{what} is not valid UTF-8") from None
    for ch in decoded:
        if (ord(ch) < 0x20 and ch != "\n") or ord(ch) == 0x7F:
            raise MalformedNote(f"{what} contains control character {ord(ch):#04x}")
    return decoded


def check_note_text(text: bytes) -> None:
    """Note text must be non-empty UTF-8 lines, each ending in newline, with no controls."""
    _check_text(text, "note text")
    if not text.endswith(b"\n"):
        raise MalformedNote("note text must end with a newline")


def sign_note(
    text: bytes, signers: Iterable[Signer], *, existing: Sequence[NoteSignature] = ()
) -> bytes:
    """Sign `text` with every signer; `existing` signature lines (e.g. cosignatures) are kept."""
    check_note_text(text)
    lines = [s.to_line() for s in existing]
    for signer in signers:
        check_key_name(signer.name)
        lines.append(NoteSignature(signer.name, signer.key_id, signer.sign(text)).to_line())
    if not lines:
        raise ValueError("a note needs at least one signature")
    return text + b"\n" + b"".join(lines)


def split_note(note: bytes) -> tuple[bytes, list[NoteSignature]]:
    """Split a note into its text and parsed signature lines, checking the framing only."""
    _check_text(note, "note")
    cut = note.rfind(b"\n\n")
    if cut < 0:
        raise MalformedNote("note has no blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    if not block.endswith(b"\n"):
        raise MalformedNote("note does not end with a newline")
    lines = block[:-1].split(b"\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"note has {len(lines)} signatures; at most {MAX_SIGNATURES} allowed")
    return text, [_parse_signature_line(line.decode()) for line in lines]


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_SIG_PREFIX):
        raise MalformedNote(f"signature line {line[:40]!r} does not start with '— '")
    fields = line[len(_SIG_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise MalformedNote(f"signature line {line[:40]!r} is not '— <name> <signature>'")
    name, blob_text = fields
    try:
        check_key_name(name)
    except MalformedKey as error:
        raise MalformedNote(str(error)) from None
    blob = b64decode_strict(blob_text, f"signature of {name!r}")
    if len(blob) < 5:
        raise MalformedNote(f"signature of {name!r} is too short to hold a key ID")
    return NoteSignature(name, int.from_bytes(blob[:4], "big"), blob[4:])


def open_note(note: bytes, verifiers: Iterable[Verifier]) -> Note:
    """Verify a note against known keys.

    Raises `MalformedNote` for bad framing and `SignatureInvalid` when a signature from a
    known key fails or when no known key signed. Signatures from unknown keys are
    returned in `Note.unverified` and otherwise ignored.
    """
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified: dict[tuple[str, int], NoteSignature] = {}
    unverified: list[NoteSignature] = []
    for sig in signatures:
        who = (sig.name, sig.key_id)
        verifier = known.get(who)
        if verifier is None:
            # Like Go's note.Open, repeat copies of the same unknown line are listed once.
            if sig not in unverified:
                unverified.append(sig)
        elif not verifier.verify(text, sig.signature):
            raise SignatureInvalid(f"signature by {sig.name} ({sig.key_id:08x}) is invalid")
        else:
            verified.setdefault(who, sig)
    if not verified:
        raise SignatureInvalid("no signature on the note is from a known key")
    return Note(text, tuple(verified.values()), tuple(unverified))
