"""No English from Amanah's own catalogue is left on an Arabic page.

The walk starts at the Arabic home page and follows every same-site link under /ar/ (one
page per address pattern, so a list of 500 entries costs one visit, not 500), as an
anonymous visitor and as each demo role. On every page, each piece of visible text and each
labelling attribute (aria-label, title, placeholder, alt, value of buttons) is compared with
the Arabic catalogue: a text that is a msgid of the catalogue, with an Arabic msgstr that
differs from it, means a string that should have been translated was rendered in English
(a `gettext` evaluated too early, at import time, or outside the request's language).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from amanah.accounts.models import User
from conftest import DemoLog

MO = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES" / "django.mo"
# Pages that stream files, or act: not walked.
SKIP = re.compile(r"(\.csv|/receipt|/logout/|/i18n/|/evidence/|/log/tile|/log/checkpoint)")
LABELS = ("aria-label", "title", "placeholder", "alt")
# Texts that are the same in both languages on purpose (codes, names of things).
SAME_IN_BOTH = {"Amanah", "English", "العربية", "CSV", "API", "JSON", "IATI", "USD"}


def _english_msgids() -> dict[str, str]:
    """msgid -> msgstr of every entry the Arabic catalogue translates differently."""
    if not MO.exists():
        pytest.skip("locale/ar/LC_MESSAGES/django.mo is missing: run `make pytest`")
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for key, value in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not isinstance(msgid, str) or not msgid or "\x04" in msgid:
            continue
        if "%(" in msgid or "{" in msgid:  # rendered with values: never seen verbatim
            continue
        if value and value != msgid and msgid not in SAME_IN_BOTH:
            found[msgid] = value
    return found


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "style", "code", "pre", "template"):
            self._hidden += 1
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        for name in LABELS:
            if found.get(name):
                self.texts.append(found[name] or "")
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.texts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data)


def _pattern(path: str) -> str:
    """One visit per address shape: ids, codes and numbers collapse."""
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>", path)
    path = re.sub(r"/\d+/", "/<n>/", path)
    return re.sub(r"/GZ-[A-Z]{3}-\d{4}/", "/<code>/", path)


def _walk(client: Client) -> Iterator[tuple[str, _Page]]:
    seen: set[str] = set()
    queue = ["/ar/"]
    while queue:
        path = queue.pop(0)
        key = _pattern(path)
        if key in seen or SKIP.search(path):
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        yield path, page
        for href in page.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/ar/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _pattern(target.split("?")[0]) not in seen:
                queue.append(target)


@pytest.mark.parametrize(
    "username",
    [None, "demo-secretariat", "demo-member-pk", "demo-partner-schools", "demo-monitor",
     "demo-logistics"],
)  # fmt: skip
def test_no_english_from_the_catalogue_on_an_arabic_page(
    client: Client, demo_log: DemoLog, username: str | None
) -> None:
    english = _english_msgids()
    if username:
        client.force_login(User.objects.get(username=username))
    untranslated: dict[str, set[str]] = {}
    visited = 0
    for path, page in _walk(client):
        visited += 1
        for text in page.texts:
            text = " ".join(text.split())
            if text in english:
                untranslated.setdefault(text, set()).add(path)
    assert visited > 10, "the walk found too few pages"
    assert untranslated == {}


def test_the_check_sees_english_where_it_is(client: Client, demo_log: DemoLog) -> None:
    """The same comparison on the English home page finds the catalogue's English: the
    walk above would see it too."""
    english = _english_msgids()
    page = _Page()
    page.feed(client.get("/").content.decode())

    found = {" ".join(t.split()) for t in page.texts} & set(english)

    assert {"Fund", "Board motions"} <= found
