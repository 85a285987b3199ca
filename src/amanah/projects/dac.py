"""OECD DAC 5-digit sector codes (IATI's `Sector` codelist) and how they group into
Amanah's seven sectors.

The codelists are IATI's own files, unmodified, in `data/iati/` (see its README for source,
commit, checksum and licence), parsed with `amanah.orgs.codelists.parse_codelist`. A DAC
code's first three digits are its category (`SectorCategory`); the grouping below is by
category, then by single code where a category is wider than one Amanah sector:

| DAC codes | Amanah sector |
|---|---|
| 111-114 (education) | education |
| 121-123 (health), 130 (population, reproductive health) | health |
| 140 (water supply and sanitation) | wash |
| 16030 housing policy, 16040 low-cost housing | housing |
| 16020 employment creation | livelihoods |
| 210 (transport and storage), 43030/43031/43032 (urban development) | roads |
| 231-236 (energy; the withdrawn 230xx codes are refused, like every withdrawn code) | energy |
| 250 (business), 311-313 (agriculture, forestry, fishing), | livelihoods |
| 321-323 (industry, mining, construction), 331-332 (trade, tourism) | livelihoods |
| 72010 material relief (emergency shelter) | housing |
| 72011 basic health care in emergencies | health |
| 72012 education in emergencies | education |
| 73010 immediate post-emergency reconstruction and rehabilitation | any sector |

73010 is how the DAC codes rebuilding right after a disaster, whatever is rebuilt: a
school, a clinic or a home. So it fits every Amanah sector, but it does not say which: a
proposal naming it must also name a code of its own sector (checked when it is
submitted, `services._check_dac_codes`).

Any other code (governance, social protection other than the above, debt relief...) is not
a sector Amanah funds, and is refused with a message naming it.
"""

from __future__ import annotations

import functools
from importlib import resources

from amanah.orgs.codelists import CodelistItem, parse_codelist
from amanah.reference.sectors import SECTORS

__all__ = [
    "ANY_SECTOR",
    "CATEGORY_SECTORS",
    "CODE_SECTORS",
    "dac_codes_for",
    "dac_sector",
    "dac_sectors",
    "sector_categories",
    "sectors_of",
]

ALL_SECTORS = frozenset(s.code for s in SECTORS)
ANY_SECTOR = "73010"

# DAC category (the code's first three digits) -> Amanah sector.
CATEGORY_SECTORS: dict[str, str] = {
    **dict.fromkeys(("111", "112", "113", "114"), "education"),
    **dict.fromkeys(("121", "122", "123", "130"), "health"),
    "140": "wash",
    "210": "roads",
    **dict.fromkeys(("231", "232", "233", "234", "235", "236"), "energy"),
    **dict.fromkeys(("250", "311", "312", "313", "321", "322", "323", "331", "332"), "livelihoods"),
}
# Single codes in categories wider than one Amanah sector (they win over the category).
CODE_SECTORS: dict[str, str] = {
    "16020": "livelihoods",
    "16030": "housing",
    "16040": "housing",
    "43030": "roads",
    "43031": "roads",
    "43032": "roads",
    "72010": "housing",
    "72011": "health",
    "72012": "education",
}


def _read(name: str) -> tuple[CodelistItem, ...]:
    data = (resources.files("amanah.projects") / "data" / "iati" / f"{name}.xml").read_bytes()
    return parse_codelist(data, name, source=f"amanah/projects/data/iati/{name}.xml")


@functools.cache
def dac_sectors() -> dict[str, CodelistItem]:
    """Every DAC 5-digit code of the packaged `Sector` list, by code (withdrawn too)."""
    return {item.code: item for item in _read("Sector")}


@functools.cache
def sector_categories() -> dict[str, CodelistItem]:
    """The DAC 3-digit categories of the packaged `SectorCategory` list, by code."""
    return {item.code: item for item in _read("SectorCategory")}


def dac_sector(code: str) -> CodelistItem | None:
    """The active DAC code `code`, or None if it is unknown or withdrawn."""
    item = dac_sectors().get(code)
    return None if item is None or item.withdrawn else item


def sectors_of(code: str) -> frozenset[str]:
    """The Amanah sectors an active DAC code may be filed under: one, every one (73010),
    or none (unknown, withdrawn, or not a sector Amanah funds)."""
    if dac_sector(code) is None:
        return frozenset()
    if code == ANY_SECTOR:
        return ALL_SECTORS
    sector = CODE_SECTORS.get(code) or CATEGORY_SECTORS.get(code[:3])
    return frozenset({sector}) if sector else frozenset()


def dac_codes_for(sector: str) -> list[CodelistItem]:
    """The active DAC codes that may be named for `sector`, by code (form help, the API)."""
    return [item for code, item in sorted(dac_sectors().items()) if sector in sectors_of(code)]
