"""Interoperability with Go's reference implementation, golang.org/x/mod/sumdb/{note,tlog}.

`tlogcheck/main.go` is built once per session with Debian's Go and x/mod sources (GOPATH
mode, no network). For logs written by `FileLog` it reports, as JSON, what Go computes:
whether `note.Open` accepts our checkpoint, `tlog.TreeHash` over our tiles (raw and through
`tlog.TileHashReader`, which authenticates every tile), `tlog.ProveRecord`/`CheckRecord`
with leaf hashes from our entry bundles, `tlog.ProveTree`/`CheckTree`, every hash tile as
`tlog.StoredHashes` + `tlog.ReadTileData` would publish it, and `note.Sign` output. These
tests assert it is byte for byte what amanah.transparency computes.

Needs `golang-go` and `golang-golang-x-mod-dev` (Debian). Without them the tests skip,
unless AMANAH_REQUIRE_GO=1, when they fail.

Known difference, not a bug: Go's `tlog.TreeHash(0)` is 32 zero bytes, while RFC 9162 (and
we) define the empty tree's hash as SHA-256(""); size-0 checkpoints are only opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from amanah.transparency import (
    EMPTY_ROOT,
    Checkpoint,
    DirectoryStorage,
    Ed25519Signer,
    FileLog,
    MemoryHashes,
    TileHashReader,
    sign_note,
    tiles_for_size,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from amanah.transparency.hashing import leaf_hash

HERE = Path(__file__).resolve().parent
GO_SOURCE = HERE / "tlogcheck"
GOPATH = Path(os.environ.get("AMANAH_GO_GOPATH", "/usr/share/gocode"))
X_MOD = GOPATH / "src/golang.org/x/mod/sumdb"
REQUIRE_GO = os.environ.get("AMANAH_REQUIRE_GO") == "1"

# Builds with what Debian installed and nothing else: GOPATH mode, no module proxy.
GO_ENV = {
    "GO111MODULE": "off",
    "GOPATH": str(GOPATH),
    "GOPROXY": "off",
    "GOFLAGS": "",
    "GOENV": "off",
    "GOTOOLCHAIN": "local",
    "CGO_ENABLED": "0",
}

SIZES = [1, 2, 255, 256, 257, 70000]
GROWTH = [300, 511, 512, 513, 65535, 65536, 65537, 70000]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64s(hashes: Iterable[bytes]) -> list[str]:
    return [b64(h) for h in hashes]


def entry(i: int) -> bytes:
    """Entries of varied length: empty ones, ordinary JSON, and one of the maximum size."""
    if i == 100:
        return b"m" * 0xFFFF
    if i % 97 == 0:
        return b""
    return json.dumps({"n": i, "pad": "é" * (i % 13)}).encode()


@dataclass
class Log:
    directory: Path
    log: FileLog

    @property
    def vkey(self) -> str:
        return self.log.verifier_key

    def reader(self) -> TileHashReader:
        return TileHashReader(DirectoryStorage(self.directory), self.log.size)


def make_log(directory: Path, size: int, origin: str) -> Log:
    log = FileLog.init(directory, origin=origin, durable=False)
    if size:
        log.append(entry(i) for i in range(size))
        log.checkpoint()
    return Log(directory, log)


@dataclass
class GoRun:
    returncode: int
    report: dict[str, Any]
    stderr: str


class TlogCheck:
    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def run(self, *args: str | Path) -> GoRun:
        done = subprocess.run(
            [str(self.binary), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode in (0, 1), f"tlogcheck crashed ({done.returncode}): {done.stderr}"
        return GoRun(done.returncode, json.loads(done.stdout), done.stderr)

    def check(
        self,
        log: Log,
        indexes: Sequence[int] = (),
        olds: Sequence[int] = (),
        old_checkpoints: Sequence[Path] = (),
        *,
        rebuild: bool = True,
    ) -> GoRun:
        args: list[str | Path] = ["-dir", log.directory, "-vkey", log.vkey]
        args += ["-indexes", ",".join(map(str, indexes)), "-old", ",".join(map(str, olds))]
        args += ["-old-checkpoints", ",".join(map(str, old_checkpoints))]
        return self.run(*args, *(["-rebuild"] if rebuild else []))


def _unavailable(reason: str) -> None:
    if REQUIRE_GO:
        pytest.fail(f"{reason}, and AMANAH_REQUIRE_GO=1")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tlogcheck(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> TlogCheck:
    go = shutil.which("go")
    if go is None:
        _unavailable("no `go` on PATH (apt-get install golang-go)")
    if not (X_MOD / "note/note.go").is_file() or not (X_MOD / "tlog/tile.go").is_file():
        _unavailable(f"no x/mod sources under {X_MOD} (apt-get install golang-golang-x-mod-dev)")
    out = tmp_path_factory.mktemp("tlogcheck")
    # Go's build cache is content-addressed, so keeping it between runs is safe and
    # makes the build near-instant; the binary itself is rebuilt every session.
    cache = getattr(request.config, "cache", None)
    gocache = cache.mkdir("go-build") if cache is not None else out / "go-build"
    built = subprocess.run(
        [str(go), "build", "-o", str(out / "tlogcheck"), "."],
        cwd=GO_SOURCE,
        env={**os.environ, **GO_ENV, "GOCACHE": str(gocache)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, f"go build failed:\n{built.stderr}"
    return TlogCheck(out / "tlogcheck")


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Log]:
    root = tmp_path_factory.mktemp("logs")
    return {n: make_log(root / str(n), n, f"example.org/interop-{n}") for n in [0, *SIZES]}


def sample(size: int, interesting: Iterable[int], lo: int, hi: int, extra: int = 40) -> list[int]:
    """Every value in lo..hi for small trees; for large ones the edges plus a spread of others."""
    if hi - lo < 600:
        return list(range(lo, hi + 1))
    picked = {x for x in interesting if lo <= x <= hi}
    picked.update(range(lo + 37, hi + 1, (hi - lo) // extra))  # an odd stride, off the edges
    return sorted(picked)


def edges(size: int) -> list[int]:
    near = [0, 1, 2, 3, 7, 8, 255, 256, 257, 511, 512, 65535, 65536, 65537]
    return [*near, size // 2, size - 2, size - 1, size]


def assert_agrees(go: GoRun, log: Log, indexes: Sequence[int], olds: Sequence[int]) -> None:
    """Go accepted everything and computed exactly our checkpoint, root, proofs and tiles."""
    report = go.report
    assert go.returncode == 0, report["errors"]
    assert report["ok"]
    size = log.log.size
    reader = log.reader()
    root = reader.root()
    text = Checkpoint(log.log.origin, size, root).to_text()
    assert (log.directory / "checkpoint").read_bytes().startswith(text + b"\n")

    assert report["signers"] == [log.log.origin]
    assert report["checkpoint_text"] == text.decode()
    assert (report["origin"], report["size"], report["root"]) == (log.log.origin, size, b64(root))
    assert report["tree_hash"] == report["verified_tree_hash"] == b64(root)

    assert [i["index"] for i in report["inclusion"]] == list(indexes)
    for item in report["inclusion"]:
        ours = reader.inclusion_proof(item["index"])
        assert item["ok"], item
        assert item["proof"] == b64s(ours), item["index"]
        verify_inclusion(leaf_hash(entry(item["index"])), item["index"], size, ours, root)

    assert [c["old"] for c in report["consistency"]][: len(olds)] == list(olds)
    for item in report["consistency"]:
        old = item["old"]
        ours = reader.consistency_proof(old)
        old_root = tree_root(reader, old)
        assert item["ok"], item
        assert item["proof"] == b64s(ours), old
        assert item["old_root"] == b64(old_root), old
        verify_consistency(old, size, old_root, root, ours)

    # Every hash tile Go would publish for this size is byte for byte ours, and Go's tile
    # reader asked only for tiles a C2SP log of this size serves.
    ours_tiles = {t.path for t in tiles_for_size(size, entries=False)}
    assert report["rebuild"]["mismatches"] == []
    assert report["rebuild"]["tiles_compared"] == len(ours_tiles)
    assert report["rebuild"]["tree_hash"] == b64(root)
    assert set(report["tiles_requested"]) <= ours_tiles


@pytest.mark.parametrize("size", SIZES)
def test_go_verifies_our_log(tlogcheck: TlogCheck, logs: dict[int, Log], size: int) -> None:
    log = logs[size]
    indexes = sample(size, edges(size), 0, size - 1)
    olds = sample(size, edges(size), 1, size)
    assert_agrees(tlogcheck.check(log, indexes, olds), log, indexes, olds)


def test_empty_log_go_tree_hash_differs_by_design(
    tlogcheck: TlogCheck, logs: dict[int, Log]
) -> None:
    """Go opens our size-0 checkpoint; its TreeHash(0) is zeros where RFC 9162 says SHA-256("")."""
    log = logs[0]
    go = tlogcheck.check(log)
    assert go.returncode == 0, go.report["errors"]
    assert go.report["ok"]
    assert (go.report["size"], go.report["root"]) == (0, b64(hashlib.sha256(b"").digest()))
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert go.report["tree_hash"] == b64(bytes(32))
    assert any("size 0" in note for note in go.report["notes"])


def test_growing_log_every_checkpoint(tlogcheck: TlogCheck, tmp_path: Path) -> None:
    """Grow a log through tile boundaries, signing at each step: Go accepts every stage and
    proves each stage consistent with every checkpoint signed before it, as signed."""
    log = make_log(tmp_path / "log", 0, "example.org/interop-growing")
    signed: list[Path] = []
    for size in GROWTH:
        log.log.append(entry(i) for i in range(log.log.size, size))
        note = log.log.checkpoint()
        olds = sorted({1, size // 3, size - 1, size} | {s for s in GROWTH if s <= size})
        indexes = sorted({0, 100, size // 2, size - 1})
        go = tlogcheck.check(log, indexes, olds, signed)
        assert_agrees(go, log, indexes, olds)
        from_signed = [c for c in go.report["consistency"] if c.get("file")]
        assert [c["old"] for c in from_signed] == GROWTH[: len(signed)]
        saved = tmp_path / f"checkpoint-{size}"
        saved.write_bytes(note)
        signed.append(saved)


def test_go_note_sign_is_byte_identical_to_sign_note(
    tlogcheck: TlogCheck, tmp_path: Path, logs: dict[int, Log]
) -> None:
    signers = [
        Ed25519Signer("example.org/interop", bytes(range(32))),
        Ed25519Signer("PeterNeumann", hashlib.sha256(b"seed").digest()),
        Ed25519Signer("κλειδί.example/λ", bytes(32)),
        FileLog.open(logs[257].directory).signer,  # the key text FileLog saved on disk
    ]
    texts = [
        logs[257].directory.joinpath("checkpoint").read_bytes().split(b"\n\n")[0] + b"\n",
        Checkpoint("example.org/interop", 0, EMPTY_ROOT).to_text(),
        b"If you think cryptography is the answer to your problem,\n"
        b"then you don't know what your problem is.\n",
        "one\n\nblank line inside, then a line that\n— looks like a signature\n".encode(),
        "عربي — unicode ✓\n".encode(),
    ]
    for s, signer in enumerate(signers):
        for t, text in enumerate(texts):
            path = tmp_path / f"text-{s}-{t}"
            path.write_bytes(text)
            go = tlogcheck.run("-skey", signer.key_text, "-text", path)
            assert go.returncode == 0, go.report["errors"]
            assert go.report["signed_note"].encode() == sign_note(text, [signer]), (s, t)


# --- Go must reject what is wrong ------------------------------------------------------


def tampered(logs: dict[int, Log], size: int, tmp_path: Path) -> Log:
    directory = tmp_path / f"copy-{size}"
    shutil.copytree(logs[size].directory, directory)
    return Log(directory, FileLog.open(directory, durable=False))


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def assert_go_rejects(go: GoRun, *fragments: str) -> None:
    assert go.returncode == 1, go.report
    assert not go.report["ok"]
    text = "\n".join(go.report["errors"])
    for fragment in fragments:  # "a|b": either a or b
        assert any(choice in text for choice in fragment.split("|")), text


def test_go_rejects_edited_checkpoint(
    tlogcheck: TlogCheck, logs: dict[int, Log], tmp_path: Path
) -> None:
    log = tampered(logs, 257, tmp_path)
    cp = log.directory / "checkpoint"
    cp.write_bytes(cp.read_bytes().replace(b"\n257\n", b"\n256\n", 1))
    assert_go_rejects(tlogcheck.check(log, [0]), "checkpoint:", "invalid signature")


def test_go_rejects_checkpoint_by_another_key(
    tlogcheck: TlogCheck, logs: dict[int, Log], tmp_path: Path
) -> None:
    log = tampered(logs, 257, tmp_path)
    impostor = Ed25519Signer.generate(log.log.origin)
    text = Checkpoint(log.log.origin, 257, log.reader().root()).to_text()
    (log.directory / "checkpoint").write_bytes(sign_note(text, [impostor]))
    assert_go_rejects(tlogcheck.check(log, [0]), "checkpoint:", "no verifiable signatures")


def test_go_rejects_signed_checkpoint_with_wrong_root(
    tlogcheck: TlogCheck, logs: dict[int, Log], tmp_path: Path
) -> None:
    """A lying log: its own key signs a root its tiles do not support."""
    log = tampered(logs, 257, tmp_path)
    text = Checkpoint(log.log.origin, 257, hashlib.sha256(b"lie").digest()).to_text()
    (log.directory / "checkpoint").write_bytes(sign_note(text, [log.log.signer]))
    assert_go_rejects(tlogcheck.check(log, [0]), "tlog.TreeHash(257)", "inconsistent tile")


@pytest.mark.parametrize(
    ("size", "path", "offset", "fragments"),
    [
        # The root of 257 reads the 256-subtree's hash from tile/1/000.p/1, not tile/0/000:
        # only tlog.TileHashReader's authentication of the child tile catches this.
        (257, "tile/0/000", 5, ["inclusion of 0", "inconsistent tile"]),
        (257, "tile/0/001.p/1", 0, ["tlog.TreeHash(257)", "inconsistent tile"]),
        (70000, "tile/0/273.p/112", 31, ["tlog.TreeHash(70000)", "inconsistent tile"]),
        # Not on the root's path either. x/mod 0.7.0's TileHashReader does not authenticate
        # this tile (it checks child tiles from position len(stx), the number of root
        # subtrees, not the number of distinct tiles they came from), so the forged hashes
        # reach the proof and it is tlog.CheckRecord that fails. Newer x/mod may say
        # "inconsistent tile" instead: either is a rejection.
        (70000, "tile/1/000", 64, ["inclusion of 0", "CheckRecord|inconsistent tile"]),
        # Entry 1 changed in place (entry 0 is empty, so entry 1's bytes start at offset 4).
        (257, "tile/entries/000", 5, ["inclusion of 1", "CheckRecord", "rebuild"]),
    ],
)
def test_go_rejects_tampered_tile(
    tlogcheck: TlogCheck,
    logs: dict[int, Log],
    tmp_path: Path,
    size: int,
    path: str,
    offset: int,
    fragments: list[str],
) -> None:
    log = tampered(logs, size, tmp_path)
    flip(log.directory / path, offset)
    assert_go_rejects(tlogcheck.check(log, [0, 1, size - 1], [1]), *fragments)


def test_go_reports_a_missing_tile(
    tlogcheck: TlogCheck, logs: dict[int, Log], tmp_path: Path
) -> None:
    """No fallback in Go's reader: a missing partial tile is an error, not a guess."""
    log = tampered(logs, 257, tmp_path)
    (log.directory / "tile/0/001.p/1").unlink()
    assert_go_rejects(tlogcheck.check(log, [0]), "no such file", "tile/0/001.p/1")


def test_go_rejects_old_checkpoint_from_a_fork(
    tlogcheck: TlogCheck, logs: dict[int, Log], tmp_path: Path
) -> None:
    """An earlier checkpoint, properly signed, whose tree the current one does not extend."""
    log = logs[257]
    fork = MemoryHashes([b"forked", *(entry(i) for i in range(1, 200))])
    old = tmp_path / "old-checkpoint"
    old.write_bytes(
        sign_note(Checkpoint(log.log.origin, 200, fork.root()).to_text(), [log.log.signer])
    )
    go = tlogcheck.check(log, old_checkpoints=[old], rebuild=False)
    assert_go_rejects(go, "consistency from 200", "CheckTree")
