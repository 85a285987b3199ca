"""Humanitarian access: database rows.

What is public and what is not (docs/access.md): a crossing and its open/closed days are
public as soon as recorded. A warehouse's name and location never leave the database (the
public sees its governorate only). A consignment's warehouse, planned date and route, its
items' descriptions, the exact time of each event and who recorded it stay private; the
log holds commitments to them. The rest of a consignment and its events (organisation,
crossing, categories and quantities, trucks, the day of each event, reasons) is published
to the log only once the event is older than `AMANAH_ACCESS_PUBLIC_DELAY`, and public
pages show only aggregates by day and crossing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amanah.access import lifecycle


class Category(models.TextChoices):
    FOOD = "food", _("Food")
    MEDICAL = "medical", _("Medical")
    SHELTER = "shelter", _("Shelter")
    WASH = "wash", _("Water and sanitation")
    FUEL = "fuel", _("Fuel")
    CONSTRUCTION = "construction", _("Construction material")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    KG = "kg", _("kilograms")
    TONNE = "t", _("tonnes")
    LITRE = "l", _("litres")
    PIECE = "pcs", _("pieces")
    KIT = "kit", _("kits")
    BOX = "box", _("boxes")


class EventKind(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUBMITTED = "submitted", _("Submitted for clearance")
    CLEARED = "cleared", _("Cleared")
    PARTLY_CLEARED = "partly_cleared", _("Partly cleared")
    DENIED = "denied", _("Denied")
    DISPATCHED = "dispatched", _("Dispatched")
    AT_CROSSING = "at_crossing", _("At the crossing")
    INSPECTED = "inspected", _("Inspected")
    CROSSED = "crossed", _("Crossed")
    TURNED_BACK = "turned_back", _("Turned back")
    RECEIVED = "received", _("Received at the warehouse")
    DISTRIBUTED = "distributed", _("Distributed")


class Reason(models.TextChoices):
    DUAL_USE = "dual_use", _("Dual-use item")
    SECURITY = "security", _("Security")
    DOCUMENTATION = "documentation", _("Documentation")
    PACKAGING = "packaging", _("Packaging or palletisation")
    LABELLING = "labelling", _("Labelling")
    EXPIRED = "expired", _("Expired")
    DAMAGED = "damaged", _("Damaged")
    CROSSING_CLOSED = "crossing_closed", _("Crossing closed")
    NO_REASON_GIVEN = "no_reason_given", _("No reason given")
    OTHER = "other", _("Other")


assert set(EventKind.values) == lifecycle.KINDS
assert set(lifecycle.DENIAL_REASONS) | set(lifecycle.REJECTION_REASONS) == set(Reason.values)


class Crossing(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_ar = models.CharField(_("name in Arabic"), max_length=100)
    added_index = models.PositiveBigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["added_index"]
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")

    def __str__(self) -> str:
        return self.code

    def name(self, language: str | None) -> str:
        return self.name_ar if language == "ar" and self.name_ar else self.name_en


class CrossingDay(models.Model):
    """Whether a crossing was open on a day (the latest statement for that day counts)."""

    crossing = models.ForeignKey(Crossing, on_delete=models.PROTECT, related_name="days")
    date = models.DateField(_("date"))
    open = models.BooleanField(_("open"))
    logged_index = models.PositiveBigIntegerField(_("log index"))

    class Meta:
        ordering = ["date", "crossing__added_index"]
        constraints = [
            models.UniqueConstraint(fields=["crossing", "date"], name="access_crossing_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.crossing_id} {self.date}"


class Warehouse(models.Model):
    """A destination warehouse. PRIVATE but for its governorate: name and location are
    never shown publicly nor logged (the log holds a commitment to them)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    governorate = models.CharField(_("governorate (P-code)"), max_length=10)
    name = models.CharField(_("name"), max_length=150)
    location = models.CharField(_("location"), max_length=300)
    added_index = models.PositiveBigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["governorate", "name"]

    def __str__(self) -> str:
        return self.name


class Consignment(models.Model):
    """A request to move goods through a crossing to a warehouse in Gaza."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The logistics cluster's own reference: what makes a re-import idempotent. Private.
    external_reference = models.CharField(_("external reference"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="consignments"
    )
    crossing = models.ForeignKey(Crossing, on_delete=models.PROTECT, related_name="consignments")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    planned_route = models.CharField(_("planned route"), max_length=300, blank=True)
    trucks = models.PositiveIntegerField(_("trucks"))
    status = models.CharField(_("status"), max_length=20, choices=EventKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_index = models.PositiveBigIntegerField(_("log index"), unique=True)
    published_index = models.PositiveBigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-recorded_index"]
        constraints = [
            models.CheckConstraint(condition=Q(trucks__gte=1), name="access_consignment_trucks")
        ]

    def __str__(self) -> str:
        return str(self.id)


class ConsignmentItem(models.Model):
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)  # private
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=2)
    pallets = models.PositiveIntegerField(_("pallets"), default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="access_item_quantity"),
            models.CheckConstraint(condition=Q(weight_kg__gte=0), name="access_item_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.quantity} {self.unit}"


class ConsignmentEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("when it happened"))  # private: only its day is public
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # For an import's idempotence: the file's own event reference, if it gave one.
    external_reference = models.CharField(max_length=100, blank=True)
    reasons = models.JSONField(default=list, blank=True)  # codes of `Reason`
    # [{"category", "quantity" (decimal string), "unit", "reason"}]
    rejected = models.JSONField(default=list, blank=True)
    trucks = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)  # private
    flagged_out_of_order = models.BooleanField(default=False)
    log_index = models.PositiveBigIntegerField(unique=True)
    published_index = models.PositiveBigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["occurred_at", "log_index"]
        indexes = [models.Index(fields=["published_index", "occurred_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["consignment", "external_reference"],
                condition=~Q(external_reference=""),
                name="access_event_external_reference_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d}"
