"""`amanah log export` and `amanah log integrate`, in process against the test database
(Typer's CliRunner), plus one run of the installed command against real settings."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from rich.console import Console
from typer.testing import CliRunner, Result

from amanah.cli._common import progress_after
from amanah.cli.main import app
from amanah.ledger.models import LogEntry, LogTile, SignedCheckpoint
from amanah.ledger.services import record
from amanah.transparency import tiles_for_size
from conftest import DemoLog

pytestmark = pytest.mark.django_db
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def amanah(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# --- export --------------------------------------------------------------------------


def test_export_writes_what_the_server_serves_and_the_verifier_accepts_it(
    demo_log: DemoLog, client: Client, tmp_path: Path
) -> None:
    exported = tmp_path / "mirror"

    result = amanah("log", "export", exported)

    assert result.exit_code == 0, result.output
    size = demo_log.size
    count = len(list(tiles_for_size(size)))
    assert f"Exported the checkpoint of size {size} and {count} tiles to {exported}." in (
        result.output
    )
    assert f"amanah-verify log {exported} --key {demo_log.key_text}" in result.output
    files = _files(exported)
    assert sorted(files) == sorted(["checkpoint", *(t.path for t in tiles_for_size(size))])
    for path, data in files.items():
        assert client.get(f"/log/{path}").content == data, path
    verified = amanah(
        "verify", "log", exported, "--key", demo_log.key_text, "--state", tmp_path / "trust"
    )
    assert verified.exit_code == 0, verified.output
    assert f"OK localhost/amanah-demo: {size} entries, every tile checked" in verified.output


def test_export_again_brings_a_mirror_up_to_date_consistently(
    demo_log: DemoLog, append_entries: Callable[..., None], client: Client, tmp_path: Path
) -> None:
    exported, trust = tmp_path / "mirror", tmp_path / "trust"
    assert amanah("log", "export", exported).exit_code == 0
    first = amanah("verify", "log", exported, "--key", demo_log.key_text, "--state", trust)
    assert first.exit_code == 0, first.output
    # Grow the log past its next full tile, so that a partial tile is superseded.
    grown = (demo_log.size // 256 + 1) * 256 + 44
    append_entries(grown - demo_log.size)
    tiles = list(tiles_for_size(grown))

    result = amanah("log", "export", exported)

    assert result.exit_code == 0, result.output
    assert f"Exported the checkpoint of size {grown} and {len(tiles)} tiles" in result.output
    files = _files(exported)
    assert {"checkpoint", *(t.path for t in tiles)} <= set(files)
    # The partial tiles a full tile now supersedes are gone, as on the server (a narrower
    # partial of a tile still partial may stay, as the server keeps it too).
    superseded = f"{demo_log.size // 256:03d}.p"
    assert not (exported / "tile" / "0" / superseded).exists()
    assert not (exported / "tile" / "entries" / superseded).exists()
    for path, data in files.items():
        assert client.get(f"/log/{path}").content == data, path
    # The verifier trusted the demo's size from the first export; the new size extends it.
    verified = amanah("verify", "log", exported, "--key", demo_log.key_text, "--state", trust)
    assert verified.exit_code == 0, verified.output
    assert f"consistent with the size {demo_log.size} checkpoint trusted before" in verified.output


def test_export_completes_an_export_interrupted_before_its_checkpoint(
    demo_log: DemoLog, tmp_path: Path
) -> None:
    exported = tmp_path / "mirror"
    assert amanah("log", "export", exported).exit_code == 0
    (exported / "checkpoint").unlink()

    result = amanah("log", "export", exported)

    assert result.exit_code == 0, result.output
    assert (exported / "checkpoint").read_bytes() == SignedCheckpoint.objects.get().note.encode()


@pytest.mark.parametrize(
    "existing",
    [
        {"index.html": b"<h1>my site</h1>"},
        {"checkpoint": b"example.org/other-log\n1\nAAAA\n\n\xe2\x80\x94 other sig\n"},
        {"checkpoint": b"\xff\xfe not text"},
        {"tile/0/000.p/1": b"x" * 32, "notes.txt": b"mine"},
    ],
)
def test_export_refuses_a_directory_that_is_not_an_export_of_this_log(
    demo_log: DemoLog, tmp_path: Path, existing: dict[str, bytes]
) -> None:
    target = tmp_path / "www"
    for name, data in existing.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)

    result = amanah("log", "export", target)

    assert result.exit_code == 2
    assert f"error: {target} is not empty and is not an export of this log" in result.output
    assert _files(target) == existing  # nothing written, nothing removed


def test_export_refuses_a_checkpoint_it_did_not_sign_even_at_the_same_size(
    demo_log: DemoLog, tmp_path: Path
) -> None:
    exported = tmp_path / "mirror"
    assert amanah("log", "export", exported).exit_code == 0
    origin, size, _root, *rest = (exported / "checkpoint").read_bytes().split(b"\n")
    forged = b"\n".join([origin, size, base64.b64encode(bytes(32)), *rest])
    (exported / "checkpoint").write_bytes(forged)

    result = amanah("log", "export", exported)

    assert result.exit_code == 2
    assert "is not an export of this log" in result.output
    assert (exported / "checkpoint").read_bytes() == forged


def test_export_refuses_a_file_as_its_directory(demo_log: DemoLog, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")

    result = amanah("log", "export", tmp_path / "file")

    assert result.exit_code == 2
    assert f"error: {tmp_path / 'file'} is not a directory." in result.output
    assert (tmp_path / "file").read_text() == "not a directory"


def test_export_to_an_unwritable_place_fails_in_one_sentence(
    demo_log: DemoLog, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("in the way")

    result = amanah("log", "export", tmp_path / "file" / "mirror")

    assert result.exit_code == 2
    first = next(iter(tiles_for_size(demo_log.size))).path
    assert result.output.startswith(f"error: cannot write {first}: Not a directory")
    assert "Traceback" not in result.output


def test_export_before_the_first_checkpoint_writes_nothing(var_dir: Path, tmp_path: Path) -> None:
    result = amanah("log", "export", tmp_path / "mirror")

    assert result.exit_code == 2
    assert "error: The log has no signed checkpoint yet; there is nothing to export." in (
        result.output
    )
    assert not (tmp_path / "mirror").exists()


def test_export_messages_follow_an_arabic_locale(
    demo_log: DemoLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ar_EG.UTF-8")

    result = amanah("log", "export", tmp_path / "mirror")

    assert result.exit_code == 0, result.output
    assert "صُدِّرت نقطة التحقق" in result.output
    assert "Exported" not in result.output


# --- integrate -----------------------------------------------------------------------


def test_integrate_with_nothing_pending_says_so(demo_log: DemoLog) -> None:
    result = amanah("log", "integrate")

    assert result.exit_code == 0, result.output
    assert (
        result.output.strip() == f"Nothing pending: the latest checkpoint has size {demo_log.size}."
    )
    assert SignedCheckpoint.objects.count() == 1


def test_integrate_signs_what_is_pending_and_prints_the_new_size(demo_log: DemoLog) -> None:
    with transaction.atomic():
        record("test.entry", {"n": 1}, actor="test:a")  # the commit hook never ran

    result = amanah("log", "integrate")

    assert result.exit_code == 0, result.output
    size = demo_log.size + 1
    assert result.output.strip() == f"Signed a checkpoint of size {size}."
    assert SignedCheckpoint.objects.order_by("-size").first().size == size  # type: ignore[union-attr]


def test_integrate_refuses_tampered_tiles_and_exits_1(demo_log: DemoLog) -> None:
    size = demo_log.size
    last = [t for t in tiles_for_size(size) if t.level == 0][-1]
    tampered = LogTile.objects.filter(path=last.path).update(data=b"\x00" * 32 * last.width)
    assert tampered == 1
    with transaction.atomic():
        record("test.entry", {"n": 1}, actor="test:a")

    result = amanah("log", "integrate")

    assert result.exit_code == 1
    assert f"refused: the stored tiles do not match the tree head at size {size}" in result.output
    assert SignedCheckpoint.objects.count() == 1
    assert LogEntry.objects.count() == size + 1


# --- the progress bar ------------------------------------------------------------------


def test_progress_appears_only_for_work_longer_than_the_delay() -> None:
    now = [0.0]
    quick, slow = StringIO(), StringIO()

    with progress_after("exporting tiles", console=Console(file=quick, force_terminal=True),
                        clock=lambda: now[0]) as update:  # fmt: skip
        now[0] = 0.9
        update(1, 2)
        update(2, 2)
    with progress_after("exporting tiles", console=Console(file=slow, force_terminal=True),
                        clock=lambda: now[0]) as update:  # fmt: skip
        now[0] = 2.5
        update(1, 2)
        update(2, 2)

    assert quick.getvalue() == ""
    assert "exporting tiles" in slow.getvalue()


def test_amanah_log_offers_the_directory_commands_and_the_server_commands() -> None:
    from amanah.cli.log import app as amanah_log

    result = amanah("log", "--help")

    assert result.exit_code == 0
    for command in ("init", "append", "checkpoint", "receipt", "export", "integrate"):
        assert f" {command} " in result.output
    # The Django-free `amanah-log` stays as it was.
    assert [c.name for c in amanah_log.registered_commands] == [
        "init",
        "append",
        "checkpoint",
        "receipt",
    ]


# --- outside pytest's database -----------------------------------------------------------


def test_the_amanah_command_imports_django_only_for_the_server_commands() -> None:
    code = "import sys, amanah.cli.main; print(sorted(m for m in sys.modules if 'django' in m))"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_installed_commands_export_a_log_the_verifier_accepts(tmp_path: Path) -> None:
    env = {**os.environ, "AMANAH_VAR_DIR": str(tmp_path / "var"), "LANG": "C.UTF-8"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args], env=env, capture_output=True, text=True, timeout=120
        )

    assert run(sys.executable, "-m", "amanah.manage", "migrate", "-v", "0").returncode == 0
    demo = run(sys.executable, "-m", "amanah.manage", "load_demo")
    assert demo.returncode == 0, demo.stderr
    integrated = run(BIN / "amanah", "log", "integrate")
    exported = run(BIN / "amanah", "log", "export", tmp_path / "mirror")
    verified = run(
        BIN / "amanah-verify", "log", tmp_path / "mirror",
        "--key", tmp_path / "var" / "log-key.pub", "--state", tmp_path / "trust",
    )  # fmt: skip

    loaded = re.search(r"Recorded (\d+) demo entries", demo.stdout)
    assert loaded is not None, demo.stdout
    size = int(loaded.group(1))
    assert integrated.stdout.strip() == f"Nothing pending: the latest checkpoint has size {size}."
    assert exported.returncode == 0, exported.stderr
    assert verified.returncode == 0, verified.stderr
    assert f"{size:,} entries, every tile checked" in verified.stdout
