"""The fund on real PostgreSQL: concurrent requests never spend the same money twice, and
the database itself refuses unbalanced or edited books.

Each scenario runs in a child process (tests/funds/pg_fund_support.py) with PostgreSQL as
its default database; see the `pg_child` fixture. Marked ``postgres``: skipped without a
server, failed instead with AMANAH_REQUIRE_PG=1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.postgres

CHILD = Path(__file__).with_name("pg_fund_support.py")


def _outcomes(result: dict[str, Any]) -> tuple[int, int]:
    crashes = [r["crash"] for r in result["results"] if "crash" in r]
    assert crashes == []
    done = sum(1 for r in result["results"] if r.get("done"))
    refused = [r["refused"] for r in result["results"] if "refused" in r]
    assert all(set(problem) == {"amount"} for problem in refused), refused
    return done, len(refused)


def _books_agree(result: dict[str, Any]) -> None:
    assert result["violations"] == []
    assert result["figures_match"] is True
    assert set(result["balance_totals"].values()) <= {0}
    assert set(result["posting_totals"].values()) <= {0}


def test_fifty_concurrent_disbursements_never_exceed_the_allocation(
    pg_child: Callable[[Path, str], dict[str, Any]],
) -> None:
    result = pg_child(CHILD, "disbursements")

    done, refused = _outcomes(result)
    # 1,000 USD holds 33 tranches of 30 USD; the other 17 requests are refused.
    assert (done, refused) == (33, 17)
    assert result["reserved_minor"] == 33 * 3000
    assert result["left_minor"] == -(100000 - 33 * 3000)
    assert result["tranches"] == list(range(1, 34))
    _books_agree(result)


def test_fifty_concurrent_allocations_never_exceed_the_available_money(
    pg_child: Callable[[Path, str], dict[str, Any]],
) -> None:
    result = pg_child(CHILD, "allocations")

    done, refused = _outcomes(result)
    assert (done, refused) == (20, 30)
    assert result["reserved_minor"] == 200000
    assert result["available_minor"] == 0
    _books_agree(result)


def test_the_database_refuses_unbalanced_or_edited_postings(
    pg_child: Callable[[Path, str], dict[str, Any]],
) -> None:
    outcomes = pg_child(CHILD, "triggers")["outcomes"]

    assert outcomes["balanced"] == "accepted"
    assert outcomes["unbalanced"].startswith("journal entry ")
    assert "does not balance: USD 1" in outcomes["unbalanced"]
    assert outcomes["edited"].startswith("postings are final")
    assert outcomes["deleted"].startswith("postings are final")
