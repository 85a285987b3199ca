"""c2sp.org/tlog-cosignature, cosignature/v1: a witness's Ed25519 signature over a checkpoint.

The signed message is `cosignature/v1\\ntime <seconds>\\n` followed by the whole checkpoint
text, and the signature bytes are an 8-byte big-endian timestamp and the Ed25519
signature. The key ID uses algorithm byte 0x04, so a log key and a witness key made
from the same seed never share an ID.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import MalformedKey
from .note import Ed25519Signer, Ed25519Verifier, Note, parse_key_fields

__all__ = [
    "ALG_COSIGNATURE_V1",
    "CosignatureSigner",
    "CosignatureVerifier",
    "cosignature_message",
    "parse_verifier_key",
]

ALG_COSIGNATURE_V1 = 0x04
_MAX_TIMESTAMP = (1 << 63) - 1


def cosignature_message(checkpoint_text: bytes, timestamp: int) -> bytes:
    """The exact bytes a cosigner signs."""
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise ValueError(f"timestamp {timestamp} is out of range")
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text


class CosignatureVerifier(Ed25519Verifier):
    """Verifies cosignature/v1 lines; `verify` takes the checkpoint text as the message."""

    algorithm = ALG_COSIGNATURE_V1

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > _MAX_TIMESTAMP:
            return False
        return super().verify(cosignature_message(message, timestamp), signature[8:])

    def timestamp_of(self, note: Note) -> int:
        """When this witness cosigned `note` (POSIX seconds); the note must carry its line."""
        for sig in note.verified:
            if (sig.name, sig.key_id) == (self.name, self.key_id):
                return int.from_bytes(sig.signature[:8], "big")
        raise KeyError(self.name)


class CosignatureSigner(Ed25519Signer):
    """Signs checkpoint text as a witness; `clock` gives POSIX seconds (a port, for tests)."""

    algorithm = ALG_COSIGNATURE_V1
    verifier_class = CosignatureVerifier

    def __init__(self, name: str, seed: bytes, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(name, seed)
        self._clock = clock

    def verifier(self) -> CosignatureVerifier:
        verifier = super().verifier()
        assert isinstance(verifier, CosignatureVerifier)
        return verifier

    def sign(self, message: bytes) -> bytes:
        timestamp = int(self._clock())
        return timestamp.to_bytes(8, "big") + super().sign(cosignature_message(message, timestamp))


def parse_verifier_key(text: str) -> Ed25519Verifier:
    """A log (0x01) or witness (0x04) verifier key from its `name+id+base64` text."""
    _, _, material = parse_key_fields(text.strip(), private=False)
    if material[0] == ALG_COSIGNATURE_V1:
        return CosignatureVerifier.from_key_text(text)
    if material[0] == Ed25519Verifier.algorithm:
        return Ed25519Verifier.from_key_text(text)
    raise MalformedKey(f"unsupported key algorithm {material[0]:#04x}")
