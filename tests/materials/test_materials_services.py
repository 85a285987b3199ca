"""Materials services: the non-negative rule for every kind, reconciliation, flags, roles,
and nothing private in the log."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from materials_factories import PRIVATE, build, entries, move, photo

from amanah.accounts.roles import RoleRequired
from amanah.ledger.models import LogEntry
from amanah.materials import services
from amanah.materials.models import Balance, StockMovement, UnaccountedFlag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_allowance_on_site(settings: Any) -> None:
    """These tests record a release and its use on the same day and expect the gap at
    once: no allowance for material on site (test_materials_on_site_allowance.py tests it)."""
    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 0


def _fields(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def _flow(s, used: str = "40") -> None:  # type: ignore[no-untyped-def]
    move(s, "received", "50")
    move(s, "allocated", "45")
    move(s, "released", "42")
    move(s, "used", used)


def test_a_full_flow_reconciles_with_no_flag() -> None:
    s = build()
    _flow(s, used="41.5")  # 0.5 of 45 with the contractor: within 2%
    move(s, "returned", "0.25")
    move(s, "lost", "0.25")
    move(s, "verified", "30", evidence=[photo()])
    totals = services.reconciliation(s.housing, s.vendor, s.cement)
    assert totals.received == Decimal(45)
    assert totals.used == Decimal("41.5")
    assert totals.in_stock == Decimal(3)
    assert totals.returned == Decimal("0.25")
    assert totals.lost == Decimal("0.25")
    assert totals.gap == 0
    assert not UnaccountedFlag.objects.exists()
    stock = Balance.objects.get(project=None)
    assert stock.quantity == Decimal(5)


@pytest.mark.parametrize(
    ("kind", "before", "message"),
    [
        ("allocated", [("received", "10")], "in the warehouse unallocated"),
        ("released", [("received", "10"), ("allocated", "10")], "allocated to this project"),
        ("used", [("received", "10"), ("allocated", "10"), ("released", "10")], "released"),
        (
            "verified",
            [("received", "10"), ("allocated", "10"), ("released", "10"), ("used", "10")],
            "not yet verified",
        ),
        ("returned", [("received", "10"), ("allocated", "10"), ("released", "10")], "released"),
        ("lost", [("received", "10"), ("allocated", "10"), ("released", "10")], "released"),
    ],
)
def test_no_quantity_goes_negative(kind: str, before: list[tuple[str, str]], message: str) -> None:
    s = build()
    for step, quantity in before:
        move(s, step, quantity)
    extra = {"evidence": [photo()]} if kind == "verified" else {}
    count = LogEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        move(s, kind, "10.001", **extra)
    assert _fields(caught.value) == {"quantity"}
    assert message in caught.value.message_dict["quantity"][0]
    assert LogEntry.objects.count() == count
    assert all(row.quantity >= 0 for row in Balance.objects.all())


def test_returned_and_lost_from_the_warehouse_stock_cannot_go_negative() -> None:
    s = build()
    move(s, "received", "5")
    for kind in ("returned", "lost"):
        with pytest.raises(ValidationError) as caught:
            move(s, kind, "6", project=None)
        assert _fields(caught.value) == {"quantity"}
    move(s, "lost", "5", project=None)
    assert Balance.objects.get(project=None).quantity == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1.0001", "NaN"])
def test_a_quantity_must_be_positive_digits(quantity: str) -> None:
    s = build()
    with pytest.raises(ValidationError) as caught:
        move(s, "received", quantity)
    assert _fields(caught.value) == {"quantity"}


def test_field_errors_name_the_field() -> None:
    s = build()
    with pytest.raises(ValidationError) as caught:
        move(s, "received", "1", project="GZ-HOU-0001")
    assert _fields(caught.value) == {"project"}
    with pytest.raises(ValidationError) as caught:
        move(s, "allocated", "1", project=None)
    assert _fields(caught.value) == {"project"}
    with pytest.raises(ValidationError) as caught:
        move(s, "received", "1", consignment=None)
    assert _fields(caught.value) == {"consignment"}
    move(s, "received", "5")
    with pytest.raises(ValidationError) as caught:
        move(s, "lost", "1", project=None, report="")
    assert _fields(caught.value) == {"report"}
    with pytest.raises(ValidationError) as caught:
        move(s, "allocated", "1", material="granite")
    assert _fields(caught.value) == {"material"}
    with pytest.raises(ValidationError) as caught:
        move(s, "allocated", "1", occurred_on="2027-01-01")
    assert _fields(caught.value) == {"occurred_on"}


def test_roles() -> None:
    s = build()
    with pytest.raises(RoleRequired):
        move(s, "received", "1", actor=s.partner)
    with pytest.raises(RoleRequired):
        move(s, "received", "1", actor=s.monitor)
    move(s, "received", "10")
    move(s, "allocated", "10")
    move(s, "released", "10")
    with pytest.raises(RoleRequired):
        move(s, "used", "1", actor=s.logistics)
    with pytest.raises(ValidationError) as caught:
        move(s, "used", "1", actor=s.other_partner)
    assert _fields(caught.value) == {"project"}
    move(s, "used", "1")
    with pytest.raises(RoleRequired):
        move(s, "verified", "1", actor=s.partner, evidence=[photo()])
    with pytest.raises(ValidationError) as caught:
        move(s, "verified", "1")
    assert _fields(caught.value) == {"evidence"}
    with pytest.raises(RoleRequired):
        services.material_type_add(
            code="timber", name_en="Timber", name_ar="خشب", unit="m3", actor=s.logistics
        )
    with pytest.raises(RoleRequired):
        services.vendor_add(name="X", actor=s.partner)


def test_a_gap_beyond_the_tolerance_raises_a_flag_a_monitor_resolves() -> None:
    s = build()
    _flow(s, used="40")  # 42 released, 40 used: 2 with the contractor, 2/45 > 2%
    flag = UnaccountedFlag.objects.get()
    assert flag.gap == Decimal(2)
    assert flag.received == Decimal(45)
    raised = entries()[-1]
    assert raised["type"] == "amanah.materials.flag_raised.v1"
    assert raised["data"]["gap"] == "2"
    assert raised["data"]["project"] == "GZ-HOU-0001"
    assert raised["actor"] == services.FLAG_ACTOR
    # Another use report does not raise a second flag while one is open.
    move(s, "used", "1")
    assert UnaccountedFlag.objects.count() == 1
    with pytest.raises(RoleRequired):
        services.flag_resolve(flag=flag.id, note="ok", evidence=[photo()], actor=s.partner)
    with pytest.raises(ValidationError) as caught:
        services.flag_resolve(flag=flag.id, note="ok", evidence=[], actor=s.monitor)
    assert _fields(caught.value) == {"evidence"}
    services.flag_resolve(
        flag=flag.id,
        note="Seen in the slab at the school site",
        evidence=[photo(1)],
        actor=s.monitor,
    )
    flag.refresh_from_db()
    assert not flag.is_open
    assert flag.resolved_by == s.monitor
    resolved = entries()[-1]
    assert resolved["type"] == "amanah.materials.flag_resolved.v1"
    assert resolved["data"]["evidence"][0]["sha256"] == f"{1:064x}"
    assert "slab" not in json.dumps(resolved)
    with pytest.raises(ValidationError):
        services.flag_resolve(flag=flag.id, note="again", evidence=[photo(1)], actor=s.monitor)
    # A gap no larger than the one resolved is not raised again; a larger one is.
    move(s, "returned", "0.5")
    assert UnaccountedFlag.objects.count() == 1
    move(s, "allocated", "5")
    move(s, "released", "5")
    move(s, "used", "1")
    assert UnaccountedFlag.objects.filter(resolved_index__isnull=True).count() == 1


def test_a_gap_within_the_tolerance_raises_nothing() -> None:
    s = build()
    move(s, "received", "50")
    move(s, "allocated", "50")
    move(s, "released", "50")
    move(s, "used", "49")  # 1 of 50 received = 2%: not beyond
    assert not UnaccountedFlag.objects.exists()


def test_the_tolerance_comes_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AMANAH_MATERIALS_TOLERANCE = Decimal("0.1")
    s = build()
    _flow(s, used="40")
    assert not UnaccountedFlag.objects.exists()


def test_the_log_names_the_warehouse_by_id_and_governorate_only() -> None:
    s = build()
    _flow(s)
    move(s, "lost", "1", report=f"Lost at {PRIVATE[0]}")
    movements = [e for e in entries() if e["type"].startswith("amanah.materials.")]
    kinds = {e["type"] for e in movements}
    assert kinds == {
        "amanah.materials.type_added.v1",
        "amanah.materials.vendor_added.v1",
        "amanah.materials.movement_recorded.v1",
        "amanah.materials.flag_raised.v1",
    }
    received = next(e for e in movements if e["data"].get("kind") == "received")
    assert received["data"]["warehouse"] == str(s.access.warehouse.id)
    assert received["data"]["governorate"] == "PS0265"
    assert str(s.consignment.id) not in json.dumps(received)
    text = json.dumps(movements, ensure_ascii=False)
    for secret in PRIVATE:
        assert secret not in text
    assert StockMovement.objects.filter(kind="lost").get().report.startswith("Lost at")
