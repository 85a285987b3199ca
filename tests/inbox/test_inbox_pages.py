"""The inbox's pages: who gets in, starting a thread and replying with plain forms,
unread counts in the navigation tag, field errors, Arabic, and message bodies absent from
every public page."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inbox_factories import LEAD, Inbox, build_inbox

from amanah.inbox.models import Message, Thread
from amanah.inbox.services import thread_reply, thread_start
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db
INBOX = "/messages/"


@pytest.fixture
def box(var_dir: Path) -> Inbox:
    return build_inbox()


def _as(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_visitors_log_in_and_other_roles_are_refused(client: Client, box: Inbox) -> None:
    for path in (INBOX, f"{INBOX}new/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    _as(client, box.auditor)
    assert client.get(INBOX).status_code == 403
    assert client.get(f"{INBOX}new/").status_code == 403


def test_staff_start_a_thread_and_the_partner_replies(client: Client, box: Inbox) -> None:
    _as(client, box.secretariat)
    form = client.get(f"{INBOX}new/")
    assert form.status_code == 200
    assert f'value="{LEAD}"' in form.text
    sent = client.post(
        f"{INBOX}new/",
        {"organisation": LEAD, "subject": "Site visit", "body": "Monday?",
         "project": "GZ-HOU-0001", "proposal": ""},
    )  # fmt: skip
    assert sent.status_code == 302, sent.content
    thread = Thread.objects.get()
    assert sent["Location"] == f"{INBOX}{thread.pk}/"

    _as(client, box.partner)
    listed = client.get(INBOX)
    assert "Site visit" in listed.text
    assert "<td>1</td>" in listed.text
    assert _nav(box.partner) == "Messages (1)"
    opened = client.get(f"{INBOX}{thread.pk}/")
    assert opened.status_code == 200
    assert "Monday?" in opened.text
    assert "GZ-HOU-0001" in opened.text
    assert _nav(box.partner) == "Messages"  # opening it marked it read

    replied = client.post(f"{INBOX}{thread.pk}/", {"body": "Monday suits us."})
    assert replied.status_code == 302
    posted = Message.objects.get(body="Monday suits us.")
    assert replied["Location"] == f"{INBOX}{thread.pk}/#message-{posted.pk}"
    assert _nav(box.monitor) == "Messages (1)"
    assert _nav(box.auditor) == ""


def _nav(user: object) -> str:
    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    text = Template("{% load inbox_tags %}{% inbox_nav_item %}|{% unread_messages %}").render(
        Context({"request": request})
    )
    item, count = text.strip().rsplit("|", 1)
    if not item:
        assert count == "0"
        return ""
    assert f">Messages{f' ({count})' if count != '0' else ''}<" in item
    return item.split(">")[2].split("<")[0]


def test_a_partner_cannot_open_or_answer_another_organisation_s_thread(
    client: Client, box: Inbox
) -> None:
    theirs = thread_start(subject="Theirs", body="Private", actor=box.other_partner)
    _as(client, box.partner)
    assert client.get(f"{INBOX}{theirs.pk}/").status_code == 404
    assert client.post(f"{INBOX}{theirs.pk}/", {"body": "Hi"}).status_code == 404
    assert "Theirs" not in client.get(INBOX).text
    assert Message.objects.count() == 1


def test_form_errors_name_the_field_and_write_nothing(client: Client, box: Inbox) -> None:
    _as(client, box.secretariat)
    refused = client.post(
        f"{INBOX}new/",
        {"organisation": LEAD, "subject": "S", "body": "B", "proposal": str(box.draft.pk)},
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors.keys() == {"proposal"}
    empty = client.post(f"{INBOX}new/", {"organisation": LEAD, "subject": "S", "body": " "})
    assert empty.status_code == 400
    assert "body" in empty.context["form"].errors
    thread = thread_start(organisation=LEAD, subject="S", body="B", actor=box.secretariat)
    too_long = client.post(f"{INBOX}{thread.pk}/", {"body": "x" * 5001})
    assert too_long.status_code == 400
    assert too_long.context["form"].errors.keys() == {"body"}
    assert (Thread.objects.count(), Message.objects.count()) == (1, 1)


def test_a_partner_starts_a_thread_about_its_draft_from_the_link(
    client: Client, box: Inbox
) -> None:
    _as(client, box.partner)
    page = client.get(f"{INBOX}new/?proposal={box.draft.pk}")
    assert page.status_code == 200
    assert 'name="organisation"' not in page.text  # a partner writes to the fund
    assert page.context["form"].initial["proposal"] == str(box.draft.pk)
    assert page.context["form"].initial["subject"] == "Rebuild 40 flats"
    # Another organisation's proposal prefills nothing.
    other = client.get(f"{INBOX}new/?proposal={box.other_draft.pk}")
    assert other.context["form"].initial == {}
    sent = client.post(
        f"{INBOX}new/",
        {
            "subject": "About our draft",
            "body": "Is the budget fine?",
            "proposal": str(box.draft.pk),
        },
    )
    assert sent.status_code == 302
    assert Thread.objects.get().proposal == box.draft


def test_the_inbox_in_arabic_is_right_to_left(client: Client, box: Inbox) -> None:
    thread_start(organisation=LEAD, subject="Site visit", body="Monday?", actor=box.monitor)
    _as(client, box.partner)
    page = client.get(f"/ar{INBOX}")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert 'lang="ar"' in page.text
    assert "Site visit" in page.text


def test_no_message_appears_on_public_pages(client: Client, box: Inbox) -> None:
    secret = "Warehouse 7 behind the mosque"
    thread = thread_start(organisation=LEAD, subject="Stock " + secret, body=secret,
                          project="GZ-HOU-0001", actor=box.secretariat)  # fmt: skip
    thread_reply(thread=thread, body=secret + ", gate B", actor=box.partner)
    public = [
        "/", "/ar/", "/proposals/", "/partners/", "/fund/", "/monitoring/projects/GZ-HOU-0001/",
        "/materials/", "/log/checkpoint", "/api/v1/projects", "/api/v1/organisations",
    ]  # fmt: skip
    size = LogEntry.objects.count()
    public += [f"/entries/{n}/" for n in range(size)] + [f"/log/tile/entries/000.p/{size}"]
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
        content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert secret.encode() not in content, path
        assert b"Stock Warehouse" not in content, path


def test_staff_start_a_thread_from_a_submitted_proposal(client: Client, var_dir: Path) -> None:
    """The link a proposal's page can give the fund's staff: `/messages/new/?proposal=<id>`."""
    for directory in ("governance", "funds", "api", "projects"):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / directory))
    from proposal_factories import build_fund, draft, ready

    from amanah.projects.services import proposal_submit

    fund = build_fund()
    staff = ready(fund)
    submitted = proposal_submit(proposal=draft(staff), actor=staff)
    _as(client, fund.secretariat)
    page = client.get(f"{INBOX}new/?proposal={submitted.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial == {
        "proposal": str(submitted.pk),
        "organisation": LEAD,
        "subject": "Rebuild 40 flats",
    }
    assert f'<option value="{submitted.pk}" selected>' in page.text
    sent = client.post(
        f"{INBOX}new/",
        {"organisation": LEAD, "subject": "Rebuild 40 flats", "body": "Two questions.",
         "proposal": str(submitted.pk)},
    )  # fmt: skip
    assert sent.status_code == 302, sent.content
    assert Thread.objects.get().proposal == submitted
    _as(client, staff)
    assert "Two questions." in client.get(sent["Location"]).text
