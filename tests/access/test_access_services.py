"""The access services: roles, fields named in errors, transitions refused with a clear
message, late events flagged, and the delayed publication to the log."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from amanah.access import services
from amanah.access.models import ConsignmentEvent
from amanah.accounts.models import Role
from amanah.accounts.roles import RoleRequired

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_factories import (
    NOW,
    T0,
    Access,
    build_access,
    consignment,
    entries,
    event,
    hours,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(var_dir: Path) -> Access:
    return build_access()


def _field(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_only_logistics_records(access: Access) -> None:
    secretariat = make_user("sec", Role.SECRETARIAT)
    with pytest.raises(RoleRequired):
        services.crossing_add(code="rafah", name_en="Rafah", name_ar="رفح", actor=secretariat)


def test_errors_name_their_fields(access: Access) -> None:
    with pytest.raises(ValidationError) as error:
        services.crossing_add(code="Bad Code", name_en="", name_ar="x", actor=access.coordinator)
    assert "code" in _field(error)
    with pytest.raises(ValidationError) as error:
        services.consignment_create(
            external_reference="X",
            organisation="XM-NOBODY",
            crossing="kerem_shalom",
            warehouse=access.warehouse.id,
            trucks=1,
            items=[],
            requested_at=T0,
            actor=access.coordinator,
            now=NOW,
        )
    assert "organisation" in _field(error)


def test_the_whole_journey(access: Access) -> None:
    shipment = consignment(access)
    for n, kind in enumerate(
        [
            "submitted",
            "cleared",
            "dispatched",
            "at_crossing",
            "inspected",
            "crossed",
            "received",
            "distributed",
        ],
        start=1,
    ):
        event(access, shipment, kind, T0 + hours(n))
    shipment.refresh_from_db()
    assert shipment.status == "distributed"
    assert not ConsignmentEvent.objects.filter(flagged_out_of_order=True).exists()


def test_an_illegal_step_is_refused_with_a_clear_message(access: Access) -> None:
    shipment = consignment(access)
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "crossed", T0 + hours(1))
    message = _field(error)["kind"][0]
    assert "“Requested” cannot be “Crossed” next" in message
    assert "“Submitted for clearance”" in message


def test_nothing_follows_a_denial(access: Access) -> None:
    shipment = consignment(access)
    event(access, shipment, "submitted", T0 + hours(1))
    event(access, shipment, "denied", T0 + hours(2), reasons=["dual_use"])
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "dispatched", T0 + hours(3))
    assert "journey has ended" in _field(error)["kind"][0]


def test_a_denial_needs_a_reason_code(access: Access) -> None:
    shipment = consignment(access)
    event(access, shipment, "submitted", T0 + hours(1))
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "denied", T0 + hours(2))
    assert "reasons" in _field(error)
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "denied", T0 + hours(2), reasons=["expired"])
    assert "reasons" in _field(error)


def test_a_late_inspection_is_accepted_and_flagged(access: Access) -> None:
    shipment = consignment(access)
    for n, kind in enumerate(["submitted", "cleared", "dispatched", "crossed"], start=1):
        event(access, shipment, kind, T0 + hours(n))

    late = event(access, shipment, "inspected", T0 + hours(3.5))

    assert late.flagged_out_of_order
    shipment.refresh_from_db()
    assert shipment.status == "crossed"


def test_a_late_event_that_does_not_fit_is_refused(access: Access) -> None:
    shipment = consignment(access)
    for n, kind in enumerate(["submitted", "cleared", "dispatched", "crossed"], start=1):
        event(access, shipment, kind, T0 + hours(n))
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "inspected", T0 + hours(1.5))
    assert "does not fit" in _field(error)["occurred_at"][0]


def test_rejected_items_and_trucks(access: Access) -> None:
    shipment = consignment(access, trucks=4)
    event(access, shipment, "submitted", T0 + hours(1))
    event(access, shipment, "partly_cleared", T0 + hours(2), trucks=3, reasons=["dual_use"])
    event(access, shipment, "dispatched", T0 + hours(3))
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "crossed", T0 + hours(4), trucks=4)
    assert "trucks" in _field(error)
    with pytest.raises(ValidationError) as error:
        event(
            access,
            shipment,
            "crossed",
            T0 + hours(4),
            rejected=[{"category": "fuel", "quantity": "1", "unit": "l", "reason": "dual_use"}],
        )
    assert "rejected.0.category" in _field(error)
    crossed = event(
        access,
        shipment,
        "crossed",
        T0 + hours(4),
        rejected=[{"category": "food", "quantity": "500", "unit": "kg", "reason": "packaging"}],
    )
    assert crossed.trucks == 3


def test_an_event_in_the_future_is_refused(access: Access) -> None:
    shipment = consignment(access)
    with pytest.raises(ValidationError) as error:
        event(access, shipment, "submitted", NOW + hours(2))
    assert _field(error)["occurred_at"][0] == "The time cannot be in the future."


def test_publication_waits_for_the_delay(access: Access) -> None:
    recent = NOW - hours(3)
    shipment = consignment(access, at=recent)
    kinds = [e["type"] for e in entries()]
    assert kinds[-1] == "amanah.access.consignment_recorded.v1"
    assert entries()[-1]["data"] == {"consignment": str(shipment.id)}
    assert entries()[-1]["private_commitment"]

    assert services.access_publish_due(now=NOW) == 0
    assert services.access_publish_due(now=recent + hours(24)) == 1

    published = entries()[-1]
    assert published["type"] == "amanah.access.consignment_published.v1"
    assert published["actor"] == services.PUBLISHER
    assert published["data"]["on"] == recent.date().isoformat()
    assert published["data"]["governorate"] == "PS0265"
    assert "T" not in published["data"]["on"]
