"""Damaged and rebuilt assets: database rows.

What is public: an asset's code, its names, its kind, its governorate, the body that owns
or runs it, the project rebuilding it, and every assessment's day, condition, method and
source. Private (the log holds a commitment to them): an asset's exact location and an
assessment's note. A home is registered as a building, by a reference the secretariat
gives it, never by the name of a family that lives in it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.assets import conditions
from amanah.projects.models import governorate_choices


class AssetKind(models.TextChoices):
    HOUSING = "housing", _("Housing (a residential building)")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    WATER = "water", _("Water and sanitation")
    ROAD = "road", _("Road or bridge")
    POWER = "power", _("Electricity")
    PUBLIC = "public", _("Other public building")


class Condition(models.TextChoices):
    DESTROYED = "destroyed", _("Destroyed")
    SEVERE = "severe", _("Severely damaged")
    MODERATE = "moderate", _("Moderately damaged")
    POSSIBLE = "possible", _("Possibly damaged")
    UNDAMAGED = "undamaged", _("No visible damage")
    RESTORED = "restored", _("Rebuilt or repaired, in service")


class Method(models.TextChoices):
    REMOTE = "remote", _("Satellite or aerial imagery")
    SITE = "site", _("Site visit")
    REPORT = "report", _("Report by the owner or an authority")


assert tuple(AssetKind.values) == conditions.KINDS
assert tuple(Condition.values) == conditions.CONDITIONS
assert tuple(Method.values) == conditions.METHODS


class Asset(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A short public reference, like AS-GZA-SCH-0001."),
    )
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AssetKind.choices)
    governorate = models.CharField(_("governorate"), max_length=10, choices=governorate_choices)
    owner = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("owner or operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project rebuilding it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
    )
    # Private: where it is, for monitors' visits. Never on a public page or in the log.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The latest assessment's, kept with the row so that lists and maps need no subquery.
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, blank=True
    )
    condition_on = models.DateField(_("assessed on"), null=True, blank=True)
    # Found damaged after it had been restored (conditions.damaged_again), kept with the row
    # like the condition, so that the damage table is one grouped query.
    damaged_again = models.BooleanField(_("damaged again"), default=False)
    registered_index = models.PositiveBigIntegerField(_("registered at log index"), unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_en="") | ~Q(name_ar=""), name="assets_asset_named"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="assets_asset_point_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        if get_language() == "ar" and self.name_ar:
            return self.name_ar
        return self.name_en or self.name_ar


class Assessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Who assessed it, and from what: a public reference, never a person's name."),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)  # private
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    log_index = models.PositiveBigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["-assessed_on", "-log_index"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.asset_id} {self.assessed_on} {self.condition}"

    def as_assessed(self) -> conditions.Assessed:
        return conditions.Assessed(self.assessed_on, self.log_index, self.condition)
