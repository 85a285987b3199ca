"""The packaged IATI Sector codelists, Amanah's grouping of DAC codes, and the
point-in-polygon test of the governorates."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import pytest

from amanah.projects import dac
from amanah.reference.geography import (
    UnknownGovernorate,
    boundaries,
    governorate_at,
    governorates,
    point_in_governorate,
    point_in_polygon,
)
from amanah.reference.sectors import SECTORS


def test_the_codelists_are_the_copies_the_readme_names() -> None:
    folder = resources.files("amanah.projects") / "data" / "iati"
    readme = (folder / "README.md").read_text()
    for name in ("Sector.xml", "SectorCategory.xml"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert re.search(rf"`{name}`.*`{digest}`", readme), name


def test_the_codelists_parse() -> None:
    sectors = dac.dac_sectors()
    assert len(sectors) == 325
    assert sectors["16040"].name == "Low-cost housing"
    assert sectors["23010"].withdrawn
    # A 5-digit code's first three digits are its category.
    assert {code[:3] for code in sectors} <= set(dac.sector_categories())


def test_every_code_the_mapping_names_is_an_active_dac_code() -> None:
    for code in [*dac.CODE_SECTORS, dac.ANY_SECTOR]:
        assert dac.dac_sector(code) is not None, code
    for category in dac.CATEGORY_SECTORS:
        assert category in dac.sector_categories(), category
    assert set(dac.CATEGORY_SECTORS.values()) | set(dac.CODE_SECTORS.values()) == {
        s.code for s in SECTORS
    }


@pytest.mark.parametrize(
    ("code", "sectors"),
    [
        ("16040", {"housing"}),
        ("16030", {"housing"}),
        ("16020", {"livelihoods"}),
        ("16010", set()),  # social protection: not funded
        ("11120", {"education"}),
        ("12230", {"health"}),
        ("13020", {"health"}),
        ("14021", {"wash"}),
        ("23231", {"energy"}),
        ("23010", set()),  # withdrawn
        ("21020", {"roads"}),
        ("31120", {"livelihoods"}),
        ("72012", {"education"}),
        ("73010", {s.code for s in SECTORS}),
        ("99999", set()),
    ],
)
def test_codes_group_into_amanah_sectors(code: str, sectors: set[str]) -> None:
    assert dac.sectors_of(code) == sectors


def test_codes_for_a_sector_are_listed() -> None:
    housing = [item.code for item in dac.dac_codes_for("housing")]
    assert housing == ["16030", "16040", "72010", "73010"]


def _feature(pcode: str) -> dict[str, object]:
    return next(f for f in boundaries()["features"] if f["properties"]["adm2_pcode"] == pcode)


def test_each_governorate_s_centre_is_inside_it_and_no_other() -> None:
    for found in governorates():
        properties = _feature(found.pcode)["properties"]
        lat, lon = properties["center_lat"], properties["center_lon"]  # type: ignore[index]
        assert governorate_at(lat, lon) == found
        others = [g.pcode for g in governorates() if point_in_governorate(lat, lon, g.pcode)]
        assert others == [found.pcode]


@pytest.mark.parametrize(
    ("lat", "lon", "pcode"),
    [
        (31.5236, 34.4466, "PS0260"),  # Gaza City
        (31.3462, 34.3063, "PS0270"),  # Khan Younis
        (31.2969, 34.2435, "PS0275"),  # Rafah
        (31.4172, 34.3508, "PS0265"),  # Deir al-Balah
        (31.5300, 34.4833, "PS0255"),  # Jabalia
        (31.5, 34.0, None),  # the sea
        (31.7767, 35.2345, None),  # Jerusalem
    ],
)
def test_known_places(lat: float, lon: float, pcode: str | None) -> None:
    found = governorate_at(lat, lon)
    assert (found.pcode if found else None) == pcode


def test_polygons_with_holes_and_multipolygons() -> None:
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    polygon = {"type": "Polygon", "coordinates": [square, hole]}
    assert point_in_polygon(2, 2, polygon)
    assert not point_in_polygon(5, 5, polygon)  # in the hole
    assert not point_in_polygon(11, 5, polygon)
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[square], [[[20, 0], [30, 0], [25, 9], [20, 0]]]],
    }
    assert point_in_polygon(25, 3, multi)
    assert not point_in_polygon(15, 3, multi)
    with pytest.raises(ValueError, match="Point"):
        point_in_polygon(0, 0, {"type": "Point", "coordinates": [0, 0]})
    with pytest.raises(UnknownGovernorate):
        point_in_governorate(31.5, 34.4, "PS9999")
