from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from amanah.ledger.demo import DEMO_TYPE, demo_entries
from amanah.transparency import (
    DirectoryStorage,
    FileLog,
    canonical_json,
    parse_verifier_key,
    verify_log,
)


def _load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_load_demo_creates_a_log_that_verifies_with_the_published_key(var_dir: Path) -> None:
    output = _load_demo()

    assert "demo entries: 36" in output
    key_text = (var_dir / "log-key.pub").read_text()
    assert key_text == FileLog.open(var_dir / "log").verifier_key + "\n"
    report = verify_log(DirectoryStorage(var_dir / "log"), parse_verifier_key(key_text))
    assert report.checkpoint.origin == "localhost/amanah-demo"
    assert report.checkpoint.size == len(demo_entries())


def test_load_demo_twice_changes_nothing(var_dir: Path) -> None:
    _load_demo()
    checkpoint = (var_dir / "log" / "checkpoint").read_bytes()

    output = _load_demo()

    assert "already exists (entries: 36); nothing to do" in output
    assert "public key" not in output
    assert (var_dir / "log" / "checkpoint").read_bytes() == checkpoint


def test_load_demo_restores_a_deleted_public_key_file(var_dir: Path) -> None:
    _load_demo()
    (var_dir / "log-key.pub").unlink()

    output = _load_demo()

    assert "public key" in output
    assert (var_dir / "log-key.pub").read_text() == FileLog.open(
        var_dir / "log"
    ).verifier_key + "\n"


def test_load_demo_fills_an_empty_log_left_by_an_interrupted_run(var_dir: Path) -> None:
    FileLog.init(var_dir / "log", origin="localhost/amanah-demo")

    _load_demo()

    assert FileLog.open(var_dir / "log").size == len(demo_entries())


def test_load_demo_speaks_arabic_in_an_arabic_locale(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ar_EG.UTF-8")

    output = _load_demo()

    assert "أُنشئ السجل" in output


def test_demo_entries_are_canonical_json_in_the_design_shape() -> None:
    for entry in demo_entries():
        value = json.loads(entry)
        assert canonical_json(value) == entry
        assert set(value) == {"type", "at", "actor", "data", "private_commitment", "signatures"}
        assert value["type"] == DEMO_TYPE
        assert value["at"].endswith("Z")
        assert value["data"]["illustrative"] is True
        amount = value["data"].get("amount")
        assert amount is None or isinstance(amount["value"], str)
