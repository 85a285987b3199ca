"""Every main public page, in both languages, weighs under 150 KB over the wire.

The weight of a page is its HTML plus every stylesheet and script it links, each compressed
with gzip at level 6 (what the GZip middleware and WhiteNoise send, near enough); fonts and
images are not counted. The demo `make run` loads is the data, with its weeks of
consignments, so the tables are as long as a newcomer sees them.
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

BUDGET = 150 * 1024
PAGES = [
    "/",
    "/fund/",
    "/fund/allocations/",
    "/fund/trace/",
    "/fund/rates/",
    "/board/",
    "/motions/",
    "/proposals/",
    "/partners/",
    "/rounds/",
    "/access/",
    "/materials/",
    "/assets/",
    "/monitoring/projects/",
]
URLS = [prefix + page for prefix in ("", "/ar") for page in PAGES]


class _Links(HTMLParser):
    """The stylesheets and scripts a page makes the browser fetch, and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        rel = (found.get("rel") or "").split()
        if tag == "link" and "stylesheet" in rel and found.get("href"):
            self.assets.append(found["href"] or "")
        elif tag == "script":
            if found.get("src"):
                self.assets.append(found["src"] or "")
            elif (found.get("type") or "text/javascript") not in ("application/json",):
                self.inline_scripts += 1


def _gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def _asset(client: Client, url: str) -> bytes:
    """A static file as WhiteNoise serves it (found where collectstatic would find it),
    or any other same-origin address as the server answers it."""
    assert not urlsplit(url).netloc, f"{url}: not from our own server"
    assert url.startswith("/"), url
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    if url.startswith(static_url):
        path = finders.find(url.removeprefix(static_url).split("?")[0])
        assert path, f"{url}: no such static file (has `make setup` run `npm ci`?)"
        return Path(str(path)).read_bytes()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


@pytest.fixture
def demo(db: None, var_dir: Path) -> None:
    # Two weeks of consignments: the access and materials pages have rows to show.
    call_command("load_demo", "--access-days", "14", stdout=StringIO())


@pytest.mark.slow
def test_every_main_page_weighs_less_than_150_kb_compressed(
    client: Client, demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = []
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content
        links = _Links()
        links.feed(html.decode())
        assets = {asset: _gzipped(_asset(client, asset)) for asset in dict.fromkeys(links.assets)}
        total = _gzipped(html) + sum(assets.values())
        rows.append((url, _gzipped(html), sum(assets.values()), total, links.inline_scripts))

    with capsys.disabled():
        print(f"\n{'page':<26}{'HTML':>9}{'CSS+JS':>9}{'total':>9}  (KB, gzip -6)")
        for url, page, assets_size, total, _inline in rows:
            print(f"{url:<26}{page / 1024:>9.1f}{assets_size / 1024:>9.1f}{total / 1024:>9.1f}")
    too_heavy = [f"{url}: {total / 1024:.1f} KB" for url, _, _, total, _ in rows if total >= BUDGET]
    assert not too_heavy, too_heavy
    # Usable without JavaScript: the public pages need none of their own to show content.
    with_scripts = [url for url, *_, inline in rows if inline]
    assert not with_scripts, with_scripts


def test_pages_link_bootstrap_for_their_direction_and_nothing_from_elsewhere(
    client: Client, db: None
) -> None:
    for url, sheet in (("/", "bootstrap.min.css"), ("/ar/", "bootstrap.rtl.min.css")):
        links = _Links()
        links.feed(client.get(url).content.decode())

        assert links.assets == [f"/static/vendor/bootstrap/{sheet}", "/static/amanah/site.css"]
        for asset in links.assets:
            assert _asset(client, asset)
