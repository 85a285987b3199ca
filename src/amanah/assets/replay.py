"""Damaged and rebuilt assets rebuilt from the log alone, and the damage table it gives.

`AssetsBook` replays the log's entries in order: the projects (`project.registered`) an
asset may be linked to, every asset registered (`asset.registered`), every assessment
(`asset.assessed`) and every link to the project rebuilding an asset (`asset.linked`). It
keeps each asset's governorate and history of assessments, and tallies them with the
server's own rules (`amanah.assets.conditions`). Pure Python: `amanah audit` runs it with
no database.

What it checks, naming the entry of each violation:
- an asset is registered once, under a code no other asset has (codes compare without
  case, as the service compares them), with a kind and a governorate from the lists;
- an assessment names a registered asset (by its id and its code), with a condition and a
  method from the lists, a source, and a day that is a real date no later than the day
  after the entry was logged (the service refuses days in the future, with a day's grace);
- only a site visit finds an asset restored: imagery shows a roof, not a working clinic;
- a link, or a registration, names a project registered in the log before it, in the
  asset's governorate.

An entry that breaks a rule is refused, as the service would have refused it: it changes
no figure. Who may record what (only a monitor finds an asset restored) is a matter of
roles, which the log does not carry; that is not re-checked here.

`figures()` recomputes the damage table the public API serves (`/api/v1/assets/damage`):
per governorate, and for the whole Strip, the assets by current condition, those never
assessed, the damaged, the damaged again and the assets in all. `served_figures()` puts
the API's answer in the same shape.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from amanah.assets import conditions
from amanah.logreplay import Refused, Violation, apply, get, kind_of, text
from amanah.reference.geography import governorates

__all__ = ["FIELDS", "AssetsBook", "AssetsViolation", "assets_kinds", "served_figures"]

_AT = "%Y-%m-%dT%H:%M:%SZ"
# A day's grace after the day the entry was logged, as the service allows.
GRACE = datetime.timedelta(days=1)
# What a row of the damage table holds, in the order of `Tally.as_dict()`.
FIELDS = tuple(conditions.Tally().as_dict())


# Its violations are the shared kind, under this book's own name.
AssetsViolation = Violation


@dataclass
class _Asset:
    code: str
    governorate: str
    project: str | None
    history: list[conditions.Assessed] = field(default_factory=list)


def assets_kinds() -> frozenset[str]:
    """The log kinds the assets book reads."""
    return frozenset(_HANDLERS)


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise Refused("malformed_entry", f"data.{name} must be a non-empty string or null")
    return value


def _one_of(data: Mapping[str, Any], name: str, allowed: Sequence[str]) -> str:
    value = text(data, name)
    if value not in allowed:
        raise Refused("invalid_value", f"data.{name} {value!r} is not one of {', '.join(allowed)}")
    return value


def _date(data: Mapping[str, Any], name: str) -> datetime.date:
    value = get(data, name)
    try:
        if isinstance(value, str):
            on = datetime.date.fromisoformat(value)
            if on.isoformat() == value:
                return on
    except ValueError:
        pass
    raise Refused("malformed_entry", f"data.{name} must be a date YYYY-MM-DD")


def _logged_on(at: object) -> datetime.date:
    try:
        if isinstance(at, str):
            return datetime.datetime.strptime(at, _AT).date()  # noqa: DTZ007 (UTC, by the Z)
    except ValueError:
        pass
    raise Refused("malformed_entry", "at must be a UTC time YYYY-MM-DDTHH:MM:SSZ")


class AssetsBook:
    """Replay of the assets entries; feed `entry()` every log entry in order."""

    def __init__(self) -> None:
        self.violations: list[AssetsViolation] = []
        self.size = 0
        self.index = 0
        self.at: object = None
        self.pcodes = tuple(g.pcode for g in governorates())
        self.projects: dict[str, str] = {}  # code -> governorate ("" if none was logged)
        self.assets: dict[str, _Asset] = {}  # asset id -> what the log said of it
        self.codes: set[str] = set()  # every asset code, folded

    # --- feeding -------------------------------------------------------------------------

    def entry(self, index: int, value: Mapping[str, Any]) -> None:
        """One decoded log entry (its JSON object), at `index`."""
        self.size = max(self.size, index + 1)
        self.index = index
        kind = kind_of(value)
        handler = None if kind is None else _HANDLERS.get(kind)
        if kind is None or handler is None:
            return
        self.at = value.get("at")
        violation = apply(index, kind, value, lambda data: handler(self, data))
        if violation is not None:
            self.violations.append(violation)

    # --- what assets name ------------------------------------------------------------------

    def _project_registered(self, data: Mapping[str, Any]) -> None:
        governorate = data.get("governorate")
        self.projects[text(data, "code")] = governorate if isinstance(governorate, str) else ""

    def _check_project(self, project: str | None, governorate: str) -> None:
        if project is None:
            return
        if project not in self.projects:
            raise Refused("unknown_reference", f"project {project} was never registered")
        works_in = self.projects[project]
        if works_in and works_in != governorate:
            raise Refused(
                "project_elsewhere", f"project {project} works in {works_in}, not in {governorate}"
            )

    def _asset(self, data: Mapping[str, Any]) -> _Asset:
        """The registered asset an entry names, by its id and its code."""
        asset, code = text(data, "asset"), text(data, "code")
        found = self.assets.get(asset)
        if found is None:
            raise Refused("unknown_reference", f"asset {asset} ({code}) was never registered")
        if found.code != code:
            raise Refused("unknown_reference", f"asset {asset} is {found.code}, not {code}")
        return found

    # --- assets ----------------------------------------------------------------------------

    def _registered(self, data: Mapping[str, Any]) -> None:
        asset, code = text(data, "asset"), text(data, "code")
        _one_of(data, "kind", conditions.KINDS)
        governorate = _one_of(data, "governorate", self.pcodes)
        names = [data.get("name_en"), data.get("name_ar")]
        if not all(isinstance(name, str) for name in names) or not any(names):
            raise Refused("malformed_entry", "data.name_en and data.name_ar: strings, one at least")
        _optional_text(data, "owner")
        project = _optional_text(data, "project")
        if asset in self.assets:
            raise Refused("duplicate", f"asset {asset} was registered before")
        if code.casefold() in self.codes:
            raise Refused("duplicate", f"an asset with code {code} was registered before")
        self._check_project(project, governorate)
        self.assets[asset] = _Asset(code, governorate, project)
        self.codes.add(code.casefold())

    def _assessed(self, data: Mapping[str, Any]) -> None:
        found = self._asset(data)
        on = _date(data, "assessed_on")
        condition = _one_of(data, "condition", conditions.CONDITIONS)
        method = _one_of(data, "method", conditions.METHODS)
        text(data, "source")
        logged_on = _logged_on(self.at)
        if on > logged_on + GRACE:
            raise Refused(
                "future_date", f"{found.code} assessed on {on}, but logged on {logged_on}"
            )
        if condition == "restored" and method != "site":
            raise Refused(
                "restored_not_on_site", f"{found.code} found restored by {method}: only a site"
                " visit can find an asset restored"
            )  # fmt: skip
        found.history.append(conditions.Assessed(on, self.index, condition))

    def _linked(self, data: Mapping[str, Any]) -> None:
        found = self._asset(data)
        get(data, "project")  # null unlinks; it must be said
        project = _optional_text(data, "project")
        self._check_project(project, found.governorate)
        found.project = project

    # --- the figures -----------------------------------------------------------------------

    def table(self) -> tuple[dict[str, conditions.Tally], conditions.Tally]:
        """Every governorate's tally, north to south, and the whole Strip's."""
        histories = [(asset.governorate, asset.history) for asset in self.assets.values()]
        by_governorate = conditions.tally(histories, self.pcodes)
        (total,) = conditions.tally((("all", h) for _, h in histories), ["all"]).values()
        return by_governorate, total

    def figures(self) -> dict[str, Any]:
        """The public damage table, keyed by governorate P-code, and its total: what
        `served_figures()` makes of the API's answer."""
        by_governorate, total = self.table()
        return {
            "log_size": self.size,
            "governorates": {pcode: line.as_dict() for pcode, line in by_governorate.items()},
            "total": total.as_dict(),
        }


def served_figures(damage: Mapping[str, Any], log_size: int) -> dict[str, Any]:
    """The API's damage table (`/api/v1/assets/damage` JSON) in the shape of
    `AssetsBook.figures()`."""
    rows = damage.get("governorates", [])
    total = damage.get("total")
    return {
        "log_size": log_size,
        "governorates": {
            str(row.get("governorate")): {name: row.get(name) for name in FIELDS}
            for row in (rows if isinstance(rows, list) else [])
            if isinstance(row, Mapping)
        },
        "total": {name: total.get(name) for name in FIELDS}
        if isinstance(total, Mapping)
        else total,
    }


_HANDLERS: dict[str, Callable[[AssetsBook, Mapping[str, Any]], None]] = {
    "project.registered": AssetsBook._project_registered,
    "asset.registered": AssetsBook._registered,
    "asset.assessed": AssetsBook._assessed,
    "asset.linked": AssetsBook._linked,
}
