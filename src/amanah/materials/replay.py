"""Construction materials rebuilt from the log alone, and the public reconciliation it gives.

`MaterialsBook` replays the log's entries in order: material types and vendors, the
projects (`project.registered`) and warehouses (`access.warehouse_added`) movements name,
every movement (`materials.movement_recorded`) and the flags raised and resolved. It keeps
the same balance buckets the services keep (per warehouse, vendor, material and, but for
stock, project) with the same moves (`MOVES`, the services' state model). Pure Python:
`amanah audit` runs it with no database.

What it checks, naming the entry of each violation:
- a movement names a known material (in its unit), vendor, warehouse (in its governorate)
  and project, and is a movement its kind allows with or without a project;
- no bucket ever goes below zero (the movement is then refused, as the service would);
- a verification carries evidence; a flag is raised once while open, with the totals of
  the movements before it, and resolved only after it was raised, once, with evidence.

When flags should be raised depends on the tolerance and on time; that is not re-decided
here. `figures()` recomputes what the public materials API serves (`/reconciliation`,
`/movements`), and `served_figures()` puts the API's answers in the same shape.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from amanah.logreplay import Refused, Violation, apply, get, kind_of, text
from amanah.materials.reconcile import Totals

__all__ = ["MOVES", "MaterialsBook", "MaterialsViolation", "materials_kinds", "served_figures"]

ZERO = Decimal(0)
STOCK, ALLOCATED, ON_SITE, USED, VERIFIED = "stock", "allocated", "on_site", "used", "verified"
# (kind, with a project?) -> (bucket taken from, bucket put into); None: from outside, or
# leaving. The services' state model (`materials.services`; a test keeps the two equal).
MOVES: dict[tuple[str, bool], tuple[str | None, str | None]] = {
    ("allocated", True): (STOCK, ALLOCATED),
    ("released", True): (ALLOCATED, ON_SITE),
    ("used", True): (ON_SITE, USED),
    ("verified", True): (USED, VERIFIED),
    ("returned", True): (ON_SITE, None),
    ("lost", True): (ON_SITE, None),
    ("received", False): (None, STOCK),
    ("returned", False): (STOCK, None),
    ("lost", False): (STOCK, None),
}
# The totals a flag states, and the reconciliation serves, that are sums of movements.
TOTALS = ("received", "used", "in_stock", "returned", "lost")
# What a reconciliation line serves that the log gives. Not the gap: it leaves out material
# released to the contractor within the allowance, which depends on the day, not the log.
LINE_FIELDS = (*TOTALS, "unaccounted", "unit", "vendor_name")

_Key = tuple[str, str, str]  # project, vendor, material


# Its violations are the shared kind, under this book's own name.
MaterialsViolation = Violation


@dataclass
class _Flag:
    key: _Key
    open: bool = True


def materials_kinds() -> frozenset[str]:
    """The log kinds the materials book reads."""
    return frozenset(_HANDLERS)


def _decimal(data: Mapping[str, Any], name: str) -> Decimal:
    value = get(data, name)
    try:
        number = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise Refused("malformed_entry", f"data.{name} must be a decimal string")
    return number


def _evidence(data: Mapping[str, Any]) -> list[Any]:
    value = data.get("evidence", [])
    if not isinstance(value, list):
        raise Refused("malformed_entry", "data.evidence must be a list")
    return value


def _plain(number: Decimal) -> str:
    """One spelling per number, whatever the source wrote (12.500 and 12.5 are equal)."""
    spelled = format(number.normalize(), "f")
    return "0" if spelled in ("-0", "0") else spelled


class MaterialsBook:
    """Replay of the materials entries; feed `entry()` every log entry in order."""

    def __init__(self) -> None:
        self.violations: list[MaterialsViolation] = []
        self.size = 0
        self.units: dict[str, str] = {}  # material code -> unit
        self.vendors: dict[str, str] = {}  # vendor id -> name
        self.projects: set[str] = set()
        self.warehouses: dict[str, str] = {}  # warehouse id -> governorate
        self.movements: set[str] = set()
        # (warehouse, vendor, material, project or "" for stock, bucket) -> quantity
        self.buckets: dict[tuple[str, str, str, str, str], Decimal] = defaultdict(Decimal)
        # (project or "", vendor, material, kind) -> quantity moved
        self.moved: dict[tuple[str, str, str, str], Decimal] = defaultdict(Decimal)
        self.flags: dict[str, _Flag] = {}

    # --- feeding -------------------------------------------------------------------------

    def entry(self, index: int, value: Mapping[str, Any]) -> None:
        """One decoded log entry (its JSON object), at `index`."""
        self.size = max(self.size, index + 1)
        kind = kind_of(value)
        handler = None if kind is None else _HANDLERS.get(kind)
        if kind is None or handler is None:
            return
        violation = apply(index, kind, value, lambda data: handler(self, data))
        if violation is not None:
            self.violations.append(violation)

    # --- what movements name ---------------------------------------------------------------

    def _type_added(self, data: Mapping[str, Any]) -> None:
        code = text(data, "material")
        if code in self.units:
            raise Refused("duplicate", f"material type {code} was added before")
        self.units[code] = text(data, "unit")

    def _vendor_added(self, data: Mapping[str, Any]) -> None:
        vendor = text(data, "vendor")
        if vendor in self.vendors:
            raise Refused("duplicate", f"vendor {vendor} was added before")
        self.vendors[vendor] = text(data, "name")

    def _project_registered(self, data: Mapping[str, Any]) -> None:
        self.projects.add(text(data, "code"))  # movements name it by code

    def _warehouse_added(self, data: Mapping[str, Any]) -> None:
        self.warehouses[text(data, "warehouse")] = text(data, "governorate")

    # --- movements -------------------------------------------------------------------------

    def _movement(self, data: Mapping[str, Any]) -> None:
        movement, kind = text(data, "movement"), text(data, "kind")
        material, vendor = text(data, "material"), text(data, "vendor")
        warehouse, quantity = text(data, "warehouse"), _decimal(data, "quantity")
        project = data.get("project")
        if project is not None and (not isinstance(project, str) or not project):
            raise Refused("malformed_entry", "data.project must be a project code or null")
        if quantity <= 0:
            raise Refused("malformed_entry", "data.quantity must be more than zero")
        if movement in self.movements:
            raise Refused("duplicate", f"movement {movement} was recorded before")
        self._references(data, material, vendor, warehouse, project)
        move = MOVES.get((kind, project is not None))
        if move is None:
            where = f"for project {project}" if project else "without a project"
            raise Refused("invalid_movement", f"{kind} is not a movement {where}")
        if kind == "verified" and not _evidence(data):
            raise Refused("missing_evidence", f"movement {movement}: a verification needs evidence")
        self.movements.add(movement)
        source, sink = move
        self._move(warehouse, vendor, material, project or "", source, sink, quantity)
        self.moved[(project or "", vendor, material, kind)] += quantity

    def _references(
        self, data: Mapping[str, Any], material: str, vendor: str, warehouse: str, project: Any
    ) -> None:
        if material not in self.units:
            raise Refused("unknown_reference", f"material type {material} was never added")
        if data.get("unit") != self.units[material]:
            raise Refused(
                "unit_mismatch", f"{material} is counted in {self.units[material]}, not in"
                f" {data.get('unit')}"
            )  # fmt: skip
        if vendor not in self.vendors:
            raise Refused("unknown_reference", f"vendor {vendor} was never added")
        if warehouse not in self.warehouses:
            raise Refused("unknown_reference", f"warehouse {warehouse} was never added")
        if data.get("governorate") != self.warehouses[warehouse]:
            raise Refused("unknown_reference", f"warehouse {warehouse} is not in that governorate")
        if project is not None and project not in self.projects:
            raise Refused("unknown_reference", f"project {project} was never registered")

    def _move(
        self,
        warehouse: str,
        vendor: str,
        material: str,
        project: str,
        source: str | None,
        sink: str | None,
        quantity: Decimal,
    ) -> None:
        def bucket(name: str) -> tuple[str, str, str, str, str]:
            return (warehouse, vendor, material, "" if name == STOCK else project, name)

        if source is not None:
            have = self.buckets.get(bucket(source), ZERO)
            if have < quantity:
                owner = f", project {project}" if project and source != STOCK else ""
                raise Refused(
                    "negative_stock",
                    f"{quantity} {material} out of {source} (warehouse {warehouse}, vendor"
                    f" {vendor}{owner}) which holds {have}: it would go below zero",
                )
            self.buckets[bucket(source)] = have - quantity
        if sink is not None:
            self.buckets[bucket(sink)] += quantity

    # --- flags -----------------------------------------------------------------------------

    def _flag_raised(self, data: Mapping[str, Any]) -> None:
        flag = text(data, "flag")
        key = (text(data, "project"), text(data, "vendor"), text(data, "material"))
        stated = {name: _decimal(data, name) for name in TOTALS}
        if flag in self.flags:
            raise Refused("duplicate", f"flag {flag} was raised before")
        if any(f.open and f.key == key for f in self.flags.values()):
            raise Refused("flag_already_open", f"flag {flag}: {' '.join(key)} has an open flag")
        if text(data, "after_movement") not in self.movements:
            raise Refused("unknown_reference", f"flag {flag}: its movement was never recorded")
        self.flags[flag] = _Flag(key)
        totals = self.totals(key)
        wrong = [
            f"{name} {stated[name]} (the log gives {getattr(totals, name)})"
            for name in TOTALS
            if stated[name] != getattr(totals, name)
        ]
        if wrong:
            raise Refused("flag_totals_mismatch", f"flag {flag} states " + ", ".join(wrong))

    def _flag_resolved(self, data: Mapping[str, Any]) -> None:
        flag = text(data, "flag")
        found = self.flags.get(flag)
        if found is None:
            raise Refused("unknown_reference", f"flag {flag} is resolved but was never raised")
        if not found.open:
            raise Refused("duplicate", f"flag {flag} was resolved before")
        if not _evidence(data):
            raise Refused("missing_evidence", f"flag {flag} is resolved without evidence")
        found.open = False

    # --- the figures -----------------------------------------------------------------------

    def totals(self, key: _Key) -> Totals:
        """The reconciliation of a project's material from a vendor, over warehouses."""
        project, vendor, material = key

        def moved(kind: str) -> Decimal:
            return self.moved.get((project, vendor, material, kind), ZERO)

        in_stock = sum(
            (
                quantity
                for (_w, v, m, p, bucket), quantity in self.buckets.items()
                if (v, m, p, bucket) == (vendor, material, project, ALLOCATED)
            ),
            ZERO,
        )
        return Totals(
            received=moved("allocated"),
            used=moved("used"),
            in_stock=in_stock,
            returned=moved("returned"),
            lost=moved("lost"),
        )

    def with_contractor(self, key: _Key) -> Decimal:
        """Released to the contractor and not yet accounted for (late or not)."""
        totals = self.totals(key)
        return totals.received - totals.used - totals.in_stock - totals.returned - totals.lost

    def figures(self) -> dict[str, Any]:
        """The public reconciliation (by project, vendor and material) and the movement
        totals (by project, vendor, material and kind), keyed by those names joined by
        spaces ("-" for no project): what `served_figures()` makes of the API's answers."""
        keys = sorted({(p, v, m) for (p, v, m, _kind) in self.moved if p})
        open_flags = {flag.key for flag in self.flags.values() if flag.open}
        lines = {}
        for key in keys:
            totals = self.totals(key)
            lines[" ".join(key)] = {
                **{name: _plain(getattr(totals, name)) for name in TOTALS},
                "unaccounted": key in open_flags,
                "unit": self.units.get(key[2]),
                "vendor_name": self.vendors.get(key[1]),
            }
        return {
            "log_size": self.size,
            "reconciliation": lines,
            "movements": {
                f"{project or '-'} {vendor} {material} {kind}": _plain(quantity)
                for (project, vendor, material, kind), quantity in sorted(self.moved.items())
            },
        }


def served_figures(
    reconciliation: Mapping[str, Any], movements: Mapping[str, Any], log_size: int
) -> dict[str, Any]:
    """The API's `/reconciliation` and `/movements` answers in the shape of
    `MaterialsBook.figures()` (the tolerance, a setting, is not in the log)."""

    def number(value: object) -> object:
        try:
            return _plain(Decimal(str(value)))
        except InvalidOperation:
            return value

    lines: dict[str, dict[str, object]] = {}
    for line in _rows(reconciliation, "lines"):
        key = " ".join(str(line.get(name)) for name in ("project", "vendor", "material"))
        lines[key] = {
            name: number(line.get(name)) if name in TOTALS else line.get(name)
            for name in LINE_FIELDS
        }
    return {
        "log_size": log_size,
        "reconciliation": lines,
        "movements": {
            " ".join(
                str(row.get(name) or "-") for name in ("project", "vendor", "material", "kind")
            ): number(row.get("quantity"))
            for row in _rows(movements, "totals")
        },
    }


def _rows(document: Mapping[str, Any], name: str) -> Sequence[Mapping[str, Any]]:
    rows = document.get(name, [])
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


_HANDLERS: dict[str, Callable[[MaterialsBook, Mapping[str, Any]], None]] = {
    "materials.type_added": MaterialsBook._type_added,
    "materials.vendor_added": MaterialsBook._vendor_added,
    "project.registered": MaterialsBook._project_registered,
    "access.warehouse_added": MaterialsBook._warehouse_added,
    "materials.movement_recorded": MaterialsBook._movement,
    "materials.flag_raised": MaterialsBook._flag_raised,
    "materials.flag_resolved": MaterialsBook._flag_resolved,
}
