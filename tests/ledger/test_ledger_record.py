"""`ledger.record` and `ledger.integrate_pending`: what goes into the log, and when."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from amanah.ledger.models import LogEntry, LogTile, Sequencer, SignedCheckpoint, TreeHead
from amanah.ledger.services import LedgerError, integrate_due, integrate_pending, record
from amanah.ledger.storage import DatabaseTileStorage
from amanah.ledger.wiring import log_signer
from amanah.transparency import (
    LogForked,
    MemoryStorage,
    TileHashReader,
    TileWriter,
    canonical_json,
    leaf_hash,
    verify_log,
)

SECRET = "Fatima Secretname, ID 400123456"
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class Boom(Exception):
    """The caller's own failure, after it recorded."""


def _tiles() -> dict[str, bytes]:
    return {path: bytes(data) for path, data in LogTile.objects.values_list("path", "data")}


def _signed_sizes() -> list[int]:
    return list(SignedCheckpoint.objects.order_by("size").values_list("size", flat=True))


def _assert_nothing_written() -> None:
    assert not LogEntry.objects.exists()
    assert Sequencer.objects.filter(next_index__gt=0).count() == 0


# --- the entry --------------------------------------------------------------------------


@pytest.mark.django_db
def test_entry_is_the_canonical_json_of_the_design(var_dir: Path) -> None:
    data = {"donor": {"iso3166": "PK"}, "amount": {"value": "10.00", "currency": "USD"}}
    signatures = [{"key": "board:jo", "sig": "c2lnbmF0dXJl"}]

    with transaction.atomic():
        logged = record("pledge.recorded", data, actor="user:7", signatures=signatures)

    entry = bytes(logged.entry)
    at = logged.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entry == canonical_json(
        {
            "type": "amanah.pledge.recorded.v1",
            "at": at,
            "actor": "user:7",
            "data": data,
            "private_commitment": None,
            "signatures": signatures,
        }
    )
    # RFC 8785: keys sorted, no whitespace.
    assert entry.startswith(b'{"actor":"user:7","at":"')
    assert b" " not in entry
    assert _RFC3339.fullmatch(at)
    assert logged.recorded_at.tzinfo is not None
    assert abs(datetime.now(UTC) - logged.recorded_at).total_seconds() < 60
    stored = LogEntry.objects.get(index=logged.index)
    assert (stored.kind, stored.actor, bytes(stored.entry)) == ("pledge.recorded", "user:7", entry)
    assert stored.private_data is None
    assert stored.private_salt is None


@pytest.mark.django_db
def test_indexes_are_dense_from_zero(var_dir: Path) -> None:
    with transaction.atomic():
        indexes = [record("test.entry", {"n": n}, actor="test:a").index for n in range(3)]

    assert indexes == [0, 1, 2]
    assert Sequencer.objects.get().next_index == 3


def test_record_outside_a_transaction_is_refused(transactional_db: None, var_dir: Path) -> None:
    with pytest.raises(RuntimeError, match=r"must run inside the service's transaction\.atomic"):
        record("test.entry", {"n": 1}, actor="test:a")

    _assert_nothing_written()


def test_a_rolled_back_transaction_leaves_no_entry_and_uses_no_index(
    transactional_db: None, var_dir: Path
) -> None:
    with transaction.atomic():
        record("test.entry", {"n": 0}, actor="test:a")

    def record_then_fail() -> None:
        with transaction.atomic():
            record("test.entry", {"n": 1}, actor="test:a")
            raise Boom

    with pytest.raises(Boom):
        record_then_fail()

    assert list(LogEntry.objects.values_list("index", flat=True)) == [0]
    assert Sequencer.objects.get().next_index == 1
    assert _signed_sizes() == [1]  # the rolled-back record scheduled nothing
    with transaction.atomic():
        again = record("test.entry", {"n": 2}, actor="test:a")
    assert again.index == 1
    assert _signed_sizes() == [1, 2]


# --- refusals ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind",
    ["", "pledge", "Pledge.recorded", "pledge..recorded", "pledge.recorded.", ".pledge",
     "1pledge.recorded", "pledge recorded", "pledge.recorded\n", "pledge-recorded.x"],
)  # fmt: skip
def test_a_bad_kind_is_refused_and_nothing_is_written(var_dir: Path, kind: str) -> None:
    with (
        pytest.raises(LedgerError, match=r"^kind .* must be dotted lowercase words"),
        transaction.atomic(),
    ):
        record(kind, {"n": 1}, actor="test:a")

    _assert_nothing_written()


@pytest.mark.django_db
def test_an_empty_actor_is_refused_and_nothing_is_written(var_dir: Path) -> None:
    with (
        pytest.raises(LedgerError, match=r"^actor must name who made the change$"),
        transaction.atomic(),
    ):
        record("test.entry", {"n": 1}, actor="")

    _assert_nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"data": {"amount": {"value": 10.5}}}, "data.amount.value is a float;"),
        ({"data": {"amount": {"value": Decimal("10.50")}}}, "data.amount.value is a Decimal;"),
        ({"data": {"lines": [{"qty": 1.0}]}}, "data.lines[0].qty is a float;"),
        ({"data": {"x": float("nan")}}, "data.x is a float;"),
        ({"data": {"big": 2**53}}, "data.big is an integer too large for JSON"),
        ({"data": {"small": -(2**53)}}, "data.small is an integer too large for JSON"),
        ({"data": {"when": datetime(2026, 1, 1, tzinfo=UTC)}}, "data.when is a datetime"),
        ({"data": {"tags": {"a", "b"}}}, "data.tags is a set"),
        ({"data": {"text": "\ud800"}}, "data.text holds a lone surrogate"),
        ({"data": {1: "one"}}, "data has a key that is not a string: 1"),
        ({"signatures": [{"sig": 1.5}]}, "signatures[0].sig is a float;"),
        ({"private": {"aid": {"kg": 2.5}}}, "private.aid.kg is a float;"),
    ],
)
def test_data_json_cannot_hold_exactly_is_refused_naming_its_path(
    var_dir: Path, arguments: dict[str, Any], message: str
) -> None:
    kwargs: dict[str, Any] = {"data": {"ok": True}, **arguments}
    data = kwargs.pop("data")

    with pytest.raises(LedgerError) as raised, transaction.atomic():
        record("test.entry", data, actor="test:a", **kwargs)

    assert str(raised.value).startswith(message)
    _assert_nothing_written()


@pytest.mark.django_db
def test_the_largest_entry_a_bundle_holds_is_accepted_and_one_byte_more_is_not(
    var_dir: Path,
) -> None:
    def entry_size(blob: str) -> int:
        return len(
            canonical_json(
                {
                    "type": "amanah.test.entry.v1",
                    "at": "2026-01-01T00:00:00Z",  # always 20 characters
                    "actor": "test:a",
                    "data": {"blob": blob},
                    "private_commitment": None,
                    "signatures": [],
                }
            )
        )

    fitting = "x" * (0xFFFF - entry_size(""))
    with (
        pytest.raises(LedgerError, match=r"^data is too large to log: 65536 bytes, at most 65535"),
        transaction.atomic(),
    ):
        record("test.entry", {"blob": fitting + "x"}, actor="test:a")
    _assert_nothing_written()

    with transaction.atomic():
        logged = record("test.entry", {"blob": fitting}, actor="test:a")
    integrate_pending()

    assert len(bytes(logged.entry)) == 0xFFFF
    assert TileHashReader(DatabaseTileStorage(), 1).entry(0) == bytes(logged.entry)


# --- private data ----------------------------------------------------------------------


@pytest.mark.django_db
def test_private_data_stays_out_of_the_log_behind_a_salted_commitment(var_dir: Path) -> None:
    private = {"beneficiary": SECRET, "household": 6}

    with transaction.atomic():
        first = record("aid.delivered", {"parcels": 3}, actor="partner:a", private=private)
        second = record("aid.delivered", {"parcels": 3}, actor="partner:a", private=private)
    integrate_pending()

    for logged in (first, second):
        stored = LogEntry.objects.get(index=logged.index)
        salt = bytes(stored.private_salt)
        assert len(salt) == 32
        assert stored.private_data == private
        commitment = json.loads(bytes(stored.entry))["private_commitment"]
        assert commitment == hashlib.sha256(salt + canonical_json(private)).hexdigest()
    # Salted: the same private data does not give the same commitment twice.
    assert (
        json.loads(bytes(first.entry))["private_commitment"]
        != json.loads(bytes(second.entry))["private_commitment"]
    )
    tiles = _tiles()
    assert {"checkpoint", "tile/0/000.p/2", "tile/entries/000.p/2"} <= set(tiles)
    published = b"".join(tiles.values())
    for secret in (SECRET.encode(), b"beneficiary", b"household"):
        assert secret not in bytes(first.entry)
        assert secret not in published  # tiles, entry bundles and the checkpoint
        assert secret not in SignedCheckpoint.objects.get().note.encode()


# --- integration -----------------------------------------------------------------------


@pytest.mark.django_db
def test_commit_integrates_and_signs_a_checkpoint_that_verifies(
    var_dir: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            entries = [
                bytes(record("test.entry", {"n": n}, actor="test:a").entry) for n in range(3)
            ]
        assert not SignedCheckpoint.objects.exists()  # nothing is integrated before commit

    assert callbacks == [integrate_due] * 3
    assert _signed_sizes() == [3]  # the first callback integrated all; the others had nothing
    report = verify_log(DatabaseTileStorage(), log_signer().verifier(), entries=[0, 1, 2])
    assert report.checkpoint.size == 3
    assert report.checkpoint.root_hash == bytes(TreeHead.objects.get().root_hash)
    assert [e.leaf_hash for e in report.entries] == [leaf_hash(e) for e in entries]
    assert DatabaseTileStorage().read("checkpoint") == SignedCheckpoint.objects.get().note.encode()


@pytest.mark.django_db
def test_integrate_pending_with_nothing_pending_does_nothing(
    append_entries: Callable[..., None],
) -> None:
    assert integrate_pending() is None
    assert not SignedCheckpoint.objects.exists()
    assert not LogTile.objects.exists()

    append_entries(2)
    tiles = _tiles()

    assert integrate_pending() is None
    assert _signed_sizes() == [2]
    assert _tiles() == tiles


@pytest.mark.django_db
def test_integration_returns_the_checkpoint_it_signed(var_dir: Path) -> None:
    with transaction.atomic():
        record("test.entry", {"n": 1}, actor="test:a")

    signed = integrate_pending()

    assert signed is not None
    assert signed.size == 1
    assert signed.note.startswith(f"localhost/amanah-demo\n1\n{_b64(signed.root_hash)}\n")


def _b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode()


def _rewrite_history(index: int, forged: bytes) -> None:
    """What an insider with database access could do: change an entry, rebuild every tile
    and the tree head from the forged entries. Only the old signature cannot be redone."""
    LogEntry.objects.filter(index=index).update(entry=forged)
    head = TreeHead.objects.get()
    entries = [
        bytes(e)
        for e in LogEntry.objects.filter(index__lt=head.size)
        .order_by("index")
        .values_list("entry", flat=True)
    ]
    rebuilt = MemoryStorage()
    writer = TileWriter(rebuilt, 0)
    writer.append(entries)
    writer.flush()
    for path, data in rebuilt.files.items():
        LogTile.objects.update_or_create(path=path, defaults={"data": data})
    head.root_hash = writer.root()
    head.save()


@pytest.mark.django_db
def test_integration_refuses_to_sign_a_tree_that_does_not_extend_the_last_checkpoint(
    append_entries: Callable[..., None],
) -> None:
    append_entries(5)
    _rewrite_history(2, canonical_json({"forged": True}))
    with transaction.atomic():
        record("test.entry", {"n": "after the forgery"}, actor="test:a")
    tiles, head = _tiles(), TreeHead.objects.get()

    with pytest.raises(LogForked, match=r"^refusing to sign size 6: not an extension of the "
                       r"checkpoint signed at size 5"):  # fmt: skip
        integrate_pending()

    assert _signed_sizes() == [5]
    assert _tiles() == tiles  # the checkpoint and the tiles of size 6 were rolled back
    assert TreeHead.objects.get().size == head.size == 5


@pytest.mark.django_db
def test_integration_refuses_tiles_that_do_not_match_the_tree_head(
    append_entries: Callable[..., None],
) -> None:
    append_entries(5)
    LogTile.objects.filter(path="tile/0/000.p/5").update(data=b"\x00" * 32 * 5)
    with transaction.atomic():
        record("test.entry", {"n": 6}, actor="test:a")

    with pytest.raises(RuntimeError, match="the stored tiles do not match the tree head at size 5"):
        integrate_pending()

    assert _signed_sizes() == [5]
    assert not LogTile.objects.filter(path="tile/0/000.p/6").exists()


def test_a_refused_integration_never_undoes_the_callers_commit(
    transactional_db: None, var_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with transaction.atomic():
        for n in range(5):
            record("test.entry", {"n": n}, actor="test:a")
    _rewrite_history(2, canonical_json({"forged": True}))

    with caplog.at_level(logging.ERROR), transaction.atomic():
        logged = record("test.entry", {"n": 5}, actor="test:a")

    assert LogEntry.objects.filter(index=logged.index).exists()  # committed regardless
    assert _signed_sizes() == [5]
    assert "Error calling integrate_due in on_commit()" in caplog.text
    assert "refusing to sign size 6" in caplog.text


@pytest.mark.django_db
def test_partial_tiles_are_deleted_once_their_full_tile_exists(
    append_entries: Callable[..., None],
) -> None:
    for batch in (36, 100, 144, 20):  # sizes 36, 136, 280, 300
        append_entries(batch)

    paths = set(_tiles())
    assert not {p for p in paths if p.startswith(("tile/0/000.p/", "tile/entries/000.p/"))}
    assert {"tile/0/000", "tile/entries/000", "tile/0/001.p/44", "tile/entries/001.p/44"} <= paths
    assert "tile/1/000.p/1" in paths
    # The unfinished tile keeps its earlier partials until it fills up.
    assert "tile/0/001.p/24" in paths
    assert _signed_sizes() == [36, 136, 280, 300]
    # Every older checkpoint is still provable: readers fall back to the full tile.
    storage = DatabaseTileStorage()
    for signed in SignedCheckpoint.objects.all():
        assert TileHashReader(storage, signed.size).root() == bytes(signed.root_hash)
    assert verify_log(storage, log_signer().verifier()).checkpoint.size == 300
