"""Importing consignments and their events from a logistics cluster's CSV: all or nothing.

Every row is checked and recorded in one transaction; if any row is wrong, nothing is
written and every wrong row is reported with its line, column and the problem. Importing
the same file again records nothing new: a consignment is known by its `reference` (the
cluster's own), an event by its consignment and `event_reference`, or, without one, by its
consignment, kind and time.

One row per event, in the order they happened. A `requested` row creates the consignment
and carries one of its items; a consignment of several items has one `requested` row per
item (same reference; the first row's consignment columns count). Columns (a header row
names them, in any order; extra columns are ignored):
    reference, event, occurred_at                          required on every row
    organisation, crossing, warehouse, trucks,             required on `requested` rows
    category, quantity, unit, weight_kg
    pallets, description, planned_date, planned_route      optional on `requested` rows
    reasons        reason codes separated by ";" (denied, partly_cleared, turned_back)
    rejected       "category:quantity:unit:reason" separated by ";" (crossed, turned_back)
    trucks         also the trucks cleared (partly_cleared) or crossed
    event_reference, note                                   optional
`warehouse` is the warehouse's name or its identifier. HXL hashtags are understood in a
row right under the header (see `HXL`): the HXL core hashtags where one exists (#org,
#loc, #date, #status, #item, #description), `#x_` ones for the rest.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amanah.access.models import Consignment, ConsignmentEvent, EventKind, Warehouse
from amanah.access.services import consignment_create, consignment_event_record
from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.core.csvimport import ImportInvalid, RowError, read_rows
from amanah.ledger import services as ledger

__all__ = ["COLUMNS", "HXL", "ImportInvalid", "ImportResult", "RowError", "consignment_import"]

COLUMNS = (
    "reference",
    "event",
    "occurred_at",
    "organisation",
    "crossing",
    "warehouse",
    "trucks",
    "category",
    "quantity",
    "unit",
    "weight_kg",
    "pallets",
    "description",
    "planned_date",
    "planned_route",
    "reasons",
    "rejected",
    "event_reference",
    "note",
)
REQUIRED = ("reference", "event", "occurred_at")
REQUIRED_FOR_REQUEST = (
    "organisation",
    "crossing",
    "warehouse",
    "trucks",
    "category",
    "quantity",
    "unit",
    "weight_kg",
)
# Read from a consignment's first `requested` row only.
_FIRST_ROW_ONLY = ("organisation", "crossing", "warehouse", "trucks")
HXL = {
    "#x_consignment": "reference",
    "#status": "event",
    "#date+occurred": "occurred_at",
    "#org": "organisation",
    "#org+code": "organisation",
    "#loc+crossing": "crossing",
    "#loc+warehouse": "warehouse",
    "#x_trucks": "trucks",
    "#item+type": "category",
    "#item+num": "quantity",
    "#item+unit": "unit",
    "#item+weight": "weight_kg",
    "#item+pallets": "pallets",
    "#item+name": "description",
    "#date+planned": "planned_date",
    "#x_route": "planned_route",
    "#x_reason": "reasons",
    "#x_rejected": "rejected",
    "#x_event": "event_reference",
    "#description": "note",
}
# The services' field names, as the file's columns name them.
_FIELD_COLUMN = {
    "external_reference": "reference",
    "kind": "event",
    "requested_at": "occurred_at",
    "items": "category",
}
MAX_ROWS = 100_000

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    consignments: int = 0
    events: int = 0
    already_recorded: int = 0
    consignment_ids: list[str] = field(default_factory=list)


def _column(name: str) -> str:
    """The column a service's field name (maybe dotted: items.0.quantity) comes from."""
    last = name.rsplit(".", 1)[-1]
    return _FIELD_COLUMN.get(name, _FIELD_COLUMN.get(last, last))


def _row_errors(lines: list[int], error: ValidationError) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(lines[0], "", " ".join(error.messages))]
    found = []
    for name, messages in error.message_dict.items():
        line = lines[0]
        parts = name.split(".")
        if parts[0] == "items" and len(parts) == 3 and int(parts[1]) < len(lines):
            line = lines[int(parts[1])]
        column = "rejected" if parts[0] == "rejected" else _column(name)
        found.append(RowError(line, column, " ".join(messages)))
    return found


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _rejected(value: str) -> list[dict[str, str]]:
    items = []
    for part in _split(value):
        category, quantity, unit, reason = ([*part.split(":"), "", "", "", ""])[:4]
        items.append({"category": category, "quantity": quantity, "unit": unit, "reason": reason})
    return items


def _warehouse(value: str) -> str:
    """The identifier of the warehouse a row names (by name or identifier)."""
    found = Warehouse.objects.filter(name=value).values_list("pk", flat=True).first()
    return str(found) if found is not None else value


@dataclass
class _Importer:
    actor: User
    now: datetime.datetime | None
    result: ImportResult = field(default_factory=ImportResult)
    errors: list[RowError] = field(default_factory=list)
    requests: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    def run(self, rows: list[tuple[int, dict[str, str]]], progress: Progress | None) -> None:
        for line, row in rows:
            if row.get("event") == EventKind.REQUESTED and row.get("reference"):
                self.requests.setdefault(row["reference"], []).append((line, row))
        for done, (line, row) in enumerate(rows, start=1):
            missing = [
                RowError(line, n, _("This value is required.")) for n in REQUIRED if not row.get(n)
            ]
            if missing:
                self.errors += missing
            elif row["event"] == EventKind.REQUESTED:
                self._request(line, row)
            else:
                self._event(line, row)
            if progress is not None:
                progress(done, len(rows))

    def _guarded(self, lines: list[int], call: Callable[[], Any]) -> Any:
        try:
            with transaction.atomic():
                return call()
        except ValidationError as error:
            self.errors += _row_errors(lines, error)
            return None

    def _request(self, line: int, row: dict[str, str]) -> None:
        group = self.requests[row["reference"]]
        if group[0][0] != line:
            return  # an item of a consignment created on its first row
        if Consignment.objects.filter(external_reference=row["reference"]).exists():
            self.result.already_recorded += len(group)
            return
        missing = [
            RowError(at, name, _("This value is required."))
            for at, values in group
            for name in REQUIRED_FOR_REQUEST
            if not values.get(name)
            and (at == line or name not in ("organisation", "crossing", "warehouse", "trucks"))
        ]
        if missing:
            self.errors += missing
            self.failed.add(row["reference"])
            return
        items = [
            {
                "category": values["category"],
                "quantity": values["quantity"],
                "unit": values["unit"],
                "weight_kg": values["weight_kg"],
                "pallets": values.get("pallets") or 0,
                "description": values.get("description", ""),
            }
            for _at, values in group
        ]
        consignment = self._guarded(
            [at for at, _values in group],
            lambda: consignment_create.in_callers_transaction(
                external_reference=row["reference"],
                organisation=row["organisation"],
                crossing=row["crossing"],
                warehouse=_warehouse(row["warehouse"]),
                trucks=row["trucks"],
                items=items,
                requested_at=row["occurred_at"],
                planned_date=row.get("planned_date") or None,
                planned_route=row.get("planned_route", ""),
                actor=self.actor,
                now=self.now,
            ),
        )
        if consignment is None:
            self.failed.add(row["reference"])
        else:
            self.result.consignments += 1
            self.result.consignment_ids.append(str(consignment.id))

    def _event(self, line: int, row: dict[str, str]) -> None:
        reference = row["reference"]
        consignment = Consignment.objects.filter(external_reference=reference).first()
        if consignment is None:
            if reference not in self.failed:
                self.errors.append(
                    RowError(
                        line,
                        "reference",
                        _("No consignment has this reference; its requested row comes first."),
                    )
                )
            return
        if self._known(consignment, row):
            self.result.already_recorded += 1
            return
        event = self._guarded(
            [line],
            lambda: consignment_event_record.in_callers_transaction(
                consignment=consignment,
                kind=row["event"],
                occurred_at=row["occurred_at"],
                reasons=_split(row.get("reasons", "")),
                rejected=_rejected(row.get("rejected", "")),
                trucks=row.get("trucks") or None,
                note=row.get("note", ""),
                external_reference=row.get("event_reference", ""),
                actor=self.actor,
                now=self.now,
            ),
        )
        if event is not None:
            self.result.events += 1

    def _known(self, consignment: Consignment, row: dict[str, str]) -> bool:
        events = ConsignmentEvent.objects.filter(consignment=consignment)
        if row.get("event_reference"):
            return events.filter(external_reference=row["event_reference"]).exists()
        try:
            moment = datetime.datetime.fromisoformat(row["occurred_at"])
        except ValueError:
            return False
        if moment.tzinfo is None:
            return False
        return events.filter(kind=row["event"], occurred_at=moment.replace(microsecond=0)).exists()


@transaction.atomic(durable=True)
def consignment_import(
    text: str,
    *,
    actor: User,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> ImportResult:
    """Record every new consignment and event in `text` (CSV), or none; see the module
    docstring."""
    require_role(actor, Role.LOGISTICS)
    ledger.lock_log()
    rows = list(read_rows(text, hxl=HXL, required=REQUIRED))
    if len(rows) > MAX_ROWS:
        raise ImportInvalid(
            [RowError(1, "", _("Import at most {n} rows at a time.").format(n=MAX_ROWS))]
        )
    importer = _Importer(actor, now)
    importer.run(rows, progress)
    if importer.errors:
        raise ImportInvalid(sorted(importer.errors, key=lambda e: (e.line, e.column)))
    return importer.result
