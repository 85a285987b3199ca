"""Earmarks: what a donor's money may be used for.

A contribution is unearmarked (flexible) or earmarked to a sector, a governorate, or both.
Money earmarked to housing in Khan Younis can fund only housing projects in Khan Younis;
flexible money can fund anything. The fund keeps one pool of money per earmark, and an
allocation draws from the pools that allow its project, most specific first: restricted
money is used where it is allowed, and flexible money stays flexible for what nothing
else may fund.
"""

from __future__ import annotations

from dataclasses import dataclass

from amanah.reference.geography import governorate
from amanah.reference.sectors import sector

__all__ = ["ANY", "FLEXIBLE", "Earmark", "drawing_order"]

ANY = "any"


@dataclass(frozen=True)
class Earmark:
    """A sector code and a governorate P-code, each None when the money is not restricted
    in that dimension."""

    sector: str | None = None
    governorate: str | None = None

    def __post_init__(self) -> None:
        if self.sector is not None:
            sector(self.sector)
        if self.governorate is not None:
            governorate(self.governorate)

    @property
    def key(self) -> str:
        """`housing.PS0270`, `any.any`, ...: the earmark as an account segment."""
        return f"{self.sector or ANY}.{self.governorate or ANY}"

    @classmethod
    def from_key(cls, key: str) -> Earmark:
        sector_code, dot, pcode = key.partition(".")
        if not dot:
            raise ValueError(f"{key!r} is not an earmark key like housing.PS0270 or any.any")
        return cls(None if sector_code == ANY else sector_code, None if pcode == ANY else pcode)

    @property
    def is_flexible(self) -> bool:
        return self.sector is None and self.governorate is None

    def allows(self, sector_code: str, pcode: str) -> bool:
        """Whether this money may fund a project in `sector_code` and governorate `pcode`."""
        return self.sector in (None, sector_code) and self.governorate in (None, pcode)

    @property
    def specificity(self) -> int:
        """2 for sector and governorate, 1 for either, 0 for flexible money."""
        return (self.sector is not None) + (self.governorate is not None)

    def to_json(self) -> dict[str, str | None]:
        return {"sector": self.sector, "governorate": self.governorate}


FLEXIBLE = Earmark()


def drawing_order(sector_code: str, pcode: str) -> tuple[Earmark, ...]:
    """The pools a project in `sector_code`, `pcode` may draw from, in the order it draws:
    sector and governorate, then sector only, then governorate only, then flexible."""
    return (
        Earmark(sector_code, pcode),
        Earmark(sector_code, None),
        Earmark(None, pcode),
        FLEXIBLE,
    )
