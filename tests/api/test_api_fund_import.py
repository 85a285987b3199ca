"""POST /api/v1/fund/contributions/import: a bank statement's contributions, all or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from fund_api_support import post
from fund_factories import Fund, build_fund
from governance_factories import make_user

from amanah.funds.models import Contribution
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

STATEMENT = """donor,amount,currency,date,bank_reference,sector
XM-DAC-QA-1,364.00,QAR,2026-01-07,QNB-1,housing
XM-DAC-PK-1,100,USD,2026-01-07,HBL-1,
"""


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def test_the_secretariat_imports_a_statement_once(client: Client, fund: Fund) -> None:
    response = post(client, "/contributions/import", {"csv": STATEMENT}, fund.secretariat)

    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["recorded"], answer["already_recorded"]) == (2, 0)
    assert {str(c.id) for c in Contribution.objects.all()} == set(answer["contributions"])

    again = post(client, "/contributions/import", {"csv": STATEMENT}, fund.secretariat).json()
    assert (again["recorded"], again["already_recorded"], again["contributions"]) == (0, 2, [])


def test_each_wrong_row_is_named_and_nothing_is_recorded(client: Client, fund: Fund) -> None:
    text = STATEMENT + "XM-DAC-PK-1,12.345,USD,2026-01-07,HBL-2,\nXM-NOBODY,1,USD,2026-01-07,X,\n"
    before = LogEntry.objects.count()

    response = post(client, "/contributions/import", {"csv": text}, fund.secretariat)

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "validation_failed"
    assert error["fields"] == {
        "line 4: amount": "USD amounts have at most 2 decimal places.",
        "line 5: donor": "Name the organisation by a registered IATI identifier.",
    }
    assert LogEntry.objects.count() == before
    assert not Contribution.objects.exists()


def test_a_file_without_the_columns_is_refused(client: Client, fund: Fund) -> None:
    response = post(client, "/contributions/import", {"csv": "a,b\n1,2\n"}, fund.secretariat)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {
        f"line 1: {column}" for column in ("donor", "amount", "currency", "date", "bank_reference")
    }


@pytest.mark.parametrize("role", ["board_member", "monitor", "auditor"])
def test_only_the_secretariat_imports(client: Client, fund: Fund, role: str) -> None:
    response = post(client, "/contributions/import", {"csv": STATEMENT}, make_user("x", role))
    assert response.status_code == 403
    assert post(client, "/contributions/import", {"csv": STATEMENT}, None).status_code == 401
    assert not Contribution.objects.exists()
