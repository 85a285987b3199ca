"""Milestones and monitoring: database rows.

A `Milestone` of a project releases a tranche of one of its approved allocations. Partners
file `ProgressReport`s with evidence, monitors file `Verification`s from the site; a pass
prepares the tranche's disbursement motion, a fail blocks the allocation until a later
pass. Evidence files are content-addressed (`EvidenceFile.sha256`) and stored on disk
(`amanah.monitoring.evidence`). Each logged row keeps the log index of its entry.

Private, never logged or served publicly: who reported (`ProgressReport.reported_by`; the
log carries a salted commitment to it), a file's original name, private files' bytes,
and the exact GPS point of a visit (public output rounds it to about 100 m).
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from amanah.funds.models import Allocation, Disbursement
from amanah.funds.money import Money
from amanah.projects.models import Project

# Three decimal places of a degree: about 111 m of latitude and, at Gaza's latitude
# (31.5° N), about 95 m of longitude.
PUBLIC_POINT_PLACES = Decimal("0.001")


def _in_language(english: str, arabic: str) -> str:
    first, second = (arabic, english) if get_language() == "ar" else (english, arabic)
    return first or second


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    REPORTED = "reported", _("Reported, awaiting verification")
    VERIFIED = "verified", _("Verified")
    PARTIAL = "partial", _("Partly done")
    FAILED = "failed", _("Failed verification")


class Milestone(models.Model):
    """A deliverable of a project, due on a date, whose verification releases a tranche."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="milestones"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    deliverable_en = models.CharField(_("deliverable in English"), max_length=500)
    deliverable_ar = models.CharField(_("deliverable in Arabic"), max_length=500)
    due = models.DateField(_("due date"))
    allocation = models.ForeignKey(
        Allocation,
        verbose_name=_("allocation"),
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    tranche_minor = models.BigIntegerField(_("tranche (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
    )
    defined_index = models.BigIntegerField(_("defined at log index"), unique=True)
    # The tranche's disbursement, once a passing verification prepared it.
    disbursement = models.OneToOneField(
        Disbursement,
        verbose_name=_("disbursement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestone",
    )

    class Meta:
        ordering = ["project__code", "number"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="monitoring_milestone_number_once"
            ),
            models.CheckConstraint(
                condition=Q(tranche_minor__gt=0), name="monitoring_milestone_tranche_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MilestoneStatus.values),
                name="monitoring_milestone_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number}"

    @property
    def tranche(self) -> Money:
        return Money.from_minor(int(self.tranche_minor), self.currency)

    @property
    def deliverable(self) -> str:
        return _in_language(self.deliverable_en, self.deliverable_ar)


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    INVOICE = "invoice", _("Invoice")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other document")


# Invoices name suppliers, prices and bank details: private unless chosen otherwise.
# Photos and certificates show the work, which is public.
PUBLIC_BY_DEFAULT = {
    EvidenceKind.PHOTO: True,
    EvidenceKind.INVOICE: False,
    EvidenceKind.CERTIFICATE: True,
    EvidenceKind.OTHER: False,
}


class EvidenceFile(models.Model):
    """A file, stored once by its SHA-256 however often it is attached."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    public = models.BooleanField(_("public"))
    # Private: a file name often holds a person's name or a place.
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    stored_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        ordering = ["sha256"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="monitoring_evidencefile_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return self.sha256

    def public_json(self) -> dict[str, object]:
        """What the log says of the file: never its name, always its hash."""
        return {
            "sha256": self.sha256,
            "kind": self.kind,
            "content_type": self.content_type,
            "size": self.size,
            "public": self.public,
        }


class ProgressReport(models.Model):
    """A partner's report that a milestone's deliverable is done, with evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.PROTECT, related_name="reports"
    )
    reported_on = models.DateField(_("reported on"))
    summary = models.TextField(_("summary"))
    evidence = models.ManyToManyField(
        EvidenceFile, verbose_name=_("evidence"), related_name="reports", blank=True
    )
    # Private: never logged (the log holds a salted commitment to it).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    log_index = models.BigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["log_index"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.milestone} {self.reported_on}"


class VerificationResult(models.TextChoices):
    PASS = "pass", _("Pass")
    PARTIAL = "partial", _("Partial")
    FAIL = "fail", _("Fail")


class Verification(models.Model):
    """A monitor's visit to the site: what was found, and the result."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    # Logged as "user:<id>" only.
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("monitor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"))
    findings = models.TextField(_("findings"))
    result = models.CharField(_("result"), max_length=10, choices=VerificationResult.choices)
    # The exact point stays here; public output rounds it (`public_point`).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    evidence = models.ManyToManyField(
        EvidenceFile, verbose_name=_("evidence"), related_name="verifications", blank=True
    )
    log_index = models.BigIntegerField(_("log index"), unique=True)
    disbursement = models.OneToOneField(
        Disbursement,
        verbose_name=_("disbursement prepared"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification",
    )

    class Meta:
        ordering = ["log_index"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=VerificationResult.values),
                name="monitoring_verification_result_known",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="monitoring_verification_point_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.result}"

    @property
    def public_point(self) -> tuple[Decimal, Decimal] | None:
        return public_point(self.latitude, self.longitude)


def public_point(
    latitude: Decimal | None, longitude: Decimal | None
) -> tuple[Decimal, Decimal] | None:
    """The point rounded to about 100 m, as the log and public pages show it."""
    if latitude is None or longitude is None:
        return None
    return (
        Decimal(latitude).quantize(PUBLIC_POINT_PLACES, ROUND_HALF_EVEN),
        Decimal(longitude).quantize(PUBLIC_POINT_PLACES, ROUND_HALF_EVEN),
    )


class Indicator(models.Model):
    """A results indicator of a project: where it started, where it aims, where it is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="indicators"
    )
    name_en = models.CharField(_("name in English"), max_length=200)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    actual = models.DecimalField(
        _("actual"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    updated_index = models.BigIntegerField(_("updated at log index"))

    class Meta:
        ordering = ["project__code", "name_en"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name_en"], name="monitoring_indicator_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return _in_language(self.name_en, self.name_ar)


class NotificationKind(models.TextChoices):
    FAILED = "failed", _("A milestone failed verification")
    HELD = "held", _("A verified milestone's tranche is held")


class Notification(models.Model):
    """A message for the secretariat (a failed verification, a tranche held). Not a public
    fact: not logged. Its text is worded when shown, in the reader's language."""

    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Why a tranche is held, as the fund worded it (in the language of the request).
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read = models.BooleanField(_("read"), default=False)

    class Meta:
        ordering = ["read", "-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} {self.milestone_id}"

    @property
    def text(self) -> str:
        """The message in the active language."""
        values = {"number": self.milestone.number, "project": self.milestone.project.code}
        if self.kind == NotificationKind.FAILED:
            text = gettext(
                "Milestone {number} of project {project} failed verification: no tranche of"
                " its allocation can be paid until a monitor passes it."
            ).format(**values)
        else:
            text = gettext(
                "Milestone {number} of project {project} passed verification, but its tranche"
                " was not prepared."
            ).format(**values)
        return f"{text} {self.detail}".strip()
