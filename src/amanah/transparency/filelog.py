"""A complete tiled log in a directory, for scripts and for the demo: init, append, checkpoint.

    <dir>/checkpoint, <dir>/tile/...     public: serve or mirror exactly these
    <dir>/.amanah-log/                   private (0700): never publish
        signer.key      the log's Ed25519 signer key (0600)
        verifier.key    its public verifier key
        tree.json       size and root of the integrated tree
        signed.json     size and root of the last checkpoint signed
        lock            serialises writers

Crash safety: `append` writes tiles, syncs them, then records the new size in tree.json
(written under a temporary name and renamed, like the checkpoint); a crash before that
leaves tree.json at the old size, and the next append simply overwrites the tiles past
it, which no checkpoint covers. `checkpoint`
persists the signed size and root before it publishes, and refuses to sign a tree that
is not an extension of the last checkpoint it signed or published.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .checkpoint import Checkpoint, open_checkpoint
from .errors import LogForked, ProofInvalid, StorageError, TileNotFound, TransparencyError
from .hashing import EMPTY_ROOT
from .note import Ed25519Signer, check_key_name, sign_note
from .proofs import verify_consistency
from .reader import TileHashReader
from .receipt import Receipt, make_receipt
from .storage import DirectoryStorage, fsync_directory
from .tilewriter import TileWriter

__all__ = ["FileLog", "TreeState"]

PRIVATE_DIR = ".amanah-log"


@dataclass(frozen=True)
class TreeState:
    size: int
    root: bytes

    def to_json(self) -> bytes:
        return json.dumps(
            {"size": self.size, "root": base64.b64encode(self.root).decode()}
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> TreeState:
        try:
            raw = json.loads(data)
            return cls(int(raw["size"]), base64.b64decode(raw["root"], validate=True))
        except (ValueError, KeyError, TypeError) as error:
            raise StorageError(f"log state file is damaged: {error}") from error


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    temp = path.with_name(f".tmp-{path.name}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_directory(path.parent)


class FileLog:
    """A signed, tiled transparency log stored under one directory."""

    def __init__(self, directory: Path, signer: Ed25519Signer, *, durable: bool = True) -> None:
        self.directory = directory
        self.private = directory / PRIVATE_DIR
        self.signer = signer
        self.storage = DirectoryStorage(directory, durable=durable)

    @classmethod
    def init(cls, directory: Path | str, *, origin: str, durable: bool = True) -> FileLog:
        """Create a new, empty log with a fresh key, and sign its first (size 0) checkpoint."""
        directory = Path(directory)
        check_key_name(origin)
        if (directory / PRIVATE_DIR).exists() or (directory / "checkpoint").exists():
            raise StorageError(f"{directory} already holds a log")
        (directory / PRIVATE_DIR).mkdir(mode=0o700, parents=True)
        signer = Ed25519Signer.generate(origin)
        _write_private(directory / PRIVATE_DIR / "signer.key", signer.key_text.encode() + b"\n")
        _write_private(
            directory / PRIVATE_DIR / "verifier.key",
            signer.verifier().key_text.encode() + b"\n",
            0o644,
        )
        log = cls(directory, signer, durable=durable)
        _write_private(log.private / "tree.json", TreeState(0, EMPTY_ROOT).to_json())
        log.checkpoint()
        return log

    @classmethod
    def open(cls, directory: Path | str, *, durable: bool = True) -> FileLog:
        directory = Path(directory)
        key_file = directory / PRIVATE_DIR / "signer.key"
        try:
            signer = Ed25519Signer.from_key_text(key_file.read_text())
        except FileNotFoundError:
            raise StorageError(f"{directory} holds no log (no {PRIVATE_DIR}/signer.key)") from None
        return cls(directory, signer, durable=durable)

    @staticmethod
    def published_verifier_key(directory: Path | str) -> str | None:
        """The log's verifier key as `init` saved it, read without touching the signer key."""
        try:
            return (Path(directory) / PRIVATE_DIR / "verifier.key").read_text().strip()
        except FileNotFoundError:
            return None

    @property
    def origin(self) -> str:
        return self.signer.name

    @property
    def verifier_key(self) -> str:
        return self.signer.verifier().key_text

    def tree(self) -> TreeState:
        try:
            return TreeState.from_json((self.private / "tree.json").read_bytes())
        except FileNotFoundError:
            raise StorageError(f"{self.private}/tree.json is missing") from None

    @property
    def size(self) -> int:
        return self.tree().size

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.private / "lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(
        self, entries: Iterable[bytes], progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Integrate entries (not yet signed: call `checkpoint`); returns the first index."""
        with self._locked():
            tree = self.tree()
            last = self._last_signed()
            if last is not None and last.size > tree.size:
                # tree.json is older than a signed checkpoint (e.g. restored from a backup):
                # appending would overwrite tiles that checkpoint already published.
                raise LogForked(
                    f"refusing to append at size {tree.size}: a checkpoint was already signed"
                    f" at size {last.size}"
                )
            writer = TileWriter(self.storage, tree.size)
            if writer.root() != tree.root:
                raise StorageError("tiles on disk do not match tree.json; the log is damaged")
            first = writer.append(entries, progress)
            writer.flush()
            _write_private(
                self.private / "tree.json", TreeState(writer.size, writer.root()).to_json()
            )
            return first

    def _last_signed(self) -> TreeState | None:
        states: list[TreeState] = []
        with suppress(FileNotFoundError):
            states.append(TreeState.from_json((self.private / "signed.json").read_bytes()))
        try:
            published = open_checkpoint(self.storage.read("checkpoint"), self.signer.verifier())
            states.append(TreeState(published.checkpoint.size, published.checkpoint.root_hash))
        except TileNotFound:
            pass
        return max(states, key=lambda s: s.size, default=None)

    def checkpoint(self) -> bytes:
        """Sign and publish a checkpoint for the integrated tree; returns the signed note."""
        with self._locked():
            tree = self.tree()
            reader = TileHashReader(self.storage, tree.size)
            if reader.root() != tree.root:
                raise StorageError("tiles on disk do not match tree.json; refusing to sign")
            self._check_extends(self._last_signed(), tree, reader)
            text = Checkpoint(self.origin, tree.size, tree.root).to_text()
            note = sign_note(text, [self.signer])
            _write_private(self.private / "signed.json", tree.to_json())
            self.storage.write("checkpoint", note)
            self.storage.sync()
            return note

    @staticmethod
    def _check_extends(last: TreeState | None, tree: TreeState, reader: TileHashReader) -> None:
        if last is None or last.size == 0:
            return
        try:
            proof = reader.consistency_proof(last.size) if last.size <= tree.size else []
            verify_consistency(last.size, tree.size, last.root, tree.root, proof)
        except (ProofInvalid, TransparencyError, ValueError) as error:
            raise LogForked(
                f"refusing to sign size {tree.size}: not an extension of the checkpoint "
                f"already signed at size {last.size} ({error})"
            ) from error

    def receipt(self, index: int) -> Receipt:
        """An offline receipt for entry `index` under the published checkpoint."""
        note = self.storage.read("checkpoint")
        signed = open_checkpoint(note, self.signer.verifier())
        reader = TileHashReader(self.storage, signed.checkpoint.size)
        return make_receipt(reader, index, note)
