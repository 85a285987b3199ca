"""`organisation_register`: the row and its public log entry, or nothing at all."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from orgs_factories import registration as valid_registration

from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.ledger.services import LedgerError
from amanah.orgs.models import Organisation
from amanah.orgs.selectors import PUBLIC_FIELDS
from amanah.orgs.services import organisation_register


def _entry(logged: LogEntry) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(bytes(logged.entry))
    return value


@pytest.fixture
def registration() -> dict[str, Any]:
    return valid_registration()


def _assert_nothing_written() -> None:
    assert not Organisation.objects.exists()
    assert not LogEntry.objects.exists()


def _refusal(registration: dict[str, Any]) -> dict[str, list[str]]:
    """The field errors `organisation_register` raises for this input."""
    with pytest.raises(ValidationError) as raised:
        organisation_register(**registration)
    return raised.value.message_dict


# --- what is written --------------------------------------------------------------------


@pytest.mark.django_db
def test_register_saves_the_organisation_and_logs_its_public_fields(
    var_dir: Path, registration: dict[str, Any]
) -> None:
    organisation = organisation_register(**registration)

    stored = Organisation.objects.get()
    assert stored == organisation
    assert (stored.iati_identifier, stored.organisation_type, stored.country) == (
        "XI-DEMO-PS-MOPWH",
        "10",
        "PS",
    )
    assert stored.name_en == "Ministry of Public Works and Housing"
    assert stored.name_ar == "وزارة الأشغال العامة والإسكان"
    assert stored.is_palestinian is True
    assert stored.created_at.tzinfo is not None
    logged = LogEntry.objects.get()
    assert (logged.kind, logged.actor) == ("organisation.registered", "user:secretariat-1")
    assert logged.private_data is None
    entry = _entry(logged)
    assert entry["type"] == "amanah.organisation.registered.v1"
    assert entry["private_commitment"] is None
    assert entry["data"] == {
        "iati_identifier": "XI-DEMO-PS-MOPWH",
        "organisation_type": "10",
        "name_en": "Ministry of Public Works and Housing",
        "name_ar": "وزارة الأشغال العامة والإسكان",
        "country": "PS",
        "is_palestinian": True,
    }


@pytest.mark.django_db
def test_the_entry_holds_the_public_fields_and_nothing_else(
    var_dir: Path, registration: dict[str, Any]
) -> None:
    organisation_register(**registration)

    logged = LogEntry.objects.get()
    entry = _entry(logged)
    assert set(entry) == {"type", "at", "actor", "data", "private_commitment", "signatures"}
    assert set(entry["data"]) == set(PUBLIC_FIELDS)
    assert set(PUBLIC_FIELDS) == {
        "iati_identifier",
        "organisation_type",
        "name_en",
        "name_ar",
        "country",
        "is_palestinian",
    }
    # Neither the database id nor the row's timestamp: the entry has its own "at".
    assert b"created_at" not in bytes(logged.entry)
    assert b'"id"' not in bytes(logged.entry)


def test_register_commits_row_and_entry_together_and_signs_a_checkpoint(
    transactional_db: None, var_dir: Path, registration: dict[str, Any]
) -> None:
    organisation_register(**registration)

    assert Organisation.objects.count() == 1
    assert LogEntry.objects.get().index == 0
    assert SignedCheckpoint.objects.get().size == 1  # integrated on commit


def test_register_inside_another_transaction_is_refused(
    transactional_db: None, var_dir: Path, registration: dict[str, Any]
) -> None:
    with (
        pytest.raises(RuntimeError, match="durable atomic block cannot be nested"),
        transaction.atomic(),
    ):
        organisation_register(**registration)

    _assert_nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name_en", "name_ar"),
    [("", "بلدية خان يونس"), ("Khan Younis Municipality", "")],
    ids=["arabic-only", "english-only"],
)
def test_a_name_in_one_language_is_enough(
    var_dir: Path, registration: dict[str, Any], name_en: str, name_ar: str
) -> None:
    registration.update(name_en=name_en, name_ar=name_ar, organisation_type="11")

    organisation = organisation_register(**registration)

    assert (organisation.name_en, organisation.name_ar) == (name_en, name_ar)
    data = _entry(LogEntry.objects.get())["data"]
    assert (data["name_en"], data["name_ar"]) == (name_en, name_ar)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "identifier",
    [
        "XM-DAC-41114",
        "GB-COH-03877777",
        "CA-CRA_ACR-123456789RR0001",  # agency codes may hold underscores
        "XI-IATI-EC_ECHO",
        "US-EIN-12-3456789",
        "XI-GRID-grid.1001.0",
        "ps-tin-562345678",  # case is kept as given
    ],
)
def test_identifiers_of_the_iati_shape_are_accepted_as_given(
    var_dir: Path, registration: dict[str, Any], identifier: str
) -> None:
    registration["iati_identifier"] = identifier

    organisation_register(**registration)

    assert Organisation.objects.get().iati_identifier == identifier
    assert _entry(LogEntry.objects.get())["data"]["iati_identifier"] == identifier


# --- refusals: each names its field and writes nothing -----------------------------------

IDENTIFIER_MESSAGE = (
    "Enter an IATI organisation identifier: the registration agency's prefix, a hyphen and "
    "the organisation's number there, like XM-DAC-41114. Use only letters, digits and "
    "underscores, joined by hyphens or dots."
)
COUNTRY_MESSAGE = "Enter the country as its two-letter ISO 3166-1 code in capitals, like PS."
NAME_MESSAGE = "Give the name in English, in Arabic or in both."
CONTROL_MESSAGE = "Remove line breaks and other control characters from the name."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iati_identifier", "", "This field cannot be blank."),
        ("iati_identifier", "XMDAC41114", IDENTIFIER_MESSAGE),  # no agency prefix
        ("iati_identifier", "XM-DAC 41114", IDENTIFIER_MESSAGE),
        ("iati_identifier", " XM-DAC-41114", IDENTIFIER_MESSAGE),
        ("iati_identifier", "XM-DAC-41114\n", IDENTIFIER_MESSAGE),
        ("iati_identifier", "XM-DAC/41114", IDENTIFIER_MESSAGE),  # IATI forbids / & | ?
        ("iati_identifier", "XM-DAC-41114?", IDENTIFIER_MESSAGE),
        ("iati_identifier", "XM-DAC-4&1", IDENTIFIER_MESSAGE),
        ("iati_identifier", "-XM-DAC", IDENTIFIER_MESSAGE),
        ("iati_identifier", "XM-DAC-", IDENTIFIER_MESSAGE),
        ("iati_identifier", "XM--DAC-1", IDENTIFIER_MESSAGE),
        ("iati_identifier", "PS-TIN-٥٦٢٣", IDENTIFIER_MESSAGE),  # ASCII digits only
        (
            "iati_identifier",
            "XM-" + "1" * 98,
            "Ensure this value has at most 100 characters (it has 101).",
        ),
        ("organisation_type", "", "This field cannot be blank."),
        ("organisation_type", "99", "Value '99' is not a valid choice."),
        ("organisation_type", "Government", "Value 'Government' is not a valid choice."),
        ("country", "", "This field cannot be blank."),
        ("country", "ps", COUNTRY_MESSAGE),
        ("country", "P5", COUNTRY_MESSAGE),
        ("country", "ÉG", COUNTRY_MESSAGE),
        ("country", "PSE", "Ensure this value has at most 2 characters (it has 3)."),
        ("name_en", " Ministry of Health", "Remove the spaces before and after the name."),
        ("name_en", "Ministry\nof Health", CONTROL_MESSAGE),
        ("name_en", "وزارة الصحة", "Write the English name in Latin letters."),
        ("name_en", "M" * 301, "Ensure this value has at most 300 characters (it has 301)."),
        ("name_en", None, "This field cannot be null."),
        ("name_ar", None, "This field cannot be null."),
        ("name_ar", "Ministry of Health", "Write the Arabic name in Arabic letters."),
        ("name_ar", "وزارة الصحة ", "Remove the spaces before and after the name."),
        ("name_ar", "وزارة\x00الصحة", CONTROL_MESSAGE),
        ("name_ar", "وزارة\ud800", CONTROL_MESSAGE),  # a lone surrogate
        ("is_palestinian", None, "“None” value must be either True or False."),
        ("is_palestinian", "maybe", "“maybe” value must be either True or False."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    var_dir: Path, registration: dict[str, Any], field: str, value: Any, message: str
) -> None:
    registration[field] = value

    errors = _refusal(registration)

    assert set(errors) == {field}
    assert message in errors[field]
    _assert_nothing_written()


@pytest.mark.django_db
def test_no_name_at_all_is_refused_naming_both_name_fields(
    var_dir: Path, registration: dict[str, Any]
) -> None:
    registration.update(name_en="", name_ar="")

    assert _refusal(registration) == {"name_en": [NAME_MESSAGE], "name_ar": [NAME_MESSAGE]}
    _assert_nothing_written()


@pytest.mark.django_db
def test_refusals_are_in_arabic_for_an_arabic_reader(
    var_dir: Path, registration: dict[str, Any]
) -> None:
    registration.update(country="ps", name_en="", name_ar="")

    with translation.override("ar"):
        errors = _refusal(registration)

    no_name = "اكتب الاسم بالإنجليزية أو بالعربية أو بكلتيهما."
    assert errors == {
        "country": ["أدخل البلد برمزه المكوّن من حرفين لاتينيين كبيرين وفق ISO 3166-1، مثل PS."],
        "name_en": [no_name],
        "name_ar": [no_name],
    }
    _assert_nothing_written()


@pytest.mark.django_db
def test_every_bad_field_is_named_at_once(var_dir: Path, registration: dict[str, Any]) -> None:
    registration.update(iati_identifier="XM DAC", organisation_type="99", country="ps")

    assert set(_refusal(registration)) == {"iati_identifier", "organisation_type", "country"}
    _assert_nothing_written()


@pytest.mark.django_db
def test_a_registered_identifier_is_refused_naming_the_field(
    var_dir: Path, registration: dict[str, Any]
) -> None:
    organisation_register(**registration)
    registration.update(name_en="Another body", name_ar="جهة أخرى")

    assert _refusal(registration) == {
        "iati_identifier": ["An organisation with this IATI identifier is already registered."]
    }
    assert Organisation.objects.count() == 1
    assert LogEntry.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_actor_is_refused_and_nothing_is_written(
    var_dir: Path, registration: dict[str, Any]
) -> None:
    registration["actor"] = ""

    with pytest.raises(LedgerError, match=r"^actor must name who made the change$"):
        organisation_register(**registration)

    _assert_nothing_written()


def test_a_refusal_after_the_save_rolls_the_row_back_for_real(
    transactional_db: None, var_dir: Path, registration: dict[str, Any]
) -> None:
    # The ledger refuses the entry after the row was saved: the durable transaction,
    # not a test savepoint, has to take the row back.
    registration["actor"] = ""

    with pytest.raises(LedgerError):
        organisation_register(**registration)

    _assert_nothing_written()
    assert not SignedCheckpoint.objects.exists()


def test_register_takes_keyword_arguments_only() -> None:
    parameters = inspect.signature(organisation_register).parameters.values()

    assert {p.kind for p in parameters} == {inspect.Parameter.KEYWORD_ONLY}
