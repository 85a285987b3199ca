"""A round run through the services: the fund's test board and money, three submitted
proposals, two reviewers. (Named for its app: test directories are not packages.)"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("projects", "governance", "funds", "api"):
    if str(_TESTS / _directory) not in sys.path:
        sys.path.insert(0, str(_TESTS / _directory))

from proposal_factories import Fund, build_fund, draft_input, ready  # noqa: E402

from amanah.accounts.models import Role, User  # noqa: E402
from amanah.funds.services import contribution_record  # noqa: E402
from amanah.projects.models import Proposal  # noqa: E402
from amanah.projects.services import proposal_save_draft, proposal_submit  # noqa: E402
from amanah.rounds import services  # noqa: E402
from amanah.rounds.models import Round  # noqa: E402

CODE = "R-2026-01"
CRITERIA = [
    {"code": "need", "name_en": "Severity of need", "name_ar": "شدة الحاجة", "weight": "0.5"},
    {"code": "readiness", "name_en": "Readiness", "name_ar": "الجاهزية", "weight": "0.3"},
    {"code": "value", "name_en": "Cost per beneficiary", "name_ar": "الكلفة", "weight": "0.2"},
]


DAC = {"housing": ["16040"], "education": ["72012"], "health": ["72011"]}


@dataclass
class Setup:
    fund: Fund
    staff: User  # partner staff of the lead
    monitor: User
    proposals: dict[str, Proposal]


def _proposal(staff: User, sector: str, governorate: str, amount: str) -> Proposal:
    draft = proposal_save_draft(
        **draft_input(
            sector=sector,
            governorate=governorate,
            dac_codes=DAC[sector],
            latitude=None,
            longitude=None,
            budget_lines=[{"description": "Works", "amount": amount}],
        ),
        actor=staff,
    )
    return proposal_submit(proposal=draft.id, actor=staff)


def build_setup() -> Setup:
    fund = build_fund()
    staff = ready(fund)
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="1500000", currency="USD", on="2026-01-06", actor=s
    )
    contribution_record(
        donor=fund.donor("QA"),
        amount="1000000",
        currency="USD",
        on="2026-01-06",
        sector="housing",
        governorate="PS0270",
        actor=s,
    )
    proposals = {
        "housing": _proposal(staff, "housing", "PS0270", "1200000"),
        "school": _proposal(staff, "education", "PS0260", "800000"),
        "clinic": _proposal(staff, "health", "PS0260", "600000"),
    }
    monitor = User.objects.create_user(username="monitor-1", role=Role.MONITOR)
    return Setup(fund, staff, monitor, proposals)


def create_round(setup: Setup, **overrides: Any) -> Round:
    arguments: dict[str, Any] = {
        "code": CODE,
        "title_en": "First round",
        "title_ar": "الجولة الأولى",
        "criteria": CRITERIA,
        "pools": [
            {"sector": "", "governorate": "", "amount_cents": 150_000_000},
            {"sector": "housing", "governorate": "PS0270", "amount_cents": 100_000_000},
        ],
        "max_share_by_sector": {"housing": "0.6"},
        "min_share_by_governorate": {"PS0260": "0.2"},
        "max_per_partner_cents": None,
        **overrides,
    }
    return services.round_create(**arguments, actor=setup.fund.secretariat)


SCORES = {  # proposal -> criterion -> (secretariat's, monitor's)
    "housing": {"need": ("5", "4"), "readiness": ("3", "3.5"), "value": ("2", "2.25")},
    "school": {"need": ("4", "4"), "readiness": ("4.5", "4"), "value": ("3", "3")},
    "clinic": {"need": ("3.33", "4"), "readiness": ("4", "4"), "value": ("4", "5")},
}


def run_round(setup: Setup) -> Round:
    """Create, open, add the three proposals, both reviewers score everything."""
    row = create_round(setup)
    secretariat = setup.fund.secretariat
    services.round_open(round=CODE, actor=secretariat)
    for proposal in setup.proposals.values():
        services.round_add_proposal(round=CODE, proposal=str(proposal.pk), actor=secretariat)
    for name, criteria in SCORES.items():
        for code, (mine, theirs) in criteria.items():
            pid = str(setup.proposals[name].pk)
            services.score_record(
                round=CODE, proposal=pid, criterion=code, score=mine, actor=secretariat
            )
            services.score_record(
                round=CODE, proposal=pid, criterion=code, score=theirs, actor=setup.monitor
            )
    row.refresh_from_db()
    return row
