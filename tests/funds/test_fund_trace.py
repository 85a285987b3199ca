"""Tracing donors' money to the projects it funded: exact where one donor's earmarked
money was drawn, pro rata (and said so) where pools mix donors; shares add up to the cent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))

from fund_factories import Fund, build_fund

from amanah.funds.money import Money
from amanah.funds.services import allocation_prepare, contribution_record
from amanah.funds.trace import PRO_RATA, TRACED, _split, fund_trace

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def _allocated(fund: Fund) -> None:
    s = fund.secretariat
    # Qatar alone earmarked housing in Khan Younis; Pakistan and Jordan paid flexible money
    # in the proportion 2:1.
    contribution_record(
        donor=fund.donor("QA"), amount="30000", currency="USD", on="2026-01-06",
        sector="housing", governorate="PS0270", actor=s,
    )  # fmt: skip
    contribution_record(
        donor=fund.donor("PK"), amount="200", currency="USD", on="2026-01-06", actor=s
    )
    contribution_record(
        donor=fund.donor("JO"), amount="100", currency="USD", on="2026-01-06", actor=s
    )
    allocation = allocation_prepare(project="GZ-HOU-0001", amount="30100", currency="USD", actor=s)
    fund.pass_motion(allocation.motion)


def test_earmarked_money_is_traced_and_pooled_money_split_pro_rata(fund: Fund) -> None:
    _allocated(fund)

    rows = {(row.donor, row.earmark): row for row in fund_trace()}

    qatar = rows[(fund.donor("QA"), "housing.PS0270")]
    assert (qatar.usd, qatar.method) == (Money.from_minor(3000000, "USD"), TRACED)
    # 100 USD drawn from the flexible pool, split 2:1: 66.67 and 33.33, adding up exactly.
    pakistan = rows[(fund.donor("PK"), "any.any")]
    jordan = rows[(fund.donor("JO"), "any.any")]
    assert (pakistan.usd.minor, jordan.usd.minor) == (6667, 3333)
    assert pakistan.method == jordan.method == PRO_RATA
    assert sum(row.usd.minor for row in rows.values()) == 3010000
    assert [row.donor for row in fund_trace(donor=fund.donor("JO"))] == [fund.donor("JO")]


def test_money_paid_after_the_allocation_was_prepared_is_not_in_its_trace(fund: Fund) -> None:
    _allocated(fund)
    contribution_record(
        donor=fund.donor("PK"), amount="1000000", currency="USD", on="2026-01-07",
        actor=fund.secretariat,
    )  # fmt: skip
    shares = {row.donor: row.usd.minor for row in fund_trace() if row.earmark == "any.any"}
    assert shares == {fund.donor("PK"): 6667, fund.donor("JO"): 3333}


def test_shares_always_add_up() -> None:
    assert _split(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert sum(_split(1001, {"a": 7, "b": 3, "c": 11}).values()) == 1001


def test_the_page_labels_pro_rata_rows(client: Client, fund: Fund) -> None:
    _allocated(fund)
    html = client.get("/fund/trace/").content.decode()
    assert "pro rata" in html
    assert "traced" in html
    arabic = client.get(f"/ar/fund/trace/?donor={fund.donor('QA')}")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.content.decode()
