"""Storage adapters: MemoryStorage and DirectoryStorage, and the public-path rule."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from amanah.transparency import DirectoryStorage, MemoryStorage, StorageError, TileNotFound
from amanah.transparency.storage import check_log_path

UNSAFE = [
    "",
    "/etc/passwd",
    "../outside",
    "tile/../../outside",
    "tile/0/..",
    ".amanah-log/signer.key",
    "tile/.hidden",
    ".tmp-checkpoint",
    "tile/\x00",
]


@pytest.mark.parametrize("path", UNSAFE)
def test_check_log_path_refuses(path: str) -> None:
    with pytest.raises(StorageError, match="is not a public log path"):
        check_log_path(path)


@pytest.mark.parametrize("path", ["checkpoint", "tile/0/000", "tile/entries/x001/000.p/5"])
def test_check_log_path_accepts(path: str) -> None:
    assert check_log_path(path) == path


def test_memory_storage() -> None:
    storage = MemoryStorage()
    storage.write("tile/0/000", b"abc")
    assert storage.read("tile/0/000") == b"abc"
    assert storage.files == {"tile/0/000": b"abc"}
    with pytest.raises(TileNotFound, match="tile/0/001"):
        storage.read("tile/0/001")
    with pytest.raises(StorageError, match="is not a public log path"):
        storage.write("../x", b"")
    storage.sync()


@pytest.fixture
def directory(tmp_path: Path) -> DirectoryStorage:
    return DirectoryStorage(tmp_path / "log")


def _temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".tmp")]


def test_directory_write_and_read(directory: DirectoryStorage) -> None:
    directory.write("tile/entries/x001/000.p/5", b"bundle")
    directory.write("checkpoint", b"note\n")
    directory.sync()
    assert directory.read("tile/entries/x001/000.p/5") == b"bundle"
    assert directory.read("checkpoint") == b"note\n"
    on_disk = directory.root / "tile/entries/x001/000.p/5"
    assert on_disk.read_bytes() == b"bundle"
    assert stat.S_IMODE(on_disk.stat().st_mode) == 0o644
    assert stat.S_IMODE((directory.root / "checkpoint").stat().st_mode) == 0o644
    assert _temporaries(directory.root) == []


def test_directory_overwrite_replaces_whole_file(directory: DirectoryStorage) -> None:
    directory.write("checkpoint", b"a much longer first version\n")
    directory.write("checkpoint", b"short\n")
    directory.write("tile/0/000.p/1", b"x" * 64)
    directory.write("tile/0/000.p/1", b"y" * 32)
    assert directory.read("checkpoint") == b"short\n"
    assert directory.read("tile/0/000.p/1") == b"y" * 32


def test_checkpoint_replacement_is_atomic(
    directory: DirectoryStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The checkpoint is written to a temporary file and renamed: if the rename fails,
    # readers still see the old checkpoint and no temporary file is left behind.
    directory.write("checkpoint", b"old\n")

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(StorageError, match="cannot write checkpoint: No space left on device"):
        directory.write("checkpoint", b"new\n")
    monkeypatch.undo()
    assert directory.read("checkpoint") == b"old\n"
    assert _temporaries(directory.root) == []


def test_directory_read_missing(directory: DirectoryStorage) -> None:
    with pytest.raises(TileNotFound, match="tile/0/000"):
        directory.read("tile/0/000")
    directory.write("tile/0/000", b"x")
    with pytest.raises(TileNotFound, match="tile/0/000/more"):
        directory.read("tile/0/000/more")  # a file where a directory would be
    with pytest.raises(TileNotFound, match="tile/0"):
        directory.read("tile/0")  # a directory


@pytest.mark.parametrize("path", UNSAFE)
def test_directory_refuses_unsafe_paths(directory: DirectoryStorage, path: str) -> None:
    with pytest.raises(StorageError, match="is not a public log path"):
        directory.read(path)
    with pytest.raises(StorageError, match="is not a public log path"):
        directory.write(path, b"x")


def test_regression_nul_in_path_is_storage_error(directory: DirectoryStorage) -> None:
    # Bug: a NUL byte reached open() and escaped as a bare ValueError ("embedded null byte").
    with pytest.raises(StorageError, match="is not a public log path"):
        directory.read("tile/0/\x00")


def test_directory_write_failure_is_storage_error(tmp_path: Path) -> None:
    (tmp_path / "tile").write_bytes(b"a file where a directory must go")
    storage = DirectoryStorage(tmp_path)
    with pytest.raises(StorageError, match="cannot write tile/0/000"):
        storage.write("tile/0/000", b"x")


def test_sync_with_and_without_durability(tmp_path: Path) -> None:
    for durable in (True, False):
        storage = DirectoryStorage(tmp_path / str(durable), durable=durable)
        storage.write("tile/0/000", b"x")
        storage.sync()
        assert (tmp_path / str(durable) / "tile/0/000").read_bytes() == b"x"
