"""`organisation_update`: changes to an organisation, each a public fact in the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from orgs_factories import registration as valid_registration

from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.orgs.models import Organisation
from amanah.orgs.selectors import PUBLIC_FIELDS, organisation_public
from amanah.orgs.services import organisation_register, organisation_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(var_dir: Path) -> Organisation:
    """An organisation, registered: entry 0 of the log."""
    return organisation_register(**valid_registration())


def _logged_data(index: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bytes(LogEntry.objects.get(index=index).entry))["data"]
    return data


def _assert_unchanged(organisation: Organisation) -> None:
    """The row is as registered and only the registration is in the log."""
    stored = Organisation.objects.get(pk=organisation.pk)
    assert organisation_public(stored) == organisation_public(organisation)
    assert list(LogEntry.objects.values_list("kind", flat=True)) == ["organisation.registered"]


def test_update_saves_the_changes_and_logs_the_public_fields_and_what_changed(
    registered: Organisation,
) -> None:
    updated = organisation_update(
        organisation=registered,
        actor="user:secretariat-2",
        name_en="Ministry of Public Works & Housing",
        organisation_type="15",
    )

    stored = Organisation.objects.get(pk=registered.pk)
    assert stored.name_en == updated.name_en == "Ministry of Public Works & Housing"
    assert stored.organisation_type == "15"
    assert stored.name_ar == "وزارة الأشغال العامة والإسكان"
    logged = LogEntry.objects.get(index=1)
    assert (logged.kind, logged.actor) == ("organisation.updated", "user:secretariat-2")
    assert json.loads(bytes(logged.entry))["type"] == "amanah.organisation.updated.v1"
    assert _logged_data(1) == {
        "iati_identifier": "XI-DEMO-PS-MOPWH",
        "organisation_type": "15",
        "name_en": "Ministry of Public Works & Housing",
        "name_ar": "وزارة الأشغال العامة والإسكان",
        "country": "PS",
        "is_palestinian": True,
        "changed": ["organisation_type", "name_en"],
    }


def test_the_entry_holds_the_public_fields_what_changed_and_nothing_else(
    registered: Organisation,
) -> None:
    organisation_update(organisation=registered, actor="user:a", country="EG")

    assert set(_logged_data(1)) == {*PUBLIC_FIELDS, "changed"}
    assert b"created_at" not in bytes(LogEntry.objects.get(index=1).entry)


def test_an_arabic_name_can_replace_the_english_one(registered: Organisation) -> None:
    updated = organisation_update(organisation=registered, actor="user:a", name_en="")

    assert (updated.name_en, updated.name_ar) == ("", "وزارة الأشغال العامة والإسكان")
    assert _logged_data(1)["changed"] == ["name_en"]


def test_changes_that_change_nothing_write_nothing(registered: Organisation) -> None:
    same = organisation_update(
        organisation=registered, actor="user:a", country="PS", is_palestinian=True
    )
    nothing = organisation_update(organisation=registered, actor="user:a")

    assert organisation_public(same) == organisation_public(nothing)
    _assert_unchanged(registered)


def test_the_instance_passed_in_is_left_alone_and_a_stale_one_loses_nothing(
    registered: Organisation,
) -> None:
    stale = Organisation.objects.get(pk=registered.pk)
    organisation_update(organisation=registered, actor="user:a", name_en="Renamed ministry")
    assert registered.name_en == "Ministry of Public Works and Housing"

    # The service re-reads the row under lock, so an old copy cannot undo the rename.
    organisation_update(organisation=stale, actor="user:b", country="EG")

    stored = Organisation.objects.get(pk=registered.pk)
    assert (stored.name_en, stored.country) == ("Renamed ministry", "EG")
    assert _logged_data(2)["name_en"] == "Renamed ministry"
    assert _logged_data(2)["changed"] == ["country"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "ps"}, "country", "Enter the country as its two-letter ISO 3166-1 code "
         "in capitals, like PS."),
        ({"organisation_type": "99"}, "organisation_type", "Value '99' is not a valid choice."),
        ({"name_ar": "Ministry"}, "name_ar", "Write the Arabic name in Arabic letters."),
        ({"name_en": " Ministry"}, "name_en", "Remove the spaces before and after the name."),
        ({"is_palestinian": None}, "is_palestinian", "“None” value must be either True or False."),
        ({"name_en": None}, "name_en", "This field cannot be null."),
    ],
)  # fmt: skip
def test_a_bad_change_is_refused_naming_the_field_and_nothing_is_written(
    registered: Organisation, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        organisation_update(organisation=registered, actor="user:a", **changes)

    assert raised.value.message_dict == {field: [message]}
    _assert_unchanged(registered)


def test_removing_both_names_is_refused_naming_both_fields(registered: Organisation) -> None:
    with pytest.raises(ValidationError) as raised:
        organisation_update(organisation=registered, actor="user:a", name_en="", name_ar="")

    message = "Give the name in English, in Arabic or in both."
    assert raised.value.message_dict == {"name_en": [message], "name_ar": [message]}
    _assert_unchanged(registered)


def test_the_identifier_cannot_change(registered: Organisation) -> None:
    with pytest.raises(ValidationError) as raised:
        organisation_update(
            organisation=registered,
            actor="user:a",
            iati_identifier="XI-DEMO-PS-OTHER",  # type: ignore[call-arg]
        )

    assert raised.value.message_dict == {
        "iati_identifier": ["The IATI identifier of a registered organisation cannot be changed."]
    }
    _assert_unchanged(registered)


@pytest.mark.parametrize("field", ["created_at", "id", "pk", "nickname"])
def test_anything_but_a_public_field_is_a_type_error(registered: Organisation, field: str) -> None:
    with pytest.raises(TypeError, match=rf"unexpected keyword arguments: \['{field}'\]"):
        organisation_update(organisation=registered, actor="user:a", **{field: "x"})

    _assert_unchanged(registered)


def test_an_empty_actor_is_refused_and_nothing_is_written(registered: Organisation) -> None:
    with pytest.raises(ValueError, match=r"^actor must name who made the change$"):
        organisation_update(organisation=registered, actor="", country="EG")

    _assert_unchanged(registered)


# The module's `django_db` mark would otherwise win over the one conftest gives
# transactional tests, and the ledger's singleton rows would not come back after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_update_commits_and_signs_a_checkpoint(var_dir: Path) -> None:
    organisation = organisation_register(**valid_registration())
    organisation_update(organisation=organisation, actor="user:a", country="EG")

    assert Organisation.objects.get().country == "EG"
    assert list(SignedCheckpoint.objects.order_by("size").values_list("size", flat=True)) == [
        1,
        2,
    ]
