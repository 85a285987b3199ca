"""`amanah allocation replay`: a logged round re-solves to the logged portfolio (exit 0);
a tampered result is named (exit 1); a round not in the log is not found (exit 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from roundmaker import RAFAH, proposal, round_of
from typer.testing import CliRunner, Result

from amanah.cli.main import app
from amanah.funds.earmarks import FLEXIBLE, Earmark
from amanah.rounds.optimiser import optimise, solver_versions
from amanah.transparency import FileLog, canonical_json

ROUND = "R-2026-01"


def _entry(data: dict[str, Any]) -> bytes:
    return canonical_json(
        {
            "type": "amanah.round.optimised.v1",
            "at": "2026-01-15T10:00:00Z",
            "actor": "secretariat",
            "data": data,
        }
    )


def _logged_round(tmp_path: Path, tamper: bool = False) -> FileLog:
    inputs = round_of(
        proposal("a", 600, "5"),
        proposal("b", 500, "4", governorate=RAFAH),
        proposal("c", 500, "4"),
        pools={FLEXIBLE: 500, Earmark(None, RAFAH): 500},  # a fits no pool
    )
    result = optimise(inputs).to_json()
    if tamper:  # the secretariat logs the greedy pick instead of the optimum
        result = {"selected": ["a"], "draws": {"a": {"any.any": 600}}, "total_score": "5"}
    data = {
        "round": ROUND,
        "inputs": inputs.to_json(),
        "result": result,
        "solver": solver_versions(),
    }
    log = FileLog.init(tmp_path / "log", origin="example.org/rounds")
    log.append([b'{"type":"amanah.pledge.recorded.v1"}', _entry(data)])
    log.checkpoint()
    return log


def amanah(tmp_path: Path, log: FileLog, *args: str) -> Result:
    return CliRunner().invoke(
        app,
        [
            "allocation", "replay", *args,
            "--log", str(tmp_path / "log"),
            "--key", log.verifier_key,
            "--state", str(tmp_path / "trust"),
        ],
    )  # fmt: skip


def test_a_logged_round_replays_to_the_same_portfolio(tmp_path: Path) -> None:
    log = _logged_round(tmp_path)

    result = amanah(tmp_path, log, ROUND)

    assert result.exit_code == 0, result.output
    assert f"Round {ROUND}, entry 1" in result.output
    assert "agree" in result.output
    assert "DISAGREE" not in result.output


def test_the_replay_as_json(tmp_path: Path) -> None:
    log = _logged_round(tmp_path)

    result = amanah(tmp_path, log, ROUND, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["agree"] is True
    assert report["replayed"]["selected"] == ["b", "c"]
    assert report["replayed"]["draws"] == {"b": {f"any.{RAFAH}": 500}, "c": {"any.any": 500}}


def test_a_tampered_result_is_named(tmp_path: Path) -> None:
    log = _logged_round(tmp_path, tamper=True)

    result = amanah(tmp_path, log, ROUND)
    as_json = json.loads(amanah(tmp_path, log, ROUND, "--json").output)

    assert result.exit_code == 1, result.output
    assert "DISAGREE" in result.output
    assert as_json["agree"] is False
    assert (
        "selected: only in the log ['a'], only in the replay ['b', 'c']" in as_json["differences"]
    )
    assert "total_score: logged 5, replayed 8" in as_json["differences"]
    assert "draws of a: logged {'any.any': 600}, replayed None" in as_json["differences"]


def test_a_round_not_in_the_log_is_not_found(tmp_path: Path) -> None:
    log = _logged_round(tmp_path)

    result = amanah(tmp_path, log, "R-1999-99")

    assert result.exit_code == 1
    assert "no round.optimised entry for round R-1999-99" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    log = _logged_round(tmp_path)

    result = CliRunner().invoke(
        app,
        [
            "allocation",
            "replay",
            ROUND,
            "--log",
            str(tmp_path / "nothing"),
            "--key",
            log.verifier_key,
        ],
    )

    assert result.exit_code == 2


def test_the_replay_needs_no_django() -> None:
    code = (
        "import sys, amanah.cli.rounds, amanah.rounds.optimiser;"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
