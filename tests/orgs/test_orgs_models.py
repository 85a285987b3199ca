"""The organisation row: database constraints behind the validators, names, the admin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.sites import AdminSite
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import translation

from amanah.orgs.admin import OrganisationAdmin
from amanah.orgs.models import Organisation
from amanah.orgs.services import organisation_register

pytestmark = pytest.mark.django_db

_VALID: dict[str, Any] = {
    "iati_identifier": "XI-DEMO-PS-MOH",
    "organisation_type": "10",
    "name_en": "Ministry of Health",
    "name_ar": "وزارة الصحة",
    "country": "PS",
    "is_palestinian": True,
}


def test_a_valid_row_saves_without_the_service() -> None:
    # The control for the next test: the constraints accept what validation accepts.
    Organisation.objects.create(**_VALID)

    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("name_en", "", None),  # with name_ar also empty, below
        ("organisation_type", "99", "orgs_organisation_type_in_iati_codelist"),
        ("country", "ps", "orgs_organisation_country_two_capitals"),
        ("country", "P5", "orgs_organisation_country_two_capitals"),
        ("country", "É", "orgs_organisation_country_two_capitals"),
        ("country", "PSE", "orgs_organisation_country_two_capitals"),
        ("iati_identifier", "XMDAC41114", "orgs_organisation_iati_identifier_shape"),
        ("iati_identifier", "-XM-DAC", "orgs_organisation_iati_identifier_shape"),
        ("iati_identifier", "XM-DAC-", "orgs_organisation_iati_identifier_shape"),
        ("iati_identifier", "XM-DAC 1", "orgs_organisation_iati_identifier_shape"),
        ("iati_identifier", "XM-DAC/1", "orgs_organisation_iati_identifier_shape"),
    ],
)
def test_the_database_refuses_rows_that_skip_validation(
    field: str, value: str, constraint: str | None
) -> None:
    row = {**_VALID, field: value}
    if constraint is None:
        row["name_ar"] = ""
        constraint = "orgs_organisation_has_a_name"

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Organisation.objects.create(**row)

    assert not Organisation.objects.exists()


def test_the_display_name_follows_the_language_and_falls_back(var_dir: Path) -> None:
    both = Organisation(**_VALID)
    arabic_only = Organisation(**{**_VALID, "name_en": ""})
    english_only = Organisation(**{**_VALID, "name_ar": ""})

    with translation.override("ar"):
        assert both.display_name == "وزارة الصحة"
        assert english_only.display_name == "Ministry of Health"
        assert str(both) == "وزارة الصحة (XI-DEMO-PS-MOH)"
    with translation.override("en"):
        assert both.display_name == "Ministry of Health"
        assert arabic_only.display_name == "وزارة الصحة"


def test_the_admin_shows_organisations_and_changes_none(var_dir: Path) -> None:
    organisation = organisation_register(**_VALID, actor="test:admin")
    model_admin = OrganisationAdmin(Organisation, AdminSite())
    request = RequestFactory().get("/admin/orgs/organisation/")

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_change_permission(request, organisation)
    assert not model_admin.has_delete_permission(request, organisation)
    assert "iati_identifier" in model_admin.list_display
