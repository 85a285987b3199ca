"""`/workspace/`: what waits for each role, on the demo's data."""

from __future__ import annotations

import pytest
from django.test import Client

from amanah.accounts.models import User
from amanah.governance.models import Motion, MotionStatus
from amanah.monitoring.models import Milestone, MilestoneStatus
from conftest import DemoLog


def _page(client: Client, username: str, language: str = "") -> str:
    client.force_login(User.objects.get(username=username))
    response = client.get(f"{language}/workspace/")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, demo_log: DemoLog) -> None:
    response = client.get("/workspace/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_a_partner_sees_proposals_milestones_to_report_and_messages(
    client: Client, demo_log: DemoLog
) -> None:
    user = User.objects.get(username="demo-partner-schools")
    page = _page(client, user.username)

    assert "Your proposals" in page
    assert "/proposals/mine/" in page
    to_report = Milestone.objects.filter(
        project__lead__iati_identifier=user.organisation_iati_id,
        status=MilestoneStatus.PLANNED,
    ).first()
    assert to_report is not None
    assert to_report.deliverable_en in page
    assert "/messages/" in page
    assert "Milestones to verify on site" not in page


def test_a_monitor_sees_what_to_verify_and_rounds_to_score(
    client: Client, demo_log: DemoLog
) -> None:
    page = _page(client, "demo-monitor")

    assert "Milestones to verify on site" in page
    assert "Rounds to score" in page
    assert "Your proposals" not in page


def test_the_secretariat_and_the_board_see_the_open_motions(
    client: Client, demo_log: DemoLog
) -> None:
    waiting = Motion.objects.filter(status=MotionStatus.OPEN).order_by("-opened_index").first()
    assert waiting is not None

    for username in ("demo-secretariat", "demo-member-pk"):
        page = _page(client, username)
        assert f"/motions/{waiting.id}/" in page
    assert "Notifications" in _page(client, "demo-secretariat")


@pytest.mark.parametrize("username", ["demo-logistics", "demo-secretariat"])
def test_the_workspace_in_arabic(client: Client, demo_log: DemoLog, username: str) -> None:
    page = _page(client, username, "/ar")

    assert 'dir="rtl"' in page
