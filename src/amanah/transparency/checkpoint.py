"""c2sp.org/tlog-checkpoint: the signed statement of a log's size and root.

<origin>\\n<size>\\n<base64 root>\\n[<extension line>\\n ...]
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .cosignature import CosignatureVerifier
from .errors import MalformedCheckpoint, MalformedNote, SignatureInvalid
from .hashing import HASH_SIZE
from .note import Note, Verifier, b64decode_strict, check_note_text, open_note

__all__ = ["Checkpoint", "SignedCheckpoint", "open_checkpoint"]

_SIZE = re.compile(r"0|[1-9][0-9]*")
_MAX_SIZE = (1 << 63) - 1


@dataclass(frozen=True)
class Checkpoint:
    """The body of a checkpoint. Extension lines are kept verbatim; Amanah emits none."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise MalformedCheckpoint("checkpoint origin must be one non-empty line")
        if not 0 <= self.size <= _MAX_SIZE:
            raise MalformedCheckpoint(f"checkpoint size {self.size} is out of range")
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpoint(f"root hash is {len(self.root_hash)} bytes, not 32")
        if any(not line or "\n" in line for line in self.extensions):
            raise MalformedCheckpoint("extension lines must be non-empty single lines")

    def to_text(self) -> bytes:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "".join(line + "\n" for line in [*lines, *self.extensions]).encode()

    @classmethod
    def from_text(cls, text: bytes) -> Checkpoint:
        """Parse a checkpoint body strictly: canonical size, 44-character padded base64 root."""
        try:
            check_note_text(text)
        except MalformedNote as error:
            raise MalformedCheckpoint(str(error)) from None
        lines = text.decode().split("\n")[:-1]
        if len(lines) < 3:
            raise MalformedCheckpoint("checkpoint needs origin, size and root hash lines")
        origin, size_text, root_text, *extensions = lines
        if not _SIZE.fullmatch(size_text):
            raise MalformedCheckpoint(
                f"checkpoint size {size_text[:30]!r} is not canonical decimal"
            )
        if len(root_text) != 44:
            raise MalformedCheckpoint("checkpoint root hash must be 44 characters of base64")
        root = b64decode_strict(root_text, "checkpoint root hash", MalformedCheckpoint)
        size = int(size_text)
        if size > _MAX_SIZE:
            raise MalformedCheckpoint(f"checkpoint size {size} exceeds 2^63-1")
        return cls(origin, size, root, tuple(extensions))


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose log signature, and any witness cosignatures asked for, verified."""

    checkpoint: Checkpoint
    note: bytes
    opened: Note
    witnesses: tuple[str, ...] = field(default=())
    cosigned_at: tuple[int, ...] = field(default=())


def open_checkpoint(
    note: bytes,
    log_key: Verifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[CosignatureVerifier] = (),
    witness_threshold: int = 0,
) -> SignedCheckpoint:
    """Verify the log's signature (first) and then parse and check a checkpoint.

    `origin` defaults to the log key's name, which the spec recommends they share.
    Witness cosignatures count only from `witnesses`; fewer than `witness_threshold`
    valid ones raise `SignatureInvalid`.
    """
    # A witness listed twice must not count twice towards the threshold.
    witnesses = list({(w.name, w.key_id): w for w in witnesses}.values())
    if witness_threshold > len(witnesses):
        raise ValueError(f"cannot require {witness_threshold} of {len(witnesses)} witnesses")
    opened = open_note(note, [log_key, *witnesses])
    if not opened.signed_by(log_key):
        raise SignatureInvalid(f"checkpoint is not signed by the log key {log_key.name}")
    checkpoint = Checkpoint.from_text(opened.text)
    expected = log_key.name if origin is None else origin
    if checkpoint.origin != expected:
        raise MalformedCheckpoint(
            f"checkpoint origin {checkpoint.origin!r} is not the expected {expected!r}"
        )
    cosigners = [w for w in witnesses if opened.signed_by(w)]
    if len(cosigners) < witness_threshold:
        raise SignatureInvalid(
            f"checkpoint has {len(cosigners)} valid witness cosignatures;"
            f" {witness_threshold} required"
        )
    times = tuple(w.timestamp_of(opened) for w in cosigners)
    return SignedCheckpoint(checkpoint, note, opened, tuple(w.name for w in cosigners), times)
