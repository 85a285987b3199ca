"""Where a log's files live: the ports the writer and readers use, and two adapters.

A log is a tree of immutable files (tiles, entry bundles) and one mutable file (the
checkpoint), addressed by their C2SP path relative to the log's prefix. Anything that
can read and atomically write such paths can hold a log: a directory here, a database
table in the Django ledger, a URL for readers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Protocol

from .errors import StorageError, TileNotFound

__all__ = ["DirectoryStorage", "LogReader", "LogStorage", "MemoryStorage", "check_log_path"]


class LogReader(Protocol):
    """Reads a log file by its path relative to the log prefix; raises `TileNotFound`."""

    def read(self, path: str) -> bytes: ...


class LogStorage(LogReader, Protocol):
    """A log reader that can also write: each `write` replaces a whole file atomically."""

    def write(self, path: str, data: bytes) -> None: ...

    def sync(self) -> None:
        """Make every write so far durable (e.g. fsync); called once per batch."""
        ...


def check_log_path(path: str) -> str:
    """Refuse paths that could escape the log or reach private files (dot-files)."""
    parts = PurePosixPath(path).parts
    if (
        not parts
        or path.startswith("/")
        or "\x00" in path
        or any(p in ("..", ".") or p.startswith(".") for p in parts)
    ):
        raise StorageError(f"{path!r} is not a public log path")
    return path


class MemoryStorage:
    """A log held in a dict: the fake for tests and for building proofs in memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def read(self, path: str) -> bytes:
        try:
            return self.files[check_log_path(path)]
        except KeyError:
            raise TileNotFound(path) from None

    def write(self, path: str, data: bytes) -> None:
        self.files[check_log_path(path)] = bytes(data)

    def sync(self) -> None:
        return None


class DirectoryStorage:
    """A log as files under `root`.

    The checkpoint is written under a temporary name and renamed, so readers only ever see
    a whole one. Tiles and bundles are written in place: a tile means something only once
    a tree state or checkpoint written after it covers it, and a writer recovering from a
    crash rewrites everything past that point, so a torn tile is never trusted. (Creating
    and renaming a temporary file per tile would double the file-system cost of
    integration, which creates two files per 256 entries.)

    With `durable=True` every file is fsynced as it is written and `sync()` fsyncs the
    directories, so nothing is trusted before it is on disk.
    """

    _REPLACED_ATOMICALLY = frozenset({"checkpoint"})

    def __init__(self, root: Path | str, *, durable: bool = True) -> None:
        self.root = Path(root)
        self.durable = durable
        self._unsynced_dirs: set[Path] = set()
        self._known_dirs: set[Path] = set()

    def _path(self, path: str) -> Path:
        return self.root / check_log_path(path)

    def read(self, path: str) -> bytes:
        try:
            return self._path(path).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise TileNotFound(path) from None
        except OSError as error:
            raise StorageError(f"cannot read {path}: {error.strerror}") from error

    def write(self, path: str, data: bytes) -> None:
        target = self._path(path)
        try:
            if target.parent not in self._known_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._known_dirs.add(target.parent)
            if path in self._REPLACED_ATOMICALLY:
                self._replace(target, data)
            else:
                self._write_in_place(target, data)
        except OSError as error:
            raise StorageError(f"cannot write {path}: {error.strerror}") from error
        self._unsynced_dirs.add(target.parent)

    def _write_in_place(self, target: Path, data: bytes) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(fd, data)
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)

    def _replace(self, target: Path, data: bytes) -> None:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if self.durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def sync(self) -> None:
        if self.durable:
            for directory in sorted(self._unsynced_dirs):
                fsync_directory(directory)
        self._unsynced_dirs.clear()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_directory(directory: Path) -> None:
    """Persist a rename: on POSIX a new name is durable only once its directory is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
