"""/fund/import/: the secretariat uploads a bank statement; all rows are recorded or none,
and every wrong row is listed, in English and Arabic."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

sys.path.insert(0, str(Path(__file__).parent))
from fund_pages import FundPages, build_fund_pages, partner_staff
from governance_factories import make_user

from amanah.accounts.models import Role
from amanah.funds.models import Contribution

pytestmark = pytest.mark.django_db

STATEMENT = b"""donor,amount,currency,date,bank_reference
XM-DAC-QA-1,364.00,QAR,2026-01-07,QNB-IMPORT-1
XM-DAC-PK-1,100,USD,2026-01-07,HBL-IMPORT-1
"""


@pytest.fixture
def pages(var_dir: Path) -> FundPages:
    return build_fund_pages()


def _upload(client: Client, content: bytes, prefix: str = "") -> object:
    upload = SimpleUploadedFile("statement.csv", content, content_type="text/csv")
    return client.post(f"{prefix}/fund/import/", {"statement": upload}, follow=True)


def test_the_secretariat_imports_a_statement(client: Client, pages: FundPages) -> None:
    client.force_login(pages.fund.secretariat)
    before = Contribution.objects.count()

    response = _upload(client, STATEMENT)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert Contribution.objects.count() == before + 2
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Contributions recorded: 2. Rows recorded before, skipped: 0." in html
    again = _upload(client, STATEMENT)
    html = again.content.decode()  # type: ignore[attr-defined]
    assert "Contributions recorded: 0. Rows recorded before, skipped: 2." in html


def test_wrong_rows_are_listed_and_nothing_is_recorded(client: Client, pages: FundPages) -> None:
    client.force_login(pages.fund.secretariat)
    before = Contribution.objects.count()

    response = _upload(client, STATEMENT + b"XM-NOBODY,1,USD,2026-01-07,X\n", prefix="/ar")

    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'dir="rtl"' in html
    assert "<td>4</td>" in html
    assert Contribution.objects.count() == before


def test_a_file_that_is_not_utf8_is_refused(client: Client, pages: FundPages) -> None:
    client.force_login(pages.fund.secretariat)
    response = _upload(client, "donor\n\xe9".encode("latin-1"))
    assert "Save the file as UTF-8 text" in response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.MONITOR, Role.PARTNER_STAFF])
def test_other_roles_may_not_import(client: Client, pages: FundPages, role: Role) -> None:
    user = (
        partner_staff("partner-2")
        if role == Role.PARTNER_STAFF
        else make_user(f"someone-{role}", role)
    )
    client.force_login(user)
    assert client.get("/fund/import/").status_code == 403
