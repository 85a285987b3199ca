"""Log entries as bytes: RFC 8785 canonical JSON and salted commitments to private data."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import rfc8785

from .errors import MalformedInput

__all__ = ["canonical_json", "canonicalise_json_line", "commit_private"]


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value (floats are refused by the caller's policy, not here)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise MalformedInput(f"value cannot be canonicalised as JSON: {error}") from error


def canonicalise_json_line(line: bytes) -> bytes:
    """Parse one JSON text and return its canonical form; duplicate keys are refused."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise MalformedInput(f"JSON object has a duplicate key among {sorted(keys)[:5]}")
        return dict(pairs)

    try:
        value = json.loads(line, object_pairs_hook=no_duplicates)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MalformedInput(f"not a JSON text: {error}") from error
    return canonical_json(value)


def commit_private(value: Any, *, salt: bytes | None = None) -> tuple[str, bytes]:
    """A hiding commitment SHA-256(salt || canonical JSON), as hex, and the salt used.

    The salt (32 random bytes unless given) stays with the private data; disclosing both
    later lets an auditor check they match what the log committed to.
    """
    salt = secrets.token_bytes(32) if salt is None else salt
    return hashlib.sha256(salt + canonical_json(value)).hexdigest(), salt
