"""The demo's allocation round, as `make run` shows it: proposals across the five
governorates, scored, optimised, put to the board with one named deviation, signed, and a
first milestone of a funded project verified and paid; `amanah allocation replay` agrees
with the log, and the fund's audit replays the portfolio motion."""

from __future__ import annotations

from pathlib import Path

from django.test import Client
from typer.testing import CliRunner

from amanah.cli.main import app
from amanah.funds.models import Allocation, MoveStatus
from amanah.governance.models import MotionStatus
from amanah.monitoring.models import Milestone, MilestoneStatus
from amanah.rounds.demo import ROUND
from amanah.rounds.models import RoundPortfolio, RoundStatus
from conftest import DemoLog


def test_the_demo_round_is_decided_with_a_named_deviation(
    demo_log: DemoLog, client: Client
) -> None:
    made = RoundPortfolio.objects.select_related("round", "motion").get()
    assert made.round.code == ROUND
    assert made.round.status == RoundStatus.ALLOCATED
    assert made.motion.status == MotionStatus.EXECUTED
    governorates = {e.proposal.governorate for e in made.round.entries.all()}
    assert governorates == {"PS0255", "PS0260", "PS0265", "PS0270", "PS0275"}
    [deviation] = made.deviations
    assert deviation["recommended"] is None
    assert deviation["decided"] == "500000.00"
    assert deviation["justification"]["en"]
    assert deviation["justification"]["ar"]
    allocations = Allocation.objects.filter(motion=made.motion)
    assert allocations.count() == len(made.result.selected) + 1
    assert set(allocations.values_list("status", flat=True)) == {MoveStatus.APPROVED}

    page = client.get(f"/rounds/{ROUND}/").content.decode()
    assert deviation["justification"]["en"].replace("'", "&#x27;") in page
    arabic = client.get(f"/ar/rounds/{ROUND}/").content.decode()
    assert 'dir="rtl"' in arabic
    assert deviation["justification"]["ar"] in arabic


def test_a_funded_project_has_a_milestone_verified_and_paid(demo_log: DemoLog) -> None:
    paid = Milestone.objects.filter(
        project__proposal__isnull=False, status=MilestoneStatus.VERIFIED
    ).select_related("disbursement")
    assert paid.exists()
    assert all(m.disbursement and m.disbursement.status == MoveStatus.APPROVED for m in paid)
    # And the demo still has its failed verification.
    assert Milestone.objects.filter(status=MilestoneStatus.FAILED).exists()


def test_the_replay_agrees_with_the_demo_round(
    demo_log: DemoLog, client: Client, tmp_path: Path
) -> None:
    exported = tmp_path / "mirror"
    runner = CliRunner()
    assert runner.invoke(app, ["log", "export", str(exported)]).exit_code == 0
    common = ["--key", demo_log.key_text, "--state", str(tmp_path / "trust")]

    replayed = runner.invoke(app, ["allocation", "replay", ROUND, "--log", str(exported), *common])
    audited = runner.invoke(app, ["audit", str(exported), *common])

    assert replayed.exit_code == 0, replayed.output
    assert "agree" in replayed.output
    assert audited.exit_code == 0, audited.output
    assert "round.allocate" in audited.output


def test_a_funded_proposal_links_to_the_project_it_became(
    demo_log: DemoLog, client: Client
) -> None:
    from amanah.projects.models import Project

    project = Project.objects.filter(proposal__isnull=False).order_by("code").first()
    link = f'href="/monitoring/projects/{project.code}/"'

    assert link in client.get(f"/rounds/{ROUND}/").content.decode()
    assert link in client.get(f"/proposals/{project.proposal_id}/").content.decode()
