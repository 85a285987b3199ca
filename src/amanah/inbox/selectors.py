"""Reads of the inbox: who may use it, the threads a user sees with their unread counts,
one thread's messages, and the choices of the new-thread form.

The fund's staff (`STAFF_ROLES`) see every thread; partner staff see their own
organisation's threads only; everyone else sees none. A message is unread for a user
when it comes after the last one they read and was written by the other side: the fund's
staff share one inbox, so a colleague's message to a partner is not news to them.
"""

from __future__ import annotations

import uuid

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from amanah.accounts.models import Role, User
from amanah.accounts.roles import user_has_role
from amanah.inbox.models import Message, ReadState, Side, Thread
from amanah.orgs.models import Organisation
from amanah.projects.models import Project, Proposal, ProposalStatus

__all__ = [
    "STAFF_ROLES",
    "is_staff",
    "may_use_inbox",
    "message_list",
    "partner_organisations",
    "project_choices",
    "proposal_choices",
    "side_of",
    "thread_get",
    "thread_list_for",
    "unread_count",
]

# The fund's staff: the secretariat and the monitors (who are also the rounds' reviewers).
STAFF_ROLES: tuple[Role, ...] = (Role.SECRETARIAT, Role.MONITOR)


def is_staff(user: object) -> bool:
    return user_has_role(user, *STAFF_ROLES)


def may_use_inbox(user: object) -> bool:
    """Whether `user` has an inbox: the fund's staff, and partner staff of an organisation."""
    if is_staff(user):
        return True
    return user_has_role(user, Role.PARTNER_STAFF) and bool(user.organisation_iati_id)  # type: ignore[attr-defined]


def side_of(user: User) -> Side:
    return Side.FUND if is_staff(user) else Side.PARTNER


def _visible(user: object) -> QuerySet[Thread]:
    if is_staff(user):
        return Thread.objects.all()
    if may_use_inbox(user):
        return Thread.objects.filter(organisation__iati_identifier=user.organisation_iati_id)  # type: ignore[attr-defined]
    return Thread.objects.none()


def _last_read_by(user: User, thread: str) -> Coalesce:
    """The id of the last message `user` read in the thread `OuterRef(thread)`; 0: none."""
    last = ReadState.objects.filter(thread=OuterRef(thread), user=user).values("last_read_id")
    return Coalesce(Subquery(last[:1], output_field=IntegerField()), Value(0))


def thread_list_for(user: object) -> QuerySet[Thread]:
    """The threads `user` sees, newest message first, each with `message_count` and
    `unread` (messages of the other side after the last one they read). One query."""
    threads = _visible(user).select_related("organisation", "proposal", "project")
    if not isinstance(user, User):
        return threads.none()
    other = Side.PARTNER if is_staff(user) else Side.FUND
    return threads.annotate(
        message_count=Count("messages"),
        unread=Count(
            "messages", filter=Q(messages__side=other, messages__id__gt=_last_read_by(user, "pk"))
        ),
    ).order_by("-last_message_at", "-created_at")


def thread_get(user: object, thread_id: uuid.UUID | str) -> Thread | None:
    """One thread `user` may see, or None (unknown, or another organisation's)."""
    try:
        pk = uuid.UUID(str(thread_id))
    except ValueError:
        return None
    return thread_list_for(user).filter(pk=pk).first()


def message_list(thread: Thread) -> QuerySet[Message]:
    """A thread's messages, oldest first, with their authors."""
    return thread.messages.select_related("author").order_by("id")


def unread_count(user: object) -> int:
    """How many messages of the other side `user` has not read, over all their threads
    (0 for anyone without an inbox). One query."""
    if not isinstance(user, User) or not may_use_inbox(user):
        return 0
    other = Side.PARTNER if is_staff(user) else Side.FUND
    return (
        Message.objects.filter(thread__in=_visible(user), side=other)
        .filter(id__gt=_last_read_by(user, "thread"))
        .count()
    )


def partner_organisations() -> QuerySet[Organisation]:
    """The organisations the fund corresponds with: Palestinian bodies, and any other
    organisation that has partner staff (a contractor, say)."""
    staffed = User.objects.filter(role=Role.PARTNER_STAFF).values("organisation_iati_id")
    return Organisation.objects.filter(Q(is_palestinian=True) | Q(iati_identifier__in=staffed))


def proposal_choices(user: User) -> QuerySet[Proposal]:
    """The proposals a thread of `user`'s may refer to: for the fund's staff, every
    submitted (or withdrawn) proposal, never a draft; for partner staff, their
    organisation's own, drafts included."""
    rows = Proposal.objects.select_related("lead").order_by("-created_at")
    if is_staff(user):
        return rows.exclude(status=ProposalStatus.DRAFT)
    return rows.filter(lead__iati_identifier=user.organisation_iati_id)


def project_choices(user: User) -> QuerySet[Project]:
    """The projects a thread of `user`'s may refer to: all for the fund's staff, those
    their organisation leads for partner staff."""
    rows = Project.objects.select_related("lead").order_by("code")
    if is_staff(user):
        return rows
    return rows.filter(lead__iati_identifier=user.organisation_iati_id)
