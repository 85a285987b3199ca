"""`amanah allocation replay` agrees with a round run through the services: the log is
exported (`amanah log export`), verified, and the round re-solved from it alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from round_services_support import CODE, Setup, build_setup, run_round
from typer.testing import CliRunner, Result

from amanah.cli.main import app
from amanah.ledger.services import integrate_pending
from amanah.ledger.wiring import log_signer
from amanah.rounds import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(var_dir: Path) -> Setup:
    return build_setup()


def amanah(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _export(tmp_path: Path) -> Path:
    integrate_pending()
    mirror = tmp_path / "mirror"
    result = amanah("log", "export", mirror)
    assert result.exit_code == 0, result.output
    return mirror


def test_the_replay_agrees_with_the_services(setup: Setup, tmp_path: Path) -> None:
    run_round(setup)
    result = services.round_optimise(round=CODE, actor=setup.fund.secretariat)
    mirror = _export(tmp_path)
    key = log_signer().verifier().key_text

    replay = amanah(
        "allocation", "replay", CODE, "--log", mirror, "--key", key,
        "--state", tmp_path / "trust", "--json",
    )  # fmt: skip

    assert replay.exit_code == 0, replay.output
    report = json.loads(replay.output)
    assert report["agree"] is True
    assert report["replayed"]["selected"] == result.selected
    assert report["replayed"]["draws"] == result.draws
    assert report["replayed"]["total_score"] == result.total_score


def test_the_replay_takes_the_latest_optimisation(setup: Setup, tmp_path: Path) -> None:
    run_round(setup)
    services.round_optimise(round=CODE, actor=setup.fund.secretariat)
    again = services.round_optimise(round=CODE, actor=setup.fund.secretariat)
    mirror = _export(tmp_path)
    key = log_signer().verifier().key_text

    replay = amanah(
        "allocation", "replay", CODE, "--log", mirror, "--key", key,
        "--state", tmp_path / "trust",
    )  # fmt: skip

    assert replay.exit_code == 0, replay.output
    assert f"Round {CODE}, entry {again.log_index}" in replay.output
