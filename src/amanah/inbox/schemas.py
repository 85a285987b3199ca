"""Ninja schemas of /api/v1/messages, one In/Out pair per operation, and the functions
that turn rows into what they show. Private correspondence: only ever served to the
thread's participants, never by a public operation."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from ninja import Field, Schema

from amanah.inbox.models import Message, Thread

__all__ = [
    "MessageOut",
    "ReplyIn",
    "ThreadDetailOut",
    "ThreadIn",
    "ThreadListOut",
    "ThreadOut",
    "message_out",
    "thread_detail_out",
    "thread_out",
]


class ThreadIn(Schema):
    # Plain strings: the service checks them and names the field at fault.
    subject: str = Field(description="At most 200 characters.")
    body: str = Field(description="The first message, at most 5,000 characters.")
    organisation: str | None = Field(
        None,
        description="The partner's IATI identifier. The fund's staff give it (or a proposal"
        " or project that names it); partner staff write about their own organisation.",
    )
    proposal: str | None = Field(None, description="The id of a proposal it is about.")
    project: str | None = Field(None, description="The code of a project it is about.")


class ReplyIn(Schema):
    body: str = Field(description="At most 5,000 characters.")


class MessageOut(Schema):
    id: int
    author: str = Field(description="`user:<id>`.")
    author_name: str
    side: str = Field(description="fund or partner.")
    body: str
    created_at: datetime.datetime


class ThreadOut(Schema):
    id: uuid.UUID
    organisation: str = Field(description="The partner's IATI identifier.")
    organisation_name: str
    subject: str
    proposal: uuid.UUID | None
    project: str | None = Field(description="The project's code.")
    created_at: datetime.datetime
    last_message_at: datetime.datetime
    message_count: int
    unread: int = Field(description="Messages of the other side you have not read.")


class ThreadListOut(Schema):
    threads: list[ThreadOut] = Field(description="Newest message first.")


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut] = Field(description="Oldest first.")


def thread_out(thread: Thread) -> dict[str, Any]:
    """A thread from `selectors.thread_list_for` (which counts its messages)."""
    return {
        "id": thread.pk,
        "organisation": thread.organisation.iati_identifier,
        "organisation_name": thread.organisation.display_name,
        "subject": thread.subject,
        "proposal": thread.proposal_id,
        "project": thread.project.code if thread.project else None,
        "created_at": thread.created_at,
        "last_message_at": thread.last_message_at,
        "message_count": thread.message_count,  # type: ignore[attr-defined]
        "unread": thread.unread,  # type: ignore[attr-defined]
    }


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author": f"user:{message.author_id}",
        "author_name": message.author.get_full_name() or message.author.get_username(),
        "side": message.side,
        "body": message.body,
        "created_at": message.created_at,
    }


def thread_detail_out(thread: Thread, messages: list[Message]) -> dict[str, Any]:
    return {**thread_out(thread), "messages": [message_out(m) for m in messages]}
