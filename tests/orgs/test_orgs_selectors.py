"""Reading organisations: `organisation_list`, `organisation_get`, `organisation_public`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from amanah.orgs.models import Organisation
from amanah.orgs.selectors import (
    PUBLIC_FIELDS,
    organisation_get,
    organisation_list,
    organisation_public,
)
from amanah.orgs.services import organisation_register

pytestmark = pytest.mark.django_db


def _register(identifier: str, *, palestinian: bool, **extra: Any) -> Organisation:
    fields: dict[str, Any] = {
        "organisation_type": "10",
        "name_en": f"Body {identifier}",
        "name_ar": "",
        "country": "PS" if palestinian else "QA",
        "is_palestinian": palestinian,
        "actor": "test:selectors",
        **extra,
    }
    return organisation_register(iati_identifier=identifier, **fields)


@pytest.fixture
def organisations(var_dir: Path) -> None:
    _register("XI-DEMO-QA-QFFD", palestinian=False)
    _register("XI-DEMO-PS-MOH", palestinian=True)
    _register("XI-DEMO-JO-JHCO", palestinian=False, organisation_type="15")
    _register("XI-DEMO-PS-GAZA", palestinian=True, organisation_type="11")


def _identifiers(organisations: Any) -> list[str]:
    return [o.iati_identifier for o in organisations]


@pytest.mark.usefixtures("organisations")
def test_list_gives_every_organisation_by_identifier() -> None:
    assert _identifiers(organisation_list()) == [
        "XI-DEMO-JO-JHCO",
        "XI-DEMO-PS-GAZA",
        "XI-DEMO-PS-MOH",
        "XI-DEMO-QA-QFFD",
    ]


@pytest.mark.usefixtures("organisations")
def test_list_filters_palestinian_bodies_or_the_others() -> None:
    assert _identifiers(organisation_list(palestinian=True)) == [
        "XI-DEMO-PS-GAZA",
        "XI-DEMO-PS-MOH",
    ]
    assert _identifiers(organisation_list(palestinian=False)) == [
        "XI-DEMO-JO-JHCO",
        "XI-DEMO-QA-QFFD",
    ]


def test_list_of_none_is_empty(db: None) -> None:
    assert _identifiers(organisation_list()) == []


@pytest.mark.usefixtures("organisations")
def test_list_is_one_query_however_many_organisations(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for number in range(10):
        _register(f"XI-DEMO-TEST-{number}", palestinian=bool(number % 2))

    with django_assert_num_queries(1):
        listed = list(organisation_list(palestinian=True))
        labels = [(o.display_name, o.get_organisation_type_display()) for o in listed]

    assert len(labels) == 7


@pytest.mark.usefixtures("organisations")
def test_get_finds_an_organisation_by_its_exact_identifier() -> None:
    organisation = organisation_get("XI-DEMO-PS-MOH")

    assert organisation.iati_identifier == "XI-DEMO-PS-MOH"
    assert organisation.is_palestinian is True
    with pytest.raises(Organisation.DoesNotExist):
        organisation_get("xi-demo-ps-moh")  # identifiers keep their case
    with pytest.raises(Organisation.DoesNotExist):
        organisation_get("XI-DEMO-PS-NONE")


def test_public_view_is_the_public_fields_only(var_dir: Path) -> None:
    organisation = _register("XI-DEMO-PS-MOH", palestinian=True, name_ar="وزارة الصحة")

    assert organisation_public(organisation) == {
        "iati_identifier": "XI-DEMO-PS-MOH",
        "organisation_type": "10",
        "name_en": "Body XI-DEMO-PS-MOH",
        "name_ar": "وزارة الصحة",
        "country": "PS",
        "is_palestinian": True,
    }
    assert tuple(organisation_public(organisation)) == PUBLIC_FIELDS
