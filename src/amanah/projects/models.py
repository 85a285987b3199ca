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
