"""`amanah audit`: the demo log, exported as a mirror or served over HTTP, verifies and
every decision in it checks out; a decision written straight into the database is found
and named. (The tampered variants of the board are replayed in
tests/governance/test_audit_replay.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from pytest_django.live_server_helper import LiveServer
from typer.testing import CliRunner, Result

from amanah.accounts.models import User
from amanah.cli.audit import PinnedReader
from amanah.cli.main import app
from amanah.funds.models import Contribution
from amanah.funds.selectors import fund_figures
from amanah.governance.models import Motion, MotionStatus
from amanah.governance.services import motion_open
from amanah.ledger.models import LogEntry
from amanah.ledger.services import integrate_pending, record
from amanah.transparency import FileLog, MemoryStorage, TileMismatch
from conftest import DemoLog


def _executed_kinds() -> list[str]:
    """The kinds of the demo's executed motions, in the order they were decided."""
    executed = Motion.objects.filter(status=MotionStatus.EXECUTED).order_by("executed_index")
    return list(executed.values_list("kind", flat=True))


def amanah(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _export(tmp_path: Path) -> Path:
    mirror = tmp_path / "mirror"
    result = amanah("log", "export", mirror)
    assert result.exit_code == 0, result.output
    return mirror


def test_the_demo_log_passes_the_audit(demo_log: DemoLog, tmp_path: Path) -> None:
    mirror = _export(tmp_path)

    result = amanah("audit", mirror, "--key", demo_log.key_text, "--state", tmp_path / "trust")

    assert result.exit_code == 0, result.output
    assert f"{demo_log.size:,} entries, every tile checked" in result.output
    assert "Motions executed" in result.output
    assert "fund.allocate" in result.output
    assert "policy.change" in result.output
    assert "every decision in the log checks out" in result.output
    assert "The fund, recomputed from the log" in result.output


def test_the_demo_log_as_json(demo_log: DemoLog, tmp_path: Path) -> None:
    mirror = _export(tmp_path)

    result = amanah(
        "audit", mirror, "--key", demo_log.key_text, "--state", tmp_path / "trust", "--json"
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["verified"] is True
    assert report["ok"] is True
    assert report["size"] == demo_log.size
    assert report["violations"] == []
    kinds = [m["kind"] for m in report["motions_executed"]]
    assert kinds == _executed_kinds()
    assert {"policy.change", "fund.allocate", "fund.disburse"} <= set(kinds)
    assert all(m["valid"] for m in report["motions_executed"])
    assert report["skipped"]["organisation.registered"] >= 1
    signed = LogEntry.objects.filter(kind="motion.signed").count()
    assert report["governance_entries"]["motion.signed"] == signed
    # The fund's books replay clean, and give the figures the server computes.
    assert report["fund"]["violations"] == []
    assert report["fund"]["figures"] == fund_figures(log_size=demo_log.size)
    assert report["fund"]["against"] is None


def test_a_decision_written_straight_into_the_database_fails_the_audit(
    demo_log: DemoLog, tmp_path: Path
) -> None:
    secretariat = User.objects.get(username="demo-secretariat")
    motion = motion_open(
        kind="allocation.approve",
        title={"en": "An allocation nobody signed", "ar": "تخصيص لم يوقعه أحد"},
        body={"en": "Forged", "ar": "مزور"},
        effect={"amount": {"value": "1.00", "currency": "USD"}},
        actor=secretariat,
    )
    quorum = {
        "met": True,
        "counted_seats": ["eg", "id", "pk", "ps-1", "ps-2"],
        "group_counts": {"palestinian": 2},
        "refused": [],
        "missing": {},
    }
    with transaction.atomic():
        forged = record(
            "motion.executed",
            {"motion": str(motion.id), "kind": motion.kind, "quorum": quorum},
            actor="amanah:quorum",
        ).index
    integrate_pending()
    mirror = _export(tmp_path)

    result = amanah(
        "audit", mirror, "--key", demo_log.key_text, "--state", tmp_path / "trust", "--json"
    )

    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["verified"] is True
    assert report["ok"] is False
    codes = {(v["index"], v["code"]) for v in report["violations"]}
    assert codes == {(forged, "quorum_not_met"), (forged, "quorum_result_mismatch")}
    assert report["motions_executed"][-1] == {
        "index": forged,
        "motion": str(motion.id),
        "kind": "allocation.approve",
        "counted_seats": [],
        "valid": False,
    }

    table = amanah("audit", mirror, "--key", demo_log.key_text, "--state", tmp_path / "trust")
    assert table.exit_code == 1
    assert "AUDIT FAILED" in table.output
    assert "quorum_not_met" in table.output
    assert str(forged) in table.output


def test_a_log_that_fails_verification_is_not_replayed(demo_log: DemoLog, tmp_path: Path) -> None:
    mirror = _export(tmp_path)
    bundle = next((mirror / "tile" / "entries").rglob("*"))
    while bundle.is_dir():
        bundle = next(bundle.rglob("*"))
    data = bytearray(bundle.read_bytes())
    data[-1] ^= 1
    bundle.write_bytes(bytes(data))

    result = amanah(
        "audit", mirror, "--key", demo_log.key_text, "--state", tmp_path / "trust", "--json"
    )

    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["verified"] is False
    assert "ok" not in report


def test_the_demo_log_served_over_http_passes_the_audit(
    live_server: LiveServer, demo_log: DemoLog, tmp_path: Path
) -> None:
    result = amanah(
        "audit", f"{live_server.url}/log", "--key", demo_log.key_text,
        "--state", tmp_path / "trust", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["ok"], report["size"]) == (True, demo_log.size)
    assert len(report["motions_executed"]) == len(_executed_kinds())


def test_a_log_without_a_board_has_nothing_to_object_to(tmp_path: Path) -> None:
    log = FileLog.init(tmp_path / "log", origin="example.org/plain")
    log.append([b'{"type":"amanah.pledge.recorded.v1"}', b"plain bytes"])
    log.checkpoint()

    result = amanah(
        "audit", tmp_path / "log", "--key", log.verifier_key, "--state", tmp_path / "trust",
        "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["skipped"] == {"pledge.recorded": 1, "(not JSON)": 1}
    assert report["motions_executed"] == []


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    log = FileLog.init(tmp_path / "log", origin="example.org/plain")

    missing = amanah("audit", tmp_path / "nothing", "--key", log.verifier_key)
    bad_key = amanah("audit", tmp_path / "log", "--key", "example.org/log+0000+AAAA")

    assert missing.exit_code == 2
    assert "neither an http(s) URL nor a directory with a checkpoint" in missing.output
    assert bad_key.exit_code == 2


def test_a_bundle_served_differently_after_verification_is_refused() -> None:
    storage = MemoryStorage()
    storage.write("tile/entries/000.p/1", b"\x00\x01a")
    reader = PinnedReader(storage)
    assert reader.read("tile/entries/000.p/1") == b"\x00\x01a"
    storage.write("tile/entries/000.p/1", b"\x00\x01b")

    with pytest.raises(TileMismatch):
        reader.read("tile/entries/000.p/1")


def test_amanah_audit_needs_no_django() -> None:
    code = (
        "import sys, amanah.cli.audit, amanah.governance.replay;"
        " print(sorted(m for m in sys.modules if 'django' in m))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"


def test_the_figures_served_match_the_log_to_the_cent(
    live_server: LiveServer, demo_log: DemoLog, tmp_path: Path
) -> None:
    result = amanah(
        "audit", f"{live_server.url}/log", "--key", demo_log.key_text,
        "--state", tmp_path / "trust", "--against", live_server.url,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "serves exactly the figures the log gives" in result.output


def test_a_figure_changed_in_the_database_is_caught(
    live_server: LiveServer, demo_log: DemoLog, tmp_path: Path
) -> None:
    # One cent more on one contribution, behind the services' back.
    contribution = Contribution.objects.filter(reversed_index__isnull=True).first()
    assert contribution is not None
    Contribution.objects.filter(pk=contribution.pk).update(usd_minor=contribution.usd_minor + 1)

    result = amanah(
        "audit", f"{live_server.url}/log", "--key", demo_log.key_text,
        "--state", tmp_path / "trust", "--against", live_server.url, "--json",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is True  # the board's decisions are fine
    differences = report["fund"]["against"]["differences"]
    assert any(line.startswith("totals.paid: served ") for line in differences)
    assert report["fund"]["ok"] is False
