"""The secretariat records a contribution through the form in a real browser (Debian's
chromium, no JavaScript needed), and the fund's public page counts it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fund_pages import build_fund
from test_portal_browser_signing import Pages  # opens pages that reach only the server

from amanah.funds.models import Contribution

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

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


def test_a_contribution_recorded_in_the_browser_shows_on_the_fund_page(
    live_server: object, var_dir: Path, browser: Browser
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    fund = build_fund()
    browsing = Pages(base)
    page = browsing.new(browser)
    browsing.log_in(page, fund.secretariat, then="/fund/record/")

    form = "#record-contribution"
    page.select_option(f"{form} select[name=contribution-donor]", fund.donor("QA"))
    page.fill(f"{form} input[name=contribution-amount]", "364000")
    page.fill(f"{form} input[name=contribution-currency]", "QAR")
    page.fill(f"{form} input[name=contribution-on]", "2026-01-08")
    page.select_option(f"{form} select[name=contribution-sector]", "housing")
    page.fill(f"{form} input[name=contribution-bank_reference]", "QNB-BROWSER-1")
    page.click(f"{form} button[type=submit]")
    page.wait_for_url(f"{base}/fund/record/")

    contribution = Contribution.objects.get()
    assert contribution.bank_reference == "QNB-BROWSER-1"
    message = page.inner_text(".messages")
    assert f"Contribution recorded at log entry {contribution.log_index}." in message

    page.goto(f"{base}/fund/")
    paid = page.inner_text("#totals td[data-stage=paid]")
    assert paid == "100,000.00"  # 364,000 QAR at 3.64 per US dollar
    assert "Housing and shelter" in page.inner_text("#by-sector")
    assert "QNB-BROWSER-1" not in page.content()
    assert browsing.external == []
    assert browsing.problems == []
