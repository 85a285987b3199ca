"""The inbox's services and selectors: who may write to whom, unread counts, marking read,
field errors that write nothing, and nothing ever reaching the log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inbox_factories import LEAD, OTHER, Inbox, build_inbox

from amanah.accounts.models import User
from amanah.accounts.roles import RoleRequired
from amanah.inbox import selectors
from amanah.inbox.models import Message, ReadState, Side, Thread
from amanah.inbox.services import thread_mark_read, thread_reply, thread_start
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def box(var_dir: Path) -> Inbox:
    return build_inbox()


def _unread(user: User) -> dict[str, int]:
    return {t.subject: t.unread for t in selectors.thread_list_for(user)}


def test_staff_start_partner_replies_and_unread_counts_follow(box: Inbox) -> None:
    thread = thread_start(
        organisation=LEAD,
        subject="Site visit",
        body="Can we visit on Monday?",
        project="GZ-HOU-0001",
        actor=box.secretariat,
    )
    assert thread.organisation == box.lead
    assert thread.project == box.project
    assert selectors.unread_count(box.partner) == 1
    assert _unread(box.partner) == {"Site visit": 1}
    # The fund's staff share one inbox: a colleague's message is not news to them.
    assert selectors.unread_count(box.secretariat) == 0
    assert selectors.unread_count(box.monitor) == 0

    reply = thread_reply(thread=thread.pk, body="Monday suits us.", actor=box.partner)
    assert reply.side == Side.PARTNER
    # Replying marks the thread read for its author: they have seen it all.
    assert selectors.unread_count(box.partner) == 0
    assert selectors.unread_count(box.secretariat) == 1
    assert selectors.unread_count(box.monitor) == 1
    thread_reply(thread=thread, body="And bring the drawings.", actor=box.partner)
    assert _unread(box.monitor) == {"Site visit": 2}

    thread_mark_read(thread=thread, actor=box.monitor)
    assert selectors.unread_count(box.monitor) == 0
    assert selectors.unread_count(box.secretariat) == 2
    thread_reply(thread=thread, body="Will do.", actor=box.secretariat)
    assert selectors.unread_count(box.secretariat) == 0
    assert selectors.unread_count(box.partner) == 1
    listed = selectors.thread_list_for(box.partner).get()
    assert (listed.message_count, listed.unread) == (4, 1)
    assert [m.body for m in selectors.message_list(thread)][-1] == "Will do."


def test_a_partner_sees_and_answers_only_its_own_organisation_s_threads(box: Inbox) -> None:
    ours = thread_start(organisation=LEAD, subject="Ours", body="Hello", actor=box.monitor)
    theirs = thread_start(subject="Theirs", body="A question", actor=box.other_partner)
    assert theirs.organisation == box.other
    assert [t.subject for t in selectors.thread_list_for(box.partner)] == ["Ours"]
    assert [t.subject for t in selectors.thread_list_for(box.other_partner)] == ["Theirs"]
    assert [t.subject for t in selectors.thread_list_for(box.secretariat)] == ["Theirs", "Ours"]
    assert selectors.thread_get(box.partner, theirs.pk) is None
    assert selectors.thread_get(box.partner, ours.pk) is not None
    for call in (
        lambda: thread_reply(thread=theirs.pk, body="Let me in", actor=box.partner),
        lambda: thread_mark_read(thread=theirs.pk, actor=box.partner),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert set(caught.value.message_dict) == {"thread"}
    assert not Message.objects.filter(thread=theirs, author=box.partner).exists()
    assert not ReadState.objects.filter(thread=theirs, user=box.partner).exists()


def test_anyone_else_has_no_inbox(box: Inbox) -> None:
    thread = thread_start(organisation=LEAD, subject="S", body="B", actor=box.secretariat)
    with pytest.raises(RoleRequired):
        thread_start(organisation=LEAD, subject="S", body="B", actor=box.auditor)
    with pytest.raises(RoleRequired):
        thread_reply(thread=thread, body="B", actor=box.auditor)
    assert not selectors.thread_list_for(box.auditor).exists()
    assert selectors.unread_count(box.auditor) == 0
    assert Message.objects.count() == 1


def _bad(box: Inbox) -> list[tuple[str, dict[str, Any], str, str]]:
    """(who, arguments, the field at fault, a word of its message)"""
    base = {"organisation": LEAD, "subject": "Subject", "body": "Body"}
    return [
        ("secretariat", {**base, "body": ""}, "body", "required"),
        ("secretariat", {**base, "body": "   \n "}, "body", "required"),
        ("secretariat", {**base, "body": "x" * 5001}, "body", "5000"),
        ("secretariat", {**base, "subject": ""}, "subject", "required"),
        ("secretariat", {**base, "subject": "s" * 201}, "subject", "200"),
        ("secretariat", {**base, "organisation": "XM-NOBODY-1"}, "organisation", "partner"),
        ("secretariat", {**base, "organisation": None}, "organisation", "partner"),
        ("secretariat", {**base, "proposal": "not-a-uuid"}, "proposal", "no such"),
        # A draft is the partner's working copy: the fund's staff cannot refer to it.
        ("secretariat", {**base, "proposal": str(box.draft.pk)}, "proposal", "no such"),
        ("secretariat", {**base, "project": "GZ-NONE-0001"}, "project", "no such"),
        (
            "secretariat",
            {**base, "organisation": OTHER, "project": "GZ-HOU-0001"},
            "project",
            "another organisation",
        ),
        ("partner", {**base, "proposal": str(box.other_draft.pk)}, "proposal", "no such"),
        ("partner", {**base, "organisation": OTHER}, "organisation", "your organisation"),
        (
            "partner",
            {**base, "proposal": str(box.draft.pk), "project": "GZ-HOU-0001"},
            "project",
            "not both",
        ),
    ]


@pytest.mark.parametrize("case", range(14))
def test_bad_input_names_the_field_and_writes_nothing(box: Inbox, case: int) -> None:
    cases = _bad(box)
    assert len(cases) == 14
    who, arguments, field, word = cases[case]
    before = (Thread.objects.count(), Message.objects.count(), ReadState.objects.count())
    with pytest.raises(ValidationError) as caught:
        thread_start(**arguments, actor=getattr(box, who))
    problems = caught.value.message_dict
    assert field in problems, problems
    assert word in " ".join(problems[field]).lower(), problems
    after = (Thread.objects.count(), Message.objects.count(), ReadState.objects.count())
    assert after == before


def test_a_reply_too_long_or_empty_names_the_body(box: Inbox) -> None:
    thread = thread_start(organisation=LEAD, subject="S", body="B", actor=box.secretariat)
    for body in ("", "x" * 5001, None):
        with pytest.raises(ValidationError) as caught:
            thread_reply(thread=thread, body=body, actor=box.partner)
        assert set(caught.value.message_dict) == {"body"}
    assert Message.objects.count() == 1
    assert thread_reply(thread=thread, body="x" * 5000, actor=box.partner).body == "x" * 5000


def test_a_partner_may_refer_to_its_own_draft_and_staff_find_the_organisation(
    box: Inbox,
) -> None:
    mine = thread_start(subject="Budget", body="Q", proposal=str(box.draft.pk), actor=box.partner)
    assert (mine.organisation, mine.proposal) == (box.lead, box.draft)
    # The fund's staff may leave the organisation out when the project names it.
    theirs = thread_start(subject="Works", body="Q", project="GZ-HOU-0001", actor=box.monitor)
    assert theirs.organisation == box.lead


def test_messages_never_reach_the_log(box: Inbox) -> None:
    entries = LogEntry.objects.count()
    secret = "Convoy leaves Rafah at 05:10 by the coast road"
    thread = thread_start(organisation=LEAD, subject="Route " + secret, body=secret,
                          actor=box.secretariat)  # fmt: skip
    thread_reply(thread=thread, body=secret + " (confirmed)", actor=box.partner)
    thread_mark_read(thread=thread, actor=box.secretariat)
    assert LogEntry.objects.count() == entries
    for entry, private in LogEntry.objects.values_list("entry", "private_data"):
        assert secret.encode() not in bytes(entry)
        assert secret not in repr(private)


def test_the_thread_list_costs_one_query(box: Inbox, django_assert_num_queries: Any) -> None:
    for n in range(5):
        thread = thread_start(organisation=LEAD, subject=f"T{n}", body="B", actor=box.secretariat)
        thread_reply(thread=thread, body="R", actor=box.partner)
    with django_assert_num_queries(1):
        rows = [(t.subject, t.organisation.display_name, t.unread) for t in
                selectors.thread_list_for(box.secretariat)]  # fmt: skip
    assert rows[0] == ("T4", "Palestinian Housing Council", 1)
    with django_assert_num_queries(1):
        assert selectors.unread_count(box.secretariat) == 5
