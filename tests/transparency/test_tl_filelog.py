"""FileLog: a signed tiled log in a directory, including crash recovery and refusal to fork."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from tl_support import ORIGIN, entries

from amanah.transparency import (
    EMPTY_ROOT,
    Checkpoint,
    DirectoryStorage,
    EntryTooLarge,
    FileLog,
    LogForked,
    MalformedKey,
    MemoryHashes,
    SignatureInvalid,
    StorageError,
    TileWriter,
    TreeState,
    open_checkpoint,
    parse_verifier_key,
    verify_log,
    verify_receipt,
)
from amanah.transparency.filelog import PRIVATE_DIR


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def _public(directory: Path) -> dict[str, bytes]:
    """The files a log publishes (everything but its private directory)."""
    return {k: v for k, v in _snapshot(directory).items() if not k.startswith(PRIVATE_DIR)}


@pytest.fixture
def log(tmp_path: Path) -> FileLog:
    return FileLog.init(tmp_path / "log", origin=ORIGIN)


def _verify(log: FileLog) -> int:
    reader = DirectoryStorage(log.directory)
    return verify_log(reader, parse_verifier_key(log.verifier_key)).checkpoint.size


def test_init_layout(log: FileLog) -> None:
    private = log.directory / PRIVATE_DIR
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_IMODE((private / "signer.key").stat().st_mode) == 0o600
    assert (private / "signer.key").read_text().startswith(f"PRIVATE+KEY+{ORIGIN}+")
    assert (private / "verifier.key").read_text() == log.verifier_key + "\n"
    assert log.tree() == TreeState(0, EMPTY_ROOT)
    assert json.loads((private / "signed.json").read_bytes())["size"] == 0
    signed = open_checkpoint((log.directory / "checkpoint").read_bytes(), log.signer.verifier())
    assert signed.checkpoint == Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert sorted(p.name for p in log.directory.iterdir()) == [PRIVATE_DIR, "checkpoint"]


def test_init_refuses_existing_log_and_bad_origin(log: FileLog, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="already holds a log"):
        FileLog.init(log.directory, origin=ORIGIN)
    with pytest.raises(MalformedKey, match="key name 'has space' must be non-empty"):
        FileLog.init(tmp_path / "other", origin="has space")


def test_open(log: FileLog, tmp_path: Path) -> None:
    again = FileLog.open(log.directory)
    assert again.verifier_key == log.verifier_key
    assert again.origin == ORIGIN
    with pytest.raises(StorageError, match="holds no log"):
        FileLog.open(tmp_path / "nowhere")


def test_published_verifier_key(log: FileLog, tmp_path: Path) -> None:
    assert FileLog.published_verifier_key(log.directory) == log.verifier_key
    assert FileLog.published_verifier_key(tmp_path / "nowhere") is None


def test_append_checkpoint_verify(log: FileLog) -> None:
    assert log.append(entries(300)) == 0
    assert log.append(entries(5, start=300)) == 300
    assert log.size == 305
    assert log.tree().root == MemoryHashes(entries(305)).root()
    # Appending does not publish: the checkpoint still says 0 until checkpoint().
    assert _verify(log) == 0
    note = log.checkpoint()
    assert note == (log.directory / "checkpoint").read_bytes()
    assert open_checkpoint(note, log.signer.verifier()).checkpoint.size == 305
    assert _verify(log) == 305


def test_receipt(log: FileLog) -> None:
    log.append(entries(20))
    log.checkpoint()
    receipt = log.receipt(7)
    assert receipt.extra == b"entry 7"
    verify_receipt(receipt, parse_verifier_key(log.verifier_key))


def test_crash_between_tiles_and_tree_json(log: FileLog) -> None:
    log.append(entries(250))
    log.checkpoint()
    # Simulate a crash: the tiles of 20 more entries (crossing a tile boundary) reach the
    # disk, but tree.json is never updated.
    writer = TileWriter(log.storage, 250)
    writer.append(entries(20, start=250, tag="lost"))
    writer.flush()
    log.storage.sync()
    assert log.size == 250
    # The next append starts again from 250 and overwrites the orphaned tiles cleanly.
    log.append(entries(30, start=250))
    expected = MemoryHashes(entries(280)).root()
    assert log.tree() == TreeState(280, expected)
    log.checkpoint()
    assert _verify(log) == 280


def test_crash_recovery_when_orphans_completed_a_tile(log: FileLog) -> None:
    log.append(entries(250))
    writer = TileWriter(log.storage, 250)
    writer.append(entries(10, start=250, tag="lost"))  # completes tile 0 with lost entries
    writer.flush()
    log.append(entries(3, start=250))  # stays inside tile 0: the stale full tile remains
    log.checkpoint()
    assert _verify(log) == 253
    log.append(entries(10, start=253))  # now tile 0 is rewritten with the real entries
    log.checkpoint()
    assert _verify(log) == 263


def test_refuses_to_append_or_sign_over_tampered_tiles(log: FileLog) -> None:
    log.append(entries(10))
    tile = log.directory / "tile/0/000.p/10"
    data = bytearray(tile.read_bytes())
    data[0] ^= 1
    tile.write_bytes(bytes(data))
    before = (log.directory / "checkpoint").read_bytes()
    with pytest.raises(
        StorageError, match=r"tiles on disk do not match tree\.json; refusing to sign"
    ):
        log.checkpoint()
    with pytest.raises(
        StorageError, match=r"tiles on disk do not match tree\.json; the log is damaged"
    ):
        log.append(entries(1))
    assert (log.directory / "checkpoint").read_bytes() == before


def _other_log(tmp_path: Path, count: int) -> FileLog:
    other = FileLog.init(tmp_path / "other", origin=ORIGIN)
    other.append(entries(count, tag="other"))
    other.checkpoint()
    return other


def test_refuses_to_sign_a_tree_that_does_not_extend_the_last_checkpoint(
    log: FileLog, tmp_path: Path
) -> None:
    log.append(entries(5))
    log.checkpoint()
    before = (log.directory / "checkpoint").read_bytes()
    other = _other_log(tmp_path, 8)
    # Someone restores another log's tiles and tree.json over ours; signed.json survives.
    shutil.rmtree(log.directory / "tile")
    shutil.copytree(other.directory / "tile", log.directory / "tile")
    shutil.copy(other.private / "tree.json", log.private / "tree.json")
    with pytest.raises(
        LogForked, match=r"refusing to sign size 8: not an extension of .* at size 5"
    ):
        log.checkpoint()
    assert (log.directory / "checkpoint").read_bytes() == before
    assert json.loads((log.private / "signed.json").read_bytes())["size"] == 5


def test_refuses_to_sign_when_only_the_published_checkpoint_remembers(
    log: FileLog, tmp_path: Path
) -> None:
    log.append(entries(5))
    log.checkpoint()
    (log.private / "signed.json").unlink()
    other = _other_log(tmp_path, 8)
    shutil.rmtree(log.directory / "tile")
    shutil.copytree(other.directory / "tile", log.directory / "tile")
    shutil.copy(other.private / "tree.json", log.private / "tree.json")
    with pytest.raises(LogForked, match="already signed at size 5"):
        log.checkpoint()


def test_refuses_to_sign_when_the_published_checkpoint_is_foreign(
    log: FileLog, tmp_path: Path
) -> None:
    log.append(entries(5))
    log.checkpoint()
    other = _other_log(tmp_path, 8)
    for name in ("tile", "checkpoint"):
        target = log.directory / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    shutil.copytree(other.directory / "tile", log.directory / "tile")
    shutil.copy(other.directory / "checkpoint", log.directory / "checkpoint")
    shutil.copy(other.private / "tree.json", log.private / "tree.json")
    with pytest.raises(SignatureInvalid, match="no signature on the note is from a known key"):
        log.checkpoint()
    assert (log.directory / "checkpoint").read_bytes() == (
        other.directory / "checkpoint"
    ).read_bytes()


def test_refuses_to_sign_after_restoring_an_older_backup(log: FileLog, tmp_path: Path) -> None:
    log.append(entries(5))
    log.checkpoint()
    backup = tmp_path / "backup.json"
    shutil.copy(log.private / "tree.json", backup)
    log.append(entries(5, start=5))
    log.checkpoint()
    shutil.copy(backup, log.private / "tree.json")  # tree.json rolled back to size 5
    with pytest.raises(
        LogForked, match=r"refusing to sign size 5: .* at size 10 \(tree shrank from 10 to 5\)"
    ):
        log.checkpoint()


def test_regression_append_after_restoring_an_older_backup(log: FileLog, tmp_path: Path) -> None:
    # Bug: with tree.json rolled back below the last signed checkpoint, append() rewrote
    # tiles that checkpoint had published (here tile/0/000 and tile/entries/000), so the
    # public log no longer matched its own signed checkpoint. Only signing was refused.
    log.append(entries(200))
    log.checkpoint()
    shutil.copy(log.private / "tree.json", tmp_path / "backup.json")
    log.append(entries(100, start=200))
    log.checkpoint()
    published = _public(log.directory)
    assert "tile/0/000" in published
    shutil.copy(tmp_path / "backup.json", log.private / "tree.json")
    with pytest.raises(LogForked, match=r"refusing to append at size 200: .* signed at size 300"):
        log.append(entries(100, tag="other"))
    assert _public(log.directory) == published
    assert _verify(log) == 300


def test_refuses_same_size_different_root(log: FileLog, tmp_path: Path) -> None:
    log.append(entries(5))
    log.checkpoint()
    other = _other_log(tmp_path, 5)
    shutil.rmtree(log.directory / "tile")
    shutil.copytree(other.directory / "tile", log.directory / "tile")
    shutil.copy(other.private / "tree.json", log.private / "tree.json")
    with pytest.raises(LogForked, match="two different roots for the same size 5"):
        log.checkpoint()


def test_entry_too_large_leaves_nothing_written(log: FileLog) -> None:
    log.append(entries(255))
    log.checkpoint()
    before = _snapshot(log.directory)
    with pytest.raises(EntryTooLarge, match="entry 256 is 65536 bytes"):
        log.append([b"fine", bytes(65536)])
    assert _snapshot(log.directory) == before
    assert log.size == 255


def test_damaged_tree_json(log: FileLog) -> None:
    (log.private / "tree.json").write_text("{not json")
    with pytest.raises(StorageError, match="log state file is damaged"):
        log.append(entries(1))
    (log.private / "tree.json").unlink()
    with pytest.raises(StorageError, match=r"tree\.json is missing"):
        log.checkpoint()
