"""End to end: `amanah-log` writes a log, a plain HTTP server on 127.0.0.1 serves it, and
`amanah-verify` (the installed console scripts, in subprocesses) accepts it and rejects
every tampered variant."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def run(tool: str, *args: str | Path, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *map(str, args)],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def make_log(directory: Path, entries: int) -> str:
    created = run("amanah-log", "init", directory, "--origin", "example.org/test-log")
    assert created.returncode == 0, created.stderr
    lines = "".join(f'{{"n": {i}, "kind": "test"}}\n' for i in range(entries)).encode()
    appended = run("amanah-log", "append", directory, "--jsonl", stdin=lines)
    assert appended.returncode == 0, appended.stderr
    signed = run("amanah-log", "checkpoint", directory)
    assert signed.returncode == 0, signed.stderr
    return created.stdout.strip()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on 127.0.0.1, for as long as the test runs."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def publish(log: Path, root: Path) -> None:
    """Copy the public part of a log (never .amanah-log/) where the server serves it."""
    target = root / "log"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(log, target, ignore=shutil.ignore_patterns(".amanah-log"))


def test_verifies_a_log_served_over_http_and_proves_entries(
    tmp_path: Path, served: tuple[Path, str]
) -> None:
    root, base = served
    vkey = make_log(tmp_path / "log", 700)
    publish(tmp_path / "log", root)

    result = run(
        "amanah-verify", "log", f"{base}/log", "--key", vkey,
        "--state", tmp_path / "state", "--entry", "0", "--entry", "699", "--json",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verified"] is True
    assert report["size"] == 700
    assert report["origin"] == "example.org/test-log"
    assert [e["index"] for e in report["entries"]] == [0, 699]
    assert report["previous_size"] is None


def test_growth_is_accepted_and_a_fork_is_refused_with_both_checkpoints(
    tmp_path: Path, served: tuple[Path, str]
) -> None:
    root, base = served
    log = tmp_path / "log"
    vkey = make_log(log, 300)
    state = tmp_path / "state"
    publish(log, root)
    assert (
        run("amanah-verify", "log", f"{base}/log", "--key", vkey, "--state", state).returncode == 0
    )

    # The honest log grows: accepted, and proved consistent with what was trusted.
    run("amanah-log", "append", log, stdin=b"more\nentries\n")
    run("amanah-log", "checkpoint", log)
    publish(log, root)
    grown = run("amanah-verify", "log", f"{base}/log", "--key", vkey, "--state", state)
    assert grown.returncode == 0, grown.stderr
    assert "consistent with the size 300 checkpoint" in grown.stdout

    # A split view: same key, same size reached, different history. Rebuild the log's
    # tree from scratch with other entries and sign it with the same key.
    fork = tmp_path / "fork"
    shutil.copytree(log / ".amanah-log", fork / ".amanah-log")
    (fork / ".amanah-log" / "signed.json").unlink()
    empty = '{"size": 0, "root": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}'
    (fork / ".amanah-log" / "tree.json").write_text(empty)
    lines = "".join(f"forged {i}\n" for i in range(302)).encode()
    assert run("amanah-log", "append", fork, stdin=lines).returncode == 0
    assert run("amanah-log", "checkpoint", fork).returncode == 0
    publish(fork, root)

    refused = run("amanah-verify", "log", f"{base}/log", "--key", vkey, "--state", state)
    assert refused.returncode == 1
    assert "FORKED OR SHRUNK" in refused.stderr
    assert "--- checkpoint trusted earlier ---" in refused.stderr
    assert "--- checkpoint served now ---" in refused.stderr
    assert refused.stderr.count("example.org/test-log\n302\n") == 2


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-2 if path.name == "checkpoint" else -1] ^= 0x01
    path.write_bytes(bytes(data))


def test_every_tampered_file_is_rejected(tmp_path: Path) -> None:
    log = tmp_path / "log"
    vkey = make_log(log, 600)  # 2 full tiles + a partial, and a level-1 partial tile
    public = sorted(p for p in log.rglob("*") if p.is_file() and ".amanah-log" not in p.parts)
    names = {str(p.relative_to(log)) for p in public}
    assert {"checkpoint", "tile/0/000", "tile/0/002.p/88", "tile/1/000.p/2"} <= names
    assert {"tile/entries/000", "tile/entries/002.p/88"} <= names

    clean = run("amanah-verify", "log", log, "--key", vkey, "--state", tmp_path / "s0")
    assert clean.returncode == 0, clean.stderr

    for number, path in enumerate(public):
        copy = tmp_path / f"tampered-{number}"
        shutil.copytree(log, copy)
        _flip_last_byte(copy / path.relative_to(log))
        result = run(
            "amanah-verify", "log", copy, "--key", vkey, "--state", tmp_path / f"s{number + 1}"
        )
        assert result.returncode == 1, f"{path.relative_to(log)} tampered but accepted"
        assert "VERIFICATION FAILED" in result.stderr


def test_usage_and_io_errors_exit_2(tmp_path: Path) -> None:
    log = tmp_path / "log"
    vkey = make_log(log, 3)
    missing = run("amanah-verify", "log", tmp_path / "nowhere", "--key", vkey)
    assert missing.returncode == 2
    assert "neither an http(s) URL nor a directory" in missing.stderr
    bad_key = run("amanah-verify", "log", log, "--key", "not+a+key")
    assert bad_key.returncode == 2
    assert "--key" in bad_key.stderr
    unreachable = run("amanah-verify", "log", "http://127.0.0.1:9/log", "--key", vkey)
    assert unreachable.returncode == 2
    assert "cannot fetch" in unreachable.stderr


def test_wrong_key_fails_verification(tmp_path: Path) -> None:
    make_log(tmp_path / "log", 3)
    other = make_log(tmp_path / "other", 1)
    result = run(
        "amanah-verify", "log", tmp_path / "log", "--key", other, "--origin", "example.org/test-log"
    )
    assert result.returncode == 1
    assert "no signature on the note is from a known key" in result.stderr


def test_receipt_verifies_offline_and_detects_a_changed_record(tmp_path: Path) -> None:
    log = tmp_path / "log"
    vkey = make_log(log, 40)
    receipt = tmp_path / "entry7.tlog-proof"
    assert run("amanah-log", "receipt", log, "7", "-o", receipt).returncode == 0
    text = receipt.read_text()
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert "\nindex 7\n" in text

    ok = run("amanah-verify", "receipt", receipt, "--key", vkey)
    assert ok.returncode == 0, ok.stderr
    assert "entry 7 is in example.org/test-log" in ok.stdout

    record = tmp_path / "record.json"
    record.write_bytes(b'{"kind":"test","n":7}')
    assert (
        run("amanah-verify", "receipt", receipt, "--key", vkey, "--entry-file", record).returncode
        == 0
    )
    record.write_bytes(b'{"kind":"test","n":8}')
    changed = run("amanah-verify", "receipt", receipt, "--key", vkey, "--entry-file", record)
    assert changed.returncode == 1
    assert "differs from the entry the receipt carries" in changed.stderr


def test_append_is_all_or_nothing(tmp_path: Path) -> None:
    log = tmp_path / "log"
    make_log(log, 5)
    before = sorted(p.relative_to(log) for p in log.rglob("*"))
    bad = run("amanah-log", "append", log, "--jsonl", stdin=b'{"ok": 1}\n{"broken": \n')
    assert bad.returncode == 2
    assert "line 2" in bad.stderr
    assert sorted(p.relative_to(log) for p in log.rglob("*")) == before
    tree = json.loads((log / ".amanah-log" / "tree.json").read_text())
    assert tree["size"] == 5


def test_the_verifier_imports_no_django() -> None:
    code = "import sys, amanah.cli.verify, amanah.cli.log; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
