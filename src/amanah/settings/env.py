"""Typed readers of environment variables.

Each reader names the variable in its error, so a typo in a deployment fails at start-up
with a sentence that says what to fix, not later with a confusing symptom.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

__all__ = ["boolean", "choice", "database", "integer", "path", "secret_key", "string", "strings"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    """The variable's value, with an empty value treated as unset (`FOO= make run`)."""
    value = os.environ.get(name)
    return value if value else None


def string(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def choice(name: str, default: str, choices: list[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {number}")
    return number


def strings(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored, empty items are an error."""
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if not all(items):
        raise ImproperlyConfigured(
            f"{name} has an empty item in its comma-separated list: {value!r}"
        )
    return items


def path(name: str, default: Path) -> Path:
    """An absolute path: a relative one would depend on the directory the server starts in."""
    value = _raw(name)
    if value is None:
        return default
    result = Path(value).expanduser()
    if not result.is_absolute():
        raise ImproperlyConfigured(f"{name} must be an absolute path; got {value!r}")
    return result


def database(name: str) -> dict[str, Any] | None:
    """A Django DATABASES entry parsed from a URL, or None when the variable is unset."""
    value = _raw(name)
    if value is None:
        return None
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
        )
    except ValueError as exc:
        # Never echo the URL itself: it usually holds the password.
        scheme = value.split(":", 1)[0]
        raise ImproperlyConfigured(
            f"{name} is not a database URL Django can use ({scheme}:…): {exc}"
        ) from None
    return config


def secret_key(name: str, file: Path) -> str:
    """The key from the environment, else from `file`, which is created once with mode 0600.

    Generating the key on first start keeps `make run` free of set-up steps while never
    putting a key in the source. Two processes starting together must agree on one key,
    so the file appears atomically (hard link of a complete temporary file) and the loser
    of the race reads the winner's key.
    """
    value = _raw(name)
    if value is not None:
        return value
    try:
        return _read_secret(file)
    except FileNotFoundError:
        pass
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # Another process won the race: its key stands, and ours is discarded below.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, file)
    finally:
        temporary.unlink()
    return _read_secret(file)


def _read_secret(file: Path) -> str:
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"{file} is readable by other users (mode {mode:04o}); run: chmod 600 {file}"
        )
    key = file.read_text(encoding="ascii").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(
            f"{file} holds a key shorter than 50 characters; delete it to make a new one"
        )
    return key
