"""Reference data: Gaza's governorates (from the shipped OCHA boundaries) and the sectors.

No database: `amanah.reference` is pure.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import pytest

from amanah.reference import geography
from amanah.reference.geography import Governorate, UnknownGovernorate, governorate, governorates
from amanah.reference.sectors import SECTORS, Sector, UnknownSector, sector

PCODES = ("PS0255", "PS0260", "PS0265", "PS0270", "PS0275")


def _shipped() -> bytes:
    return (
        resources.files(geography.__package__)
        .joinpath("data/gaza-governorates.geojson")
        .read_bytes()
    )


def _readme() -> str:
    return resources.files(geography.__package__).joinpath("data/README.md").read_text()


# --- the shipped file ------------------------------------------------------------------------


def test_geojson_matches_the_checksum_in_the_readme() -> None:
    row = next(line for line in _readme().splitlines() if "gaza-governorates.geojson" in line)
    written = re.findall(r"SHA-256 `([0-9a-f]{64})`", row)

    assert len(written) == 1
    assert hashlib.sha256(_shipped()).hexdigest() == written[0]


def test_boundaries_are_a_feature_collection_of_five_polygons_keyed_by_pcode() -> None:
    collection = geography.boundaries()

    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == list(PCODES)
    assert [f["properties"]["adm2_pcode"] for f in collection["features"]] == list(PCODES)
    assert {f["geometry"]["type"] for f in collection["features"]} <= {"Polygon", "MultiPolygon"}


# --- governorates ----------------------------------------------------------------------------


def test_governorates_run_north_to_south() -> None:
    assert governorates() == (
        Governorate("PS0255", "North Gaza", "شمال غزة", "PS-NGZ"),
        Governorate("PS0260", "Gaza", "غزة", "PS-GZA"),
        Governorate("PS0265", "Deir Al-Balah", "دير البلح", "PS-DEB"),
        Governorate("PS0270", "Khan Younis", "خان يونس", "PS-KYS"),
        Governorate("PS0275", "Rafah", "رفح", "PS-RFH"),
    )


@pytest.mark.parametrize("pcode", PCODES)
def test_governorate_finds_each_pcode(pcode: str) -> None:
    found = governorate(pcode)

    assert found.pcode == pcode
    assert found in governorates()


def test_governorate_names_in_arabic_and_otherwise_english() -> None:
    khan_younis = governorate("PS0270")

    assert khan_younis.name("ar") == "خان يونس"
    assert khan_younis.name("en") == "Khan Younis"
    assert khan_younis.name("fr") == "Khan Younis"


@pytest.mark.parametrize("pcode", ["PS0280", "ps0270", "PS02", "", " PS0270", "Khan Younis"])
def test_unknown_governorate_is_refused_naming_the_known_ones(pcode: str) -> None:
    with pytest.raises(UnknownGovernorate) as caught:
        governorate(pcode)

    assert isinstance(caught.value, ValueError)
    assert repr(pcode) in str(caught.value)
    assert all(known in str(caught.value) for known in PCODES)


def test_governorate_values_are_frozen() -> None:
    with pytest.raises(AttributeError):
        governorate("PS0275").pcode = "PS0200"  # type: ignore[misc]


# --- sectors ---------------------------------------------------------------------------------


def test_sector_codes_are_unique_account_safe_and_named_in_both_languages() -> None:
    codes = [s.code for s in SECTORS]

    assert len(set(codes)) == len(codes)
    assert "any" not in codes  # "any" is the earmark key's word for "not restricted"
    for s in SECTORS:
        assert re.fullmatch(r"[a-z]+", s.code)
        assert s.name_en
        assert s.name_ar
        assert s.name_ar != s.name_en


@pytest.mark.parametrize("entry", SECTORS, ids=lambda s: s.code)
def test_sector_finds_each_code(entry: Sector) -> None:
    assert sector(entry.code) is entry


def test_sector_names_in_arabic_and_otherwise_english() -> None:
    assert sector("wash").name("ar") == "المياه والصرف الصحي"
    assert sector("wash").name("en") == "Water and sanitation"


@pytest.mark.parametrize("code", ["Housing", "shelter", "", "any", "housing "])
def test_unknown_sector_is_refused_naming_the_known_ones(code: str) -> None:
    with pytest.raises(UnknownSector) as caught:
        sector(code)

    assert isinstance(caught.value, ValueError)
    assert all(s.code in str(caught.value) for s in SECTORS)
