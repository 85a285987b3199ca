"""`amanah audit` replays the damaged and rebuilt assets too: the demo's replay clean and the
server's damage table agrees with them; an asset found restored from imagery, written into
the log, is named; a condition changed in the database behind the services' back is caught
by --against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from pytest_django.live_server_helper import LiveServer
from typer.testing import CliRunner, Result

from amanah.assets.models import Assessment, Asset
from amanah.assets.replay import served_figures
from amanah.assets.selectors import damage_by_governorate
from amanah.cli.main import app
from amanah.ledger.services import integrate_pending, record
from conftest import DemoLog


def amanah(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _audit_json(log: DemoLog, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    mirror = tmp_path / "mirror"
    exported = amanah("log", "export", mirror)
    assert exported.exit_code == 0, exported.output
    result = amanah(
        "audit", mirror, "--key", log.key_text, "--state", tmp_path / "trust", "--json", *extra
    )
    return result.exit_code, json.loads(result.output)


def _served(size: int) -> dict[str, Any]:
    table = damage_by_governorate(log_size=size)
    rows = [{"governorate": p, **line.as_dict()} for p, line in table.by_governorate.items()]
    return served_figures({"governorates": rows, "total": table.total.as_dict()}, size)


def test_the_demo_assets_replay_clean(demo_log: DemoLog, tmp_path: Path) -> None:
    code, report = _audit_json(demo_log, tmp_path)

    assert code == 0, report
    assets = report["assets"]
    assert (assets["ok"], assets["violations"], assets["against"]) == (True, [], None)
    assert assets["figures"] == _served(report["size"])
    assert assets["figures"]["total"]["assets"] == Asset.objects.count() > 0
    assert assets["figures"]["total"]["damaged_again"] == 1

    table = amanah(
        "audit", tmp_path / "mirror", "--key", demo_log.key_text, "--state", tmp_path / "trust"
    )
    assert table.exit_code == 0, table.output
    assert "Damage and rebuilding, recomputed from the log" in table.output
    assert "Khan Younis" in table.output
    assert "damaged again" in table.output


def test_an_asset_found_restored_from_imagery_is_named(demo_log: DemoLog, tmp_path: Path) -> None:
    school = Asset.objects.order_by("code").first()
    assert school is not None
    with transaction.atomic():
        forged = record(
            "asset.assessed",
            {
                "asset": str(school.id), "code": school.code, "assessed_on": "2026-01-20",
                "condition": "restored", "method": "remote", "source": "Imagery",
            },
            actor="test:forger",
        ).index  # fmt: skip
    integrate_pending()

    code, report = _audit_json(demo_log, tmp_path)

    assert code == 1
    assert report["ok"] is True  # the board's decisions are fine
    assert [(v["index"], v["code"]) for v in report["assets"]["violations"]] == [
        (forged, "restored_not_on_site")
    ]
    assert school.code in report["assets"]["violations"][0]["message"]


def test_the_server_agrees_and_a_changed_condition_is_caught(
    live_server: LiveServer, demo_log: DemoLog, tmp_path: Path
) -> None:
    def audit() -> Result:
        return amanah(
            "audit", f"{live_server.url}/log", "--key", demo_log.key_text,
            "--state", tmp_path / "trust", "--against", live_server.url, "--json",
        )  # fmt: skip

    agreed = audit()
    assert agreed.exit_code == 0, agreed.output
    report = json.loads(agreed.output)
    assert report["assets"]["against"] == {"matches": True, "differences": []}

    # A destroyed asset's imagery assessment says "moderate" now, behind the services' back.
    wrong = Assessment.objects.filter(condition="destroyed").select_related("asset").first()
    assert wrong is not None
    Assessment.objects.filter(pk=wrong.pk).update(condition="moderate")

    caught = audit()
    assert caught.exit_code == 1, caught.output
    report = json.loads(caught.output)
    assert report["assets"]["violations"] == []
    differences = report["assets"]["against"]["differences"]
    pcode = wrong.asset.governorate
    assert f"governorates.{pcode}.destroyed: served " in "\n".join(differences), differences
    assert any(d.startswith("total.moderate: served ") for d in differences), differences
    assert report["fund"]["against"]["matches"] is True
