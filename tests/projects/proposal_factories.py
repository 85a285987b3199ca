"""Proposals for the projects tests: the fund's test board and Palestinian lead
(tests/funds/fund_factories.py), a risk policy, an assessment, a complete draft.
(Named for its app: test directories are not packages.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("governance", "funds", "api"):
    if str(_TESTS / _directory) not in sys.path:
        sys.path.insert(0, str(_TESTS / _directory))

from fund_factories import LEAD, Fund, build_fund, partner_staff  # noqa: E402

from amanah.accounts.models import User  # noqa: E402
from amanah.projects.models import Proposal  # noqa: E402
from amanah.projects.services import (  # noqa: E402
    partner_assess,
    proposal_save_draft,
    risk_policy_set,
)

__all__ = ["LEAD", "POLICY", "Fund", "build_fund", "draft_input", "partner_staff", "ready"]


def level(tranches: int, first: int, visits: int, usd: str) -> dict[str, Any]:
    return {
        "tranches": tranches,
        "max_first_tranche_percent": first,
        "monitoring_visits": visits,
        "spot_check_required": tranches > 2,
        "audit_required": tranches > 3,
        "max_project_usd": usd,
    }


POLICY = {
    "low": level(2, 60, 1, "5000000.00"),
    "medium": level(3, 40, 2, "2000000.00"),
    "high": level(4, 25, 4, "500000.00"),
}


def draft_input(**overrides: Any) -> dict[str, Any]:
    """A complete proposal: housing in Khan Younis, USD 1,200,000, two milestones."""
    return {
        "title_en": "Rebuild 40 flats",
        "title_ar": "إعادة بناء 40 شقة",
        "description_en": "Two housing blocks.",
        "description_ar": "عمارتان سكنيتان.",
        "sector": "housing",
        "dac_codes": ["16040", "73010"],
        "governorate": "PS0270",
        "municipality": "Khan Younis",
        "latitude": "31.3462",
        "longitude": "34.3063",
        "beneficiaries_total": 240,
        "beneficiaries_women": 120,
        "beneficiaries_children": 100,
        "starts_on": "2026-03-01",
        "ends_on": "2027-03-01",
        "co_implementers": [],
        "budget_lines": [
            {"description": "Structure", "amount": "800000.00"},
            {"description": "Finishing", "amount": "400000"},
        ],
        "milestones": [
            {"title": "Frame", "due_on": "2026-08-01", "budget_percent": "40"},
            {"title": "Hand-over", "due_on": "2027-02-01", "budget_percent": "60"},
        ],
        **overrides,
    }


def ready(fund: Fund, level_name: str = "medium") -> User:
    """The risk policy set, the lead assessed; returns a partner staff member of the lead."""
    risk_policy_set(policy=POLICY, actor=fund.secretariat)
    partner_assess(
        organisation=LEAD,
        risk_level=level_name,
        assessed_on="2026-01-10",
        summary="Sound controls.",
        details="Private notes about the finance officer.",
        actor=fund.secretariat,
    )
    return partner_staff()


def draft(staff: User, **overrides: Any) -> Proposal:
    return proposal_save_draft(**draft_input(**overrides), actor=staff)
