"""Where the ledger's collaborators are built from settings, and nowhere else."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.conf import settings

from amanah.ledger.storage import DatabaseTileStorage
from amanah.transparency import Ed25519Signer, Ed25519Verifier


def log_storage() -> DatabaseTileStorage:
    return DatabaseTileStorage()


def verifier_key_file() -> Path:
    """Where `make run` finds the key it prints for `amanah-verify --key`."""
    return Path(settings.AMANAH_VAR_DIR) / "log-key.pub"


@cache
def _signer_from(key_file: Path, origin: str) -> Ed25519Signer:
    try:
        signer = Ed25519Signer.from_key_text(key_file.read_text())
    except FileNotFoundError:
        signer = _create_signer(key_file, origin)
    if signer.name != origin:
        raise RuntimeError(
            f"the log key in {key_file} is for {signer.name!r}, but AMANAH_LOG_ORIGIN is {origin!r}"
        )
    return signer


def _create_signer(key_file: Path, origin: str) -> Ed25519Signer:
    """A new log key, written 0600 with O_EXCL so two processes cannot both create one."""
    signer = Ed25519Signer.generate(origin)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Ed25519Signer.from_key_text(key_file.read_text())
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.key_text + "\n")
    return signer


def log_signer() -> Ed25519Signer:
    """The log's signing key: AMANAH_LOG_KEY_FILE, created on first use (mode 0600)."""
    return _signer_from(Path(settings.AMANAH_LOG_KEY_FILE), settings.AMANAH_LOG_ORIGIN)


def log_verifier() -> Ed25519Verifier | None:
    """The log's public key for pages to show; None where no key exists yet.

    Reading never creates a key: a server that lost its key file must not quietly show a
    new, wrong one. Only signing (`log_signer`) creates the key, on first use.
    """
    key_file = Path(settings.AMANAH_LOG_KEY_FILE)
    if not key_file.exists():
        return None
    return _signer_from(key_file, settings.AMANAH_LOG_ORIGIN).verifier()


def publish_verifier_key() -> Path:
    """Write the log's public key where the README and `make run` point people."""
    path = verifier_key_file()
    text = log_signer().verifier().key_text + "\n"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path
