"""Users, their roles, and API tokens.

Nothing here is a public fact: accounts hold personal data (names, emails) and never
enter the transparency log. What a person does with an account (signing a motion,
recording a pledge) is logged by the service that does it, under a pseudonymous actor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the programme (DESIGN.md, "Who uses it"): one per account,
    checked with `accounts.roles.user_has_role`, whose docstring says why a field."""

    BOARD_MEMBER = "board_member", _("Board member")
    SECRETARIAT = "secretariat", _("Fund secretariat")
    PARTNER_STAFF = "partner_staff", _("Implementing partner staff")
    MONITOR = "monitor", _("Monitor")
    LOGISTICS = "logistics", _("Logistics coordinator")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    """A person who signs in: Django's user, plus the role they hold (blank: none)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # The IATI organisation identifier (e.g. "XM-DAC-41114") of a partner's staff.
    # Null, not "", because this becomes a foreign key to orgs.Organisation.
    organisation_iati_id = models.CharField(  # noqa: DJ001
        _("organisation (IATI identifier)"), max_length=150, null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["", *Role.values]), name="accounts_user_role_known"
            ),
            # Partner staff work for exactly one organisation; no one else belongs to one.
            models.CheckConstraint(
                condition=(
                    Q(role=Role.PARTNER_STAFF)
                    & Q(organisation_iati_id__isnull=False)
                    & ~Q(organisation_iati_id="")
                )
                | (~Q(role=Role.PARTNER_STAFF) & Q(organisation_iati_id__isnull=True)),
                name="accounts_user_organisation_iff_partner_staff",
            ),
        ]


class ApiToken(models.Model):
    """A bearer token for the API. Only the SHA-256 of the token is stored.

    The token is shown once, when created (`services.api_token_create`); it carries 256
    random bits, so an unsalted fast hash is enough: there is nothing to guess.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, shown so its owner can tell tokens apart; not secret.
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    # Hex SHA-256 of the whole token.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="accounts_apitoken_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
