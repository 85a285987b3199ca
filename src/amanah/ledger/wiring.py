"""Where the ledger's collaborators are built from settings, and nowhere else."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from amanah.transparency import DirectoryStorage


def log_directory() -> Path:
    return Path(settings.AMANAH_LOG_DIR)


def log_reader() -> DirectoryStorage:
    """The published log files; reads only, so no fsync on this path."""
    return DirectoryStorage(log_directory(), durable=False)


def verifier_key_file() -> Path:
    """Where `make run` finds the key it prints for `amanah-verify --key`."""
    return Path(settings.AMANAH_VAR_DIR) / "log-key.pub"
