from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from amanah.ledger.models import LogEntry, SignedCheckpoint
from conftest import DemoLog

pytestmark = pytest.mark.django_db


def test_home_in_english_shows_the_log_and_how_to_verify_it(
    client: Client, demo_log: DemoLog
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "The transparency log" in html
    latest = SignedCheckpoint.objects.get()
    assert '<code dir="ltr">localhost/amanah-demo</code>' in html
    assert f"<dd>{demo_log.size}</dd>" in html
    assert f'<code dir="ltr">{base64.b64encode(latest.root_hash).decode()}</code>' in html
    assert f"amanah-verify log http://testserver/log --key {demo_log.key_text}" in html
    assert 'href="/log/checkpoint"' in html


def test_home_lists_the_latest_ten_entries_linking_to_their_pages(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/").content.decode()
    newest, oldest_shown = demo_log.size - 1, demo_log.size - 10

    for index in range(oldest_shown, demo_log.size):
        assert f'<a href="/entries/{index}/">Entry {index}</a>' in html
    assert f'href="/entries/{oldest_shown - 1}/"' not in html
    # Newest first.
    assert html.index(f'href="/entries/{newest}/"') < html.index(f'href="/entries/{oldest_shown}/"')
    assert f'<code dir="ltr">{LogEntry.objects.get(index=newest).kind}</code>' in html


def test_home_integrates_pending_entries_before_listing_them(
    client: Client, demo_log: DemoLog
) -> None:
    from django.db import transaction

    from amanah.ledger.services import record

    with transaction.atomic():
        record("test.unsigned", {"n": 1}, actor="test:pending")  # committed, not integrated

    html = client.get("/").content.decode()

    # The home page integrates what a batch still holds before listing, so the entry is
    # listed, and a checkpoint signs it.
    assert f'href="/entries/{demo_log.size}/"' in html
    assert "test.unsigned" in html
    assert SignedCheckpoint.objects.filter(size=demo_log.size + 1).exists()


def test_home_runs_a_fixed_number_of_queries(
    client: Client,
    append_entries: Callable[..., None],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    append_entries(40)
    # Warm the signing key's cache: reading it is file I/O, not a query.
    client.get("/")

    # Whether anything waits to be integrated (two), the latest checkpoint, then the ten
    # latest entries: however long the log grows. Since the home page also shows the fund
    # at a glance (issue 7): the fund's figures (the log's size, then one per stage: eight),
    # the board's latest decisions (one), access this week (four), the latest round (one)
    # and the damage to assets (one, grouped) -- each a fixed number
    # of queries, whatever the data. (With donors, one more names them: see
    # tests/portal/test_portal_pages_public.py.)
    with django_assert_num_queries(19):
        response = client.get("/")

    assert response.content.decode().count('href="/entries/') == 10


def test_home_in_arabic_is_right_to_left_and_translated(client: Client, demo_log: DemoLog) -> None:
    response = client.get("/ar/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "سجل الشفافية" in html
    assert "The transparency log" not in html
    assert "Latest entries" not in html
    assert "أحدث القيود" in html
    # Entry pages keep the language; keys and commands stay left-to-right.
    assert f'href="/ar/entries/{demo_log.size - 1}/"' in html
    assert f'<code dir="ltr">{demo_log.key_text}</code>' in html
    assert '<pre dir="ltr">' in html


def test_home_has_landmarks_and_a_language_switcher_without_javascript(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/").content.decode()

    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert '<form class="language-switcher" action="/i18n/setlang/" method="post"' in html
    assert '<input type="hidden" name="next" value="/ar/">' in html
    assert 'name="language" value="ar" lang="ar" dir="rtl"' in html
    assert "<script" not in html


def test_home_before_the_first_checkpoint_says_so(client: Client, var_dir: Path) -> None:
    html = client.get("/").content.decode()

    assert "The log has not published a checkpoint yet." in html
    assert "amanah-verify" not in html
    # Rendering the page must not create a signing key as a side effect.
    assert not (var_dir / "log.key").exists()


def test_switching_language_redirects_to_the_arabic_page_and_back(client: Client) -> None:
    # Each form carries the page's address in the language it switches to.
    assert '<input type="hidden" name="next" value="/ar/">' in client.get("/").content.decode()
    assert '<input type="hidden" name="next" value="/">' in client.get("/ar/").content.decode()

    to_arabic = client.post("/i18n/setlang/", {"language": "ar", "next": "/ar/"})

    assert to_arabic.status_code == 302
    assert to_arabic["Location"] == "/ar/"
    assert to_arabic.cookies["django_language"].value == "ar"
    assert 'dir="rtl"' in client.get(to_arabic["Location"]).content.decode()

    to_english = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert to_english.status_code == 302
    assert to_english["Location"] == "/"
    assert to_english.cookies["django_language"].value == "en"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
def test_home_sends_security_headers(
    client: Client, var_dir: Path, header: str, value: str
) -> None:
    assert client.get("/")[header] == value


def test_home_forbids_scripts_and_framing_by_content_security_policy(
    client: Client, var_dir: Path
) -> None:
    policy = client.get("/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_home_refuses_to_be_written_to(client: Client, var_dir: Path) -> None:
    assert client.post("/").status_code == 405


def test_home_with_the_key_file_lost_shows_no_key_and_creates_none(
    client: Client, demo_log: DemoLog
) -> None:
    (demo_log.var_dir / "log.key").unlink()
    html = client.get("/").content.decode()
    assert "amanah-verify log http://testserver/log --key VERIFIER_KEY" in html
    assert demo_log.key_text not in html
    # A fresh key here would be a wrong key shown as the log's: reading never creates one.
    assert not (demo_log.var_dir / "log.key").exists()
