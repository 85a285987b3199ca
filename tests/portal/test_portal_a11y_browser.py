"""WCAG 2.1 AA on the portal's main pages, checked by axe-core in a real browser.

Playwright drives Debian's Chromium over the demo (`load_demo`), in English and in Arabic,
on the public pages and, signed in, on the secretariat's and a partner's workspace and the
inbox. On every page axe-core (node_modules/axe-core, installed by `make setup`) runs the
WCAG 2.0/2.1 A and AA rules: a "serious" or "critical" violation fails the test; moderate
and minor ones are printed and named in the failure message, but do not fail it.

A full-page screenshot of every page in each language is saved for a person to look at:
to $AMANAH_TEST_ARTIFACTS if set, else to var/test-artifacts/screenshots/ (git-ignored),
named `<language>-<page>.png` (`ar-fund.png`).

Without Chromium or axe-core the tests skip, saying why; with AMANAH_REQUIRE_BROWSER=1
(as CI sets) they fail instead, so that a missing browser cannot pass for a clean run.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_portal_browser_signing import Pages  # opens pages that reach only the server

from amanah.accounts.models import User
from conftest import DemoLog

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
REQUIRE_BROWSER = os.environ.get("AMANAH_REQUIRE_BROWSER") == "1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}


def _missing() -> str | None:
    """Why these tests cannot run here, or None."""
    if CHROMIUM is None:
        return "needs Debian's chromium (apt-get install chromium)"
    if not AXE.is_file():
        return f"needs axe-core at {AXE.relative_to(REPO)}: run `make setup` (npm ci)"
    return None


MISSING = _missing()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(MISSING is not None and not REQUIRE_BROWSER, reason=f"{MISSING or ''}"),
]

# (screenshot name, address without the language prefix). `None` addresses are found on
# the page named in LINKED: the first link to a record of that kind.
PUBLIC: list[tuple[str, str]] = [
    ("home", "/"),
    ("fund", "/fund/"),
    ("fund-allocations", "/fund/allocations/"),
    ("fund-trace", "/fund/trace/"),
    ("board", "/board/"),
    ("motions", "/motions/"),
    ("motion", "<first motion>"),
    ("proposals", "/proposals/"),
    ("proposal", "<first proposal>"),
    ("rounds", "/rounds/"),
    ("round", "/rounds/R-2026-01/"),
    ("projects", "/monitoring/projects/"),
    ("project", "/monitoring/projects/GZ-EDU-0001/"),
    ("access", "/access/"),
    ("materials", "/materials/"),
    ("assets", "/assets/"),
    ("asset", "/assets/AS-GZA-SCH-0001/"),
    ("about", "/about/"),
    ("downloads", "/downloads/"),
    ("transparency-log", "/transparency-log/"),
    ("entry", "/entries/5/"),
]
LINKED = {
    "<first motion>": ("/motions/", re.compile(r"/motions/[0-9a-f-]{36}/$")),
    "<first proposal>": ("/proposals/", re.compile(r"/proposals/[0-9a-f-]{36}/$")),
}
# (username, screenshot name suffix, pages seen signed in)
SIGNED_IN: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "demo-secretariat",
        "secretariat",
        [
            ("workspace", "/workspace/"),
            ("messages", "/messages/"),
            ("asset-new", "/assets/new/"),
            ("asset-assess", "/assets/AS-GZA-SCH-0001/assess/"),
        ],
    ),
    ("demo-partner-schools", "partner", [("workspace", "/workspace/"), ("messages", "/messages/")]),
]


def screenshots_dir() -> Path:
    chosen = os.environ.get("AMANAH_TEST_ARTIFACTS")
    directory = Path(chosen) if chosen else REPO / "var" / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    if MISSING is not None:  # only reached with AMANAH_REQUIRE_BROWSER=1
        pytest.fail(f"AMANAH_REQUIRE_BROWSER=1, but this test {MISSING}")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            launched.close()


def _axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.x A/AA rules on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": TAGS}}
    result: dict[str, Any] = page.evaluate(
        "options => axe.run(document, options).then(r => ({violations: r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map("
        "n => ({target: n.target, summary: n.failureSummary}))}))}))",
        options,
    )
    return list(result["violations"])


def _describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = ", ".join(targets[:8]) + (
            f" (+{len(targets) - 8} more)" if len(targets) > 8 else ""
        )
        lines.append(
            f"{where}: [{violation['impact']}] {violation['id']} ({violation['help']}): {shown}"
        )
    return lines


class AxePages(Pages):
    """Pages whose context lets axe-core's script in: the site's Content-Security-Policy
    (`default-src 'self'`) rightly refuses an injected inline script."""

    def new(self, browser: Browser) -> Page:
        page = browser.new_context(bypass_csp=True).new_page()
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.route("**/*", self.only_local)
        return page


class Audit:
    """Visits pages, screenshots them and collects axe-core's findings."""

    def __init__(self, base: str, language: str) -> None:
        self.base = base
        self.prefix = "" if language == "en" else f"/{language}"
        self.language = language
        self.directory = screenshots_dir()
        self.failing: list[str] = []
        self.reported: list[str] = []
        self.visited = 0

    def url(self, path: str) -> str:
        return f"{self.base}{self.prefix}{path}"

    def first_link(self, page: Page, placeholder: str) -> str:
        listing, pattern = LINKED[placeholder]
        page.goto(self.url(listing))
        for href in page.eval_on_selector_all("main a[href]", "as => as.map(a => a.pathname)"):
            if pattern.search(href):
                return str(href).removeprefix(self.prefix)
        raise AssertionError(f"no link matching {pattern.pattern} on {listing}")

    def check(self, page: Page, name: str, path: str, who: str = "") -> None:
        if path in LINKED:
            path = self.first_link(page, path)
        response = page.goto(self.url(path))
        assert response is not None, path
        assert response.status == 200, (path, response.status)
        assert page.get_attribute("html", "lang") == self.language, path
        shot = f"{self.language}-{name}-{who}" if who else f"{self.language}-{name}"
        page.screenshot(path=self.directory / f"{shot}.png", full_page=True)
        violations = _axe(page)
        self.visited += 1
        where = f"{self.prefix}{path}" + (f" (as {who})" if who else "")
        for line in _describe(where, violations):
            print(line)
        self.failing += _describe(where, [v for v in violations if v["impact"] in FAILING])
        self.reported += _describe(where, [v for v in violations if v["impact"] not in FAILING])


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_main_pages_have_no_serious_accessibility_violations(
    live_server: object, demo_log: DemoLog, browser: Browser, language: str
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    audit = Audit(base, language)
    browsing = AxePages(base)

    page = browsing.new(browser)
    for name, path in PUBLIC:
        audit.check(page, name, path)
    page.context.close()

    for username, who, pages in SIGNED_IN:
        page = browsing.new(browser)
        browsing.log_in(page, User.objects.get(username=username), then="/workspace/")
        for name, path in pages:
            audit.check(page, name, path, who)
        page.context.close()

    assert audit.visited == len(PUBLIC) + sum(len(pages) for *_, pages in SIGNED_IN)
    assert audit.failing == [], "\n".join(
        [
            "serious or critical:",
            *audit.failing,
            "moderate or minor (not failing):",
            *audit.reported,
        ]
    )
    assert browsing.external == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_skip_link_and_the_focus_are_visible_from_the_keyboard(
    live_server: object, var_dir: Path, browser: Browser, language: str
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    page = AxePages(base).new(browser)
    page.goto(f"{base}{'' if language == 'en' else '/' + language}/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "the focused skip link is shown on the page"
    assert _outline(page) == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")

    # The next Tab goes on from the main content, and every stop shows a focus ring.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    for _ in range(5):
        assert _outline(page) == "solid", page.evaluate("document.activeElement.outerHTML")
        page.keyboard.press("Tab")


def _outline(page: Page) -> str:
    """The focused element's outline style: Amanah's focus ring is a solid one."""
    return str(page.evaluate("getComputedStyle(document.activeElement).outlineStyle"))
