"""A reader checks a record against the transparency log in a real browser (verify.js).

The script trusts only the log key in the page's <meta name="amanah-log-key">: it checks
the checkpoint's Ed25519 signature, recomputes the entry's leaf hash from the entry
bundle, builds the inclusion proof from hash tiles and compares the root. These tests
prove both outcomes: the demo's entries verify, and an altered hash tile, entry bundle,
checkpoint or key is reported as NOT verified, naming what failed.

The demo log is more than one tile long, so there are entries in the first full level-0
tile (whose proof reads a full tile and the partial right edge) and in the last partial
one (whose proof reads the level-1 tile).
"""

from __future__ import annotations

import base64
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).parent))
from test_portal_browser_signing import Pages  # opens pages that reach only the server

from amanah.projects.models import Project
from amanah.transparency import Ed25519Signer
from amanah.transparency.tiles import TileId, tile_for
from conftest import DemoLog

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def in_browser(test: Callable[..., None]) -> Callable[..., None]:
    """Drives Debian's Chromium; skipped, saying why, where there is none."""
    marked = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")(test)
    return pytest.mark.browser(marked)


RESULT = ".verify-result"
VERIFIED = f"{RESULT}[data-state=verified]"
FAILED = f"{RESULT}[data-state=failed]"
DONE = f"{RESULT}:is([data-state=verified], [data-state=failed], [data-state=unavailable],"
DONE += " [data-state=unsupported], [data-state=pending])"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            launched.close()


def _tile(level: int, index: int, size: int) -> str:
    return "/log/" + tile_for(level, index // 256, size).path


def _entries_tile(index: int, size: int) -> str:
    return "/log/" + tile_for(-1, index // 256, size).path


def _altered(route: Route, change: Callable[[bytes], bytes]) -> None:
    """Serve what the server answers, changed."""
    response = route.fetch()
    route.fulfill(response=response, body=change(response.body()))


def _flip(at: int) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        assert len(body) > at
        return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]

    return change


def _verify(page: Page, url: str, *, selector: str = "button.verify") -> tuple[str, str, str]:
    """Open `url`, click its first verify control; (state, message, technical details)."""
    page.goto(url)
    button = page.locator(selector).first
    button.wait_for(state="visible")
    control = button.locator("xpath=..")
    button.click()
    control.locator(DONE).wait_for()
    control.locator("details.verify-details summary").click()
    return (
        control.locator(RESULT).get_attribute("data-state") or "",
        control.locator(RESULT).inner_text(),
        control.locator("details.verify-details").inner_text(),
    )


def _first_full_tile_entry(demo: DemoLog) -> int:
    assert demo.size > 256, "the demo log must be longer than one full tile"
    return 5


def _last_partial_tile_entry(demo: DemoLog) -> int:
    assert demo.size % 256, "the demo log must end in a partial tile"
    return demo.size - 2


@in_browser
@pytest.mark.parametrize("which", ["first full tile", "last partial tile"])
def test_an_entry_of_the_demo_verifies_in_the_browser(
    live_server: object, demo_log: DemoLog, browser: Browser, which: str, tmp_path: Path
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    index = (
        _first_full_tile_entry(demo_log)
        if which == "first full tile"
        else _last_partial_tile_entry(demo_log)
    )
    browsing = Pages(base)
    page = browsing.new(browser)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url.removeprefix(base)))

    state, message, details = _verify(page, f"{base}/entries/{index}/")

    page.screenshot(path=tmp_path / "verify-entry.png", full_page=True)
    assert state == "verified", (message, details)
    assert message.startswith(f"Verified: this record is entry {index:,} of the public log.")
    assert f"{demo_log.size:,} entries" in message
    assert demo_log.key_text in details
    # Only the files the proof needs: the checkpoint, one bundle, a few tiles.
    log_files = [url for url in fetched if url.startswith("/log/")]
    assert log_files[0] == "/log/checkpoint"
    assert _entries_tile(index, demo_log.size) in log_files
    assert _tile(0, index, demo_log.size) in log_files
    assert len(log_files) <= 6, log_files
    assert browsing.external == []
    assert browsing.problems == []


@in_browser
def test_without_javascript_the_control_stays_hidden(
    live_server: object, demo_log: DemoLog, browser: Browser
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/entries/5/")
    assert page.locator("button.verify").count() == 1
    assert not page.locator("button.verify").is_visible()
    context.close()


@in_browser
@pytest.mark.parametrize("which", ["first full tile", "last partial tile"])
def test_an_altered_hash_tile_is_not_verified_and_is_named(
    live_server: object, demo_log: DemoLog, browser: Browser, which: str
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    size = demo_log.size
    if which == "first full tile":
        index = _first_full_tile_entry(demo_log)
        # A hash of the entry's own full level-0 tile, far from the entry itself.
        altered = _tile(0, index, size)
        at = 200 * 32 + 7
    else:
        index = _last_partial_tile_entry(demo_log)
        # The level-1 tile: its first hash stands for the whole first level-0 tile.
        altered = "/log/" + tile_for(1, 0, size).path
        at = 3
    browsing = Pages(base)
    page = browsing.new(browser)
    page.route(f"{base}{altered}", lambda route: _altered(route, _flip(at)))

    state, message, details = _verify(page, f"{base}/entries/{index}/")

    assert state == "failed", (message, details)
    # A full tile is named alone; a tile of the right edge with the others of the edge.
    start = "the log’s file " if which == "first full tile" else "one of the log’s files "
    assert message.startswith(f"NOT verified: {start}")
    assert "this page or the server may have been altered" in message
    assert altered.removeprefix("/log/") in message
    assert altered.removeprefix("/log/") in details
    assert browsing.problems == []


@in_browser
def test_an_altered_tile_of_the_right_edge_is_not_verified(
    live_server: object, demo_log: DemoLog, browser: Browser
) -> None:
    """The partial tiles give the signed root together: the message names all of them."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    index = _first_full_tile_entry(demo_log)
    altered = "/log/" + tile_for(0, demo_log.size // 256, demo_log.size).path
    assert ".p/" in altered
    page = Pages(base).new(browser)
    page.route(f"{base}{altered}", lambda route: _altered(route, _flip(40)))

    state, message, details = _verify(page, f"{base}/entries/{index}/")

    assert state == "failed", (message, details)
    assert message.startswith("NOT verified: one of the log’s files ")
    assert altered.removeprefix("/log/") in message
    assert "tile/1/000.p/" in message


def _dropped(partial: TileId, dropped: list[str]) -> Callable[[Route], None]:
    def gone(route: Route) -> None:
        dropped.append(partial.path)
        route.fulfill(status=404, body=b"dropped")

    return gone


def _grown(partial: TileId, base: str) -> Callable[[Route], None]:
    """The full tile `partial` grew into: its hashes or entries, then others after them."""
    filler = b"\x00\x01-" if partial.is_entries else bytes(32)

    def full(route: Route) -> None:
        start = route.fetch(url=f"{base}/log/{partial.path}").body()
        route.fulfill(body=start + filler * (256 - partial.width))

    return full


@in_browser
def test_a_log_that_dropped_its_partial_tiles_still_verifies(
    live_server: object, demo_log: DemoLog, browser: Browser
) -> None:
    """A log may drop a partial tile once the full one exists; the client reads the full
    tile's first W hashes or entries instead (c2sp.org/tlog-tiles)."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    size = demo_log.size
    index = _last_partial_tile_entry(demo_log)
    page = Pages(base).new(browser)
    dropped: list[str] = []
    for level in (-1, 0, 1):
        partial = tile_for(level, (size >> (8 * max(level, 0))) // 256, size)
        assert partial.is_partial
        page.route(f"{base}/log/{partial.path}", _dropped(partial, dropped))
        page.route(f"{base}/log/{partial.full().path}", _grown(partial, base))

    state, message, details = _verify(page, f"{base}/entries/{index}/")

    assert state == "verified", (message, details)
    assert sorted(dropped) == sorted(
        tile_for(level, (size >> (8 * max(level, 0))) // 256, size).path for level in (-1, 0, 1)
    )


@in_browser
def test_the_entrys_own_leaf_hash_altered_in_its_tile_is_caught(
    live_server: object, demo_log: DemoLog, browser: Browser
) -> None:
    """The proof never reads the entry's own leaf hash; the tile check still does."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    index = _first_full_tile_entry(demo_log)
    altered = _tile(0, index, demo_log.size)
    page = Pages(base).new(browser)
    page.route(f"{base}{altered}", lambda route: _altered(route, _flip(index * 32)))

    state, message, details = _verify(page, f"{base}/entries/{index}/")

    assert state == "failed", (message, details)
    assert altered.removeprefix("/log/") in message


@in_browser
@pytest.mark.parametrize("which", ["first full tile", "last partial tile"])
def test_an_altered_entry_is_not_verified(
    live_server: object, demo_log: DemoLog, browser: Browser, which: str
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    index = (
        _first_full_tile_entry(demo_log)
        if which == "first full tile"
        else _last_partial_tile_entry(demo_log)
    )
    bundle = _entries_tile(index, demo_log.size)

    def change(body: bytes) -> bytes:
        # Find the entry's bytes in the bundle (uint16 length, then bytes) and alter one.
        at = 0
        for _ in range(index % 256):
            at += 2 + int.from_bytes(body[at : at + 2], "big")
        entry = body[at + 2 : at + 2 + int.from_bytes(body[at : at + 2], "big")]
        assert entry.startswith(b"{")
        changed = entry.replace(b'"at":"20', b'"at":"19', 1)  # recorded a century earlier
        assert changed != entry
        return body[: at + 2] + changed + body[at + 2 + len(entry) :]

    browsing = Pages(base)
    page = browsing.new(browser)
    page.route(f"{base}{bundle}", lambda route: _altered(route, change))

    state, message, details = _verify(page, f"{base}/entries/{index}/")

    assert state == "failed", (message, details)
    assert message.startswith(f"NOT verified: the record’s entry {index:,} does not match")
    assert bundle.removeprefix("/log/") in details
    assert browsing.problems == []


def _resigned_root(note: bytes) -> bytes:
    """The checkpoint with one bit of its root hash flipped, signature left as it was."""
    text = note.decode()
    origin, size, root, *rest = text.split("\n")
    raw = bytearray(base64.b64decode(root))
    raw[0] ^= 1
    return "\n".join([origin, size, base64.b64encode(bytes(raw)).decode(), *rest]).encode()


def _altered_signature(note: bytes) -> bytes:
    text = note.decode()
    head, signature = text.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(signature))
    raw[-1] ^= 1
    return f"{head} {base64.b64encode(bytes(raw)).decode()}\n".encode()


@in_browser
@pytest.mark.parametrize("alteration", ["root hash", "signature"])
def test_an_altered_checkpoint_is_not_verified(
    live_server: object, demo_log: DemoLog, browser: Browser, alteration: str
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    change = _resigned_root if alteration == "root hash" else _altered_signature
    browsing = Pages(base)
    page = browsing.new(browser)
    page.route(f"{base}/log/checkpoint", lambda route: _altered(route, change))

    state, message, details = _verify(page, f"{base}/entries/5/")

    assert state == "failed", (message, details)
    assert message.startswith("NOT verified: the log’s checkpoint is not signed by the log’s key")
    assert "Ed25519 signature invalid" in details
    assert browsing.problems == []


@in_browser
def test_a_page_publishing_another_key_is_not_verified(
    live_server: object, demo_log: DemoLog, browser: Browser
) -> None:
    """A key of the same name that did not sign the checkpoint: no signature to trust."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    other = Ed25519Signer.generate(demo_log.key_text.split("+")[0]).verifier().key_text
    browsing = Pages(base)
    page = browsing.new(browser)

    def swap_key(body: bytes) -> bytes:
        assert demo_log.key_text.encode() in body
        return body.replace(demo_log.key_text.encode(), other.encode())

    page.route(f"{base}/entries/5/", lambda route: _altered(route, swap_key))

    state, message, details = _verify(page, f"{base}/entries/5/")

    assert state == "failed", (message, details)
    assert message.startswith("NOT verified: the log’s checkpoint is not signed by the log’s key")
    assert other in details
    assert browsing.problems == []


@in_browser
@pytest.mark.parametrize("which", ["first full tile", "last partial tile"])
def test_a_record_on_a_project_page_in_arabic_verifies_and_a_tampered_one_does_not(
    live_server: object, demo_log: DemoLog, browser: Browser, which: str, tmp_path: Path
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    # The project registered earliest and latest: one in each of the two level-0 tiles.
    projects = Project.objects.order_by("registered_index")
    project = projects.first() if which == "first full tile" else projects.last()
    assert project is not None
    index = project.registered_index
    tile_index = 0 if which == "first full tile" else (demo_log.size - 1) // 256
    assert index // 256 == tile_index, (index, demo_log.size)
    url = f"{base}/ar/monitoring/projects/{project.code}/"
    button = f"button.verify[data-entry='{index}']"

    browsing = Pages(base)
    page = browsing.new(browser)
    state, message, _details = _verify(page, url, selector=button)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert state == "verified", message
    assert page.locator(f"{button} + {VERIFIED}").count() == 1

    tampered = browsing.new(browser)
    tile = _tile(0, index, demo_log.size)
    tampered.route(f"{base}{tile}", lambda route: _altered(route, _flip(32 * (index % 256) + 1)))
    state, message, details = _verify(tampered, url, selector=button)
    tampered.locator(button).scroll_into_view_if_needed()
    tampered.screenshot(path=tmp_path / "verify-project-ar-tampered.png")
    assert state == "failed", message
    assert tampered.locator(f"{button} + {FAILED}").count() == 1
    assert tile.removeprefix("/log/") in message
    assert tile.removeprefix("/log/") in details
    assert browsing.external == []
    assert browsing.problems == []


# --- without a browser -------------------------------------------------------------


def test_verify_js_is_served_from_our_own_origin_and_small(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/entries/5/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    sources = [re.search(r'src="([^"]+)"', tag) for tag in scripts]
    verify = [m.group(1) for m in sources if m and "verify" in m.group(1)]
    assert verify == ["/static/amanah/verify.js"]  # same origin: a path, no host
    # Every other script on the page is data, not code.
    inline = [tag for tag, m in zip(scripts, sources, strict=True) if not m]
    assert inline == ['<script id="amanah-verify-strings" type="application/json">']
    assert f'<meta name="amanah-log-key" content="{demo_log.key_text}">' in html

    from django.contrib.staticfiles import finders

    found = finders.find("amanah/verify.js")
    assert found
    assert Path(str(found)).stat().st_size < 20 * 1024


def test_pages_without_a_verify_control_do_not_load_the_script(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/").content.decode()
    assert "verify.js" not in html
    assert "amanah-verify-strings" not in html
    assert f'<meta name="amanah-log-key" content="{demo_log.key_text}">' in html


def test_the_control_is_hidden_until_the_script_reveals_it(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/entries/5/").content.decode()
    button = re.search(r"<button[^>]*class=\"verify[^>]*>", html)
    assert button
    assert " hidden" in button.group(0)
    assert 'data-entry="5"' in button.group(0)
    assert 'data-leaf="' in button.group(0)
    assert '<span class="verify-result" role="status" aria-live="polite"></span>' in html
