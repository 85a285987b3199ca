"""/api/v1/messages: a round trip between the fund and a partner, unread counts, field
errors, and who may see what."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_support import send
from inbox_factories import LEAD, Inbox, build_inbox

from amanah.inbox.models import Message, Thread

pytestmark = pytest.mark.django_db
API = "/api/v1/messages"


@pytest.fixture
def box(var_dir: Path) -> Inbox:
    return build_inbox()


def test_a_round_trip_between_the_fund_and_a_partner(client: Client, box: Inbox) -> None:
    started = send(client, "post", API,
                   {"organisation": LEAD, "subject": "Invoices", "body": "Please send them.",
                    "proposal": None, "project": "GZ-HOU-0001"}, box.secretariat)  # fmt: skip
    assert started.status_code == 201, started.content
    thread = started.json()
    assert (thread["organisation"], thread["project"], thread["unread"]) == (LEAD, "GZ-HOU-0001", 0)
    assert [m["body"] for m in thread["messages"]] == ["Please send them."]
    assert thread["messages"][0]["side"] == "fund"
    assert thread["messages"][0]["author"] == f"user:{box.secretariat.pk}"

    listed = send(client, "get", API, {}, box.partner).json()["threads"]
    assert [(t["id"], t["unread"], t["message_count"]) for t in listed] == [(thread["id"], 1, 1)]
    opened = send(client, "get", f"{API}/{thread['id']}", {}, box.partner)
    assert opened.status_code == 200
    assert opened.json()["unread"] == 0
    assert send(client, "get", API, {}, box.partner).json()["threads"][0]["unread"] == 0

    replied = send(client, "post", f"{API}/{thread['id']}/replies", {"body": "Attached."},
                   box.partner)  # fmt: skip
    assert replied.status_code == 201, replied.content
    assert replied.json()["side"] == "partner"
    assert send(client, "get", API, {}, box.monitor).json()["threads"][0]["unread"] == 1


def test_errors_name_the_field_and_write_nothing(client: Client, box: Inbox) -> None:
    bad = send(client, "post", API, {"organisation": LEAD, "subject": "S", "body": ""},
               box.secretariat)  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"
    assert set(bad.json()["fields"]) == {"body"}
    theirs = {"subject": "S", "body": "B", "proposal": str(box.other_draft.pk)}
    other = send(client, "post", API, theirs, box.partner)
    assert other.status_code == 422
    assert set(other.json()["fields"]) == {"proposal"}
    missing = send(client, "post", API, {"organisation": LEAD, "body": "B"}, box.secretariat)
    assert missing.status_code == 422
    assert set(missing.json()["fields"]) == {"subject"}
    assert (Thread.objects.count(), Message.objects.count()) == (0, 0)


def test_who_may_see_what(client: Client, box: Inbox) -> None:
    theirs = send(client, "post", API, {"subject": "Theirs", "body": "B"}, box.other_partner)
    assert theirs.status_code == 201, theirs.content
    path = f"{API}/{theirs.json()['id']}"
    assert send(client, "get", path, {}, box.partner).status_code == 404
    refused = send(client, "post", f"{path}/replies", {"body": "Hi"}, box.partner)
    assert refused.status_code == 404
    assert send(client, "get", API, {}, box.partner).json() == {"threads": []}
    assert send(client, "get", path, {}, box.secretariat).status_code == 200
    assert send(client, "get", API, {}, box.auditor).status_code == 403
    assert send(client, "get", API, {}, None).status_code == 401
    assert send(client, "get", path, {}, None).status_code == 401
    assert send(client, "post", API, {"subject": "S", "body": "B"}, None).status_code == 401
    assert Message.objects.count() == 1
