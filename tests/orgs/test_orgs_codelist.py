"""The IATI OrganisationType codelist, read from the packaged copy of IATI's file."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import pytest
from django.utils import translation

from amanah.orgs.codelists import (
    ORGANISATION_TYPE_NAMES,
    CodelistError,
    CodelistItem,
    codelist,
    organisation_type_choices,
    organisation_type_codes,
    organisation_types,
    parse_codelist,
)

_DATA = resources.files("amanah.orgs") / "data" / "iati"


def test_organisation_types_are_the_codes_and_english_names_of_the_file() -> None:
    names = {item.code: item.name for item in organisation_types()}

    assert names == {
        "10": "Government",
        "11": "Local Government",
        "15": "Other Public Sector",
        "21": "International NGO",
        "22": "National NGO",
        "23": "Regional NGO",
        "24": "Partner Country based NGO",
        "30": "Public Private Partnership",
        "40": "Multilateral",
        "60": "Foundation",
        "70": "Private Sector",
        "71": "Private Sector in Provider Country",
        "72": "Private Sector in Aid Recipient Country",
        "73": "Private Sector in Third Country",
        "80": "Academic, Training and Research",
        "90": "Other",
    }
    assert organisation_type_codes() == list(names)  # the file's order


def test_items_keep_the_english_description_and_leave_the_french_out() -> None:
    items = {item.code: item for item in organisation_types()}

    assert items["24"].description == (
        "Local and National NGO / CSO based in aid/assistance recipient country"
    )
    assert items["10"] == CodelistItem("10", "Government", "", withdrawn=False)
    assert "Gouvernement" not in {item.name for item in organisation_types()}


def test_the_codelist_is_parsed_once_per_process() -> None:
    assert codelist("OrganisationType") is codelist("OrganisationType")


def test_the_packaged_file_is_the_one_the_readme_names() -> None:
    data = (_DATA / "OrganisationType.xml").read_bytes()
    readme = (_DATA / "README.md").read_text(encoding="utf-8")

    row = next(line for line in readme.splitlines() if line.startswith("| `OrganisationType.xml`"))
    assert "7aeece773c60afa0265eb95e988d5e61e96d8482" in row
    assert f"`{hashlib.sha256(data).hexdigest()}`" in row
    assert "CC BY 4.0" in readme
    assert "IATI Standard (http://iatistandard.org/)" in readme


def test_every_name_is_in_the_translation_list_so_it_shows_in_arabic() -> None:
    assert tuple(item.name for item in organisation_types()) == ORGANISATION_TYPE_NAMES


def test_choices_are_translated_when_shown() -> None:
    choices = dict(organisation_type_choices())

    with translation.override("en"):
        assert str(choices["10"]) == "Government"
    with translation.override("ar"):
        assert str(choices["10"]) == "حكومة"
        assert str(choices["21"]) == "منظمة غير حكومية دولية"
        for label in choices.values():
            assert re.search("[\u0600-\u06ff]", str(label)), label


# --- the parser ---------------------------------------------------------------------------


def _codelist(items: str, *, attributes: str = 'xml:lang="en"') -> bytes:
    return (
        f'<codelist name="Test" {attributes} complete="1" embedded="0">'
        f"<metadata/><codelist-items>{items}</codelist-items></codelist>"
    ).encode()


def _item(code: str, name: str, attributes: str = "") -> str:
    return f"<codelist-item {attributes}><code>{code}</code><name>{name}</name></codelist-item>"


def test_parse_takes_the_english_narrative_and_marks_withdrawn_codes() -> None:
    data = _codelist(
        _item("1", '<narrative xml:lang="fr">Un</narrative><narrative>One</narrative>')
        + _item("2", "<narrative> Two </narrative>", 'status="withdrawn"')
        + _item("3", '<narrative xml:lang="en">Three</narrative>', 'status="active"')
    )

    assert parse_codelist(data, "Test", source="test.xml") == (
        CodelistItem("1", "One", "", withdrawn=False),
        CodelistItem("2", "Two", "", withdrawn=True),
        CodelistItem("3", "Three", "", withdrawn=False),
    )


def test_a_list_in_another_language_needs_an_english_narrative() -> None:
    data = _codelist(_item("1", "<narrative>Un</narrative>"), attributes='xml:lang="fr"')

    with pytest.raises(CodelistError, match=r"^test\.xml has an item without a code or an English"):
        parse_codelist(data, "Test", source="test.xml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<codelist", r"^test\.xml is not well-formed XML: "),
        (b'<codelist name="Other"><codelist-items/></codelist>',
         r"^test\.xml is not the IATI codelist 'Test'$"),
        (b'<list name="Test"/>', r"^test\.xml is not the IATI codelist 'Test'$"),
        (_codelist(""), r"^test\.xml has no codelist items$"),
        (_codelist(_item("1", "<narrative>A</narrative>") * 2), r"^test\.xml repeats a code$"),
        (_codelist(_item("", "<narrative>A</narrative>")),
         r"^test\.xml has an item without a code or an English name$"),
        (_codelist(_item("1", "")), r"^test\.xml has an item without a code or an English name$"),
        (_codelist(_item("1", "<narrative>A</narrative>", 'status="retired"')),
         r"^test\.xml: code '1' has the unknown status 'retired'$"),
    ],
)  # fmt: skip
def test_a_file_not_shaped_like_an_iati_codelist_is_refused_naming_it(
    data: bytes, message: str
) -> None:
    with pytest.raises(CodelistError, match=message):
        parse_codelist(data, "Test", source="test.xml")
