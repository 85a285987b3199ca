"""A fund with one of everything, for the fund's page tests: rates, a pledge met by a
commitment and paid in part, a reversed contribution, an allocation approved by the board
with a tranche disbursed, expenditure and a refund, and an allocation still awaiting the
board. The private details (bank reference, bank account, reporter) are known words the
tests look for. (Named for its use: test directories are not packages.)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "funds"))

from fund_factories import LEAD, Fund, build_fund, partner_staff

__all__ = ["LEAD", "PRIVATE", "FundPages", "build_fund", "build_fund_pages", "partner_staff"]

from amanah.funds import services
from amanah.funds.models import Allocation, Contribution

BANK_REFERENCE = "QNB-TRX-SECRET-99812"
BANK_ACCOUNT = "PS92PALS-SECRET-0000"
REPORTER = "Eng. Secret Reporter"
PRIVATE = (BANK_REFERENCE, BANK_ACCOUNT, REPORTER)


@dataclass
class FundPages:
    fund: Fund
    approved: Allocation
    awaiting: Allocation
    reversed_contribution: Contribution


def build_fund_pages() -> FundPages:
    fund = build_fund()
    s = fund.secretariat
    qatar = fund.donor("QA")
    pledge = services.pledge_record(
        donor=qatar,
        amount="3640000",
        currency="QAR",
        on="2026-01-06",
        description="Housing pledge",
        actor=s,
    )
    commitment = services.commitment_record(
        donor=qatar,
        amount="3640000",
        currency="QAR",
        on="2026-01-07",
        pledge=pledge.id,
        actor=s,
    )
    services.contribution_record(
        donor=qatar,
        amount="1820000",
        currency="QAR",
        on="2026-01-08",
        commitment=commitment.id,
        bank_reference=BANK_REFERENCE,
        actor=s,
    )
    services.contribution_record(
        donor=fund.donor("PK"),
        amount="100000",
        currency="USD",
        on="2026-02-02",
        sector="housing",
        governorate="PS0270",
        actor=s,
    )
    mistaken = services.contribution_record(
        donor=fund.donor("PK"), amount="50", currency="USD", on="2026-02-03", actor=s
    )
    services.reversal_record(kind="contribution", fact=mistaken.id, reason="Entered twice", actor=s)
    approved = services.allocation_prepare(
        project="GZ-HOU-0001", amount="60000", currency="USD", actor=s
    )
    fund.pass_motion(approved.motion)
    disbursement = services.disbursement_prepare(
        allocation=approved.id, amount="20000", bank_account=BANK_ACCOUNT, actor=s
    )
    fund.pass_motion(disbursement.motion)
    services.expenditure_report(
        allocation=approved.id,
        amount="15000.50",
        on="2026-02-10",
        description="Cement",
        reported_by=REPORTER,
        actor=partner_staff(),
    )
    services.refund_record(allocation=approved.id, amount="1000", on="2026-02-11", actor=s)
    awaiting = services.allocation_prepare(
        project="GZ-HOU-0001", amount="10000", currency="USD", actor=s
    )
    approved.refresh_from_db()
    return FundPages(fund, approved, awaiting, mistaken)
