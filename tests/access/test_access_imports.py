"""The CSV import: all or nothing, each wrong row named, idempotent, HXL, progress."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amanah.access.imports import ImportInvalid, consignment_import
from amanah.access.models import Consignment, ConsignmentEvent
from amanah.cli.main import app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_factories import NOW, ORG, WAREHOUSE_NAME, Access, build_access

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,event,occurred_at,organisation,crossing,warehouse,trucks,category,quantity,"
    "unit,weight_kg,reasons,rejected,event_reference\n"
)
GOOD = HEADER + (
    f"C-1,requested,2026-01-05T08:00:00+00:00,{ORG},kerem_shalom,{WAREHOUSE_NAME},5,food,18000,kg,18000,,,\n"
    "C-1,requested,2026-01-05T08:00:00+00:00,,,,,medical,200,box,2400,,,\n"
    "C-1,submitted,2026-01-05T10:00:00+00:00,,,,,,,,,,,e1\n"
    "C-1,cleared,2026-01-06T10:00:00+00:00,,,,,,,,,,,e2\n"
    f"C-2,requested,2026-01-05T09:00:00+00:00,{ORG},zikim,{WAREHOUSE_NAME},2,fuel,30000,l,25500,,,\n"
    "C-2,submitted,2026-01-05T11:00:00+00:00,,,,,,,,,,,\n"
    "C-2,denied,2026-01-07T11:00:00+00:00,,,,,,,,,dual_use,,\n"
)


@pytest.fixture
def access(var_dir: Path) -> Access:
    return build_access()


def test_a_file_is_imported_once(access: Access) -> None:
    seen: list[tuple[int, int]] = []
    result = consignment_import(
        GOOD, actor=access.coordinator, now=NOW, progress=lambda d, t: seen.append((d, t))
    )
    assert (result.consignments, result.events, result.already_recorded) == (2, 4, 0)
    assert seen[-1] == (7, 7)
    c1 = Consignment.objects.get(external_reference="C-1")
    assert c1.items.count() == 2
    assert c1.status == "cleared"
    assert Consignment.objects.get(external_reference="C-2").status == "denied"

    again = consignment_import(GOOD, actor=access.coordinator, now=NOW)
    assert (again.consignments, again.events, again.already_recorded) == (0, 0, 7)
    assert ConsignmentEvent.objects.count() == 6


def test_one_wrong_row_and_nothing_is_recorded(access: Access) -> None:
    bad = GOOD.replace(
        "C-2,denied,2026-01-07T11:00:00+00:00,,,,,,,,,dual_use",
        "C-2,crossed,2026-01-07T11:00:00+00:00,,,,,,,,,",
    )
    bad = bad.replace(",5,food,18000,", ",5,food,lots,")
    with pytest.raises(ImportInvalid) as error:
        consignment_import(bad, actor=access.coordinator, now=NOW)
    problems = {(e.line, e.column) for e in error.value.errors}
    assert (2, "quantity") in problems
    assert (8, "event") in problems
    assert Consignment.objects.count() == 0
    assert ConsignmentEvent.objects.count() == 0


def test_hxl_hashtags_name_the_columns(access: Access) -> None:
    text = (
        "Ref,Status,When,Org,Crossing,Store,Trucks,Type,Qty,Unit,Kg\n"
        "#x_consignment,#status,#date+occurred,#org+code,#loc+crossing,#loc+warehouse,#x_trucks,#item+type,#item+num,#item+unit,#item+weight\n"
        f"H-1,requested,2026-01-05T08:00:00+00:00,{ORG},kerem_shalom,{WAREHOUSE_NAME},1,shelter,100,kit,4000\n"
    )
    assert consignment_import(text, actor=access.coordinator, now=NOW).consignments == 1


def test_the_cli_imports_on_the_server(access: Access, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(GOOD)
    # The file's times are in January 2026; "now" is the machine's, later than that.
    done = CliRunner().invoke(
        app, ["access", "import-local", str(path), "--as", access.coordinator.username]
    )
    assert done.exit_code == 0, done.output
    assert "Consignments recorded: 2. Events recorded: 4." in done.output
    path.write_text(HEADER + "X,submitted,2026-01-05T10:00:00+00:00,,,,,,,,,,,\n")
    refused = CliRunner().invoke(
        app, ["access", "import-local", str(path), "--as", access.coordinator.username]
    )
    assert refused.exit_code == 1
    assert "line 2 reference" in refused.output
