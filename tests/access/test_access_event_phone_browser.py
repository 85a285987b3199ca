"""A logistics coordinator records a consignment's next event on a phone (390 x 844, touch,
Debian's chromium): from the board to the consignment, tap, fill, submit, and the event is
in the timeline. The form fits the screen with no sideways scrolling, its controls are
touch-sized (44 px at least), and a step the lifecycle refuses is explained next to it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from access_factories import T0, build_access, consignment, event, hours

sys.path.insert(0, str(Path(__file__).parents[1] / "portal"))
from test_portal_browser_signing import Pages  # opens pages that reach only the server

from amanah.access.models import ConsignmentEvent, EventKind

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844}
TOUCH_TARGET = 44  # px, the smallest a finger hits reliably (WCAG 2.5.5)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium"),
]


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


def _phone(browser: Browser, browsing: Pages) -> Page:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    page = context.new_page()
    page.on("console", lambda m: browsing.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: browsing.problems.append(str(error)))
    page.route("**/*", browsing.only_local)
    return page


def _fits_and_is_touch_sized(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"
    small = page.evaluate(
        """(least) => [...document.querySelectorAll(
            '#event-form input:not([type=hidden]), #event-form select,'
            + ' #event-form textarea, #event-form button')]
            .filter((e) => e.offsetParent !== null)  // shown, not in a closed <details>
            .map((e) => {
                const target = e.closest('label') || e;
                return [e.name || e.type, target.getBoundingClientRect().height];
            })
            .filter(([name, height]) => height < least)""",
        TOUCH_TARGET,
    )
    assert small == [], f"controls smaller than {TOUCH_TARGET} px: {small}"


def test_a_coordinator_records_the_next_event_on_a_phone(
    live_server: object, var_dir: Path, browser: Browser, tmp_path: Path
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    access = build_access()
    shipment = consignment(access, "WFP-PHONE-1")
    event(access, shipment, "submitted", T0 + hours(2))
    browsing = Pages(base)
    page = _phone(browser, browsing)
    browsing.log_in(page, access.coordinator, then="/access/consignments/")

    page.tap("#status-submitted a:has-text('WFP-PHONE-1')")
    page.wait_for_url(f"{base}/access/consignments/{shipment.id}/")
    _fits_and_is_touch_sized(page)
    page.tap("#event-form label:has-text('Cleared') >> nth=0")
    assert page.is_checked("#event-form input[name=kind][value=cleared]")
    page.fill("#event-form input[name=occurred_at]", "2026-01-06T09:30")
    page.fill("#event-form input[name=note]", "Cleared by phone")
    page.screenshot(path=tmp_path / "access-event-phone.png", full_page=True)
    page.tap("#event-form button[type=submit]")
    page.wait_for_url(f"{base}/access/consignments/{shipment.id}/")

    assert "Recorded “Cleared”." in page.inner_text(".messages")
    assert "Cleared" in page.inner_text("#events li:last-child")
    assert page.inner_text("#status") == "Cleared"
    recorded = ConsignmentEvent.objects.filter(consignment=shipment).order_by("occurred_at")
    assert recorded.last().kind == EventKind.CLEARED  # type: ignore[union-attr]
    _fits_and_is_touch_sized(page)
    assert (tmp_path / "access-event-phone.png").stat().st_size > 0

    # A step the lifecycle refuses (received, straight after cleared) is explained by the
    # choice it is about, and nothing is recorded.
    page.tap("#event-form summary:has-text('A late report')")
    page.tap("#event-form label:has-text('Received') >> nth=0")
    page.fill("#event-form input[name=occurred_at]", "2026-01-06T12:00")
    with page.expect_navigation() as refused:
        page.tap("#event-form button[type=submit]")
    assert refused.value.status == 400  # type: ignore[union-attr]
    error = page.locator("#event-form fieldset.choices .error")
    assert error.count() == 1
    assert error.is_visible()
    assert "cannot be “Received at the warehouse” next" in error.inner_text()
    assert recorded.count() == 3
    _fits_and_is_touch_sized(page)
    page.screenshot(path=tmp_path / "access-event-phone-refused.png", full_page=True)
    assert browsing.external == []
    # The refused form comes back as 400, which the console reports; nothing else.
    assert [p for p in browsing.problems if "status of 400" not in p] == []
