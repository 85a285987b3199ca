"""The secretariat plans a milestone through its page, starting from the proposal's own
plan for a project a round funded; errors land on their fields and write nothing."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from amanah.accounts.models import User
from amanah.funds.models import Allocation, MoveStatus
from amanah.ledger.models import LogEntry
from amanah.monitoring.models import Milestone
from amanah.projects.models import Project
from conftest import DemoLog


def _round_project() -> Project:
    """A project of the demo round with no milestone planned yet."""
    return (
        Project.objects.filter(proposal__isnull=False, milestones__isnull=True)
        .order_by("code")
        .first()
    )


def test_the_form_starts_from_the_proposals_plan_and_plans_the_milestone(
    client: Client, demo_log: DemoLog
) -> None:
    project = _round_project()
    allocation = Allocation.objects.get(project=project, status=MoveStatus.APPROVED)
    first = project.proposal.milestones.order_by("position").first()
    client.force_login(User.objects.get(username="demo-secretariat"))
    url = f"/monitoring/projects/{project.code}/milestones/new/"

    page = client.get(url).content.decode()

    assert f'value="{first.title}"' in page
    share = allocation.amount.amount * first.budget_percent / 100
    assert f'value="{share.quantize(Decimal("0.01"))}"' in page

    response = client.post(
        url,
        {
            "deliverable_en": first.title,
            "deliverable_ar": "الإنجاز الأول",
            "due": first.due_on.isoformat(),
            "allocation": str(allocation.id),
            "tranche": str(share.quantize(Decimal("0.01"))),
        },
    )

    assert response.status_code == 302
    made = Milestone.objects.get(project=project)
    assert made.deliverable_ar == "الإنجاز الأول"
    assert LogEntry.objects.filter(index=made.defined_index, kind="milestone.defined").exists()
    # The last planned step takes what the others leave, so the plan adds up to the cent.
    assert project.proposal.milestones.count() == 2
    rest = allocation.amount.amount - made.tranche.amount
    assert f'value="{rest}"' in client.get(url).content.decode()


def test_a_tranche_beyond_the_allocation_is_refused_on_its_field(
    client: Client, demo_log: DemoLog
) -> None:
    project = _round_project()
    allocation = Allocation.objects.get(project=project, status=MoveStatus.APPROVED)
    client.force_login(User.objects.get(username="demo-secretariat"))
    before = LogEntry.objects.count()

    response = client.post(
        f"/ar/monitoring/projects/{project.code}/milestones/new/",
        {
            "deliverable_en": "Everything",
            "deliverable_ar": "كل شيء",
            "due": "2099-01-01",
            "allocation": str(allocation.id),
            "tranche": str(allocation.amount.amount * 2),
        },
    )

    assert response.status_code == 400
    # The error is next to its field, and the field names it (Django's `<id>_error`).
    assert 'id="id_tranche_error"' in response.content.decode()
    assert 'aria-describedby="id_tranche_error"' in response.content.decode()
    assert 'dir="rtl"' in response.content.decode()
    assert LogEntry.objects.count() == before
    assert not Milestone.objects.filter(project=project).exists()


def test_only_the_secretariat_plans(client: Client, demo_log: DemoLog) -> None:
    project = _round_project()
    url = f"/monitoring/projects/{project.code}/milestones/new/"

    assert client.get(url).status_code == 302  # to log in
    client.force_login(User.objects.get(username="demo-monitor"))
    assert client.get(url).status_code == 403
