"""The fund's forms: the secretariat records facts and prepares motions, partner staff
report expenditure. Each form's success writes the fact and its log entry and redirects;
a service's error is shown at the field it names; other roles get 403."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).parent))
from fund_pages import LEAD, FundPages, build_fund_pages, partner_staff
from governance_factories import make_user

from amanah.accounts.models import Role
from amanah.funds.models import (
    Allocation,
    Commitment,
    Contribution,
    Conversion,
    Disbursement,
    Expenditure,
    FxRate,
    MoveStatus,
    Pledge,
    Refund,
    Reversal,
)
from amanah.ledger.models import LogEntry
from amanah.projects.models import Project

pytestmark = pytest.mark.django_db

QATAR, PAKISTAN = "XM-DAC-QA-1", "XM-DAC-PK-1"
FORMS = ("/fund/record/", "/fund/allocate/", "/fund/disburse/", "/projects/new/")


@pytest.fixture
def pages(var_dir: Path) -> FundPages:
    return build_fund_pages()


@pytest.fixture
def secretariat(client: Client, pages: FundPages) -> Client:
    client.force_login(pages.fund.secretariat)
    return client


def record(client: Client, name: str, **fields: Any) -> Any:
    data = {f"{name}-{key}": value for key, value in fields.items()}
    return client.post(f"/fund/record/{name}/", data)


def recorded(response: Any, fact: Any, kind: str, redirect: str = "/fund/record/") -> None:
    """The redirect, the log entry of `fact`, and the message linking it."""
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == redirect
    entry = LogEntry.objects.get(index=fact.log_index)
    assert entry.kind.endswith(kind), entry.kind


def field_errors(response: Any, field: str) -> str:
    """The HTML of the field's paragraph, where its errors are shown."""
    assert response.status_code == 400
    return response.content.decode().split(f'id="id_{field}"')[1].split("</p>")[0]


def test_others_may_not_use_the_forms(client: Client, pages: FundPages) -> None:
    for url in (*FORMS, "/fund/record/pledge/", "/fund/expenditure/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    users = [
        pages.fund.board.members["pk"],
        make_user("auditor-1", Role.AUDITOR),
        make_user("monitor-1", Role.MONITOR),
        partner_staff("partner-9"),
    ]
    for user in users:
        client.force_login(user)
        for url in (*FORMS, "/fund/record/pledge/"):
            assert client.get(url).status_code == 403, (user.role, url)
        assert record(client, "pledge", donor=QATAR, amount="1", currency="USD").status_code == 403
        assert client.post("/fund/allocate/", {"project": "GZ-HOU-0001"}).status_code == 403
    client.force_login(users[0])
    assert client.get("/fund/expenditure/").status_code == 403
    assert Pledge.objects.count() == 1


def test_the_hub_shows_every_form(secretariat: Client) -> None:
    html = secretariat.get("/fund/record/").content.decode()

    for name in ("fx-rate", "pledge", "commitment", "contribution", "conversion", "refund"):
        assert f'action="/fund/record/{name}/"' in html
    assert 'action="/fund/record/reversal/"' in html
    assert 'name="pledge-amount"' in html
    assert 'type="date"' in html
    bank = html.split('id="id_contribution-bank_reference"')[1].split("</p>")[0]
    assert "Private" in bank
    assert "never written to the transparency log" in bank
    assert "Housing and shelter" in html
    assert 'value="PS0270"' in html
    assert secretariat.get("/fund/record/nothing/").status_code == 404


def test_the_hub_speaks_arabic(secretariat: Client) -> None:
    html = secretariat.get("/ar/fund/record/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert 'action="/ar/fund/record/pledge/"' in html
    assert "الإسكان والمأوى" in html
    assert "خان يونس" in html
    for url in ("/ar/fund/allocate/", "/ar/fund/disburse/", "/ar/projects/new/"):
        assert '<html lang="ar" dir="rtl">' in secretariat.get(url).content.decode(), url


def test_an_exchange_rate(secretariat: Client) -> None:
    response = record(
        secretariat, "fx-rate", currency="egp", on="2026-01-05", units_per_usd="48.25", source="CBE"
    )

    rate = FxRate.objects.get(currency="EGP")
    recorded(response, rate, "fx_rate_recorded")
    assert rate.units_per_usd == "48.25"
    html = secretariat.get("/fund/record/").content.decode()
    assert f'Exchange rate recorded at <a href="/entries/{rate.log_index}/">' in html


def test_a_pledge(secretariat: Client) -> None:
    response = record(
        secretariat,
        "pledge",
        donor=PAKISTAN,
        amount="278500000",
        currency="PKR",
        on="2026-01-06",
        sector="health",
        governorate="",
        description="Hospitals",
    )

    pledge = Pledge.objects.get(donor__iati_identifier=PAKISTAN)
    recorded(response, pledge, "pledge_recorded")
    assert pledge.amount_minor == 27850000000
    assert pledge.usd_minor == 100000000  # 278,500,000 PKR at 278.50
    assert pledge.earmark_sector == "health"
    assert pledge.description == "Hospitals"


def test_a_commitment_meeting_a_pledge(secretariat: Client, pages: FundPages) -> None:
    pledge = Pledge.objects.get()
    html = secretariat.get("/fund/record/commitment/").content.decode()
    assert f'<option value="{pledge.id}">XM-DAC-QA-1 · 3,640,000.00 QAR · 2026-01-06' in html

    response = record(
        secretariat,
        "commitment",
        donor=QATAR,
        amount="364",
        currency="QAR",
        on="2026-01-09",
        pledge=str(pledge.id),
        agreement_reference="AGR-7",
    )

    commitment = Commitment.objects.get(agreement_reference="AGR-7")
    recorded(response, commitment, "commitment_recorded")
    assert commitment.pledge == pledge


def test_a_contribution_against_a_commitment_keeps_the_bank_reference_private(
    secretariat: Client,
) -> None:
    commitment = Commitment.objects.get()

    response = record(
        secretariat,
        "contribution",
        donor=QATAR,
        amount="1000",
        currency="QAR",
        on="2026-01-10",
        commitment=str(commitment.id),
        bank_reference="BANK-REF-PRIVATE-1",
    )

    contribution = Contribution.objects.get(bank_reference="BANK-REF-PRIVATE-1")
    recorded(response, contribution, "contribution_recorded")
    assert contribution.commitment == commitment
    assert b"BANK-REF-PRIVATE-1" not in bytes(
        LogEntry.objects.get(index=contribution.log_index).entry
    )


def test_a_conversion(secretariat: Client) -> None:
    response = record(
        secretariat,
        "conversion",
        sold_amount="3640",
        sold_currency="QAR",
        bought_amount="999.50",
        bought_currency="USD",
        on="2026-01-11",
    )

    conversion = Conversion.objects.get()
    recorded(response, conversion, "conversion_recorded")
    assert conversion.bought_minor == 99950


def test_a_refund(secretariat: Client, pages: FundPages) -> None:
    response = record(
        secretariat, "refund", allocation=str(pages.approved.id), amount="500", on="2026-02-12"
    )

    refund = Refund.objects.get(amount_minor=50000)
    recorded(response, refund, "refund_recorded")


def test_a_reversal(secretariat: Client) -> None:
    pledge = Pledge.objects.get()
    html = secretariat.get("/fund/record/reversal/").content.decode()
    assert '<optgroup label="Pledges">' in html

    response = record(secretariat, "reversal", fact=f"pledge:{pledge.id}", reason="Withdrawn")

    reversal = Reversal.objects.get(reverses=pledge.id)
    recorded(response, reversal, "reversal_recorded")
    pledge.refresh_from_db()
    assert pledge.reversed_index == reversal.log_index


@pytest.mark.parametrize(
    ("name", "fields", "field", "message"),
    [
        (
            "pledge",
            {"donor": QATAR, "amount": "10", "currency": "EGP", "on": "2026-01-06"},
            "on",
            "No EGP exchange rate is recorded on or before 2026-01-06",
        ),
        (
            "pledge",
            {"donor": QATAR, "amount": "10.001", "currency": "USD", "on": "2026-01-06"},
            "amount",
            "at most 2 decimal places",
        ),
        (
            "pledge",
            {"donor": QATAR, "amount": "10", "currency": "XYZ", "on": "2026-01-06"},
            "currency",
            "is not an ISO 4217 currency code",
        ),
        (
            "pledge",
            {"donor": QATAR, "amount": "10", "currency": "USD", "on": "2999-01-01"},
            "on",
            "cannot be in the future",
        ),
        ("pledge", {"amount": "10", "currency": "USD", "on": "2026-01-06"}, "donor", "required"),
        (
            "pledge",
            {"donor": QATAR, "amount": "ten", "currency": "USD", "on": "2026-01-06"},
            "amount",
            "Enter a number.",
        ),
        (
            "contribution",
            {
                "donor": QATAR,
                "amount": "1",
                "currency": "USD",
                "on": "2026-01-10",
                "commitment": "",
            },
            "amount",
            "",
        ),
        (
            "fx-rate",
            {"currency": "USD", "on": "2026-01-05", "units_per_usd": "1", "source": "x"},
            "currency",
            "The US dollar needs no rate",
        ),
        (
            "fx-rate",
            {"currency": "QAR", "on": "2026-01-05", "units_per_usd": "3.65", "source": "x"},
            "on",
            "already recorded",
        ),
        (
            "conversion",
            {
                "sold_amount": "5",
                "sold_currency": "USD",
                "bought_amount": "5",
                "bought_currency": "USD",
                "on": "2026-01-11",
            },
            "bought_currency",
            "buys another currency than it sells",
        ),
        (
            "conversion",
            {
                "sold_amount": "99999999",
                "sold_currency": "QAR",
                "bought_amount": "5",
                "bought_currency": "USD",
                "on": "2026-01-11",
            },
            "sold_amount",
            "Not enough money is available",
        ),
        ("reversal", {"fact": "pledge:nothing", "reason": "x"}, "fact", "valid choice"),
    ],
)
def test_errors_are_shown_at_their_field(
    secretariat: Client, name: str, fields: dict[str, str], field: str, message: str
) -> None:
    before = LogEntry.objects.count()

    response = record(secretariat, name, **fields)

    if not message:  # a contribution with no commitment and no rate needed succeeds
        assert response.status_code == 302
        return
    assert message in field_errors(response, f"{name}-{field}")
    assert LogEntry.objects.count() == before


def test_an_allocation_goes_to_the_board(secretariat: Client) -> None:
    html = secretariat.get("/fund/allocate/").content.decode()
    assert '<option value="GZ-HOU-0001">GZ-HOU-0001: Repair 40 homes</option>' in html

    response = secretariat.post(
        "/fund/allocate/", {"project": "GZ-HOU-0001", "amount": "5000", "currency": "usd"}
    )

    allocation = Allocation.objects.get(amount_minor=500000)
    assert response.status_code == 302
    assert response["Location"] == f"/motions/{allocation.motion_id}/"
    assert allocation.status == MoveStatus.RESERVED
    assert LogEntry.objects.get(index=allocation.reserved_index).kind.endswith(
        "allocation_reserved"
    )
    page = secretariat.get(response["Location"]).content.decode()
    assert f'href="/entries/{allocation.reserved_index}/"' in page.split('class="messages"')[1]


def test_an_allocation_beyond_the_money_available(secretariat: Client) -> None:
    response = secretariat.post(
        "/fund/allocate/", {"project": "GZ-EDU-0001", "amount": "5000", "currency": "USD"}
    )

    assert "Only 0.00 USD is available" in field_errors(response, "amount")


def test_a_disbursement_goes_to_the_board(secretariat: Client, pages: FundPages) -> None:
    html = secretariat.get("/fund/disburse/").content.decode()
    assert "GZ-HOU-0001: 60,000.00 USD allocated, 40,000.00 USD left to disburse" in html
    assert str(pages.awaiting.id) not in html  # not approved yet
    bank = html.split('id="id_bank_account"')[1].split("</p>")[0]
    assert "Private" in bank

    response = secretariat.post(
        "/fund/disburse/",
        {"allocation": str(pages.approved.id), "amount": "1000", "bank_account": "IBAN-PRIV"},
    )

    tranche = Disbursement.objects.get(tranche=2)
    assert response["Location"] == f"/motions/{tranche.motion_id}/"
    assert tranche.bank_account == "IBAN-PRIV"
    assert b"IBAN-PRIV" not in bytes(LogEntry.objects.get(index=tranche.reserved_index).entry)


def test_a_disbursement_beyond_what_is_left(secretariat: Client, pages: FundPages) -> None:
    response = secretariat.post(
        "/fund/disburse/", {"allocation": str(pages.approved.id), "amount": "40000.01"}
    )

    assert "only 40000.00 USD left to disburse" in field_errors(response, "amount")


def test_partner_staff_report_expenditure_on_their_own_projects(
    client: Client, pages: FundPages
) -> None:
    staff = partner_staff("partner-2")
    client.force_login(staff)
    html = client.get("/fund/expenditure/").content.decode()
    assert str(pages.approved.id) in html
    assert "Private" in html.split('id="id_reported_by"')[1].split("</p>")[0]

    response = client.post(
        "/fund/expenditure/",
        {
            "allocation": str(pages.approved.id),
            "amount": "100.25",
            "on": "2026-02-13",
            "description": "Tiles",
            "reported_by": "A. Person",
        },
    )

    expenditure = Expenditure.objects.get(description="Tiles")
    recorded(response, expenditure, "expenditure_reported", "/fund/expenditure/")
    assert expenditure.reported_by == "A. Person"


def test_partner_staff_of_another_organisation_see_no_allocation(
    client: Client, pages: FundPages
) -> None:
    from amanah.accounts.models import User

    other = User.objects.create_user(
        username="partner-other", role=Role.PARTNER_STAFF, organisation_iati_id="XI-OTHER-1"
    )
    client.force_login(other)
    html = client.get("/fund/expenditure/").content.decode()
    assert str(pages.approved.id) not in html
    assert "None of your organisation’s projects has an approved allocation yet." in html

    response = client.post(
        "/fund/expenditure/",
        {"allocation": str(pages.approved.id), "amount": "1", "on": "2026-02-13"},
    )

    assert "valid choice" in field_errors(response, "allocation")


def test_expenditure_beyond_the_advance(client: Client, pages: FundPages) -> None:
    client.force_login(partner_staff("partner-3"))

    response = client.post(
        "/fund/expenditure/",
        {"allocation": str(pages.approved.id), "amount": "5000", "on": "2026-02-13"},
    )

    assert "not yet reported as spent" in field_errors(response, "amount")


def test_a_project_is_registered(secretariat: Client) -> None:
    html = secretariat.get("/projects/new/").content.decode()
    assert f'<option value="{LEAD}">' in html
    assert f'<option value="{QATAR}">' not in html  # only Palestinian bodies lead

    response = secretariat.post(
        "/projects/new/",
        {
            "code": "GZ-WASH-0001",
            "title_en": "A well",
            "title_ar": "بئر",
            "lead": LEAD,
            "sector": "wash",
            "governorate": "PS0255",
        },
    )

    assert response.status_code == 302, response.content.decode()
    project = Project.objects.get(code="GZ-WASH-0001")
    assert response["Location"] == "/projects/new/"
    assert LogEntry.objects.get(index=project.registered_index).kind.endswith("project.registered")


def test_a_project_code_already_taken(secretariat: Client) -> None:
    response = secretariat.post(
        "/projects/new/",
        {
            "code": "GZ-HOU-0001",
            "title_en": "Again",
            "lead": LEAD,
            "sector": "housing",
            "governorate": "PS0270",
        },
    )

    assert "already registered" in field_errors(response, "code")
    response = secretariat.post(
        "/projects/new/",
        {"code": "GZ-X-1", "lead": LEAD, "sector": "housing", "governorate": "PS0270"},
    )
    assert "Give the title in English, Arabic or both." in field_errors(response, "title_en")
