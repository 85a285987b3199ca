"""An asset's condition and the public tally of conditions, pure (no Django), so that the
audit recomputes the damage figures from the log alone with the same rules as the server.

The damage scale is UNOSAT's (the UN Satellite Centre's damage assessments of Gaza):
destroyed, severe, moderate, possible damage, no visible damage. Amanah adds `restored`:
rebuilt or repaired and in service again, which only a monitor's site visit can say.

An asset's current condition is its latest assessment's: by the day assessed, then by log
index (the later record of the same day wins). An older assessment recorded late is kept in
the history but does not change the current condition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "CONDITIONS",
    "DAMAGED",
    "KINDS",
    "METHODS",
    "Assessed",
    "Tally",
    "current",
    "damaged_again",
    "tally",
]

# Worst first: the order of every public table and chart.
CONDITIONS = ("destroyed", "severe", "moderate", "possible", "undamaged", "restored")
# What the map counts as damaged: UNOSAT's confirmed classes, not "possible damage".
DAMAGED = frozenset({"destroyed", "severe", "moderate"})
KINDS = ("housing", "school", "health", "water", "road", "power", "public")
METHODS = ("remote", "site", "report")


@dataclass(frozen=True)
class Assessed:
    """One assessment as the log states it."""

    assessed_on: datetime.date
    index: int
    condition: str


def current(history: Iterable[Assessed]) -> Assessed | None:
    """The assessment that sets the condition: the latest by day, then by log index."""
    return max(history, key=lambda a: (a.assessed_on, a.index), default=None)


def damaged_again(history: Iterable[Assessed]) -> bool:
    """Whether the asset was found damaged after it had been found restored: rebuilding
    that was destroyed again, which the fund exists to prevent and must show."""
    restored = False
    for assessment in sorted(history, key=lambda a: (a.assessed_on, a.index)):
        if assessment.condition == "restored":
            restored = True
        elif restored and assessment.condition in DAMAGED:
            return True
    return False


@dataclass
class Tally:
    """Assets by current condition, for one governorate (or all)."""

    by_condition: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONDITIONS, 0))
    not_assessed: int = 0
    damaged_again: int = 0

    @property
    def assets(self) -> int:
        return sum(self.by_condition.values()) + self.not_assessed

    @property
    def damaged(self) -> int:
        return sum(self.by_condition[c] for c in DAMAGED)

    def as_dict(self) -> dict[str, int]:
        return {
            **self.by_condition,
            "not_assessed": self.not_assessed,
            "damaged": self.damaged,
            "damaged_again": self.damaged_again,
            "assets": self.assets,
        }


def tally(
    assets: Iterable[tuple[str, Iterable[Assessed]]], governorates: Iterable[str]
) -> dict[str, Tally]:
    """Each governorate's tally, from (governorate, history) per asset, with every given
    governorate present (a zero is a figure too)."""
    result = {pcode: Tally() for pcode in governorates}
    for pcode, history in assets:
        entries = list(history)
        line = result.setdefault(pcode, Tally())
        latest = current(entries)
        if latest is None:
            line.not_assessed += 1
        else:
            line.by_condition[latest.condition] += 1
        if damaged_again(entries):
            line.damaged_again += 1
    return result
