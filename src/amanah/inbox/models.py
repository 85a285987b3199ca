"""Threads of private messages between the fund and one partner organisation.

A `Thread` belongs to one organisation and may refer to one of its proposals or projects;
its `Message`s are written by the fund's staff or the organisation's staff (`side`); a
`ReadState` records, per user and thread, the last message that user has read.

Nothing here is a public fact: no row is ever logged, published or exported.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amanah.orgs.models import Organisation
from amanah.projects.models import Project, Proposal

__all__ = ["MAX_BODY", "MAX_SUBJECT", "Message", "ReadState", "Side", "Thread"]

MAX_SUBJECT = 200
MAX_BODY = 5000


class Side(models.TextChoices):
    """Who wrote a message: the fund's staff or the partner organisation's staff."""

    FUND = "fund", _("The fund")
    PARTNER = "partner", _("The partner")


class Thread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inbox_threads",
    )
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="inbox_threads",
        null=True,
        blank=True,
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="inbox_threads",
        null=True,
        blank=True,
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the newest message was posted: the inbox lists threads by it, newest first.
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now)

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["organisation", "-last_message_at"], name="inbox_thread_org_newest"
            ),
            models.Index(fields=["-last_message_at"], name="inbox_thread_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="inbox_thread_has_subject"),
            models.CheckConstraint(
                condition=Q(proposal__isnull=True) | Q(project__isnull=True),
                name="inbox_thread_one_reference_at_most",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    # Ids grow in the order messages are posted within a thread (posting locks the
    # thread), so "unread" is simply "after the last message read".
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The author's side when they wrote it, kept even if their role changes later.
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    body = models.TextField(_("message"), max_length=MAX_BODY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["thread", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=Side.values), name="inbox_message_side_known"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="inbox_message_has_body"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MAX_BODY),
                name="inbox_message_body_not_too_long",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} #{self.pk}"


class ReadState(models.Model):
    """The last message of a thread a user has read (none: they have read nothing)."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    last_read = models.ForeignKey(
        Message,
        verbose_name=_("last message read"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="inbox_readstate_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} {self.user_id}: {self.last_read_id}"
