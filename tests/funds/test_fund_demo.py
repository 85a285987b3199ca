"""`load_demo`'s fund: recorded through the services, replayed clean from the log, with
money traced both exactly and pro rata, and its private details kept out of the log."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import call_command

from amanah.funds.book import FundBook
from amanah.funds.models import Allocation, Contribution, Disbursement, MoveStatus
from amanah.funds.selectors import fund_figures
from amanah.funds.trace import PRO_RATA, TRACED, fund_trace
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(var_dir: Path) -> None:
    call_command("load_demo", stdout=StringIO())


def test_the_demo_fund_replays_clean_and_its_figures_match(demo: None) -> None:
    book = FundBook()
    for index, entry in LogEntry.objects.order_by("index").values_list("index", "entry"):
        book.entry(index, json.loads(bytes(entry)))

    assert book.violations == []
    assert fund_figures() == book.figures()
    totals = book.figures()["totals"]
    # Every stage has money in it, and it flows downhill.
    stages = [totals[s] for s in ("pledged", "paid", "allocated", "disbursed", "spent")]
    assert all(Decimal(a) >= Decimal(b) > 0 for a, b in pairwise(stages))


def test_the_demo_shows_every_state_of_an_allocation_and_a_reversal(demo: None) -> None:
    assert set(Allocation.objects.values_list("status", flat=True)) == {
        MoveStatus.APPROVED,
        MoveStatus.RESERVED,
    }
    assert Disbursement.objects.filter(status=MoveStatus.RESERVED).count() == 1
    assert Contribution.objects.filter(reversed_index__isnull=False).count() == 1
    assert set(Contribution.objects.values_list("currency", flat=True)) == {
        "PKR", "TRY", "IDR", "EGP", "QAR", "SAR", "JOD", "USD",
    }  # fmt: skip


def test_the_demo_traces_money_exactly_and_pro_rata(demo: None) -> None:
    schools = [row for row in fund_trace() if row.project_code == "GZ-EDU-0001"]
    assert {(row.donor, row.method) for row in schools} == {
        ("XI-DEMO-QA-QFFD", TRACED),
        ("XI-DEMO-PK-NDMA", PRO_RATA),
        ("XI-DEMO-SA-KSRELIEF", PRO_RATA),
    }
    assert sum(row.usd.minor for row in schools) == 600000000


def test_the_demo_keeps_bank_details_out_of_the_log(demo: None) -> None:
    logged = b"".join(bytes(entry) for entry in LogEntry.objects.values_list("entry", flat=True))
    for secret in Contribution.objects.values_list("bank_reference", flat=True):
        assert secret.encode() not in logged
    assert b"DEMO-PS00" not in logged
    assert b"Demo Engineer" not in logged
