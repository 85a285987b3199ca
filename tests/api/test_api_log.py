"""The log's public API: /api/v1/log/checkpoint and /api/v1/log/entries[/{index}]."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from openapi_check import checked
from pytest_django import DjangoAssertNumQueries

from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.ledger.selectors import log_entry_list_after
from amanah.ledger.services import integrate_pending, record
from amanah.transparency import leaf_hash
from conftest import DemoLog

API = "/api/v1/log"
SECRET = "Fatima Secretname, ID 400123456"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- checkpoint ------------------------------------------------------------------------


def test_checkpoint_is_the_latest_signed_one(client: Client, demo_log: DemoLog) -> None:
    body = checked(client.get(f"{API}/checkpoint"))

    latest = SignedCheckpoint.objects.get()
    assert body == {
        "origin": "localhost/amanah-demo",
        "size": demo_log.size,
        "root_hash": _b64(bytes(latest.root_hash)),
        "note": latest.note,
        "signed_at": latest.signed_at.isoformat().replace("+00:00", "Z"),
    }
    # The same bytes a verifier fetches from /log/checkpoint.
    assert body["note"].encode() == client.get("/log/checkpoint").content
    assert body["note"].splitlines()[2] == body["root_hash"]


def test_checkpoint_is_404_with_a_code_before_the_first(client: Client, db: None) -> None:
    response = client.get(f"{API}/checkpoint")

    assert response.status_code == 404
    assert checked(response) == {
        "code": "no_checkpoint",
        "message": "The log has no signed checkpoint yet.",
        "fields": {},
    }


def test_the_log_needs_no_token_and_ignores_a_bad_one(client: Client, demo_log: DemoLog) -> None:
    response = client.get(f"{API}/checkpoint", headers={"Authorization": "Bearer nonsense"})

    assert response.status_code == 200


# --- entries ---------------------------------------------------------------------------


def test_entries_are_listed_oldest_first_from_the_start(client: Client, demo_log: DemoLog) -> None:
    body = checked(client.get(f"{API}/entries", {"limit": 3}))

    rows = LogEntry.objects.order_by("index")[:3]
    assert body["entries"] == [
        {
            "index": row.index,
            "kind": row.kind,
            "recorded_at": row.recorded_at.isoformat().replace("+00:00", "Z"),
            "actor": row.actor,
            "data": json.loads(bytes(row.entry))["data"],
        }
        for row in rows
    ]
    assert body["next_after"] == 2


def test_pages_follow_one_another_to_the_end(client: Client, demo_log: DemoLog) -> None:
    seen: list[int] = []
    after: int | None = None
    pages = 0
    while True:
        query = {"limit": 10} if after is None else {"limit": 10, "after": after}
        body = checked(client.get(f"{API}/entries", query))
        seen += [entry["index"] for entry in body["entries"]]
        pages += 1
        after = body["next_after"]
        if after is None:
            break

    assert seen == list(range(demo_log.size))
    assert pages == -(-demo_log.size // 10)


def test_the_default_page_is_50(client: Client, append_entries: Callable[..., None]) -> None:
    append_entries(60)

    body = checked(client.get(f"{API}/entries"))

    assert [entry["index"] for entry in body["entries"]] == list(range(50))
    assert body["next_after"] == 49


def test_a_page_that_ends_the_log_says_so(
    client: Client, append_entries: Callable[..., None]
) -> None:
    append_entries(4)

    assert checked(client.get(f"{API}/entries", {"limit": 4}))["next_after"] is None
    assert checked(client.get(f"{API}/entries", {"after": 3})) == {
        "entries": [],
        "next_after": None,
    }


def test_entries_a_batch_still_holds_are_signed_before_they_are_listed(
    client: Client, append_entries: Callable[..., None]
) -> None:
    append_entries(2)
    with transaction.atomic():  # not integrated: on-commit hooks wait in a test
        record("test.entry", {"late": True}, actor="test:late")

    body = checked(client.get(f"{API}/entries"))

    # Listing integrates first, so every entry listed is covered by a signed checkpoint.
    assert [entry["index"] for entry in body["entries"]] == [0, 1, 2]
    assert SignedCheckpoint.objects.order_by("-size").values_list("size", flat=True)[0] == 3
    assert client.get(f"{API}/entries/3").status_code == 404


def test_a_page_is_one_query(
    append_entries: Callable[..., None], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    append_entries(30)

    with django_assert_num_queries(1):
        page = log_entry_list_after(after=5, limit=20)

    assert [entry.index for entry in page.entries] == list(range(6, 26))


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"limit": 101}, "limit", "Enter a value of at most 100."),
        ({"limit": 0}, "limit", "Enter a value of at least 1."),
        ({"limit": "ten"}, "limit", "Enter a whole number."),
        ({"after": -1}, "after", "Enter a value of at least 0."),
        ({"after": "1.5"}, "after", "Enter a whole number."),
    ],
)
def test_a_bad_query_names_the_field(
    client: Client, db: None, query: dict[str, object], field: str, message: str
) -> None:
    response = client.get(f"{API}/entries", query)

    assert response.status_code == 422
    assert checked(response) == {
        "code": "validation_failed",
        "message": f"These fields are not valid: {field}.",
        "fields": {field: message},
    }


def test_every_bad_field_is_named_at_once(client: Client, db: None) -> None:
    response = client.get(f"{API}/entries", {"limit": 1000, "after": "x"})

    body = checked(response)
    assert body["fields"] == {
        "limit": "Enter a value of at most 100.",
        "after": "Enter a whole number.",
    }


def test_validation_messages_follow_the_language_of_the_request(client: Client, db: None) -> None:
    response = client.get(f"{API}/entries", {"limit": 101}, headers={"Accept-Language": "ar"})

    body = checked(response)
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == ["limit"]
    assert "limit" in body["message"]
    assert "Enter" not in body["fields"]["limit"]
    assert "100" in body["fields"]["limit"]
    assert response["Content-Language"] == "ar"
    assert "Accept-Language" in response["Vary"]
    # Without a preference, English.
    english = client.get(f"{API}/entries", {"limit": 101})
    assert english["Content-Language"] == "en"
    assert checked(english)["fields"] == {"limit": "Enter a value of at most 100."}


# --- one entry -------------------------------------------------------------------------


def test_one_entry_carries_its_exact_bytes_and_leaf_hash(client: Client, demo_log: DemoLog) -> None:
    body = checked(client.get(f"{API}/entries/3"))

    row = LogEntry.objects.get(index=3)
    entry = bytes(row.entry)
    assert body == {
        "index": 3,
        "kind": row.kind,
        "recorded_at": row.recorded_at.isoformat().replace("+00:00", "Z"),
        "actor": row.actor,
        "data": json.loads(entry)["data"],
        "private_commitment": None,
        "entry": _b64(entry),
        "leaf_hash": _b64(leaf_hash(entry)),
        "checkpoint_size": demo_log.size,
    }


@pytest.mark.parametrize("past_the_end", [None, 0, 10**6])
def test_an_absent_entry_is_404_with_its_index(
    client: Client, demo_log: DemoLog, past_the_end: int | None
) -> None:
    index = -1 if past_the_end is None else demo_log.size + past_the_end
    response = client.get(f"{API}/entries/{index}")

    assert response.status_code == 404
    assert checked(response) == {
        "code": "log_entry_not_found",
        "message": f"The log has no entry {index} under its latest signed checkpoint.",
        "fields": {"index": index},
    }


def test_an_index_that_is_not_a_number_is_named(client: Client, db: None) -> None:
    response = client.get(f"{API}/entries/first")

    assert response.status_code == 422
    assert checked(response)["fields"] == {"index": "Enter a whole number."}


# --- private data ----------------------------------------------------------------------


@pytest.mark.django_db
def test_no_log_endpoint_shows_private_data(client: Client, var_dir: Path) -> None:
    private = {"beneficiary": SECRET, "household_size": 6}
    with transaction.atomic():
        record("test.entry", {"public": "yes"}, actor="test:a")
        logged = record("aid.delivered", {"parcels": 3}, actor="partner:a", private=private)
    integrate_pending()
    salt = bytes(LogEntry.objects.get(index=logged.index).private_salt)

    bodies = [
        client.get(f"{API}/checkpoint").content,
        client.get(f"{API}/entries").content,
        client.get(f"{API}/entries/{logged.index}").content,
    ]

    detail = json.loads(bodies[2])
    assert detail["data"] == {"parcels": 3}
    assert detail["private_commitment"] == json.loads(bytes(logged.entry))["private_commitment"]
    for body in bodies:
        for secret in (SECRET, "beneficiary", "household_size", "Fatima", "400123456"):
            assert secret.encode() not in body
        assert salt.hex().encode() not in body
        assert _b64(salt).encode() not in body
        assert b"private_data" not in body
        assert b"salt" not in body
