"""A round's portfolio goes to the board as one `round.allocate` motion: exactly the
optimiser's recommendation, or one whose every deviation is named and justified. Executing
it approves every allocation; withdrawing it releases their money. The risk policy caps
each project and shapes its tranches."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from round_services_support import CODE, Setup, build_setup, run_round

from amanah.funds import services as funds
from amanah.funds.models import Allocation, MoveStatus
from amanah.funds.money import USD, Money
from amanah.funds.selectors import fund_pools
from amanah.governance.models import MotionStatus
from amanah.governance.services import motion_withdraw
from amanah.ledger.models import LogEntry
from amanah.projects.models import Project
from amanah.rounds import portfolio, services
from amanah.rounds.models import RoundPortfolio, RoundStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(var_dir: Path) -> Setup:
    setup = build_setup()
    run_round(setup)
    services.round_optimise(round=CODE, actor=setup.fund.secretariat)
    return setup


def _replay_violations() -> list[str]:
    from fund_factories import replay_log

    return [f"{v.code}: {v.message}" for v in replay_log().violations]


def _selected(setup: Setup) -> list[str]:
    return sorted(setup_round(setup).results.first().selected)


def setup_round(setup: Setup):
    from amanah.rounds.models import Round

    return Round.objects.get(code=CODE)


def _name(setup: Setup, pid: str) -> str:
    return next(name for name, p in setup.proposals.items() if str(p.pk) == pid)


def test_the_recommendation_goes_to_the_board_and_executes(setup: Setup) -> None:
    chosen = _selected(setup)
    assert chosen, "the test round selects something"

    made = portfolio.portfolio_propose(round=CODE, actor=setup.fund.secretariat)

    effect = made.motion.effect
    assert effect["round"] == CODE
    assert effect["deviations"] == []
    assert sorted(item["proposal"] for item in effect["allocations"]) == chosen
    result = setup_round(setup).results.first()
    assert effect["result"] == result.log_index
    rows = Allocation.objects.filter(motion=made.motion)
    assert rows.count() == len(chosen)
    assert {str(a.project.proposal_id) for a in rows} == set(chosen)
    for allocation in rows:
        assert allocation.status == MoveStatus.RESERVED
        draws = {d.earmark.key: d.amount_minor for d in allocation.draws.all()}
        # The optimiser's own draws, to the cent.
        assert draws == result.draws[str(allocation.project.proposal_id)]
    # Every lead is recused; a project was registered (and logged) per proposal.
    assert set(made.motion.beneficiaries) == {
        p.lead.iati_identifier for p in Project.objects.filter(proposal__isnull=False)
    }
    assert LogEntry.objects.filter(kind="project.registered").count() >= len(chosen) + 2

    setup.fund.pass_motion(made.motion)

    assert set(rows.values_list("status", flat=True)) == {MoveStatus.APPROVED}
    assert setup_round(setup).status == RoundStatus.ALLOCATED
    assert _replay_violations() == []


def test_deviations_are_named_and_shown_beside_the_recommendation(setup: Setup) -> None:
    chosen = _selected(setup)
    dropped = chosen[0]
    added = next(str(p.pk) for p in setup.proposals.values() if str(p.pk) not in chosen)
    deviations = [
        {"proposal": dropped, "amount": "0", "justification": {"en": "Funded by another donor."}},
        {
            "proposal": added,
            "amount": "500000.00",
            "justification": {"ar": "أولوية عاجلة بعد الفيضانات."},
        },
    ]

    made = portfolio.portfolio_propose(
        round=CODE, deviations=deviations, actor=setup.fund.secretariat
    )

    logged = {d["proposal"]: d for d in made.motion.effect["deviations"]}
    assert logged[dropped]["decided"] is None
    assert logged[dropped]["recommended"] is not None
    assert logged[dropped]["justification"] == {"en": "Funded by another donor.", "ar": ""}
    assert logged[added] == {
        "proposal": added,
        "recommended": None,
        "decided": "500000.00",
        "justification": {"en": "", "ar": "أولوية عاجلة بعد الفيضانات."},
    }
    funded = {
        item["proposal"]: item["amount"]["amount"] for item in made.motion.effect["allocations"]
    }
    assert dropped not in funded
    assert funded[added] == "500000.00"
    assert "deviation" in made.motion.title_en
    # The public round page shows both columns and the reason.
    from django.test import Client

    page = Client().get(f"/rounds/{CODE}/").content.decode()
    assert "Funded by another donor." in page
    assert "أولوية عاجلة بعد الفيضانات." in page

    setup.fund.pass_motion(made.motion)
    assert _replay_violations() == []


@pytest.mark.parametrize(
    ("deviation", "field"),
    [
        ({"amount": "0", "justification": {"en": ""}}, "deviations.0.justification"),
        (
            {"proposal": "not-a-proposal", "amount": "1", "justification": {"en": "x"}},
            "deviations.0.proposal",
        ),
        ({"amount": "99999999", "justification": {"en": "x"}}, "deviations.0.amount"),
        ({"amount": "12.345", "justification": {"en": "x"}}, "deviations.0.amount"),
        ({"amount": "-5", "justification": {"en": "x"}}, "deviations.0.amount"),
        ({"amount": 1.5, "justification": {"en": "x"}}, "deviations.0.amount"),
    ],
)
def test_a_deviation_must_be_whole_and_justified(setup: Setup, deviation: dict, field: str) -> None:
    item = {"proposal": _selected(setup)[0], **deviation}
    before = LogEntry.objects.count()

    with pytest.raises(ValidationError) as caught:
        portfolio.portfolio_propose(round=CODE, deviations=[item], actor=setup.fund.secretariat)

    assert field in caught.value.message_dict
    assert LogEntry.objects.count() == before
    assert not RoundPortfolio.objects.exists()
    assert not Project.objects.filter(proposal__isnull=False).exists()


def test_restating_the_recommendation_is_not_a_deviation(setup: Setup) -> None:
    pid = _selected(setup)[0]
    cost = sum(setup_round(setup).results.first().draws[pid].values())
    same = Money.from_minor(cost, USD).to_json()["amount"]

    with pytest.raises(ValidationError) as caught:
        portfolio.portfolio_propose(
            round=CODE,
            deviations=[{"proposal": pid, "amount": same, "justification": {"en": "x"}}],
            actor=setup.fund.secretariat,
        )

    assert "not a deviation" in str(caught.value.message_dict["deviations.0.amount"])


def test_one_portfolio_before_the_board_at_a_time_and_withdrawal_releases(setup: Setup) -> None:
    def available() -> dict[str, str]:
        return {row.earmark.key: str(row.available) for row in fund_pools()}

    before = available()
    first = portfolio.portfolio_propose(round=CODE, actor=setup.fund.secretariat)
    assert available() != before

    with pytest.raises(ValidationError) as caught:
        portfolio.portfolio_propose(round=CODE, actor=setup.fund.secretariat)
    assert caught.value.message_dict["round"]

    motion_withdraw(motion=first.motion, reason="Re-cast", actor=setup.fund.secretariat)

    first.motion.refresh_from_db()
    assert first.motion.status == MotionStatus.WITHDRAWN
    assert available() == before
    projects = set(Project.objects.filter(proposal__isnull=False).values_list("pk", flat=True))
    second = portfolio.portfolio_propose(round=CODE, actor=setup.fund.secretariat)
    # The same projects again, not new ones.
    assert (
        set(Allocation.objects.filter(motion=second.motion).values_list("project", flat=True))
        == projects
    )
    assert _replay_violations() == []


def test_only_the_secretariat_and_only_an_optimised_round(setup: Setup) -> None:
    from amanah.accounts.roles import RoleRequired

    with pytest.raises(RoleRequired):
        portfolio.portfolio_propose(round=CODE, actor=setup.staff)
    with pytest.raises(ValidationError) as caught:
        portfolio.portfolio_propose(round="no-such-round", actor=setup.fund.secretariat)
    assert "round" in caught.value.message_dict


def test_the_risk_policy_caps_a_project(setup: Setup) -> None:
    from proposal_factories import LEAD

    from amanah.projects.services import partner_assess

    partner_assess(
        organisation=LEAD,
        risk_level="high",  # USD 500,000 at most
        assessed_on="2026-01-20",
        summary="Reassessed.",
        details="",
        actor=setup.fund.secretariat,
    )

    with pytest.raises(ValidationError) as caught:
        portfolio.portfolio_propose(round=CODE, actor=setup.fund.secretariat)

    [field] = [f for f in caught.value.message_dict if f.startswith("proposal.")]
    assert "500000.00 USD" in caught.value.message_dict[field][0]
    assert not RoundPortfolio.objects.exists()


def test_the_risk_policy_shapes_the_tranches(setup: Setup) -> None:
    """Medium risk in the test policy: at most 3 tranches, the first at most 40%."""
    made = portfolio.portfolio_propose(round=CODE, actor=setup.fund.secretariat)
    setup.fund.pass_motion(made.motion)
    allocation = Allocation.objects.filter(motion=made.motion).order_by("amount_minor").first()
    amount = allocation.amount
    forty = Money.from_minor(allocation.amount_minor * 40 // 100, USD)
    s = setup.fund.secretariat

    with pytest.raises(ValidationError) as caught:
        funds.disbursement_prepare(
            allocation=allocation.id, amount=str((forty + Money.from_minor(1, USD)).amount), actor=s
        )
    assert "40%" in caught.value.message_dict["amount"][0]

    tenth = Money.from_minor(allocation.amount_minor // 10, USD)
    for _ in range(2):
        funds.disbursement_prepare(allocation=allocation.id, amount=str(tenth.amount), actor=s)
    funds.disbursement_prepare(allocation=allocation.id, amount=str(tenth.amount), actor=s)
    with pytest.raises(ValidationError) as caught:
        funds.disbursement_prepare(allocation=allocation.id, amount=str(tenth.amount), actor=s)
    assert "at most 3 tranches" in caught.value.message_dict["amount"][0]
    assert amount.currency == USD


def test_the_secretariat_puts_the_portfolio_to_the_board_through_the_page(setup: Setup) -> None:
    from django.test import Client

    client = Client()
    client.force_login(setup.fund.secretariat)
    url = f"/rounds/{CODE}/manage/portfolio/"
    page = client.get(url)
    assert page.status_code == 200
    chosen = _selected(setup)
    form = {}
    for proposal in setup.proposals.values():
        pid = str(proposal.pk)
        field = f'name="amount-{pid}" value="'
        html = page.content.decode()
        form[f"amount-{pid}"] = html.split(field, 1)[1].split('"', 1)[0]
    dropped = chosen[0]
    form[f"amount-{dropped}"] = "0"

    refused = client.post(url, form)

    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.content.decode()
    assert not RoundPortfolio.objects.exists()

    form[f"why-en-{dropped}"] = "Another donor funds it."
    done = client.post(url, form)

    made = RoundPortfolio.objects.get()
    assert done.status_code == 302
    assert done["Location"].endswith(f"/motions/{made.motion_id}/")
    assert [d["proposal"] for d in made.deviations] == [dropped]
    public = client.get(f"/rounds/{CODE}/").content.decode()
    assert "Another donor funds it." in public
    assert client.get(f"/ar/rounds/{CODE}/manage/portfolio/").status_code == 200


def test_the_api_puts_the_portfolio_to_the_board(setup: Setup) -> None:
    from django.test import Client

    from amanah.accounts.services import api_token_create

    _token, plaintext = api_token_create(user=setup.fund.secretariat, name="test")
    client = Client(headers={"Authorization": f"Bearer {plaintext}"})
    chosen = _selected(setup)
    body = {
        "deviations": [
            {"proposal": chosen[0], "amount": "0", "justification": {"en": "Funded elsewhere."}}
        ]
    }
    response = client.post(
        f"/api/v1/rounds/{CODE}/portfolio", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["portfolio"]["deviations"][0]["proposal"] == chosen[0]
    assert data["portfolio"]["status"] == "open"
    assert (
        client.get(f"/api/v1/rounds/{CODE}").json()["portfolios"][0]["motion"]
        == (data["portfolio"]["motion"])
    )
