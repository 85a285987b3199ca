"""Every failure of the transparency core is a `TransparencyError`.

    TransparencyError
    ├── MalformedInput          bytes or text that do not follow the spec
    │   ├── MalformedNote       signed-note framing, key names, signature lines
    │   ├── MalformedKey        signer or verifier key text
    │   ├── MalformedCheckpoint tlog-checkpoint body
    │   ├── MalformedTile       tile paths, tile or entry-bundle contents
    │   ├── MalformedProof      proof or receipt framing
    │   └── EntryTooLarge       an entry that cannot fit a bundle (> 65,535 bytes)
    ├── VerificationFailed      well-formed input that does not check out
    │   ├── SignatureInvalid    a known key's signature is wrong, or no trusted one verified
    │   ├── ProofInvalid        an inclusion or consistency proof does not verify
    │   ├── TileMismatch        a tile or bundle disagrees with what it must hash to
    │   └── LogForked           the log shrank or is inconsistent with what was trusted
    └── StorageError            the log's storage failed or lacks a resource
        └── TileNotFound        a tile, bundle or checkpoint that is not there

Callers catch `VerificationFailed` to tell "this log lies" from `StorageError`
("could not read it") and `MalformedInput` ("this is not a log at all").
"""

from __future__ import annotations

__all__ = [
    "EntryTooLarge",
    "LogForked",
    "MalformedCheckpoint",
    "MalformedInput",
    "MalformedKey",
    "MalformedNote",
    "MalformedProof",
    "MalformedTile",
    "ProofInvalid",
    "SignatureInvalid",
    "StorageError",
    "TileMismatch",
    "TileNotFound",
    "TransparencyError",
    "VerificationFailed",
]


class TransparencyError(Exception):
    """Base of every error raised by `amanah.transparency`."""


class MalformedInput(TransparencyError):
    """Input that does not follow the format it claims."""


class MalformedNote(MalformedInput):
    """A signed note that breaks c2sp.org/signed-note."""


class MalformedKey(MalformedInput):
    """A signer or verifier key that breaks c2sp.org/signed-note."""


class MalformedCheckpoint(MalformedInput):
    """A checkpoint body that breaks c2sp.org/tlog-checkpoint."""


class MalformedTile(MalformedInput):
    """A tile path, tile or entry bundle that breaks c2sp.org/tlog-tiles."""


class MalformedProof(MalformedInput):
    """A proof or receipt whose framing is wrong (before any hashing)."""


class EntryTooLarge(MalformedInput):
    """An entry longer than an entry bundle can hold."""


class VerificationFailed(TransparencyError):
    """Well-formed input that does not verify."""


class SignatureInvalid(VerificationFailed):
    """A signature from a known key is invalid, or no trusted signature verified."""


class ProofInvalid(VerificationFailed):
    """A Merkle inclusion or consistency proof does not verify."""


class TileMismatch(VerificationFailed):
    """A tile or entry bundle disagrees with the hashes it must produce."""


class LogForked(VerificationFailed):
    """The log is not an extension of a checkpoint trusted earlier."""

    def __init__(self, message: str, *, trusted: bytes | None = None, seen: bytes | None = None):
        super().__init__(message)
        self.trusted = trusted
        self.seen = seen


class StorageError(TransparencyError):
    """Reading or writing the log's storage failed."""


class TileNotFound(StorageError):
    """The requested tile, bundle or checkpoint does not exist."""
