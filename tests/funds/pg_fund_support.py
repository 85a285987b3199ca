"""The child-process half of test_fund_pg_concurrency.py: fund workloads on PostgreSQL.

Run as ``python pg_fund_support.py SCENARIO`` by the `pg_child` fixture (tests/conftest.py),
with PostgreSQL as the default database. It migrates, builds the small test fund of
fund_factories.py through the services, runs the scenario and prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import django

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "governance")]

REQUESTS = 50


def _concurrently(count: int, work: Any) -> list[Any]:
    """`work(i)` in `count` threads released together, each with its own connection."""
    from django.db import connections

    barrier = threading.Barrier(count, timeout=60)
    results: list[Any] = [None] * count

    def target(number: int) -> None:
        try:
            barrier.wait()
            results[number] = work(number)
        except BaseException:
            results[number] = {"crash": traceback.format_exc()}
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _attempt(call: Any) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    try:
        call()
    except ValidationError as error:
        return {"refused": error.message_dict}
    return {"done": True}


def _books() -> dict[str, Any]:
    from django.db.models import Sum
    from fund_factories import replay_log

    from amanah.funds.models import AccountBalance, Posting
    from amanah.funds.selectors import fund_figures

    book = replay_log()
    per_currency = {
        row["currency"]: int(row["total"])
        for row in AccountBalance.objects.values("currency").annotate(total=Sum("balance_minor"))
    }
    postings = {
        row["currency"]: int(row["total"])
        for row in Posting.objects.values("currency").annotate(total=Sum("amount_minor"))
    }
    return {
        "violations": [v.to_json() for v in book.violations],
        "figures_match": fund_figures() == book.figures(),
        "balance_totals": per_currency,
        "posting_totals": postings,
    }


def scenario_disbursements() -> dict[str, Any]:
    """50 requests to disburse 30 USD each from one allocation of 1,000 USD, at once."""
    from fund_factories import build_fund

    from amanah.funds import chart
    from amanah.funds.models import Disbursement
    from amanah.funds.services import (
        allocation_prepare,
        balance_of,
        contribution_record,
        disbursement_prepare,
    )

    fund = build_fund()
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("PK"), amount="1000", currency="USD", on="2026-01-06", actor=s
    )
    allocation = allocation_prepare(project="GZ-EDU-0001", amount="1000", currency="USD", actor=s)
    fund.pass_motion(allocation.motion)

    results = _concurrently(
        REQUESTS,
        lambda n: _attempt(
            lambda: disbursement_prepare(allocation=allocation.id, amount="30", actor=s)
        ),
    )
    reserved = [d.amount_minor for d in Disbursement.objects.filter(allocation=allocation)]
    tranches = sorted(
        Disbursement.objects.filter(allocation=allocation).values_list("tranche", flat=True)
    )
    left = balance_of(chart.allocation_account(str(allocation.id), "undisbursed"), "USD")
    return {
        "results": results,
        "reserved_minor": sum(reserved),
        "tranches": tranches,
        "left_minor": left.minor,
        **_books(),
    }


def scenario_allocations() -> dict[str, Any]:
    """50 requests to allocate 100 USD each from a pool of 2,000 USD, at once."""
    from fund_factories import build_fund

    from amanah.funds.models import Allocation
    from amanah.funds.services import allocation_prepare, balance_of, contribution_record

    fund = build_fund()
    s = fund.secretariat
    contribution_record(
        donor=fund.donor("QA"), amount="2000", currency="USD", on="2026-01-06", actor=s
    )
    results = _concurrently(
        REQUESTS,
        lambda n: _attempt(
            lambda: allocation_prepare(project="GZ-EDU-0001", amount="100", currency="USD", actor=s)
        ),
    )
    return {
        "results": results,
        "reserved_minor": sum(a.amount_minor for a in Allocation.objects.all()),
        "available_minor": balance_of("fund:available:any.any", "USD").minor,
        **_books(),
    }


def scenario_triggers() -> dict[str, Any]:
    """The database itself refuses unbalanced journal entries and edited postings."""
    from django.db import DatabaseError, connection, transaction
    from fund_factories import build_fund

    from amanah.funds.models import JournalEntry, Posting
    from amanah.funds.services import contribution_record

    fund = build_fund()
    contribution_record(
        donor=fund.donor("PK"), amount="10", currency="USD", on="2026-01-06", actor=fund.secretariat
    )
    outcomes: dict[str, str] = {}

    def attempt(name: str, steps: Any) -> None:
        try:
            with transaction.atomic():
                steps()
            outcomes[name] = "accepted"
        except DatabaseError as error:
            outcomes[name] = str(error).splitlines()[0]

    def unbalanced() -> None:
        journal = JournalEntry.objects.create(log_index=10_000, kind="test.forged")
        Posting.objects.create(
            journal=journal, account="fund:cash", currency="USD", amount_minor=100
        )
        Posting.objects.create(
            journal=journal, account="fund:available:any.any", currency="USD", amount_minor=-99
        )

    def balanced() -> None:
        journal = JournalEntry.objects.create(log_index=10_001, kind="test.balanced")
        Posting.objects.create(
            journal=journal, account="fund:cash", currency="USD", amount_minor=100
        )
        Posting.objects.create(
            journal=journal, account="fund:available:any.any", currency="USD", amount_minor=-100
        )

    def edited() -> None:
        Posting.objects.filter(account="fund:cash").update(amount_minor=1)

    def deleted() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM funds_posting")

    attempt("unbalanced", unbalanced)
    attempt("balanced", balanced)
    attempt("edited", edited)
    attempt("deleted", deleted)
    return {"outcomes": outcomes}


SCENARIOS = {
    "disbursements": scenario_disbursements,
    "allocations": scenario_allocations,
    "triggers": scenario_triggers,
}


def main(argv: list[str]) -> int:
    (scenario,) = argv
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"expected PostgreSQL as the default database, got {connection.vendor}")
    call_command("migrate", verbosity=0, interactive=False)
    connection.close()
    print(json.dumps(SCENARIOS[scenario]()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
