"""A fund for the API tests: `build_fund` (tests/funds/fund_factories.py), money received,
and an allocation the board approved with a tranche disbursed, all through the services.
(Named for its directory: test directories are not packages.)
"""

from __future__ import annotations

import base64
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.test import Client

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("governance", "funds"):
    if str(_TESTS / _directory) not in sys.path:
        sys.path.insert(0, str(_TESTS / _directory))

from api_support import send  # noqa: E402
from fund_factories import Fund  # noqa: E402

from amanah.accounts.models import User  # noqa: E402
from amanah.funds import services  # noqa: E402
from amanah.funds.models import Allocation, Pledge  # noqa: E402

FUND = "/api/v1/fund"
# The seats that pass a fund motion under the test policy (none of them recused).
DECIDING_SEATS = ("tr", "eg", "ps-1")


@dataclass
class Funded:
    fund: Fund
    allocation: Allocation  # approved, 3000 USD of it disbursed
    pledge: Pledge


def funded(fund: Fund) -> Funded:
    s = fund.secretariat
    pledge = services.pledge_record(
        donor=fund.donor("PK"), amount="9000", currency="USD", on="2026-01-06", actor=s
    )
    services.contribution_record(
        donor=fund.donor("PK"), amount="8000", currency="USD", on="2026-01-06", actor=s
    )
    allocation = services.allocation_prepare(
        project="GZ-HOU-0001", amount="5000", currency="USD", actor=s
    )
    fund.pass_motion(allocation.motion)
    disbursement = services.disbursement_prepare(allocation=allocation.id, amount="3000", actor=s)
    fund.pass_motion(disbursement.motion)
    allocation.refresh_from_db()
    return Funded(fund, allocation, pledge)


def sign_over_api(client: Client, fund: Fund, motion_id: str) -> list[str]:
    """The deciding seats sign the motion with POST /api/v1/motions/{id}/signatures, each
    over the bytes the API serves; the statuses after each signature."""
    statuses = []
    for seat in DECIDING_SEATS:
        shown = client.get(f"/api/v1/motions/{motion_id}").json()
        payload = base64.b64decode(shown["payload_base64"])
        signature = fund.board.private_keys[seat].sign(payload)
        body = {
            "key_id": fund.board.key_id(seat),
            "signature_base64": base64.b64encode(signature).decode(),
        }
        response = send(
            client,
            "post",
            f"/api/v1/motions/{motion_id}/signatures",
            body,
            fund.board.members[seat],
        )
        assert response.status_code == 201, response.content
        statuses.append(response.json()["status"])
    return statuses


def post(client: Client, path: str, body: dict[str, Any], user: User | None) -> HttpResponse:
    return send(client, "post", f"{FUND}{path}", body, user)
