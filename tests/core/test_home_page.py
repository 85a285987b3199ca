from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from django.test import Client

from amanah.transparency import Checkpoint, FileLog


def _checkpoint(log_dir: Path) -> Checkpoint:
    note = (log_dir / "checkpoint").read_bytes()
    return Checkpoint.from_text(note[: note.rindex(b"\n\n") + 1])


def test_home_in_english_shows_the_log_and_how_to_verify_it(client: Client, demo_log: Path) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "The transparency log" in html
    checkpoint = _checkpoint(demo_log)
    assert f'<code dir="ltr">{checkpoint.origin}</code>' in html
    assert f"<dd>{checkpoint.size}</dd>" in html
    assert base64.b64encode(checkpoint.root_hash).decode() in html
    key = FileLog.open(demo_log).verifier_key
    assert f"amanah-verify log http://testserver/log --key {key}" in html
    assert 'href="/log/checkpoint"' in html


def test_home_in_arabic_is_right_to_left_and_translated(client: Client, demo_log: Path) -> None:
    response = client.get("/ar/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "سجل الشفافية" in html
    assert "The transparency log" not in html
    # Keys and commands stay left-to-right inside the Arabic page.
    key = FileLog.open(demo_log).verifier_key
    assert f'<code dir="ltr">{key}</code>' in html
    assert '<pre dir="ltr">' in html


def test_home_has_landmarks_and_a_language_switcher_without_javascript(
    client: Client, demo_log: Path
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


def test_home_of_a_mirrored_log_without_its_key_file_still_renders(
    client: Client, demo_log: Path
) -> None:
    # A mirror copies the public files only: no .amanah-log/ with the keys.
    shutil.rmtree(demo_log / ".amanah-log")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "amanah-verify log http://testserver/log --key VERIFIER_KEY" in page
    assert "PRIVATE" not in page
