"""The inbox's writes: start a thread, reply, mark a thread read.

Messages are private operational correspondence, not public facts: these services never
call the ledger (no log entry, hence no log lock). Each runs in one durable transaction.
The fund's staff (`selectors.STAFF_ROLES`) may write to any partner organisation; partner
staff only to the fund about their own organisation; anyone else raises `RoleRequired`.
Bad input raises Django's `ValidationError` naming every field at fault, and writes
nothing. A thread the actor may not see is reported as not found, never as someone
else's.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.core.problems import Problems
from amanah.inbox import selectors
from amanah.inbox.models import MAX_BODY, MAX_SUBJECT, Message, ReadState, Thread
from amanah.orgs.models import Organisation
from amanah.projects.models import Project, Proposal

__all__ = ["thread_mark_read", "thread_reply", "thread_start"]


def _require_inbox(actor: User) -> None:
    require_role(actor, *selectors.STAFF_ROLES, Role.PARTNER_STAFF)


def _text(value: object, field: str, limit: int, problems: Problems) -> str:
    if value is None or value == "":
        problems.add(field, _("This field is required."), "required")
        return ""
    if not isinstance(value, str):
        problems.add(field, _("Give this as text."))
        return ""
    text = value.strip()
    if not text:
        problems.add(field, _("This field is required."), "required")
    elif len(text) > limit:
        problems.add(field, _("Write at most {count} characters here.").format(count=limit), "long")
    return text


def _organisation(value: object, actor: User, problems: Problems) -> Organisation | None:
    """Partner staff: their own organisation (naming another is an error). The fund's
    staff: the partner organisation named by its IATI identifier."""
    if not selectors.is_staff(actor):
        own = Organisation.objects.filter(iati_identifier=actor.organisation_iati_id).first()
        if own is None:
            problems.add("organisation", _("Your organisation is not registered."), "unknown")
        elif value not in (None, "", own.iati_identifier):
            problems.add(
                "organisation", _("You can write to the fund about your organisation only.")
            )
        return own
    if value in (None, ""):
        return None  # the caller takes it from the proposal or project, or complains
    found = (
        selectors.partner_organisations().filter(iati_identifier=value).first()
        if isinstance(value, str)
        else None
    )
    if found is None:
        problems.add("organisation", _("Choose a partner organisation."), "unknown")
    return found


def _proposal(value: object, actor: User, problems: Problems) -> Proposal | None:
    if value in (None, ""):
        return None
    try:
        pk = uuid.UUID(str(value))
    except ValueError:
        pk = None
    found = selectors.proposal_choices(actor).filter(pk=pk).first() if pk is not None else None
    if found is None:
        problems.add("proposal", _("There is no such proposal."), "unknown")
    return found


def _project(value: object, actor: User, problems: Problems) -> Project | None:
    if value in (None, ""):
        return None
    found = (
        selectors.project_choices(actor).filter(code=value).first()
        if isinstance(value, str)
        else None
    )
    if found is None:
        problems.add("project", _("There is no such project."), "unknown")
    return found


def _post(thread: Thread, body: str, actor: User) -> Message:
    """Add the message and mark the thread read by its author, who has seen it all."""
    now = timezone.now()
    message = Message(
        thread=thread, author=actor, side=selectors.side_of(actor), body=body, created_at=now
    )
    message.full_clean()
    message.save()
    thread.last_message_at = now
    thread.save(update_fields=["last_message_at"])
    _read_upto(thread, actor, message.pk)
    return message


def _read_upto(thread: Thread, user: User, message_id: int | None) -> ReadState:
    state, _created = ReadState.objects.get_or_create(thread=thread, user=user)
    if message_id is not None and (state.last_read_id or 0) < message_id:
        state.last_read_id = message_id
    state.read_at = timezone.now()
    state.save()
    return state


@transaction.atomic(durable=True)
def thread_start(
    *,
    subject: object,
    body: object,
    organisation: object = None,
    proposal: object = None,
    project: object = None,
    actor: User,
) -> Thread:
    """Start a thread with its first message. `organisation`: the partner's IATI
    identifier (the fund's staff; partner staff write about their own organisation, and
    may leave it out); `proposal` (its id) or `project` (its code): what it is about, if
    anything, which must be the organisation's. The fund's staff may leave `organisation`
    out when a proposal or project names it."""
    _require_inbox(actor)
    problems = Problems()
    subject_text = _text(subject, "subject", MAX_SUBJECT, problems)
    body_text = _text(body, "body", MAX_BODY, problems)
    found = _organisation(organisation, actor, problems)
    about_proposal = _proposal(proposal, actor, problems)
    about_project = _project(project, actor, problems)
    if about_proposal is not None and about_project is not None:
        problems.add("project", _("Refer to a proposal or to a project, not both."), "both")
    about = about_proposal or about_project
    lead = about.lead if about is not None else None
    if found is None and lead is not None and "organisation" not in problems.errors:
        found = lead
    if found is None and "organisation" not in problems.errors:
        problems.add("organisation", _("Choose a partner organisation."), "required")
    if found is not None and lead is not None and lead.pk != found.pk:
        field = "proposal" if about_proposal is not None else "project"
        problems.add(field, _("This is another organisation's."), "other_organisation")
    problems.check()
    thread = Thread(
        organisation=cast(Organisation, found),  # not None: else a problem above
        subject=subject_text,
        proposal=about_proposal,
        project=about_project,
        started_by=actor,
    )
    thread.full_clean()
    thread.save()
    _post(thread, body_text, actor)
    return thread


def _thread(thread: Thread | uuid.UUID | str, actor: User) -> Thread:
    """The thread, locked, if the actor may see it (else: not found)."""
    pk = thread.pk if isinstance(thread, Thread) else thread
    visible = selectors.thread_get(actor, pk)
    if visible is None:
        raise ValidationError(
            {"thread": ValidationError(_("There is no such thread."), code="unknown")}
        )
    return Thread.objects.select_for_update().get(pk=visible.pk)


@transaction.atomic(durable=True)
def thread_reply(*, thread: Thread | uuid.UUID | str, body: object, actor: User) -> Message:
    """Add a message to a thread the actor may see."""
    _require_inbox(actor)
    problems = Problems()
    body_text = _text(body, "body", MAX_BODY, problems)
    found = _thread(thread, actor)
    problems.check()
    return _post(found, body_text, actor)


@transaction.atomic(durable=True)
def thread_mark_read(*, thread: Thread | uuid.UUID | str, actor: User) -> ReadState:
    """Mark every message of a thread the actor may see as read by them."""
    _require_inbox(actor)
    found = _thread(thread, actor)
    newest = found.messages.aggregate(newest=Max("id"))["newest"]
    return _read_upto(found, actor, newest)
