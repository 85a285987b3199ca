"""Allocation rounds: database rows.

A round (`Round`) has a rubric (`RoundCriterion`), an envelope made of pools of the fund's
money under one earmark each (`RoundPool`), constraints (share bounds and a partner cap, on
the round itself), the submitted proposals it considers (`RoundEntry`), the reviewers'
scores (`Score`) and the optimiser's portfolio (`RoundResult`). Every public fact is in
the transparency log; the rows are what pages and the API read.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.funds.earmarks import Earmark


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for scoring")
    SCORED = "scored", _("Scored")
    OPTIMISED = "optimised", _("Optimised")
    ALLOCATED = "allocated", _("Allocated by the board")


class Round(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What the log calls the round (`data.round`) and `amanah allocation replay` takes.
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    # Constraints: shares are fractions of the envelope, as decimal strings per key.
    min_share_by_sector = models.JSONField(_("minimum share by sector"), default=dict, blank=True)
    max_share_by_sector = models.JSONField(_("maximum share by sector"), default=dict, blank=True)
    min_share_by_governorate = models.JSONField(
        _("minimum share by governorate"), default=dict, blank=True
    )
    max_share_by_governorate = models.JSONField(
        _("maximum share by governorate"), default=dict, blank=True
    )
    max_per_partner_cents = models.BigIntegerField(
        _("largest amount per partner (US cents)"), null=True, blank=True
    )
    created_index = models.BigIntegerField(_("opened at log index"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        constraints = [
            models.CheckConstraint(condition=Q(currency="USD"), name="rounds_round_currency_usd"),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.DRAFT) | Q(created_index__isnull=False),
                name="rounds_round_opened_is_logged",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.code

    @property
    def title(self) -> str:
        first, second = (
            (self.title_ar, self.title_en)
            if get_language() == "ar"
            else (self.title_en, self.title_ar)
        )
        return first or second

    def constraints_json(self) -> dict[str, object]:
        return {
            "min_share_by_sector": self.min_share_by_sector,
            "max_share_by_sector": self.max_share_by_sector,
            "min_share_by_governorate": self.min_share_by_governorate,
            "max_share_by_governorate": self.max_share_by_governorate,
            "max_per_partner_cents": self.max_per_partner_cents,
        }


class RoundCriterion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=6)

    class Meta:
        ordering = ["code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="rounds_criterion_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="rounds_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def name(self) -> str:
        first, second = (
            (self.name_ar, self.name_en) if get_language() == "ar" else (self.name_en, self.name_ar)
        )
        return first or second


class RoundPool(models.Model):
    """Money of one earmark the round may use; blank sector or governorate: any."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pools")
    sector = models.CharField(_("earmark sector"), max_length=20, blank=True)
    governorate = models.CharField(_("earmark governorate"), max_length=10, blank=True)
    amount_cents = models.BigIntegerField(_("amount (US cents)"))

    class Meta:
        ordering = ["sector", "governorate"]
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "sector", "governorate"], name="rounds_pool_one_per_earmark"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="rounds_pool_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.earmark.key

    @property
    def earmark(self) -> Earmark:
        return Earmark(self.sector or None, self.governorate or None)


class RoundEntry(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey(
        "projects.Proposal", on_delete=models.PROTECT, related_name="round_entries"
    )
    log_index = models.BigIntegerField(_("log index"))

    class Meta:
        ordering = ["proposal_id"]
        verbose_name = _("proposal in a round")
        verbose_name_plural = _("proposals in a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "proposal"], name="rounds_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.proposal_id}"


class Score(models.Model):
    entry = models.ForeignKey(RoundEntry, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RoundCriterion, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="round_scores"
    )
    score = models.DecimalField(
        _("score"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )
    log_index = models.BigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["entry", "criterion__code", "reviewer_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "criterion", "reviewer"], name="rounds_score_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=5), name="rounds_score_0_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.criterion_id}: {self.score}"


class RoundResult(models.Model):
    """One optimisation of a round, as logged in `round.optimised` (the latest counts)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    inputs = models.JSONField(_("inputs"))
    selected = models.JSONField(_("selected proposals"))
    draws = models.JSONField(_("draws"))
    total_score = models.CharField(_("total score"), max_length=100)
    greedy = models.JSONField(_("greedy baseline"))
    solver = models.JSONField(_("solver versions"))
    log_index = models.BigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["-log_index"]
        verbose_name = _("round result")
        verbose_name_plural = _("round results")

    def __str__(self) -> str:
        return f"{self.round_id} @ {self.log_index}"


class RoundPortfolio(models.Model):
    """A `round.allocate` motion: the portfolio put to the board, the recommendation it
    starts from, and its named deviations (as in the motion's effect)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="portfolios")
    result = models.ForeignKey(
        RoundResult, verbose_name=_("recommendation"), on_delete=models.PROTECT, related_name="+"
    )
    motion = models.OneToOneField(
        "governance.Motion",
        verbose_name=_("motion"),
        on_delete=models.PROTECT,
        related_name="round_portfolio",
    )
    deviations = models.JSONField(_("deviations"), default=list, blank=True)

    class Meta:
        ordering = ["-motion__opened_index"]
        verbose_name = _("portfolio motion")
        verbose_name_plural = _("portfolio motions")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.motion_id}"
