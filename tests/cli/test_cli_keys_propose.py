"""`amanah keys propose`: a board member puts their own public key to the board, against
a live server; the private key never leaves the file."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytest_django.live_server_helper import LiveServer
from typer.testing import CliRunner, Result

from amanah.accounts.models import User
from amanah.accounts.services import api_token_create
from amanah.cli import board as board_cli
from amanah.cli.main import app
from amanah.governance.models import BoardKey, Motion, MotionStatus
from amanah.governance.selectors import key_id_of, member_handle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
from governance_factories import Board, build_board


def amanah(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def _key_file(path: Path, private: Ed25519PrivateKey) -> Path:
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


def _token_file(path: Path, user: User) -> Path:
    _, plaintext = api_token_create(user=user, name="cli")
    path.write_text(plaintext + "\n")
    return path


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def _propose(server: str, key: Path, token: Path, *extra: str, input: str | None = None) -> Result:
    return amanah(
        "keys", "propose", "--key", key, "--server", server, "--token-file", token, *extra,
        input=input,
    )  # fmt: skip


def test_a_member_proposes_their_key_and_the_board_registers_it(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    member = board.members["eg"]
    new_key = Ed25519PrivateKey.generate()
    public = new_key.public_key().public_bytes_raw()
    key = _key_file(tmp_path / "new.key", new_key)
    token = _token_file(tmp_path / "token", member)

    result = _propose(live_server.url, key, token, "--yes")

    assert result.exit_code == 0, result.output
    motion = Motion.objects.get(kind="key.register")
    handle = member_handle(member)
    assert motion.effect == {"member": handle, "public_key": base64.b64encode(public).decode()}
    assert motion.title_en == f"Register a signing key for {handle}"
    assert motion.title_ar == f"تسجيل مفتاح توقيع للعضو {handle}"
    assert f"motion {motion.id} opened" in result.output
    assert f"{live_server.url}/motions/{motion.id}/" in result.output
    assert key_id_of(public) in result.output
    for seat in ("pk", "tr", "ps-1"):
        board.sign(seat, motion)
    motion.refresh_from_db()
    assert motion.status == MotionStatus.EXECUTED
    assert BoardKey.objects.get(key_id=key_id_of(public)).user == member


def test_only_a_board_member_proposes_a_key(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    key = _key_file(tmp_path / "new.key", Ed25519PrivateKey.generate())
    token = _token_file(tmp_path / "token", board.secretariat)

    result = _propose(live_server.url, key, token, "--yes")

    assert result.exit_code == 1
    assert "not a board member" in result.output
    assert not Motion.objects.exists()


def test_a_key_already_registered_is_refused_by_the_server(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    key = _key_file(tmp_path / "pk.key", board.private_keys["pk"])
    token = _token_file(tmp_path / "token", board.members["pk"])

    result = _propose(live_server.url, key, token, "--yes")

    assert result.exit_code == 1
    assert "refused by the server" in result.output
    assert "effect" in result.output
    assert not Motion.objects.exists()


def test_it_asks_first_and_a_no_opens_nothing(
    live_server: LiveServer, board: Board, tmp_path: Path
) -> None:
    key = _key_file(tmp_path / "new.key", Ed25519PrivateKey.generate())
    token = _token_file(tmp_path / "token", board.members["pk"])

    result = _propose(live_server.url, key, token, input="n\n")

    assert result.exit_code == 1
    assert "not proposed" in result.output
    assert not Motion.objects.exists()


def test_titles_can_be_given_and_only_the_public_key_is_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[str, str, Any]] = []

    def fake_http(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        calls.append((method, url, kwargs.get("body")))
        if url.endswith("/me"):
            return 200, {"username": "x", "role": "board_member", "member": "member-7"}
        return 201, {"id": "6f1c2b1e-8a53-4c3b-9a43-0f3d2c1b0a99"}

    monkeypatch.setattr(board_cli, "http_json", fake_http)
    private = Ed25519PrivateKey.generate()
    key = _key_file(tmp_path / "k.key", private)
    token = tmp_path / "token"
    token.write_text("amanah_x\n")

    result = _propose(
        "http://server.test/", key, token, "--yes", "--title-en", "My key", "--title-ar", "مفتاحي"
    )

    assert result.exit_code == 0, result.output
    public = base64.b64encode(private.public_key().public_bytes_raw()).decode()
    assert calls == [
        ("GET", "http://server.test/api/v1/me", None),
        (
            "POST",
            "http://server.test/api/v1/motions",
            {
                "kind": "key.register",
                "title": {"en": "My key", "ar": "مفتاحي"},
                "effect": {"member": "member-7", "public_key": public},
            },
        ),
    ]
    assert "http://server.test/motions/6f1c2b1e-8a53-4c3b-9a43-0f3d2c1b0a99/" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    key = _key_file(tmp_path / "k.key", Ed25519PrivateKey.generate())
    token = tmp_path / "token"
    token.write_text("amanah_x\n")

    assert _propose("ftp://x", key, token, "--yes").exit_code == 2
    assert _propose("http://127.0.0.1:9", tmp_path / "none", token, "--yes").exit_code == 2
    assert _propose("http://127.0.0.1:9", key, tmp_path / "none", "--yes").exit_code == 2
    # Nothing listens there.
    assert _propose("http://127.0.0.1:9", key, token, "--yes").exit_code == 2
