"""Integration in batches: after a commit the log integrates only once a batch is due (so
many entries, or the oldest one so old); a reader of the log always gets everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, override_settings

from amanah.ledger import services
from amanah.ledger.models import SignedCheckpoint, TreeHead
from amanah.ledger.services import integrate_due, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_BATCH", services._Batch())


def _commit(count: int) -> None:
    """Record `count` entries in one transaction, then run what `record` scheduled for
    after the commit, as Django would (a test's transaction never commits)."""
    with transaction.atomic():
        for n in range(count):
            record("test.entry", {"n": n}, actor="test:batch")
    for _ in range(count):
        integrate_due()


def _integrated() -> int:
    return int(TreeHead.objects.get().size)


@override_settings(AMANAH_LOG_BATCH_ENTRIES=5, AMANAH_LOG_BATCH_SECONDS=3600)
def test_a_batch_is_integrated_once_it_holds_enough_entries(var_dir: Path) -> None:
    _commit(4)
    assert _integrated() == 0

    _commit(1)
    assert _integrated() == 5
    assert SignedCheckpoint.objects.get().size == 5

    _commit(4)  # the count starts again
    assert _integrated() == 5


@override_settings(AMANAH_LOG_BATCH_ENTRIES=1000, AMANAH_LOG_BATCH_SECONDS=2)
def test_a_batch_is_integrated_once_its_oldest_entry_is_old_enough(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    _commit(1)
    clock[0] += 1.9
    _commit(1)
    assert _integrated() == 0

    clock[0] += 0.2  # the first entry is now 2.1 s old
    _commit(1)
    assert _integrated() == 3


@override_settings(AMANAH_LOG_BATCH_ENTRIES=1000, AMANAH_LOG_BATCH_SECONDS=3600)
def test_a_reader_of_the_log_gets_every_committed_entry(var_dir: Path, client: Client) -> None:
    _commit(3)
    assert not SignedCheckpoint.objects.exists()

    checkpoint = client.get("/log/checkpoint").content.decode()

    assert checkpoint.splitlines()[1] == "3"  # the checkpoint's size line
    assert _integrated() == 3


@override_settings(AMANAH_LOG_BATCH_ENTRIES=1, AMANAH_LOG_BATCH_SECONDS=0)
def test_batches_of_one_integrate_after_every_commit(var_dir: Path) -> None:
    _commit(1)
    assert _integrated() == 1


@override_settings(AMANAH_LOG_BATCH_ENTRIES=1000, AMANAH_LOG_BATCH_SECONDS=3600)
def test_a_reader_still_gets_the_last_good_checkpoint_if_integrating_fails(
    var_dir: Path, client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _commit(2)
    services.integrate_pending()
    _commit(1)

    def refuse() -> None:
        raise RuntimeError("the stored tiles do not match the tree head")

    monkeypatch.setattr(services, "integrate_pending", refuse)
    response = client.get("/log/checkpoint")

    assert response.status_code == 200
    assert response.content.decode().splitlines()[1] == "2"
    assert "integrating pending entries for a reader of the log failed" in caplog.text
