"""Earmarks: keys, what each earmark allows, and the order a project draws from the pools.

No database: `amanah.funds.earmarks` is pure.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amanah.funds.earmarks import ANY, FLEXIBLE, Earmark, drawing_order
from amanah.reference.geography import UnknownGovernorate, governorates
from amanah.reference.sectors import SECTORS, UnknownSector

PCODES = [g.pcode for g in governorates()]
SECTOR_CODES = [s.code for s in SECTORS]

earmarks = st.builds(
    Earmark, st.none() | st.sampled_from(SECTOR_CODES), st.none() | st.sampled_from(PCODES)
)


@pytest.mark.parametrize(
    ("earmark", "key"),
    [
        (Earmark("housing", "PS0270"), "housing.PS0270"),
        (Earmark("housing"), "housing.any"),
        (Earmark(governorate="PS0275"), "any.PS0275"),
        (FLEXIBLE, "any.any"),
    ],
)
def test_key_spells_sector_then_governorate(earmark: Earmark, key: str) -> None:
    assert earmark.key == key
    assert Earmark.from_key(key) == earmark


@given(earmarks)
def test_key_round_trips(earmark: Earmark) -> None:
    assert Earmark.from_key(earmark.key) == earmark


def test_every_earmark_has_its_own_key() -> None:
    every = [Earmark(s, g) for s in [None, *SECTOR_CODES] for g in [None, *PCODES]]

    assert len({e.key for e in every}) == len(every)


@pytest.mark.parametrize("key", ["", "housing", "anyany", "housingPS0270"])
def test_from_key_needs_a_dot(key: str) -> None:
    with pytest.raises(ValueError, match="is not an earmark key"):
        Earmark.from_key(key)


@pytest.mark.parametrize(
    ("key", "error"),
    [
        ("shelter.any", UnknownSector),
        (".any", UnknownSector),
        ("any.PS0299", UnknownGovernorate),
        ("any.", UnknownGovernorate),
        ("housing.PS0270.x", UnknownGovernorate),
        ("ANY.any", UnknownSector),
    ],
)
def test_from_key_refuses_unknown_parts(key: str, error: type[ValueError]) -> None:
    with pytest.raises(error):
        Earmark.from_key(key)


@pytest.mark.parametrize(
    ("sector_code", "pcode", "error"),
    [
        ("any", None, UnknownSector),
        ("Housing", None, UnknownSector),
        (None, "any", UnknownGovernorate),
        (None, "Rafah", UnknownGovernorate),
    ],
)
def test_construction_validates_against_reference_data(
    sector_code: str | None, pcode: str | None, error: type[ValueError]
) -> None:
    with pytest.raises(error):
        Earmark(sector_code, pcode)


def test_flexible_and_specificity() -> None:
    assert Earmark(None, None) == FLEXIBLE
    assert FLEXIBLE.is_flexible
    assert not Earmark("health").is_flexible
    assert not Earmark(governorate="PS0255").is_flexible
    assert [e.specificity for e in drawing_order("health", "PS0255")] == [2, 1, 1, 0]
    assert ANY == "any"


@pytest.mark.parametrize(
    ("earmark", "sector_code", "pcode", "allowed"),
    [
        (FLEXIBLE, "housing", "PS0270", True),
        (FLEXIBLE, "energy", "PS0255", True),
        (Earmark("housing"), "housing", "PS0275", True),
        (Earmark("housing"), "health", "PS0275", False),
        (Earmark(governorate="PS0270"), "roads", "PS0270", True),
        (Earmark(governorate="PS0270"), "roads", "PS0265", False),
        (Earmark("housing", "PS0270"), "housing", "PS0270", True),
        (Earmark("housing", "PS0270"), "housing", "PS0265", False),
        (Earmark("housing", "PS0270"), "wash", "PS0270", False),
        (Earmark("housing", "PS0270"), "wash", "PS0265", False),
    ],
)
def test_allows(earmark: Earmark, sector_code: str, pcode: str, allowed: bool) -> None:
    assert earmark.allows(sector_code, pcode) is allowed


@given(earmarks, st.sampled_from(SECTOR_CODES), st.sampled_from(PCODES))
def test_allows_exactly_the_pools_in_the_drawing_order(
    earmark: Earmark, sector_code: str, pcode: str
) -> None:
    assert earmark.allows(sector_code, pcode) is (earmark in drawing_order(sector_code, pcode))


def test_drawing_order_goes_from_most_specific_to_flexible() -> None:
    assert drawing_order("housing", "PS0270") == (
        Earmark("housing", "PS0270"),
        Earmark("housing", None),
        Earmark(None, "PS0270"),
        FLEXIBLE,
    )


def test_drawing_order_refuses_unknown_projects() -> None:
    with pytest.raises(UnknownSector):
        drawing_order("shelter", "PS0270")
    with pytest.raises(UnknownGovernorate):
        drawing_order("housing", "PS9999")


def test_to_json_names_both_dimensions() -> None:
    assert Earmark("wash").to_json() == {"sector": "wash", "governorate": None}
    assert FLEXIBLE.to_json() == {"sector": None, "governorate": None}


def test_earmarks_are_frozen_and_hashable() -> None:
    pools = {Earmark("housing"): 1, Earmark("housing", None): 2}

    assert len(pools) == 1
    with pytest.raises(AttributeError):
        FLEXIBLE.sector = "housing"  # type: ignore[misc]
