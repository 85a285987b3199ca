from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from amanah.ledger.models import LogEntry, LogTile, SignedCheckpoint
from amanah.ledger.services import record
from amanah.ledger.storage import DatabaseTileStorage
from amanah.ledger.wiring import log_signer
from amanah.orgs.demo import DEMO_ORGANISATIONS
from amanah.orgs.models import Organisation
from amanah.orgs.selectors import PUBLIC_FIELDS
from amanah.transparency import canonical_json, parse_verifier_key, verify_log

# 12 organisations registered first (7 donors' agencies, 5 Palestinian bodies), then the
# demo board: 9 seats, their holders and keys and the policy (28 entries), and a policy
# change signed by five seats (8 entries: opened, 5 signatures, executed, the new policy);
# then the fund (tests/funds/test_fund_demo.py), whose motions the same board signs.
DEMO_ORGANISATION_COUNT = 13
DEMO_BOARD = 28 + 8
FUND_FROM = DEMO_ORGANISATION_COUNT + DEMO_BOARD
# The kinds the demo board is logged under: the real ones, so the audit can replay them.
# What the demos after the board log: the fund, monitoring, proposals, assets, access,
# materials.
DOMAIN_FAMILIES = {
    "fund",
    "milestone",
    "indicator",
    "partner",
    "risk_policy",
    "proposal",
    "round",
    "asset",
    "access",
    "materials",
}
BOARD_KINDS = {
    "seat.created",
    "seat.holder_changed",
    "key.registered",
    "policy.set",
    "motion.opened",
    "motion.signed",
    "motion.executed",
}

pytestmark = pytest.mark.django_db


def _load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_load_demo_records_a_log_that_verifies_with_the_published_key(var_dir: Path) -> None:
    output = _load_demo()
    size = LogEntry.objects.count()

    assert f"Recorded {size} demo entries in the log." in output
    assert f"The log's public key is in {var_dir / 'log-key.pub'}." in output
    key_text = (var_dir / "log-key.pub").read_text()
    assert key_text == log_signer().verifier().key_text + "\n"
    report = verify_log(
        DatabaseTileStorage(),
        parse_verifier_key(key_text),
        entries=[0, DEMO_ORGANISATION_COUNT, FUND_FROM - 1, FUND_FROM],
    )
    assert report.checkpoint.origin == "localhost/amanah-demo"
    assert report.checkpoint.size == size
    assert [json.loads(e.entry)["type"] for e in report.entries] == [
        "amanah.organisation.registered.v1",
        "amanah.seat.created.v1",
        "amanah.policy.set.v1",
        "amanah.fund.fx_rate_recorded.v1",
    ]


def test_load_demo_creates_the_signing_key_readable_by_its_owner_only(var_dir: Path) -> None:
    _load_demo()

    mode = stat.S_IMODE((var_dir / "log.key").stat().st_mode)
    assert mode == 0o600
    # The public file holds the verifier key, never the signing key.
    assert (var_dir / "log.key").read_text().strip() not in (var_dir / "log-key.pub").read_text()


def test_load_demo_twice_changes_nothing(var_dir: Path) -> None:
    _load_demo()
    checkpoint = DatabaseTileStorage().read("checkpoint")
    tiles = dict(LogTile.objects.values_list("path", "data"))

    size = LogEntry.objects.count()
    output = _load_demo()

    assert f"The log already holds {size} entries; nothing to do." in output
    assert LogEntry.objects.count() == size
    assert SignedCheckpoint.objects.count() == 1
    assert DatabaseTileStorage().read("checkpoint") == checkpoint
    assert dict(LogTile.objects.values_list("path", "data")) == tiles


def test_load_demo_restores_a_deleted_public_key_file(var_dir: Path) -> None:
    _load_demo()
    (var_dir / "log-key.pub").unlink()

    output = _load_demo()

    assert "public key is in" in output
    assert (var_dir / "log-key.pub").read_text() == log_signer().verifier().key_text + "\n"


def test_load_demo_integrates_entries_a_failed_commit_hook_left_pending(var_dir: Path) -> None:
    # Recorded but never integrated: what a crash between commit and on-commit leaves.
    with transaction.atomic():
        record("test.left.pending", {"n": 1}, actor="test:crash")
    assert not SignedCheckpoint.objects.exists()

    output = _load_demo()

    assert "The log already holds 1 entries; nothing to do." in output
    assert SignedCheckpoint.objects.get().size == 1
    key = parse_verifier_key((var_dir / "log-key.pub").read_text())
    assert verify_log(DatabaseTileStorage(), key).checkpoint.size == 1


def test_load_demo_speaks_arabic_in_an_arabic_locale(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ar_EG.UTF-8")

    output = _load_demo()

    assert f"سُجِّلت القيود التجريبية في السجل (عددها: {LogEntry.objects.count()})." in output
    assert "Recorded" not in output


def test_demo_entries_are_canonical_json_in_the_design_shape(var_dir: Path) -> None:
    _load_demo()

    for logged in LogEntry.objects.all():
        entry = bytes(logged.entry)
        value = json.loads(entry)
        assert canonical_json(value) == entry
        assert set(value) == {"type", "at", "actor", "data", "private_commitment", "signatures"}
        assert value["type"] == f"amanah.{logged.kind}.v1"
        assert value["at"] == logged.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert value["actor"] == logged.actor
        # Private detail (bank references, a reporter's name) is committed to, not shown.
        assert (value["private_commitment"] is None) == (logged.private_data is None)
        # Demo organisations carry an identifier no registry issues; the demo board's keys
        # are marked as demo keys (tests/governance/test_governance_demo); the fund's
        # projects and the demo housing body say "(demo)".
        if logged.kind in BOARD_KINDS:
            assert logged.index >= DEMO_ORGANISATION_COUNT
            assert (value["signatures"] != []) == (logged.kind == "motion.executed")
            continue
        assert value["signatures"] == []
        if logged.kind == "organisation.registered":
            assert value["data"]["iati_identifier"].startswith("XI-DEMO-")
            continue
        if logged.kind == "project.registered":
            assert value["data"]["title_en"].endswith("(demo)")
            continue
        assert logged.kind.split(".")[0] in DOMAIN_FAMILIES, logged.kind
        assert logged.index >= FUND_FROM


def test_load_demo_registers_donors_agencies_then_palestinian_bodies(var_dir: Path) -> None:
    _load_demo()

    assert len(DEMO_ORGANISATIONS) == DEMO_ORGANISATION_COUNT
    registrations = list(LogEntry.objects.filter(index__lt=DEMO_ORGANISATION_COUNT))
    assert {e.kind for e in registrations} == {"organisation.registered"}
    assert {e.actor for e in registrations} == {"demo:secretariat"}
    logged = [json.loads(bytes(e.entry))["data"] for e in registrations]
    assert [data["iati_identifier"] for data in logged] == [
        o.iati_identifier for o in DEMO_ORGANISATIONS
    ]
    assert all(set(data) == set(PUBLIC_FIELDS) for data in logged)
    assert [data["country"] for data in logged[:7]] == ["PK", "TR", "ID", "EG", "QA", "SA", "JO"]
    palestinian = Organisation.objects.filter(is_palestinian=True)
    # The six of orgs.demo, the housing body the fund's demo adds, and the Red Crescent,
    # which the access demo adds as a requesting organisation.
    assert palestinian.count() == 8
    assert set(palestinian.values_list("country", flat=True)) == {"PS"}
    # Every name in both languages.
    assert not Organisation.objects.filter(name_en="").exists()
    assert not Organisation.objects.filter(name_ar="").exists()
    assert Organisation.objects.get(iati_identifier="XI-DEMO-PS-MOPWH").name_ar == (
        "وزارة الأشغال العامة والإسكان"
    )
