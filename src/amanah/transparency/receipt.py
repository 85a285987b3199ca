"""c2sp.org/tlog-proof: an offline receipt that one entry is in the log.

    c2sp.org/tlog-proof@v1
    extra <base64>          (Amanah puts the entry's bytes here, so one file suffices)
    index <n>
    <inclusion proof, one base64 hash a line>
    <blank line>
    <the signed checkpoint, verbatim, with any cosignatures>

`extra` is not authenticated by the format: it is trusted only because its leaf hash
must be proved included under a checkpoint the log key signed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .checkpoint import SignedCheckpoint, open_checkpoint
from .cosignature import CosignatureVerifier
from .errors import MalformedNote, MalformedProof, ProofInvalid
from .hashing import HASH_SIZE, leaf_hash
from .note import Verifier, b64decode_strict
from .proofs import verify_inclusion
from .reader import TileHashReader

__all__ = ["Receipt", "make_receipt", "verify_receipt"]

_HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class Receipt:
    index: int
    proof: tuple[bytes, ...]
    checkpoint_note: bytes
    extra: bytes | None = None

    def to_bytes(self) -> bytes:
        lines = [_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.proof)
        return ("\n".join(lines) + "\n\n").encode() + self.checkpoint_note

    @classmethod
    def from_bytes(cls, data: bytes) -> Receipt:
        """Parse a receipt's framing; nothing in it is trusted until `verify_receipt`."""
        head, sep, note = data.partition(b"\n\n")
        if not sep:
            raise MalformedProof("receipt has no blank line before its checkpoint")
        try:
            lines = head.decode("ascii").split("\n")
        except UnicodeDecodeError:
            raise MalformedProof("receipt header is not ASCII") from None
        if lines[0] != _HEADER:
            raise MalformedProof(f"receipt must start with {_HEADER!r}")
        position = 1
        extra = None
        if position < len(lines) and lines[position].startswith("extra "):
            extra = _b64(lines[position].removeprefix("extra "), "extra data")
            position += 1
        match = _INDEX.fullmatch(lines[position]) if position < len(lines) else None
        if match is None:
            raise MalformedProof("receipt needs an 'index <n>' line in canonical decimal")
        proof = tuple(_b64(line, f"proof line {n}") for n, line in enumerate(lines[position + 1 :]))
        if any(len(h) != HASH_SIZE for h in proof):
            raise MalformedProof("every proof line must be a 32-byte hash")
        return cls(int(match.group(1)), proof, note, extra)


def _b64(text: str, what: str) -> bytes:
    try:
        return b64decode_strict(text, what)
    except MalformedNote as error:
        raise MalformedProof(str(error)) from None


def make_receipt(
    reader: TileHashReader, index: int, checkpoint_note: bytes, *, include_entry: bool = True
) -> Receipt:
    """A receipt for entry `index` under the checkpoint `checkpoint_note` (of `reader`'s size)."""
    extra = reader.entry(index) if include_entry else None
    return Receipt(index, tuple(reader.inclusion_proof(index)), checkpoint_note, extra)


def verify_receipt(
    receipt: Receipt,
    log_key: Verifier,
    *,
    entry: bytes | None = None,
    origin: str | None = None,
    witnesses: Sequence[CosignatureVerifier] = (),
    witness_threshold: int = 0,
) -> SignedCheckpoint:
    """Check a receipt offline: the checkpoint's signatures, then the entry's inclusion.

    `entry` is the record the holder has; if absent, the entry carried in `extra` is used,
    and if both are present they must be identical.
    """
    signed = open_checkpoint(
        receipt.checkpoint_note,
        log_key,
        origin=origin,
        witnesses=witnesses,
        witness_threshold=witness_threshold,
    )
    if entry is None:
        if receipt.extra is None:
            raise MalformedProof("receipt carries no entry; supply the entry to check")
        entry = receipt.extra
    elif receipt.extra is not None and receipt.extra != entry:
        raise ProofInvalid("the entry given differs from the entry the receipt carries")
    verify_inclusion(
        leaf_hash(entry),
        receipt.index,
        signed.checkpoint.size,
        receipt.proof,
        signed.checkpoint.root_hash,
    )
    return signed
