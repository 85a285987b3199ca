"""Projects as the fund sees them: who leads, in which sector and governorate.

Proposals, reviews, milestones and evidence come with the projects issue; this is the part
the fund's allocations need, so that money is traced to a Palestinian-led project in a
sector and a governorate.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.orgs.models import Organisation
from amanah.reference.geography import governorates
from amanah.reference.sectors import SECTORS


def sector_choices() -> list[tuple[str, str]]:
    return [(s.code, s.name_ar if get_language() == "ar" else s.name_en) for s in SECTORS]


def governorate_choices() -> list[tuple[str, str]]:
    return [(g.pcode, g.name(get_language() or "en")) for g in governorates()]


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Project(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A short public reference, like GZ-HOU-0001."),
        error_messages={"unique": _("A project with this code is already registered.")},
    )
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="projects_led",
        limit_choices_to={"is_palestinian": True},
    )
    sector = models.CharField(_("sector"), max_length=20, choices=sector_choices)
    governorate = models.CharField(_("governorate"), max_length=10, choices=governorate_choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    registered_index = models.BigIntegerField(_("registered at log index"))
    # The proposal a round's portfolio made this project of (none for projects the
    # secretariat registered directly).
    proposal = models.OneToOneField(
        "Proposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_ar=""), name="projects_project_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(sector__in=[s.code for s in SECTORS]),
                name="projects_project_sector_known",
            ),
            models.CheckConstraint(
                condition=Q(governorate__in=[g.pcode for g in governorates()]),
                name="projects_project_governorate_known",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        """The title in the active language, or the other one when it has none."""
        first, second = (
            (self.title_ar, self.title_en)
            if get_language() == "ar"
            else (self.title_en, self.title_ar)
        )
        return first or second


# --- proposals ----------------------------------------------------------------------------


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(models.Model):
    """A Palestinian-led project as its lead proposes it: saved as a draft by the lead's
    staff (not logged), then submitted (`proposal.submitted`, public fields only).

    A draft may be incomplete; `services.proposal_submit` checks everything. What a row can
    check on its own (counts within the total, dates in order, a point with both
    coordinates) the database checks at every save.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="proposals_led",
        limit_choices_to={"is_palestinian": True},
    )
    co_implementers = models.ManyToManyField(
        Organisation,
        verbose_name=_("co-implementers"),
        related_name="proposals_co_implemented",
        blank=True,
    )
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    description_en = models.TextField(_("description in English"), max_length=5000, blank=True)
    description_ar = models.TextField(_("description in Arabic"), max_length=5000, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=sector_choices, blank=True)
    dac_codes = models.JSONField(_("DAC sector codes"), default=list, blank=True)
    governorate = models.CharField(
        _("governorate"), max_length=10, choices=governorate_choices, blank=True
    )
    # Finer than a governorate: never public (see docs/projects.md, "Do no harm").
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    beneficiaries_total = models.PositiveIntegerField(_("people who benefit"), default=0)
    beneficiaries_women = models.PositiveIntegerField(_("of whom women"), default=0)
    beneficiaries_children = models.PositiveIntegerField(_("of whom children"), default=0)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    submitted_index = models.BigIntegerField(_("submitted at log index"), null=True, blank=True)
    withdrawn_index = models.BigIntegerField(_("withdrawn at log index"), null=True, blank=True)
    # Who started the draft: for the workspace only, never logged nor shown publicly.
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(sector="") | Q(sector__in=[s.code for s in SECTORS]),
                name="projects_proposal_sector_known",
            ),
            models.CheckConstraint(
                condition=Q(governorate="") | Q(governorate__in=[g.pcode for g in governorates()]),
                name="projects_proposal_governorate_known",
            ),
            models.CheckConstraint(
                condition=Q(beneficiaries_women__lte=models.F("beneficiaries_total"))
                & Q(beneficiaries_children__lte=models.F("beneficiaries_total")),
                name="projects_proposal_beneficiaries_within_total",
                violation_error_message=_(
                    "Women and children are counted among the people who benefit: neither "
                    "count can exceed the total."
                ),
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lt=models.F("ends_on")),
                name="projects_proposal_dates_in_order",
                violation_error_message=_("The end date must be after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="projects_proposal_point_whole",
                violation_error_message=_("Give both the latitude and the longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.SUBMITTED) | Q(submitted_index__isnull=False),
                name="projects_proposal_submitted_is_logged",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.id)

    @property
    def title(self) -> str:
        """The title in the active language, or the other one when it has none."""
        first, second = (
            (self.title_ar, self.title_en)
            if get_language() == "ar"
            else (self.title_en, self.title_ar)
        )
        return first or second

    @property
    def description(self) -> str:
        first, second = (
            (self.description_ar, self.description_en)
            if get_language() == "ar"
            else (self.description_en, self.description_ar)
        )
        return first or second

    @property
    def is_draft(self) -> bool:
        return self.status == ProposalStatus.DRAFT


class BudgetLine(models.Model):
    """One line of a proposal's budget, in US cents (the proposal's budget is their sum)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    amount_cents = models.BigIntegerField(_("amount (US cents)"))

    class Meta:
        ordering = ["proposal", "position"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "position"], name="projects_budgetline_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="projects_budgetline_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class PlannedMilestone(models.Model):
    """A milestone the lead plans, with the share of the budget it accounts for, as a
    percentage (two decimals): shares stay right when budget lines change, and a tranche
    can be paid against a milestone whatever the currency it is disbursed in."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="milestones"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    due_on = models.DateField(_("due date"))
    budget_percent = models.DecimalField(
        _("share of the budget (%)"), max_digits=5, decimal_places=2
    )

    class Meta:
        ordering = ["proposal", "position"]
        verbose_name = _("planned milestone")
        verbose_name_plural = _("planned milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "position"], name="projects_plannedmilestone_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(budget_percent__gt=0) & Q(budget_percent__lte=100),
                name="projects_plannedmilestone_share_in_range",
                violation_error_message=_("A milestone's share is more than 0% and at most 100%."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- partners' risk -----------------------------------------------------------------------


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class PartnerAssessment(models.Model):
    """A capacity assessment of a partner by the secretariat (`partner.assessed`). The
    latest one, by log index, gives the partner's risk level. The summary is public; the
    details stay here, with only a salted commitment to them in the log."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(_("public summary"), max_length=500)
    details = models.TextField(_("details (not public)"), max_length=10000, blank=True)
    log_index = models.BigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["organisation", "-log_index"]
        verbose_name = _("partner assessment")
        verbose_name_plural = _("partner assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values),
                name="projects_partnerassessment_level_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.risk_level}"


class RiskPolicy(models.Model):
    """What a risk level sets, from the log index of its `risk_policy.set` on: one row per
    level. The policy in force is the rows with the latest `from_index`."""

    from_index = models.BigIntegerField(_("from log index"))
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    tranches = models.PositiveSmallIntegerField(_("tranches"))
    max_first_tranche_percent = models.PositiveSmallIntegerField(_("largest first tranche (%)"))
    monitoring_visits = models.PositiveSmallIntegerField(_("monitoring visits per project"))
    spot_check_required = models.BooleanField(_("financial spot-check required"))
    audit_required = models.BooleanField(_("audit required"))
    max_project_cents = models.BigIntegerField(_("largest project (US cents)"))
    motion = models.ForeignKey(
        "governance.Motion",
        verbose_name=_("motion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-from_index", "level"]
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policies")
        constraints = [
            models.UniqueConstraint(
                fields=["from_index", "level"], name="projects_riskpolicy_level_once"
            ),
            models.CheckConstraint(
                condition=Q(level__in=RiskLevel.values), name="projects_riskpolicy_level_known"
            ),
            models.CheckConstraint(
                condition=Q(tranches__gte=1)
                & Q(max_first_tranche_percent__gte=1)
                & Q(max_first_tranche_percent__lte=100)
                & Q(max_project_cents__gt=0),
                name="projects_riskpolicy_values_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} from {self.from_index}"
