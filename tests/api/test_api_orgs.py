"""Organisations over the API: anyone reads them; the secretariat registers and changes
them, each write a public fact in the log under the secretariat's account."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_no_personal_data_in, send
from django.http import HttpResponse
from django.test import Client
from openapi_check import checked

from amanah.accounts.models import Role, User
from amanah.ledger.models import LogEntry
from amanah.orgs.models import Organisation
from amanah.orgs.selectors import PUBLIC_FIELDS
from amanah.orgs.services import organisation_register

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "orgs"))
from governance_factories import make_user
from orgs_factories import registration

pytestmark = pytest.mark.django_db
API = "/api/v1/organisations"
MINISTRY = "XI-DEMO-PS-MOPWH"
# IATI identifiers may hold dots; the address must still find them.
DOTTED = "XI-DEMO.QA-QFFD.1"


@pytest.fixture
def secretariat(var_dir: Path) -> User:
    return make_user("secretariat-1", Role.SECRETARIAT)


@pytest.fixture
def registered(secretariat: User) -> None:
    organisation_register(**registration())
    organisation_register(
        **registration(
            iati_identifier=DOTTED,
            name_en="Qatar Fund for Development",
            name_ar="",
            country="QA",
            is_palestinian=False,
        )
    )


def _public(**overrides: Any) -> dict[str, Any]:
    fields = {k: v for k, v in registration(**overrides).items() if k != "actor"}
    assert set(fields) == set(PUBLIC_FIELDS)
    return fields


def _refused_field(response: HttpResponse, field: str) -> None:
    assert response.status_code == 422, response.content
    body = checked(response)
    assert body["code"] == "validation_failed"
    assert field in body["fields"], body


def _last_entry() -> tuple[str, str, dict[str, Any]]:
    entry = LogEntry.objects.order_by("-index").first()
    assert entry is not None
    return entry.kind, entry.actor, json.loads(bytes(entry.entry))["data"]


# --- reading -------------------------------------------------------------------------------


@pytest.mark.usefixtures("registered")
def test_anyone_lists_the_organisations(client: Client) -> None:
    body = checked(client.get(API))

    assert [o["iati_identifier"] for o in body["organisations"]] == [MINISTRY, DOTTED]
    assert body["organisations"][0] == _public()


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(("palestinian", "expected"), [("true", MINISTRY), ("false", DOTTED)])
def test_the_list_filters_palestinian_bodies(
    client: Client, palestinian: str, expected: str
) -> None:
    body = checked(client.get(API, {"palestinian": palestinian}))

    assert [o["iati_identifier"] for o in body["organisations"]] == [expected]


@pytest.mark.usefixtures("registered")
def test_a_filter_that_is_no_boolean_names_palestinian(client: Client) -> None:
    _refused_field(client.get(API, {"palestinian": "perhaps"}), "palestinian")


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize("identifier", [MINISTRY, DOTTED])
def test_anyone_reads_one_organisation(client: Client, identifier: str) -> None:
    body = checked(client.get(f"{API}/{identifier}"))

    assert body["iati_identifier"] == identifier
    assert set(body) == set(PUBLIC_FIELDS)


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize("identifier", ["XI-DEMO-NOWHERE", MINISTRY.lower()])
def test_an_unknown_organisation_is_404(client: Client, identifier: str) -> None:
    response = client.get(f"{API}/{identifier}")

    assert response.status_code == 404
    assert checked(response)["code"] == "not_found"


# --- registering ---------------------------------------------------------------------------


def test_the_secretariat_registers_an_organisation(client: Client, secretariat: User) -> None:
    response = send(client, "post", API, _public(), secretariat)

    assert response.status_code == 201, response.content
    assert checked(response) == _public()
    assert Organisation.objects.get().iati_identifier == MINISTRY
    assert _last_entry() == ("organisation.registered", f"user:{secretariat.pk}", _public())
    assert checked(client.get(f"{API}/{MINISTRY}")) == _public()


def test_a_name_in_one_language_is_enough(client: Client, secretariat: User) -> None:
    body = _public(name_ar="")
    del body["name_ar"]

    response = send(client, "post", API, body, secretariat)

    assert response.status_code == 201, response.content
    assert checked(response)["name_ar"] == ""


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "ps"}, "country"),
        ({"iati_identifier": "XI/DEMO"}, "iati_identifier"),
        ({"organisation_type": "999"}, "organisation_type"),
        ({"name_en": "", "name_ar": ""}, "name_en"),
        ({"name_ar": "Latin only"}, "name_ar"),
        ({"is_palestinian": "perhaps"}, "is_palestinian"),
    ],
)
def test_a_bad_registration_names_its_field(
    client: Client, secretariat: User, overrides: dict[str, Any], field: str
) -> None:
    _refused_field(send(client, "post", API, _public(**overrides), secretariat), field)
    assert not Organisation.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_missing_field_is_named(client: Client, secretariat: User) -> None:
    body = _public()
    del body["is_palestinian"]

    _refused_field(send(client, "post", API, body, secretariat), "is_palestinian")


@pytest.mark.usefixtures("registered")
def test_an_identifier_registered_twice_is_named(client: Client, secretariat: User) -> None:
    _refused_field(send(client, "post", API, _public(), secretariat), "iati_identifier")


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.MONITOR, ""])
def test_only_the_secretariat_registers(client: Client, var_dir: Path, role: str) -> None:
    response = send(client, "post", API, _public(), make_user("someone", role))

    assert response.status_code == 403
    assert checked(response)["code"] == "role_required"
    assert not Organisation.objects.exists()


def test_registering_needs_a_token(client: Client, db: None) -> None:
    response = send(client, "post", API, _public(), None)

    assert response.status_code == 401
    assert checked(response)["code"] == "authentication_required"


# --- changing ------------------------------------------------------------------------------


@pytest.mark.usefixtures("registered")
def test_the_secretariat_changes_an_organisation(client: Client, secretariat: User) -> None:
    changes = {"name_en": "Ministry of Public Works", "organisation_type": "15"}

    response = send(client, "patch", f"{API}/{MINISTRY}", changes, secretariat)

    assert response.status_code == 200, response.content
    expected = _public(**changes)
    assert checked(response) == expected
    kind, actor, data = _last_entry()
    assert (kind, actor) == ("organisation.updated", f"user:{secretariat.pk}")
    assert data == {**expected, "changed": ["organisation_type", "name_en"]}


@pytest.mark.usefixtures("registered")
def test_an_organisation_with_a_dotted_identifier_changes_too(
    client: Client, secretariat: User
) -> None:
    response = send(client, "patch", f"{API}/{DOTTED}", {"is_palestinian": True}, secretariat)

    assert response.status_code == 200, response.content
    assert checked(response)["is_palestinian"] is True


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"iati_identifier": "XI-DEMO-OTHER"}, "iati_identifier"),
        ({"country": "Palestine"}, "country"),
        ({"country": None}, "country"),
        ({"name_en": "", "name_ar": ""}, "name_en"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_bad_change_names_its_field(
    client: Client, secretariat: User, changes: dict[str, Any], field: str
) -> None:
    before = LogEntry.objects.count()

    response = send(client, "patch", f"{API}/{MINISTRY}", changes, secretariat)

    _refused_field(response, field)
    assert LogEntry.objects.count() == before


@pytest.mark.usefixtures("registered")
def test_changing_an_unknown_organisation_is_404(client: Client, secretariat: User) -> None:
    response = send(client, "patch", f"{API}/XI-DEMO-NOWHERE", {"country": "EG"}, secretariat)

    assert response.status_code == 404
    assert checked(response)["code"] == "not_found"


@pytest.mark.usefixtures("registered")
def test_only_the_secretariat_changes(client: Client) -> None:
    member = make_user("board-1", Role.BOARD_MEMBER)

    forbidden = send(client, "patch", f"{API}/{MINISTRY}", {"country": "EG"}, member)
    anonymous = send(client, "patch", f"{API}/{MINISTRY}", {"country": "EG"}, None)

    assert forbidden.status_code == 403
    assert checked(forbidden)["code"] == "role_required"
    assert anonymous.status_code == 401
    assert Organisation.objects.get(iati_identifier=MINISTRY).country == "PS"


def test_no_answer_names_a_person(client: Client, secretariat: User) -> None:
    registered = send(client, "post", API, _public(), secretariat)
    changed = send(client, "patch", f"{API}/{MINISTRY}", {"country": "EG"}, secretariat)

    for response in (registered, changed, client.get(API), client.get(f"{API}/{MINISTRY}")):
        assert response.status_code in (200, 201), response.content
        assert_no_personal_data_in(response)
