"""Construction materials: database rows.

State model (docs/materials.md). Every movement moves a quantity between balance buckets
kept per warehouse, vendor, material and (but for `stock`) project; no bucket may go below
zero (checked by the services, and by the database at every save):

    received             -> stock                  (at the warehouse, not yet allocated)
    allocated (project)  stock -> allocated        (still in the warehouse, for a project)
    released  (project)  allocated -> on_site      (handed to the project's contractor)
    used      (project)  on_site -> used           (reported by the lead's staff)
    verified  (project)  used -> verified          (seen used on site by a monitor)
    returned  (project)  on_site -> out            (the contractor gave it back to the vendor)
    returned  (none)     stock -> out              (the warehouse gave it back to the vendor)
    lost      (project)  on_site -> out, with a report
    lost      (none)     stock -> out, with a report

What is public: material types, vendors, every movement's kind, material, vendor, project,
quantity, day, the warehouse's id and governorate, evidence hashes. Private: a warehouse's
name and location (access), the consignment a receipt came from, a loss report's text and
a resolution's note (the log holds a commitment to them).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class MaterialUnit(models.TextChoices):
    TONNE = "t", _("tonnes")
    CUBIC_METRE = "m3", _("cubic metres")
    METRE = "m", _("metres")
    PIECE = "pcs", _("pieces")
    SHEET = "sheet", _("sheets")
    BAG = "bag", _("bags")


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ALLOCATED = "allocated", _("Allocated to a project")
    RELEASED = "released", _("Released to the contractor")
    USED = "used", _("Used")
    VERIFIED = "verified", _("Verified on site")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")


class Bucket(models.TextChoices):
    STOCK = "stock", _("In the warehouse, not allocated")
    ALLOCATED = "allocated", _("In the warehouse, allocated")
    ON_SITE = "on_site", _("With the contractor")
    USED = "used", _("Used, not yet verified")
    VERIFIED = "verified", _("Used and verified")


QUANTITY = {"max_digits": 14, "decimal_places": 3}


class MaterialType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_ar = models.CharField(_("name in Arabic"), max_length=100)
    unit = models.CharField(_("unit"), max_length=5, choices=MaterialUnit.choices)
    added_index = models.PositiveBigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("material type")
        verbose_name_plural = _("material types")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        if get_language() == "ar" and self.name_ar:
            return self.name_ar
        return self.name_en or self.name_ar


class Vendor(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=150, unique=True)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_index = models.PositiveBigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class StockMovement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("movement"), max_length=10, choices=MovementKind.choices)
    material = models.ForeignKey(MaterialType, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("access.Warehouse", on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="movements")
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="material_movements",
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # type: ignore[arg-type]
    consignment = models.ForeignKey(
        "access.Consignment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # private
    occurred_on = models.DateField(_("day"))
    report = models.TextField(_("loss report"), max_length=2000, blank=True)  # private
    evidence = models.ManyToManyField("monitoring.EvidenceFile", blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    log_index = models.PositiveBigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["log_index"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="materials_movement_positive"),
            models.CheckConstraint(
                condition=~Q(kind="received") | Q(consignment__isnull=False, project__isnull=True),
                name="materials_received_from_consignment",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["allocated", "released", "used", "verified"])
                | Q(project__isnull=False),
                name="materials_movement_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.material_id}"


class Balance(models.Model):
    """What a bucket holds now (see the module's state model). Never below zero."""

    warehouse = models.ForeignKey("access.Warehouse", on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey(MaterialType, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bucket = models.CharField(_("bucket"), max_length=10, choices=Bucket.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # type: ignore[arg-type]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="materials_balance_gte_0"),
            models.CheckConstraint(
                condition=Q(bucket="stock", project__isnull=True)
                | (~Q(bucket="stock") & Q(project__isnull=False)),
                name="materials_balance_project_iff_not_stock",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "vendor", "material"],
                condition=Q(project__isnull=True),
                name="materials_balance_stock_unique",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "vendor", "material", "project", "bucket"],
                condition=Q(project__isnull=False),
                name="materials_balance_project_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bucket} {self.quantity}"


class UnaccountedFlag(models.Model):
    """A public flag: a project's material from a vendor not accounted for beyond the
    tolerance. Visible until a monitor resolves it with evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="material_flags"
    )
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="flags")
    material = models.ForeignKey(MaterialType, on_delete=models.PROTECT, related_name="+")
    gap = models.DecimalField(_("unaccounted"), **QUANTITY)  # type: ignore[arg-type]
    received = models.DecimalField(_("received"), **QUANTITY)  # type: ignore[arg-type]
    raised_index = models.PositiveBigIntegerField(_("raised at log index"), unique=True)
    resolved_index = models.PositiveBigIntegerField(
        _("resolved at log index"), null=True, blank=True, unique=True
    )
    resolution_note = models.TextField(_("note"), max_length=2000, blank=True)  # private
    resolution_evidence = models.ManyToManyField(
        "monitoring.EvidenceFile", blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-raised_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "vendor", "material"],
                condition=Q(resolved_index__isnull=True),
                name="materials_one_open_flag",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.material_id} {self.gap}"

    @property
    def is_open(self) -> bool:
        return self.resolved_index is None
