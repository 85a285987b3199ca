"""Amanah's sectors: what donors earmark, rounds prioritise and projects are filed under.

A project's sector is one of these; its IATI/DAC 5-digit sector codes are grouped into them
(the projects app keeps that mapping). The names are data, in both languages, because the
log and the audit (which has no Django, hence no translation catalogue) name them too.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SECTORS", "Sector", "UnknownSector", "sector"]


@dataclass(frozen=True)
class Sector:
    code: str
    name_en: str
    name_ar: str

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en


SECTORS: tuple[Sector, ...] = (
    Sector("housing", "Housing and shelter", "الإسكان والمأوى"),
    Sector("education", "Education", "التعليم"),
    Sector("health", "Health", "الصحة"),
    Sector("wash", "Water and sanitation", "المياه والصرف الصحي"),
    Sector("energy", "Energy", "الطاقة"),
    Sector("roads", "Roads and public works", "الطرق والأشغال العامة"),
    Sector("livelihoods", "Livelihoods", "سبل العيش"),
)


class UnknownSector(ValueError):
    def __init__(self, code: object) -> None:
        known = ", ".join(s.code for s in SECTORS)
        super().__init__(f"{code!r} is not a sector; use one of {known}")


def sector(code: str) -> Sector:
    for candidate in SECTORS:
        if candidate.code == code:
            return candidate
    raise UnknownSector(code)
