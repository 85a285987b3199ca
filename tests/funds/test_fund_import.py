"""Importing contributions from CSV: all or nothing, every wrong row named, idempotent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))

from fund_factories import Fund, build_fund, replay_log

from amanah.accounts.roles import RoleRequired
from amanah.funds.imports import ImportInvalid, contribution_import
from amanah.funds.models import Contribution
from amanah.funds.selectors import fund_figures
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

GOOD = """donor,amount,currency,date,bank_reference,sector,governorate
XM-DAC-PK-1,278500.00,PKR,2026-01-06,HBL-0001,,
XM-DAC-QA-1,364.00,QAR,2026-01-07,QNB-7781,housing,PS0270
XM-DAC-JO-1,70.900,JOD,2026-01-08,AJIB-55,education,
"""


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def test_a_statement_is_recorded_row_by_row(fund: Fund) -> None:
    seen: list[tuple[int, int]] = []
    result = contribution_import(
        GOOD, actor=fund.secretariat, progress=lambda done, total: seen.append((done, total))
    )
    assert (result.recorded, result.already_recorded) == (3, 0)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    qatar = Contribution.objects.get(bank_reference="QNB-7781")
    assert (qatar.earmark.key, qatar.usd_minor) == ("housing.PS0270", 10000)
    # 278,500 PKR at 278.50 and 70.900 JOD at 0.709 are 1000 and 100 dollars.
    assert fund_figures()["totals"]["paid"] == "1200.00"
    assert replay_log().violations == []


def test_importing_the_same_statement_again_records_nothing(fund: Fund) -> None:
    contribution_import(GOOD, actor=fund.secretariat)
    size = LogEntry.objects.count()
    result = contribution_import(GOOD, actor=fund.secretariat)
    assert (result.recorded, result.already_recorded) == (0, 3)
    assert LogEntry.objects.count() == size


def test_one_bad_row_and_nothing_is_written_every_problem_named(fund: Fund) -> None:
    text = """donor,amount,currency,date,bank_reference
XM-DAC-PK-1,278500.00,PKR,2026-01-06,HBL-0001
XM-DAC-QA-1,"1,364.00",QAR,2026-01-07,QNB-1
XM-NOBODY,10,USD,2026-01-07,X-1
XM-DAC-JO-1,10.0001,JOD,2026-01-08,AJIB-1
XM-DAC-JO-1,10,EGP,2026-01-08,AJIB-2
XM-DAC-PK-1,5,USD,2099-01-01,HBL-0002
XM-DAC-PK-1,5,USD,2026-01-06,HBL-0001
XM-DAC-PK-1,,USD,2026-01-06,
"""
    before = (LogEntry.objects.count(), Contribution.objects.count())
    with pytest.raises(ImportInvalid) as error:
        contribution_import(text, actor=fund.secretariat)
    problems = {(e.line, e.column) for e in error.value.errors}
    assert problems == {
        (3, "amount"),
        (4, "donor"),
        (5, "amount"),
        (6, "date"),
        (7, "date"),
        (8, "bank_reference"),
        (9, "amount"),
        (9, "bank_reference"),
    }
    messages = {(e.line, e.column): e.message for e in error.value.errors}
    assert messages[(5, "amount")] == "JOD amounts have at most 3 decimal places."
    assert "No EGP exchange rate" in messages[(6, "date")]
    assert (
        messages[(8, "bank_reference")] == "This bank reference is already on line 2 of this file."
    )
    assert (LogEntry.objects.count(), Contribution.objects.count()) == before


def test_a_header_without_the_required_columns_is_refused(fund: Fund) -> None:
    with pytest.raises(ImportInvalid) as error:
        contribution_import("donor,amount\nXM-DAC-PK-1,5\n", actor=fund.secretariat)
    assert {e.column for e in error.value.errors} == {"currency", "date", "bank_reference"}
    with pytest.raises(ImportInvalid, match="1 problem"):
        contribution_import("", actor=fund.secretariat)


def test_hxl_hashtags_are_understood(fund: Fund) -> None:
    text = """Donor,Value,Currency,Date,Bank reference
#org+donor,#value,#currency,#date,#x_bank_reference
XM-DAC-QA-1,3.64,QAR,2026-01-07,QNB-1
"""
    assert contribution_import(text, actor=fund.secretariat).recorded == 1
    hashtags_only = """#org+donor,#value,#currency,#date,#x_bank_reference
XM-DAC-QA-1,7.28,QAR,2026-01-07,QNB-2
"""
    assert contribution_import(hashtags_only, actor=fund.secretariat).recorded == 1


def test_only_the_secretariat_imports(fund: Fund) -> None:
    with pytest.raises(RoleRequired):
        contribution_import(GOOD, actor=fund.board.members["pk"])


def test_bank_references_stay_out_of_the_log(fund: Fund) -> None:
    contribution_import(GOOD, actor=fund.secretariat)
    logged = b"".join(bytes(e.entry) for e in LogEntry.objects.all())
    for reference in (b"HBL-0001", b"QNB-7781", b"AJIB-55"):
        assert reference not in logged
