"""Fixtures shared by the Django tests. Django is imported inside them, so the
transparency tests below this directory still run with Django uninstalled."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """With AMANAH_REQUIRE_BROWSER=1 (CI sets it), a machine without Chromium or without
    axe-core fails the run at once instead of skipping the browser tests."""
    if os.environ.get("AMANAH_REQUIRE_BROWSER") != "1":
        return
    missing = []
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing.append("Debian's chromium (apt-get install chromium)")
    if not (REPO / "node_modules" / "axe-core" / "axe.min.js").exists():
        missing.append("node_modules/axe-core (make setup runs npm ci)")
    if missing:
        raise pytest.UsageError(
            "AMANAH_REQUIRE_BROWSER=1, but the browser tests need " + " and ".join(missing)
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every transactional test a serialized rollback.

    A transactional test empties every table when it ends, including the ledger's
    sequencer and tree-head rows that a data migration creates; without them the next
    transactional test could not record anything. Serialized rollback restores them.
    (A test that sets its own `django_db` marker keeps it and must ask for this itself.)
    """
    for item in items:
        names = getattr(item, "fixturenames", ())
        wants_transactions = "transactional_db" in names or "live_server" in names
        if wants_transactions and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@dataclass(frozen=True)
class DemoLog:
    """The log `make run` shows, as a test sees it."""

    var_dir: Path
    key_text: str  # the verifier key `load_demo` published in var/log-key.pub
    size: int


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh `var/` for one test, holding the log's signing key (created on first use)."""
    from django.test import override_settings

    with override_settings(AMANAH_VAR_DIR=tmp_path, AMANAH_LOG_KEY_FILE=tmp_path / "log.key"):
        yield tmp_path


@pytest.fixture
def demo_log(db: None, var_dir: Path) -> DemoLog:
    """`load_demo` run once against the test database (transactional under live_server)."""
    from django.core.management import call_command

    from amanah.ledger.models import SignedCheckpoint

    # No days of consignments: the demo's weeks of them would make every test using it
    # slow. The log is still more than one full tile (256 entries) long.
    call_command("load_demo", "--access-days", "0", stdout=StringIO())
    latest = SignedCheckpoint.objects.order_by("-size").get()  # load_demo signs exactly once
    return DemoLog(var_dir, (var_dir / "log-key.pub").read_text().strip(), latest.size)


@pytest.fixture
def append_entries(db: None, var_dir: Path) -> Callable[..., None]:
    """`append_entries(n)`: record n small entries in one transaction, then integrate them
    and sign a checkpoint, as the on-commit hook would."""
    from django.db import transaction

    from amanah.ledger.services import integrate_pending, record

    def append(count: int, *, kind: str = "test.entry") -> None:
        with transaction.atomic():
            for number in range(count):
                record(kind, {"number_in_batch": number}, actor="test:fixture")
        integrate_pending()

    return append


@pytest.fixture(autouse=True)
def _language_of_the_test_thread_reset() -> Iterator[None]:
    """A request in Arabic through Django's test client leaves Arabic active in the test's
    thread (the LocaleMiddleware activates, nothing deactivates); reset it after every
    test, so that no test's language depends on the order the tests happen to run in."""
    yield
    from django.conf import settings

    if settings.configured:  # not in the Django-free runs (-p no:django)
        from django.utils import translation

        translation.deactivate()


@pytest.fixture(scope="module")
def pg_child(
    postgres_cluster: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Path, str], dict[str, Any]]]:
    """`pg_child(script, scenario)`: run a workload script in a child process whose
    default database is a fresh PostgreSQL database on the throwaway cluster, with the
    production settings module, and return the JSON object it prints last.

    Why a child: the services use Django's ``default`` alias, which the test settings pin
    to SQLite for the whole session; a child uses PostgreSQL exactly as a deployment does,
    without touching the parent's connections. Each script migrates its database itself.
    """
    import json
    import os
    import subprocess
    import sys
    import uuid

    import psycopg
    from psycopg import sql

    created: list[str] = []

    def run(script: Path, scenario: str) -> dict[str, Any]:
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
            # Integrate after every commit, as the workloads check (batching is tested apart).
            AMANAH_LOG_BATCH_ENTRIES="1",
            PYTHONUNBUFFERED="1",
        )
        done = subprocess.run(
            [sys.executable, str(script), scenario],
            capture_output=True,
            text=True,
            env=env,
            cwd=var_dir,
            timeout=PG_CHILD_TIMEOUT,
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


# Generous: each workload takes a few seconds on a laptop.
PG_CHILD_TIMEOUT = 180
