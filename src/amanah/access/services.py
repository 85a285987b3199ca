"""Humanitarian access: every write. Crossings and their days, warehouses, consignments
and their events, and the delayed publication of consignments and events to the log.

Each public service runs in one durable transaction (`.in_callers_transaction` runs the
same steps in one already open: a CSV import's, the demo's). Bad input raises Django's
`ValidationError` naming the field; a user without the logistics role raises
`RoleRequired`.

Do no harm (docs/access.md): a consignment or an event is logged at once, but only as a
commitment (`access.consignment_recorded`, `access.event_recorded`: an id in public, all
details private), so it cannot be changed later unseen, and nothing public says where a
convoy is now. Once an event is older than `AMANAH_ACCESS_PUBLIC_DELAY`, its public part
(organisation, crossing, categories and quantities, trucks, the day, reasons) is logged by
`access_publish_due` (`access.consignment_published`, `access.event_published`), which
every access service also runs first. Warehouse names and locations, planned dates and
routes, exact times, item descriptions, notes and staff never enter the public part.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from amanah.access import lifecycle
from amanah.access.models import (
    Category,
    Consignment,
    ConsignmentEvent,
    ConsignmentItem,
    Crossing,
    CrossingDay,
    EventKind,
    Reason,
    Unit,
    Warehouse,
)
from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.ledger import services as ledger
from amanah.ledger.services import service
from amanah.orgs.models import Organisation
from amanah.reference.geography import governorates

__all__ = [
    "PUBLISHER",
    "access_publish_due",
    "consignment_create",
    "consignment_event_record",
    "crossing_add",
    "crossing_day_set",
    "public_delay",
    "warehouse_add",
]

# Who logs a publication: the rule, not a person (it runs inside whichever write came next).
PUBLISHER = "amanah:access-delay"
# A phone's clock may run a little fast: an event this far "in the future" is accepted.
CLOCK_SKEW = datetime.timedelta(minutes=5)
_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")
MAX_ITEMS = 50


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _actor(user: User) -> str:
    return f"user:{user.pk}"


def public_delay() -> datetime.timedelta:
    delay: datetime.timedelta = settings.AMANAH_ACCESS_PUBLIC_DELAY
    return delay


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(datetime.UTC)


# --- input -------------------------------------------------------------------------------


def _text(value: object, field: str, *, required: bool, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise _invalid(field, _("This value is required."), "required")
    if len(text) > limit:
        raise _invalid(field, _("Write at most {n} characters.").format(n=limit))
    return text


def _date(value: object, field: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise _invalid(field, _("Give the date as YYYY-MM-DD.")) from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise _invalid(field, _("Give the date as YYYY-MM-DD."))
    return value


def _moment(value: object, field: str, now: datetime.datetime) -> datetime.datetime:
    """An aware time, in UTC, to the second, not in the future."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        raise _invalid(
            field,
            _("Give the time with its offset from UTC, like 2026-03-01T09:30:00+02:00."),
        )
    moment = value.astimezone(datetime.UTC).replace(microsecond=0)
    if moment > now + CLOCK_SKEW:
        raise _invalid(field, _("The time cannot be in the future."), "future")
    return moment


def _count(value: object, field: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
        number = None
    if number is None or number < minimum or number > 10_000:
        raise _invalid(
            field, _("Give a whole number of at least {n}.").format(n=minimum), "invalid"
        )
    return number


def _decimal(value: object, field: str, *, places: int, positive: bool) -> Decimal:
    if isinstance(value, float | bool):
        value = None
    try:
        number = Decimal(str(value).strip()) if value is not None else None
    except InvalidOperation:
        number = None
    if (
        number is None
        or not number.is_finite()
        or number < 0
        or (positive and number == 0)
        or number.as_tuple().exponent < -places  # type: ignore[operator]
        or number >= Decimal(10) ** 10
    ):
        raise _invalid(
            field,
            _("Give a decimal number with at most {places} decimal places, like 12.5.").format(
                places=places
            ),
        )
    return number


def _choice(value: object, field: str, choices: Iterable[str]) -> str:
    options = list(choices)
    text = str(value or "").strip()
    if text not in options:
        raise _invalid(field, _("Choose one of: {codes}.").format(codes=", ".join(options)))
    return text


def _crossing(code: object, field: str = "crossing") -> Crossing:
    if isinstance(code, Crossing):
        return code
    crossing = Crossing.objects.filter(code=str(code or "").strip()).first()
    if crossing is None:
        raise _invalid(field, _("Name a crossing by its code, as the crossings page lists it."))
    return crossing


def _uuid(value: object, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except ValueError:
        raise _invalid(field, _("Give the identifier shown on its page.")) from None


# --- crossings ---------------------------------------------------------------------------


@service
def crossing_add(*, code: str, name_en: str, name_ar: str, actor: User) -> Crossing:
    """A crossing (public at once): a code like `kerem_shalom` and its names."""
    require_role(actor, Role.LOGISTICS)
    code = str(code or "").strip().lower()
    if not _CODE.fullmatch(code):
        raise _invalid(
            "code", _("Use lowercase letters, digits and underscores, like kerem_shalom.")
        )
    if Crossing.objects.filter(code=code).exists():
        raise _invalid("code", _("A crossing with this code is already recorded."), "duplicate")
    name_en = _text(name_en, "name_en", required=True, limit=100)
    name_ar = _text(name_ar, "name_ar", required=True, limit=100)
    data = {"crossing": code, "name_en": name_en, "name_ar": name_ar}
    index = ledger.record("access.crossing_added", data, actor=_actor(actor)).index
    return Crossing.objects.create(code=code, name_en=name_en, name_ar=name_ar, added_index=index)


@service
def crossing_day_set(*, crossing: object, date: object, open: bool, actor: User) -> CrossingDay:
    """Whether a crossing was open on a day (public at once). Stating a day again
    corrects it; the log keeps both statements."""
    require_role(actor, Role.LOGISTICS)
    row = _crossing(crossing)
    day = _date(date, "date")
    if day > timezone.now().date():
        raise _invalid("date", _("The date cannot be in the future."), "future")
    if not isinstance(open, bool):
        raise _invalid("open", _("Say whether the crossing was open."))
    data = {"crossing": row.code, "date": day.isoformat(), "open": open}
    index = ledger.record("access.crossing_day_set", data, actor=_actor(actor)).index
    status, _created = CrossingDay.objects.update_or_create(
        crossing=row, date=day, defaults={"open": open, "logged_index": index}
    )
    return status


@service
def warehouse_add(*, name: str, location: str, governorate: str, actor: User) -> Warehouse:
    """A destination warehouse. Only its governorate is public; name and location are
    committed to, never logged."""
    require_role(actor, Role.LOGISTICS)
    name = _text(name, "name", required=True, limit=150)
    location = _text(location, "location", required=True, limit=300)
    pcode = _choice(governorate, "governorate", (g.pcode for g in governorates()))
    warehouse = Warehouse(id=uuid.uuid4(), name=name, location=location, governorate=pcode)
    data = {"warehouse": str(warehouse.id), "governorate": pcode}
    warehouse.added_index = ledger.record(
        "access.warehouse_added",
        data,
        actor=_actor(actor),
        private={"name": name, "location": location},
    ).index
    warehouse.save()
    return warehouse


# --- consignments ------------------------------------------------------------------------


def _items(items: Sequence[Mapping[str, Any]]) -> list[ConsignmentItem]:
    if not items:
        raise _invalid("items", _("List at least one item."), "required")
    if len(items) > MAX_ITEMS:
        raise _invalid("items", _("List at most {n} items.").format(n=MAX_ITEMS))
    rows = []
    for number, item in enumerate(items):
        at = f"items.{number}."
        rows.append(
            ConsignmentItem(
                category=_choice(item.get("category"), at + "category", Category.values),
                description=_text(
                    item.get("description"), at + "description", required=False, limit=200
                ),
                quantity=_decimal(item.get("quantity"), at + "quantity", places=3, positive=True),
                unit=_choice(item.get("unit"), at + "unit", Unit.values),
                weight_kg=_decimal(
                    item.get("weight_kg"), at + "weight_kg", places=2, positive=False
                ),
                pallets=_count(item.get("pallets", 0), at + "pallets", minimum=0),
            )
        )
    return rows


def _item_private(item: ConsignmentItem) -> dict[str, Any]:
    return {**_item_public(item), "description": item.description}


def _item_public(item: ConsignmentItem) -> dict[str, Any]:
    return {
        "category": item.category,
        "quantity": format(Decimal(item.quantity), "f"),
        "unit": item.unit,
        "weight_kg": format(Decimal(item.weight_kg), "f"),
        "pallets": item.pallets,
    }


@service
def consignment_create(
    *,
    external_reference: str,
    organisation: str,
    crossing: object,
    warehouse: object,
    trucks: object,
    items: Sequence[Mapping[str, Any]],
    requested_at: object,
    planned_date: object = None,
    planned_route: str = "",
    actor: User,
    now: datetime.datetime | None = None,
) -> Consignment:
    """A consignment as requested by `organisation` (its IATI identifier), with its
    `requested` event. Logged at once only as a commitment; see the module docstring."""
    require_role(actor, Role.LOGISTICS)
    moment = _now(now)
    reference = _text(external_reference, "external_reference", required=True, limit=100)
    if Consignment.objects.filter(external_reference=reference).exists():
        raise _invalid(
            "external_reference",
            _("A consignment with this reference is already recorded."),
            "duplicate",
        )
    requester = Organisation.objects.filter(iati_identifier=str(organisation).strip()).first()
    if requester is None:
        raise _invalid("organisation", _("Name the organisation by a registered IATI identifier."))
    gate = _crossing(crossing)
    store = Warehouse.objects.filter(pk=_uuid(warehouse, "warehouse")).first()
    if store is None:
        raise _invalid("warehouse", _("Choose a recorded warehouse."))
    count = _count(trucks, "trucks")
    rows = _items(items)
    at = _moment(requested_at, "requested_at", moment)
    planned = None if planned_date in (None, "") else _date(planned_date, "planned_date")
    route = _text(planned_route, "planned_route", required=False, limit=300)
    _publish_due(moment)
    consignment = Consignment(
        id=uuid.uuid4(),
        external_reference=reference,
        organisation=requester,
        crossing=gate,
        warehouse=store,
        planned_date=planned,
        planned_route=route,
        trucks=count,
        status=EventKind.REQUESTED,
        recorded_by=actor,
    )
    private = {
        "external_reference": reference,
        "organisation": requester.iati_identifier,
        "crossing": gate.code,
        "warehouse": str(store.id),
        "planned_date": None if planned is None else planned.isoformat(),
        "planned_route": route,
        "trucks": count,
        "items": [_item_private(row) for row in rows],
        "requested_at": at.isoformat(),
    }
    consignment.recorded_index = ledger.record(
        "access.consignment_recorded",
        {"consignment": str(consignment.id)},
        actor=_actor(actor),
        private=private,
    ).index
    consignment.save()
    for row in rows:
        row.consignment = consignment
    ConsignmentItem.objects.bulk_create(rows)
    ConsignmentEvent.objects.create(
        consignment=consignment,
        kind=EventKind.REQUESTED,
        occurred_at=at,
        recorded_at=moment,
        recorded_by=actor,
        log_index=consignment.recorded_index,
    )
    _publish_due(moment)
    return consignment


def _label(kind: str | None) -> str:
    return str(EventKind(kind).label) if kind else _("not yet requested")


def _refusal(error: lifecycle.Refused) -> ValidationError:
    if error.reason == "does_not_fit":
        return _invalid(
            "occurred_at",
            _(
                "At this time the event does not fit: before it the consignment was"
                " “{before}” and after it comes “{after}”. Check the time."
            ).format(before=_label(error.state), after=_label(error.next_kind)),
            "out_of_order",
        )
    following = sorted(lifecycle.TRANSITIONS.get(error.state, frozenset()))
    if not following:
        return _invalid(
            "kind",
            _("This consignment is “{state}”: its journey has ended.").format(
                state=_label(error.state)
            ),
            "not_allowed",
        )
    return _invalid(
        "kind",
        _("A consignment that is “{state}” cannot be “{kind}” next. Next can be: {next}.").format(
            state=_label(error.state),
            kind=_label(error.kind),
            next=", ".join(f"“{_label(k)}”" for k in following),
        ),
        "not_allowed",
    )


def _reasons(kind: str, reasons: Sequence[str]) -> list[str]:
    codes = [str(code).strip() for code in reasons if str(code).strip()]
    if kind in ("denied", "partly_cleared"):
        allowed = lifecycle.DENIAL_REASONS
    elif kind == "turned_back":
        allowed = lifecycle.REJECTION_REASONS
    else:
        if codes:
            raise _invalid(
                "reasons", _("Only a denial, a partial clearance or a return has reasons.")
            )
        return []
    if not codes:
        raise _invalid("reasons", _("Give at least one reason."), "required")
    for code in codes:
        _choice(code, "reasons", allowed)
    return sorted(set(codes), key=list(Reason.values).index)


def _rejected(
    kind: str, rejected: Sequence[Mapping[str, Any]], consignment: Consignment
) -> list[dict[str, str]]:
    if not rejected:
        return []
    if kind not in lifecycle.MAY_REJECT:
        raise _invalid("rejected", _("Items are rejected only when crossing or turned back."))
    carried = set(consignment.items.values_list("category", flat=True))
    rows = []
    for number, item in enumerate(rejected):
        at = f"rejected.{number}."
        category = _choice(item.get("category"), at + "category", Category.values)
        if category not in carried:
            raise _invalid(at + "category", _("The consignment carries no items of this category."))
        rows.append(
            {
                "category": category,
                "quantity": format(
                    _decimal(item.get("quantity"), at + "quantity", places=3, positive=True), "f"
                ),
                "unit": _choice(item.get("unit"), at + "unit", Unit.values),
                "reason": _choice(item.get("reason"), at + "reason", lifecycle.REJECTION_REASONS),
            }
        )
    return rows


def _trucks(kind: str, trucks: object, consignment: Consignment) -> int | None:
    given = None if trucks in (None, "") else _count(trucks, "trucks")
    if kind == "cleared":
        if given is not None and given != consignment.trucks:
            raise _invalid("trucks", _("A full clearance clears every truck requested."))
        return consignment.trucks
    if kind == "partly_cleared":
        if given is None or given >= consignment.trucks:
            raise _invalid(
                "trucks",
                _("Give how many of the {n} trucks were cleared (fewer than all).").format(
                    n=consignment.trucks
                ),
            )
        return given
    if kind in ("crossed", "turned_back"):
        cleared = (
            consignment.events.filter(kind__in=["cleared", "partly_cleared"])
            .values_list("trucks", flat=True)
            .first()
        ) or consignment.trucks
        if given is not None and given > cleared:
            raise _invalid(
                "trucks", _("Only {n} trucks were cleared.").format(n=cleared), "too_many"
            )
        return cleared if given is None else given
    if given is not None:
        raise _invalid("trucks", _("Trucks are counted only on clearance, crossing or return."))
    return None


@service
def consignment_event_record(
    *,
    consignment: object,
    kind: str,
    occurred_at: object,
    reasons: Sequence[str] = (),
    rejected: Sequence[Mapping[str, Any]] = (),
    trucks: object = None,
    note: str = "",
    external_reference: str = "",
    actor: User,
    now: datetime.datetime | None = None,
) -> ConsignmentEvent:
    """The next step of a consignment (or a late report of an earlier one: accepted if it
    fits the events around it in time, and flagged). Logged at once as a commitment."""
    require_role(actor, Role.LOGISTICS)
    moment = _now(now)
    if isinstance(consignment, Consignment):
        shipment = consignment
    else:
        found = Consignment.objects.filter(pk=_uuid(consignment, "consignment")).first()
        if found is None:
            raise _invalid("consignment", _("There is no such consignment."))
        shipment = found
    kind = _choice(kind, "kind", EventKind.values)
    if kind == EventKind.REQUESTED:
        raise _invalid("kind", _("A consignment is requested when it is created."), "not_allowed")
    at = _moment(occurred_at, "occurred_at", moment)
    history = [
        lifecycle.Step(kind, when)
        for kind, when in shipment.events.order_by("log_index").values_list("kind", "occurred_at")
    ]
    try:
        placement = lifecycle.place(history, lifecycle.Step(kind, at))
    except lifecycle.Refused as error:
        raise _refusal(error) from None
    event = ConsignmentEvent(
        id=uuid.uuid4(),
        consignment=shipment,
        kind=kind,
        occurred_at=at,
        recorded_at=moment,
        recorded_by=actor,
        external_reference=_text(
            external_reference, "external_reference", required=False, limit=100
        ),
        reasons=_reasons(kind, reasons),
        rejected=_rejected(kind, rejected, shipment),
        trucks=_trucks(kind, trucks, shipment),
        note=_text(note, "note", required=False, limit=300),
        flagged_out_of_order=placement.out_of_order,
    )
    if (
        event.external_reference
        and shipment.events.filter(external_reference=event.external_reference).exists()
    ):
        raise _invalid(
            "external_reference",
            _("An event with this reference is already recorded."),
            "duplicate",
        )
    _publish_due(moment)
    private = {
        "consignment": str(shipment.id),
        "kind": kind,
        "occurred_at": at.isoformat(),
        "reasons": event.reasons,
        "rejected": event.rejected,
        "trucks": event.trucks,
        "note": event.note,
        "external_reference": event.external_reference,
    }
    event.log_index = ledger.record(
        "access.event_recorded", {"event": str(event.id)}, actor=_actor(actor), private=private
    ).index
    event.save()
    shipment.status = placement.state
    shipment.save(update_fields=["status"])
    _publish_due(moment)
    return event


# --- publication after the delay ---------------------------------------------------------


def _publish_due(now: datetime.datetime) -> int:
    """Log the public part of every event at least the delay old and not yet published,
    in time order (a consignment with its `requested` event). Returns how many."""
    cutoff = now - public_delay()
    due = (
        ConsignmentEvent.objects.filter(published_index__isnull=True, occurred_at__lte=cutoff)
        .select_related("consignment__crossing", "consignment__organisation")
        .select_related("consignment__warehouse")
        .order_by("occurred_at", "log_index")
    )
    published = 0
    for event in due:
        shipment = event.consignment
        if event.kind == EventKind.REQUESTED:
            data: dict[str, Any] = {
                "consignment": str(shipment.id),
                "recorded_index": shipment.recorded_index,
                "organisation": shipment.organisation.iati_identifier,
                "crossing": shipment.crossing.code,
                "governorate": shipment.warehouse.governorate,
                "trucks": shipment.trucks,
                "items": [_item_public(item) for item in shipment.items.all()],
                "on": event.occurred_at.date().isoformat(),
            }
            index = ledger.record("access.consignment_published", data, actor=PUBLISHER).index
            Consignment.objects.filter(pk=shipment.pk).update(published_index=index)
        else:
            data = {
                "event": str(event.id),
                "recorded_index": event.log_index,
                "consignment": str(shipment.id),
                "kind": event.kind,
                "on": event.occurred_at.date().isoformat(),
                "reasons": list(event.reasons),
                "rejected": list(event.rejected),
                "trucks": event.trucks,
                "out_of_order": event.flagged_out_of_order,
            }
            index = ledger.record("access.event_published", data, actor=PUBLISHER).index
        ConsignmentEvent.objects.filter(pk=event.pk).update(published_index=index)
        published += 1
    return published


@service
def access_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish what the delay has made public (for a timer: `amanah access publish`)."""
    return _publish_due(_now(now))
