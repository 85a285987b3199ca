"""Gaza's five governorates, by OCHA P-code, from the OCHA COD-AB boundaries (data/README.md).

Public figures are aggregated by governorate, never finer, so this is the only geography
a public page, an export or the log names.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "Governorate",
    "UnknownGovernorate",
    "boundaries",
    "governorate",
    "governorate_at",
    "governorates",
    "point_in_governorate",
    "point_in_polygon",
]

# A GeoJSON ring: [longitude, latitude] positions, the last equal to the first.
Ring = Sequence[Sequence[float]]


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


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting: does a ray from the point towards +longitude cross the ring's
    edges an odd number of times? (A point exactly on an edge may fall either way.)"""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def point_in_polygon(lon: float, lat: float, geometry: dict[str, Any]) -> bool:
    """Whether the point lies inside a GeoJSON `Polygon` or `MultiPolygon` (RFC 7946 3.1.6:
    the first ring is the outline, the others are holes). Coordinates in degrees, WGS 84,
    longitude first as GeoJSON orders them."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"{kind!r} is not a Polygon or MultiPolygon")
    return any(
        rings
        and _in_ring(lon, lat, rings[0])
        and not any(_in_ring(lon, lat, hole) for hole in rings[1:])
        for rings in polygons
    )


def governorate_at(lat: float, lon: float) -> Governorate | None:
    """The governorate the point (latitude, longitude) lies in, or None outside Gaza."""
    for feature, found in zip(boundaries()["features"], governorates(), strict=True):
        if point_in_polygon(lon, lat, feature["geometry"]):
            return found
    return None


def point_in_governorate(lat: float, lon: float, pcode: str) -> bool:
    """Whether the point (latitude, longitude) lies in the governorate `pcode`."""
    governorate(pcode)  # UnknownGovernorate for a P-code that is not Gaza's
    for feature in boundaries()["features"]:
        if feature["properties"]["adm2_pcode"] == pcode:
            return point_in_polygon(lon, lat, feature["geometry"])
    return False  # pragma: no cover (governorate() found it)
