"""The fund's public pages: `/fund/`, a donor, the allocations, the rates. Anyone may read
them, in English and Arabic; their figures are `fund_figures()`; no private field shows."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

sys.path.insert(0, str(Path(__file__).parent))
from fund_pages import PRIVATE, FundPages, build_fund_pages

from amanah.funds.book import STAGES
from amanah.funds.models import Commitment, Contribution, Disbursement, Expenditure, FxRate, Pledge
from amanah.funds.selectors import fund_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(var_dir: Path) -> FundPages:
    return build_fund_pages()


def public_urls(pages: FundPages) -> list[str]:
    return [
        "/fund/",
        "/fund/donors/XM-DAC-QA-1/",
        "/fund/donors/XM-DAC-PK-1/",
        "/fund/allocations/",
        f"/fund/allocations/{pages.approved.id}/",
        f"/fund/allocations/{pages.awaiting.id}/",
        "/fund/rates/",
    ]


def section(html: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of its table or list."""
    after = html.split(f'id="{element_id}"', 1)[1]
    return re.split(r"</table>|</ul>|</dl>", after, maxsplit=1)[0]


def data_values(html: str) -> list[Decimal]:
    return [Decimal(value) for value in re.findall(r'<data value="([^"]+)"', html)]


def test_every_page_answers_in_english_and_arabic(client: Client, pages: FundPages) -> None:
    for url in public_urls(pages):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en" dir="ltr">' in response.content.decode()

        arabic = client.get(f"/ar{url}")
        assert arabic.status_code == 200, url
        html = arabic.content.decode()
        assert '<html lang="ar" dir="rtl">' in html, url
        assert 'href="/ar/fund/"' in html  # the navigation stays in Arabic


def test_the_navigation_links_the_fund(client: Client, var_dir: Path) -> None:
    html = client.get("/").content.decode()

    assert '<a href="/fund/">Fund</a>' in html


def test_the_totals_are_the_fund_figures(client: Client, pages: FundPages) -> None:
    html = client.get("/fund/").content.decode()

    figures = fund_figures()
    totals = section(html, "totals")
    assert data_values(totals) == [Decimal(figures["totals"][stage]) for stage in STAGES]
    assert "1,000,000.00" in totals  # pledged, with English grouping
    for stage in STAGES:
        assert f'id="bar-{stage}"' in html
    for table, key in (
        ("by-sector", "by_sector"),
        ("by-governorate", "by_governorate"),
        ("by-month", "by_month"),
    ):
        for row_key, row in figures[key].items():
            cells = section(html, f"{table}-{row_key}").split("</tr>")[0]
            assert data_values(cells) == [Decimal(row[stage]) for stage in STAGES], row_key
    for donor, row in figures["by_donor"].items():
        cells = section(html, f"donor-{donor}").split("</tr>")[0]
        assert f'href="/fund/donors/{donor}/"' in cells
        assert data_values(cells) == [Decimal(row["usd"][s]) for s in STAGES[:3]]


def test_the_page_names_sectors_and_governorates_and_explains_usd(
    client: Client, pages: FundPages
) -> None:
    html = client.get("/fund/").content.decode()

    assert "Housing and shelter" in section(html, "by-sector")
    assert "Not earmarked" in section(html, "by-sector-any")
    assert "Khan Younis" in section(html, "by-governorate")
    assert "January 2026" in section(html, "by-month")
    note = section(html, "usd-note").split("</p>")[0]
    assert "converted at the rate logged for its date" in note
    assert 'href="/fund/rates/"' in note


def test_the_arabic_page_uses_arabic_names_and_number_format(
    client: Client, pages: FundPages
) -> None:
    html = client.get("/ar/fund/").content.decode()

    assert "الإسكان والمأوى" in html
    assert "خان يونس" in html
    # CLDR's Arabic ("ar") writes Latin digits, grouped: amanah.core.formats.
    assert "1,000,000.00" in section(html, "totals")
    assert 'href="/ar/fund/rates/"' in html


def test_the_chart_is_drawn_without_javascript(client: Client, pages: FundPages) -> None:
    response = client.get("/fund/")

    html = response.content.decode()
    assert '<svg class="stage-chart" role="img"' in html
    assert "<script" not in html.split("<main", 1)[1]
    assert "style=" not in html  # the CSP allows no inline style
    largest = re.search(r'id="bar-pledged".*?<rect x="0" y="\d+" width="(\d+)"', html, re.S)
    assert largest is not None
    assert largest.group(1) == "400"


def test_a_donor_page_shows_its_facts_rates_and_what_it_paid(
    client: Client, pages: FundPages
) -> None:
    html = client.get("/fund/donors/XM-DAC-QA-1/").content.decode()

    assert "Qatar Fund for Development" in html
    assert "In QAR: paid 50.0% of pledged (1,820,000.00 QAR of 3,640,000.00 QAR)." in html
    pledge = Pledge.objects.get()
    row = section(html, f"pledge-{pledge.id}")
    assert "3,640,000.00 QAR" in row
    assert "Housing pledge" in row
    assert "1,000,000.00 USD" in row
    assert "at 3.64 QAR per US dollar" in row
    rate = FxRate.objects.get(currency="QAR")
    assert f'href="/entries/{rate.log_index}/"' in row
    assert f'href="/entries/{pledge.log_index}/"' in row
    commitment = Commitment.objects.get()
    assert f'href="/entries/{commitment.log_index}/"' in html
    contribution = Contribution.objects.get(currency="QAR")
    assert f'href="/entries/{contribution.log_index}/"' in section(
        html, f"contribution-{contribution.id}"
    )


def test_a_reversed_contribution_is_struck_with_its_reason(
    client: Client, pages: FundPages
) -> None:
    html = client.get("/fund/donors/XM-DAC-PK-1/").content.decode()

    reversed_row = section(html, f"contribution-{pages.reversed_contribution.id}")
    assert "<del>50.00 USD</del>" in reversed_row
    assert "Entered twice" in reversed_row
    pages.reversed_contribution.refresh_from_db()
    assert f'href="/entries/{pages.reversed_contribution.reversed_index}/"' in reversed_row
    assert "Housing and shelter · Khan Younis" in html
    assert "In USD: paid 100,000.00 USD, with nothing pledged in this currency." in html


def test_unknown_donors_and_allocations_are_not_found(client: Client, pages: FundPages) -> None:
    assert client.get("/fund/donors/XM-DAC-XX-9/").status_code == 404
    assert client.get(f"/fund/allocations/{pages.fund.housing.id}/").status_code == 404


def test_the_allocations_show_status_draws_and_what_is_left(
    client: Client, pages: FundPages
) -> None:
    html = client.get("/fund/allocations/").content.decode()

    awaiting = section(html, f"allocation-{pages.awaiting.id}").split("</tr>")[0]
    assert f'<a href="/motions/{pages.awaiting.motion_id}/">Awaiting the board</a>' in awaiting
    approved = section(html, f"allocation-{pages.approved.id}").split("</tr>")[0]
    assert "Approved" in approved
    assert f'href="/entries/{pages.approved.approved_index}/"' in approved
    assert "60,000.00 USD" in approved
    assert "20,000.00 USD" in approved  # disbursed
    assert "15,000.50 USD" in approved  # spent
    assert "1,000.00 USD" in approved  # refunded
    assert "40,000.00 USD" in approved  # left to disburse
    assert f'href="/fund/allocations/{pages.approved.id}/"' in approved


def test_an_allocation_page_shows_its_money_step_by_step(client: Client, pages: FundPages) -> None:
    html = client.get(f"/fund/allocations/{pages.approved.id}/").content.decode()

    assert "40,000.00 USD" in section(html, "left")
    assert "Housing and shelter · Khan Younis" in section(html, "draws")
    tranche = Disbursement.objects.get()
    row = section(html, f"disbursement-{tranche.id}")
    assert "20,000.00 USD" in row
    assert f'href="/entries/{tranche.approved_index}/"' in row
    assert f'href="/motions/{tranche.motion_id}/"' in row
    expenditure = Expenditure.objects.get()
    row = section(html, f"expenditures-{expenditure.id}")
    assert "15,000.50 USD" in row
    assert "Cement" in row
    assert f'href="/entries/{expenditure.log_index}/"' in row
    assert "1,000.00 USD back to: Housing and shelter · Khan Younis" in section(html, "refunds")


def test_a_withdrawn_allocation_says_so(client: Client, pages: FundPages) -> None:
    from amanah.governance.services import motion_withdraw

    motion_withdraw(
        motion=pages.awaiting.motion, reason="Wrong project", actor=pages.fund.secretariat
    )
    pages.awaiting.refresh_from_db()

    html = client.get(f"/fund/allocations/{pages.awaiting.id}/").content.decode()

    status = section(html, "status")
    assert "Withdrawn" in status
    assert f'href="/entries/{pages.awaiting.released_index}/"' in status
    assert "—" in section(html, "left")


def test_the_rates_page_lists_every_rate_with_its_entry(client: Client, pages: FundPages) -> None:
    html = client.get("/fund/rates/").content.decode()

    for rate in FxRate.objects.all():
        row = section(html, f"rate-{rate.currency}-{rate.on.isoformat()}").split("</tr>")[0]
        assert f'<data value="{rate.units_per_usd}">' in row
        assert f'href="/entries/{rate.log_index}/"' in row
        assert "UN ORE" in row
    assert "0.709" in html  # JOD, to its three decimals, none added


def test_no_private_detail_is_on_any_public_page(client: Client, pages: FundPages) -> None:
    assert Contribution.objects.filter(bank_reference=PRIVATE[0]).exists()
    assert Disbursement.objects.filter(bank_account=PRIVATE[1]).exists()
    assert Expenditure.objects.filter(reported_by=PRIVATE[2]).exists()
    for url in public_urls(pages):
        for prefix in ("", "/ar"):
            html = client.get(f"{prefix}{url}").content.decode()
            assert not [secret for secret in PRIVATE if secret in html], url


def test_the_secretariat_sees_the_record_links(client: Client, pages: FundPages) -> None:
    assert 'href="/fund/record/"' not in client.get("/fund/").content.decode()
    client.force_login(pages.fund.board.members["pk"])
    assert 'href="/fund/record/"' not in client.get("/fund/").content.decode()

    client.force_login(pages.fund.secretariat)
    html = client.get("/fund/").content.decode()

    for url in ("/fund/record/", "/fund/allocate/", "/fund/disburse/", "/projects/new/"):
        assert f'href="{url}"' in html


def test_an_empty_fund_says_so(client: Client, var_dir: Path) -> None:
    html = client.get("/fund/").content.decode()

    assert "No donor has pledged, committed or paid yet." in html
    assert client.get("/fund/allocations/").status_code == 200
    assert "No exchange rate has been recorded yet." in client.get("/fund/rates/").content.decode()


def test_the_allocations_list_takes_a_constant_number_of_queries(
    client: Client, pages: FundPages, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from amanah.funds import services

    # Allocations, their draws, three sums (disbursed, spent, refunded), the balances.
    with django_assert_num_queries(6):
        client.get("/fund/allocations/")
    services.allocation_prepare(
        project="GZ-EDU-0001", amount="100", currency="QAR", actor=pages.fund.secretariat
    )
    with django_assert_num_queries(6):
        client.get("/fund/allocations/")
