"""The approximate public locations of the crossings into the Gaza Strip, by crossing code
(the codes of `amanah.access.demo.CROSSINGS`), from data/crossings.json: points to draw
on the governorate map, for illustration (the file's "source" says where they come from).

A crossing a coordinator adds under another code has no known location: it is left off
the map (its figures stay in the tables).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CrossingLocation", "crossing_locations", "locations_source"]


@dataclass(frozen=True)
class CrossingLocation:
    code: str
    lat: float
    lon: float


@cache
def _data() -> dict[str, object]:
    text = resources.files(__package__).joinpath("data/crossings.json").read_text()
    loaded: dict[str, object] = json.loads(text)
    return loaded


@cache
def crossing_locations() -> dict[str, CrossingLocation]:
    """Every crossing with a known location, by code, in the file's order."""
    listed = _data()["crossings"]
    assert isinstance(listed, dict)
    return {
        code: CrossingLocation(code, float(place["lat"]), float(place["lon"]))
        for code, place in listed.items()
    }


def locations_source() -> str:
    """Where the locations come from (the file's own note)."""
    return str(_data()["source"])
