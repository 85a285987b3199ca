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
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from amanah.testing.postgres import PostgresCluster

pytestmark = pytest.mark.postgres

CHILD = Path(__file__).with_name("pg_support.py")
# Generous: the whole module takes a few seconds on a laptop.
CHILD_TIMEOUT = 180

RunScenario = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="module")
def run_scenario(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunScenario]:
    """Runs a pg_support scenario against a database of its own; returns the child's JSON."""
    created: list[str] = []

    def run(scenario: str) -> dict[str, Any]:
        name = f"amanah_{scenario}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(postgres_cluster.url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        var_dir = tmp_path_factory.mktemp(f"var-{scenario}")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PG", "AMANAH_", "DJANGO_", "DATABASE_URL"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="amanah.settings.base",
            DATABASE_URL=postgres_cluster.url_for(name),
            AMANAH_VAR_DIR=str(var_dir),
            PYTHONUNBUFFERED="1",
        )
        done = subprocess.run(
            [sys.executable, str(CHILD), scenario],
            capture_output=True,
            text=True,
            env=env,
            cwd=var_dir,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, f"{scenario} failed:\n{done.stdout}\n{done.stderr}"
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    yield run
    with psycopg.connect(postgres_cluster.url, autocommit=True) as admin:
        for name in created:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


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
