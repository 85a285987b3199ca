"""Concurrent writers on real PostgreSQL: dense indexes, complete tiles, consistent checkpoints.

SQLite serialises whole transactions, so only PostgreSQL shows whether the row locks in
`ledger.services` really do their job. Each scenario runs in a child process
(tests/ledger/pg_support.py) whose default database is a fresh database on the throwaway
cluster, with the production settings module; the parent only creates the database and
asserts on the JSON the child prints. Threads in the child each hold their own connection.

Marked ``postgres``: skipped without a server, failed instead with AMANAH_REQUIRE_PG=1.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.postgres

CHILD = Path(__file__).with_name("pg_support.py")

RunScenario = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="module")
def run_scenario(pg_child: Callable[[Path, str], dict[str, Any]]) -> RunScenario:
    """Runs a pg_support scenario against a database of its own; returns the child's JSON."""
    return lambda scenario: pg_child(CHILD, scenario)


@pytest.fixture(scope="module")
def writers(run_scenario: RunScenario) -> dict[str, Any]:
    """8 writers x 25 transactions of 1-3 entries, one transaction in five rolled back."""
    return run_scenario("writers")


def _assert_dense_and_complete(result: dict[str, Any]) -> None:
    """Indexes 0..N-1 once each, exactly the committed entries, none rolled back."""
    committed, rolled_back = result["committed"], result["rolled_back"]
    entries = result["entries"]
    indexes = [entry["index"] for entry in entries]
    keys = [entry["key"] for entry in entries]
    assert indexes == list(range(len(committed)))
    duplicated = [key for key, times in Counter(keys).items() if times > 1]
    assert duplicated == []
    assert sorted(keys) == sorted(committed)
    assert set(keys).isdisjoint(rolled_back)
    assert result["sequencer_rows"] == 1
    assert result["next_index"] == len(committed)


def _assert_checkpoints(result: dict[str, Any]) -> None:
    """The tree covers every entry, and each signed size appears once, in signing order."""
    size = len(result["committed"])
    assert result["tree_head_rows"] == 1
    assert result["tree_size"] == size
    sizes = [checkpoint["size"] for checkpoint in result["checkpoints"]]
    assert sizes, "no checkpoint was signed"
    assert all(a < b for a, b in pairwise(sizes)), sizes
    assert sizes[-1] == size
    assert result["checkpoints"][-1]["root"] == result["tree_root"]
    assert result["verify_failures"] == []
    assert result["verified_size"] == size
    assert result["inclusion_proofs"] == size
    assert result["consistency_pairs"] == len(sizes) * (len(sizes) - 1) // 2


def test_concurrent_writers_get_dense_unique_indexes(writers: dict[str, Any]) -> None:
    # The workload itself must have been what the test claims.
    # pg_support._plan: transaction t of writer w records 1 + (w + t) % 3 entries.
    planned = sum(1 + (w + t) % 3 for w in range(8) for t in range(25))
    assert len(writers["committed"]) + len(writers["rolled_back"]) == planned
    assert len(writers["rolled_back"]) > 0
    actors = {entry["actor"] for entry in writers["entries"]}
    assert actors == {f"writer-{n}" for n in range(8)}
    _assert_dense_and_complete(writers)


def test_concurrent_integration_signs_consistent_checkpoints(writers: dict[str, Any]) -> None:
    # No integration failed (robust on_commit would only have logged it).
    assert writers["on_commit_errors"] == []
    _assert_checkpoints(writers)
    # Past one full tile of 256 entries, so full tiles replaced partial ones mid-run.
    assert writers["tree_size"] > 256


def test_racing_first_writers_on_an_empty_log(run_scenario: RunScenario) -> None:
    result = run_scenario("first_writers")
    assert result["on_commit_errors"] == []
    # `migrate` creates the rows writers lock, so no first writer has to insert one.
    empty_root = hashlib.sha256(b"").hexdigest()
    assert result["initial"] == {"sequencer": [[1, 0]], "tree_head": [[1, 0, empty_root]]}
    for race in result["rounds"]:
        assert race["before"] == result["initial"], race["round"]
        # The race did happen: the other 7 queued on the row lock the first one held.
        assert race["most_waiting"] == 7, race
        assert race["singleton_inserts"] == 0, race
        expected = 8 * 2 - (4 if race["round"] % 2 else 0)
        assert len(race["committed"]) == expected
        _assert_dense_and_complete(race)
        _assert_checkpoints(race)
    # With the Sequencer row gone, every writer fails and none creates it or an entry.
    missing = result["missing_row"]
    assert None not in missing["errors"], missing
    assert missing["entries"] == 0
    assert missing["sequencer_rows"] == 0
