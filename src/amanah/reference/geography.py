"""Gaza's five governorates, by OCHA P-code, from the OCHA COD-AB boundaries (data/README.md).

Public figures are aggregated by governorate, never finer, so this is the only geography
a public page, an export or the log names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Governorate", "UnknownGovernorate", "boundaries", "governorate", "governorates"]


@dataclass(frozen=True)
class Governorate:
    pcode: str
    name_en: str
    name_ar: str
    iso_3166_2: str

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en


class UnknownGovernorate(ValueError):
    def __init__(self, pcode: object) -> None:
        known = ", ".join(g.pcode for g in governorates())
        super().__init__(f"{pcode!r} is not a governorate of Gaza; use one of {known}")


@cache
def boundaries() -> dict[str, Any]:
    """The GeoJSON FeatureCollection, north to south, as shipped in data/."""
    text = resources.files(__package__).joinpath("data/gaza-governorates.geojson").read_text()
    collection: dict[str, Any] = json.loads(text)
    return collection


@cache
def governorates() -> tuple[Governorate, ...]:
    """North to south, as the boundaries file orders them."""
    return tuple(
        Governorate(
            pcode=p["adm2_pcode"],
            name_en=p["name_en"],
            name_ar=p["name_ar"],
            iso_3166_2=p["iso_3166_2"],
        )
        for p in (feature["properties"] for feature in boundaries()["features"])
    )


def governorate(pcode: str) -> Governorate:
    for candidate in governorates():
        if candidate.pcode == pcode:
            return candidate
    raise UnknownGovernorate(pcode)
