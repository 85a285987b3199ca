"""Money from pledge to spent through the services, with the board deciding; the books
balance at every step, and the figures served equal the figures replayed from the log."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))

from fund_factories import Fund, build_fund, partner_staff, replay_log

from amanah.funds import chart
from amanah.funds.models import AccountBalance, Allocation, MoveStatus
from amanah.funds.selectors import fund_figures
from amanah.funds.services import (
    allocation_prepare,
    balance_of,
    commitment_record,
    contribution_record,
    conversion_record,
    disbursement_prepare,
    expenditure_report,
    pledge_record,
    refund_record,
    reversal_record,
)
from amanah.governance.services import motion_withdraw
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def _trial_balance_is_zero() -> None:
    totals: dict[str, int] = {}
    for row in AccountBalance.objects.all():
        totals[row.currency] = totals.get(row.currency, 0) + row.balance_minor
    assert set(totals.values()) <= {0}, totals


def _audit_agrees() -> None:
    book = replay_log()
    assert book.violations == []
    assert fund_figures() == book.figures()


def test_from_pledge_to_spent(fund: Fund) -> None:
    s = fund.secretariat
    pledge = pledge_record(
        donor=fund.donor("QA"), amount="3640000", currency="QAR", on="2026-01-06", actor=s
    )
    commitment = commitment_record(
        donor=fund.donor("QA"),
        amount="3640000",
        currency="QAR",
        on="2026-01-07",
        pledge=pledge.id,
        actor=s,
    )
    contribution_record(
        donor=fund.donor("QA"),
        amount="1820000.00",
        currency="QAR",
        on="2026-01-08",
        commitment=commitment.id,
        bank_reference="QNB TRX 99812",
        actor=s,
    )
    # 1,820,000 QAR at 3.64 per USD is exactly 500,000 USD.
    assert balance_of("fund:available:any.any", "QAR").amount == -1820000
    conversion_record(
        sold_amount="1820000",
        sold_currency="QAR",
        bought_amount="499900.00",
        bought_currency="USD",
        on="2026-01-09",
        actor=s,
    )
    allocation = allocation_prepare(project="GZ-HOU-0001", amount="300000", currency="USD", actor=s)
    assert allocation.status == MoveStatus.RESERVED
    assert balance_of("fund:reserved:any.any", "USD").amount == -300000
    fund.pass_motion(allocation.motion)
    allocation.refresh_from_db()
    assert allocation.status == MoveStatus.APPROVED

    disbursement = disbursement_prepare(
        allocation=allocation.id, amount="120000", bank_account="PS92 PALS 0000", actor=s
    )
    fund.pass_motion(disbursement.motion)
    assert (
        balance_of(chart.allocation_account(str(allocation.id), "advance"), "USD").amount == 120000
    )

    expenditure_report(
        allocation=allocation.id,
        amount="90000.50",
        on="2026-01-20",
        description="Cement and labour",
        reported_by="Eng. Example Name",
        actor=partner_staff(),
    )
    refund_record(allocation=allocation.id, amount="10000", on="2026-01-25", actor=s)

    _trial_balance_is_zero()
    _audit_agrees()
    totals = fund_figures()["totals"]
    assert totals == {
        "pledged": "1000000.00",
        "committed": "1000000.00",
        "paid": "500000.00",
        "allocated": "300000.00",
        "disbursed": "120000.00",
        "refunded": "10000.00",
        "spent": "90000.50",
    }
    # Private detail reached the database, never the log.
    logged = b"".join(bytes(e.entry) for e in LogEntry.objects.all())
    for secret in (b"QNB TRX 99812", b"PS92 PALS", b"Eng. Example Name"):
        assert secret not in logged


def test_allocation_takes_the_most_specific_money_first(fund: Fund) -> None:
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="100000", currency="USD", on="2026-01-06", actor=s
    )
    contribution_record(
        donor=fund.donor("QA"),
        amount="30000",
        currency="USD",
        on="2026-01-06",
        sector="housing",
        governorate="PS0270",
        actor=s,
    )
    contribution_record(
        donor=fund.donor("JO"),
        amount="20000",
        currency="USD",
        on="2026-01-06",
        sector="housing",
        actor=s,
    )
    allocation = allocation_prepare(project="GZ-HOU-0001", amount="60000", currency="USD", actor=s)
    draws = sorted((d.earmark.key, d.amount_minor) for d in allocation.draws.all())
    assert draws == [("any.any", 1000000), ("housing.PS0270", 3000000), ("housing.any", 2000000)]
    # Qatar and Jordan earmarked the money used: their seats are recused; Pakistan's
    # flexible money recuses no one.
    assert allocation.motion.earmarked_by == ["JO", "QA"]
    assert allocation.motion.beneficiaries == [fund.housing.lead.iati_identifier]

    # Housing money cannot go to a school.
    with pytest.raises(ValidationError) as error:
        allocation_prepare(project="GZ-EDU-0001", amount="90000.01", currency="USD", actor=s)
    assert "amount" in error.value.message_dict
    _audit_agrees()


def test_withdrawing_the_motion_releases_the_money(fund: Fund) -> None:
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="5000", currency="USD", on="2026-01-06", actor=s
    )
    allocation = allocation_prepare(project="GZ-EDU-0001", amount="5000", currency="USD", actor=s)
    assert balance_of("fund:available:any.any", "USD").is_zero()
    with pytest.raises(ValidationError, match="available"):
        allocation_prepare(project="GZ-EDU-0001", amount="1", currency="USD", actor=s)

    motion_withdraw(motion=allocation.motion, reason="Wrong project", actor=s)

    assert Allocation.objects.get(pk=allocation.pk).status == MoveStatus.RELEASED
    assert balance_of("fund:available:any.any", "USD").amount == -5000
    _audit_agrees()


def test_a_disbursement_cannot_exceed_what_the_allocation_has_left(fund: Fund) -> None:
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="5000", currency="USD", on="2026-01-06", actor=s
    )
    allocation = allocation_prepare(project="GZ-EDU-0001", amount="5000", currency="USD", actor=s)
    fund.pass_motion(allocation.motion)
    disbursement_prepare(allocation=allocation.id, amount="3000", actor=s)
    with pytest.raises(ValidationError) as error:
        disbursement_prepare(allocation=allocation.id, amount="2000.01", actor=s)
    assert error.value.message_dict["amount"] == [
        "The allocation has only 2000.00 USD left to disburse."
    ]
    disbursement_prepare(allocation=allocation.id, amount="2000", actor=s)
    _audit_agrees()


def test_a_reversal_takes_a_contribution_back_unless_it_was_used(fund: Fund) -> None:
    s = fund.secretariat
    used = contribution_record(
        donor=fund.donor("PK"), amount="5000", currency="USD", on="2026-01-06", actor=s
    )
    mistaken = contribution_record(
        donor=fund.donor("JO"), amount="700", currency="JOD", on="2026-01-06", actor=s
    )
    allocation_prepare(project="GZ-EDU-0001", amount="5000", currency="USD", actor=s)

    reversal_record(kind="contribution", fact=mistaken.id, reason="Entered twice", actor=s)
    assert balance_of("fund:available:any.any", "JOD").is_zero()
    with pytest.raises(ValidationError, match="Not enough money is available"):
        reversal_record(kind="contribution", fact=used.id, reason="Bounced", actor=s)
    with pytest.raises(ValidationError):
        reversal_record(kind="contribution", fact=mistaken.id, reason="again", actor=s)
    _trial_balance_is_zero()
    _audit_agrees()
    assert fund_figures()["totals"]["paid"] == "5000.00"


def test_usd_needs_a_rate_on_or_before_the_date(fund: Fund) -> None:
    with pytest.raises(ValidationError) as error:
        contribution_record(
            donor=fund.donor("PK"),
            amount="1000",
            currency="EGP",
            on="2026-01-06",
            actor=fund.secretariat,
        )
    assert "No EGP exchange rate" in error.value.message_dict["on"][0]


def test_figures_as_of_an_earlier_log_size(fund: Fund) -> None:
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="100", currency="USD", on="2026-01-06", actor=s
    )
    size = LogEntry.objects.count()
    late = contribution_record(
        donor=fund.donor("PK"), amount="50", currency="USD", on="2026-01-06", actor=s
    )
    reversal_record(kind="contribution", fact=late.id, reason="Test", actor=s)
    contribution_record(
        donor=fund.donor("PK"), amount="7", currency="USD", on="2026-01-06", actor=s
    )

    assert fund_figures(log_size=size)["totals"]["paid"] == "100.00"
    assert fund_figures(log_size=size + 1)["totals"]["paid"] == "150.00"
    assert fund_figures()["totals"]["paid"] == "107.00"


def test_a_contribution_pays_at_most_what_its_commitment_has_left(fund: Fund) -> None:
    s = fund.secretariat
    commitment = commitment_record(
        donor=fund.donor("PK"), amount="100", currency="USD", on="2026-01-06", actor=s
    )
    contribution_record(
        donor=fund.donor("PK"),
        amount="60",
        currency="USD",
        on="2026-01-06",
        commitment=commitment.id,
        actor=s,
    )
    with pytest.raises(ValidationError) as error:
        contribution_record(
            donor=fund.donor("PK"),
            amount="40.01",
            currency="USD",
            on="2026-01-06",
            commitment=commitment.id,
            actor=s,
        )
    assert error.value.message_dict["amount"] == [
        "The commitment has only 40.00 USD left to be paid."
    ]
    _audit_agrees()


def test_refunds_return_to_each_pool_at_most_what_was_drawn_from_it(fund: Fund) -> None:
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("QA"),
        amount="1000",
        currency="USD",
        on="2026-01-06",
        sector="housing",
        governorate="PS0270",
        actor=s,
    )
    contribution_record(
        donor=fund.donor("PK"), amount="1000", currency="USD", on="2026-01-06", actor=s
    )
    allocation = allocation_prepare(project="GZ-HOU-0001", amount="2000", currency="USD", actor=s)
    fund.pass_motion(allocation.motion)
    fund.pass_motion(disbursement_prepare(allocation=allocation.id, amount="2000", actor=s).motion)

    refund_record(allocation=allocation.id, amount="1500", on="2026-01-20", actor=s)
    refund_record(allocation=allocation.id, amount="500", on="2026-01-21", actor=s)

    # The flexible pool got back its 1000 first (last drawn, first returned), then the
    # earmarked pool its 1000: restricted money never becomes flexible.
    assert balance_of("fund:available:any.any", "USD").amount == -1000
    assert balance_of("fund:available:housing.PS0270", "USD").amount == -1000
    with pytest.raises(ValidationError):
        refund_record(allocation=allocation.id, amount="0.01", on="2026-01-22", actor=s)
    _audit_agrees()


def test_the_fund_shows_flexible_and_earmarked_money_apart(fund: Fund) -> None:
    from amanah.funds.selectors import fund_pools

    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="500", currency="USD", on="2026-01-06", actor=s
    )
    contribution_record(
        donor=fund.donor("QA"), amount="364", currency="QAR", on="2026-01-06",
        sector="housing", governorate="PS0270", actor=s,
    )  # fmt: skip
    allocation_prepare(project="GZ-EDU-0001", amount="200", currency="USD", actor=s)

    pools = [(p.earmark.key, str(p.available), str(p.reserved)) for p in fund_pools()]
    assert pools == [
        ("any.any", "300.00 USD", "200.00 USD"),
        ("housing.PS0270", "364.00 QAR", "0.00 QAR"),
    ]
