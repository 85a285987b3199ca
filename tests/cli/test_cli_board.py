"""A board member's commands: `amanah keygen`, `amanah motions list`, `amanah sign` and
`amanah refuse`, against a live server; a payload served tampered is never signed."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytest_django.live_server_helper import LiveServer
from typer.testing import CliRunner, Result

from amanah.accounts.services import api_token_create
from amanah.cli import board as board_cli
from amanah.cli.main import app
from amanah.governance import rules
from amanah.governance.models import MotionStatus
from amanah.ledger.wiring import publish_verifier_key

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
from governance_factories import SEATS, Board, build_board

MOTION_ID = "6f1c2b1e-8a53-4c3b-9a43-0f3d2c1b0a99"


def amanah(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def _write_key(path: Path, private: Ed25519PrivateKey) -> Path:
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


# --- keygen ------------------------------------------------------------------------------


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    out = tmp_path / "board.key"

    result = amanah("keygen", "--out", out)

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    private = serialization.load_pem_private_key(out.read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    public = private.public_key().public_bytes_raw()
    assert f"public key: {base64.b64encode(public).decode()}" in result.output
    assert f"key id:     {hashlib.sha256(public).hexdigest()[:16]}" in result.output


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    out = tmp_path / "board.key"
    out.write_text("my precious key\n")

    result = amanah("keygen", "--out", out)

    assert result.exit_code == 2
    assert "not overwriting" in result.output
    assert out.read_text() == "my precious key\n"


def test_the_key_id_is_the_servers(tmp_path: Path) -> None:
    from amanah.governance.selectors import key_id_of

    public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()

    assert board_cli.key_id_of(public) == key_id_of(public)


# --- sign, end to end ----------------------------------------------------------------------


@pytest.fixture
def board(var_dir: Path) -> Board:
    # Every one of the five seats must sign before the motion executes.
    built = build_board(rules.QuorumPolicy(min_seats=5, required_groups={"palestinian": 1}))
    publish_verifier_key()
    return built


def _member_files(tmp_path: Path, board: Board, seat: str) -> tuple[Path, Path]:
    key = _write_key(tmp_path / f"{seat}.key", board.private_keys[seat])
    _, plaintext = api_token_create(user=board.members[seat], name="cli")
    token = tmp_path / f"{seat}.token"
    token.write_text(plaintext + "\n")
    return key, token


def test_five_members_sign_with_the_cli_and_the_audit_passes(
    live_server: LiveServer, board: Board, var_dir: Path, tmp_path: Path
) -> None:
    motion = board.open()
    listed = amanah("motions", "list", "--server", live_server.url)
    assert listed.exit_code == 0, listed.output
    assert str(motion.id) in listed.output

    outputs = []
    for seat in SEATS:
        key, token = _member_files(tmp_path, board, seat)
        result = amanah(
            "sign", motion.id, "--key", key, "--server", live_server.url,
            "--token-file", token, "--yes",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(result.output)

    # What was shown is the decoded payload itself.
    assert '"type": "amanah.motion.v1"' in outputs[0]
    assert "تخصيص لإصلاح المدارس" in outputs[0]
    assert [o.strip().endswith("the motion is now open") for o in outputs] == [True] * 4 + [False]
    assert outputs[-1].strip().endswith("the motion is now executed")
    motion.refresh_from_db()
    assert motion.status == MotionStatus.EXECUTED

    mirror = tmp_path / "mirror"
    exported = amanah("log", "export", mirror)
    assert exported.exit_code == 0, exported.output
    key_text = (var_dir / "log-key.pub").read_text().strip()
    audit = amanah("audit", mirror, "--key", key_text, "--state", tmp_path / "trust", "--json")
    assert audit.exit_code == 0, audit.output
    report = json.loads(audit.output)
    assert report["ok"] is True
    assert [m["kind"] for m in report["motions_executed"]] == ["allocation.approve"]
    assert report["motions_executed"][0]["counted_seats"] == sorted(SEATS)


def test_signing_asks_first_and_a_no_signs_nothing(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    motion = board.open()
    key, token = _member_files(tmp_path, board, "pk")
    args = ("sign", motion.id, "--key", key, "--server", live_server.url, "--token-file", token)

    result = amanah(*args, input="n\n")

    assert result.exit_code == 1
    assert "not signed" in result.output
    assert not motion.signatures.exists()


def test_a_refusal_by_the_server_exits_1(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    motion = board.open()
    _, token = _member_files(tmp_path, board, "pk")
    stranger = _write_key(tmp_path / "stranger.key", Ed25519PrivateKey.generate())

    result = amanah(
        "sign", motion.id, "--key", stranger, "--server", live_server.url,
        "--token-file", token, "--yes",
    )  # fmt: skip

    assert result.exit_code == 1
    assert "refused by the server" in result.output
    assert "key_id" in result.output


def test_a_member_refuses_with_the_cli(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    motion = board.open()
    _, token = _member_files(tmp_path, board, "qa")

    result = amanah(
        "refuse", motion.id, "--reason", "No costing.", "--server", live_server.url,
        "--token-file", token,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert motion.refusals.get().reason == "No costing."


# --- a tampered payload --------------------------------------------------------------------


def _served(payload: bytes, decoded: Any = None) -> dict[str, Any]:
    return {
        "id": MOTION_ID,
        "payload_base64": base64.b64encode(payload).decode(),
        "payload": json.loads(payload) if decoded is None else decoded,
    }


def _canonical(**changes: Any) -> bytes:
    from amanah.transparency import canonical_json

    motion = {"type": "amanah.motion.v1", "motion": MOTION_ID, "kind": "allocation.approve"}
    return canonical_json({**motion, **changes})


@pytest.mark.parametrize(
    ("served", "why"),
    [
        (_served(b'{"type": "amanah.motion.v1", "motion": "' + MOTION_ID.encode() + b'"}'),
         "not the canonical form"),
        (_served(_canonical(motion="00000000-0000-4000-8000-000000000000")), "names motion"),
        (_served(_canonical(type="amanah.other.v1")), "not typed"),
        (_served(_canonical(), decoded={"kind": "something harmless"}), "differs from its bytes"),
        ({"id": MOTION_ID, "payload_base64": "%%%", "payload": {}}, "not base64"),
    ],
)  # fmt: skip
def test_a_tampered_payload_is_refused_before_signing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, served: dict[str, Any], why: str
) -> None:
    calls: list[tuple[str, str]] = []

    def fake_http(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        calls.append((method, url))
        return 200, served

    monkeypatch.setattr(board_cli, "http_json", fake_http)
    key = _write_key(tmp_path / "k.key", Ed25519PrivateKey.generate())
    token = tmp_path / "token"
    token.write_text("amanah_x\n")

    result = amanah(
        "sign", MOTION_ID, "--key", key, "--server", "http://server.test",
        "--token-file", token, "--yes",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    assert "not signing" in result.output
    assert why in result.output
    assert calls == [("GET", f"http://server.test/api/v1/motions/{MOTION_ID}")]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    key = _write_key(tmp_path / "k.key", Ed25519PrivateKey.generate())
    args = ("--server", "http://127.0.0.1:9", "--token-file", tmp_path / "missing", "--yes")

    assert amanah("sign", "not-a-uuid", "--key", key, *args).exit_code == 2
    assert amanah("sign", MOTION_ID, "--key", tmp_path / "none", *args).exit_code == 2
    assert amanah("sign", MOTION_ID, "--key", key, *args).exit_code == 2  # no token file
    assert amanah("motions", "list", "--server", "ftp://x").exit_code == 2
    assert amanah("motions", "list", "--server", "http://127.0.0.1:9").exit_code == 2


def test_the_board_commands_need_no_django() -> None:
    code = "import sys, amanah.cli.board; print(sorted(m for m in sys.modules if 'django' in m))"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
