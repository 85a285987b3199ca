"""Swagger UI at /api/v1/docs works in a real browser, offline and under the site's CSP."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_swagger_ui_renders_every_operation_without_a_csp_violation(live_server: object) -> None:
    from playwright.sync_api import sync_playwright

    base = str(live_server.url)  # type: ignore[attr-defined]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            # Anything not served by the site itself is blocked, as if offline.
            external: list[str] = []

            def only_local(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(base):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    external.append(url)
                    route.abort()  # type: ignore[attr-defined]

            page.route("**/*", only_local)
            page.goto(f"{base}/api/v1/docs")
            # Swagger UI marks each operation's path with a data-path attribute.
            page.wait_for_selector('[data-path="/api/v1/log/checkpoint"]', timeout=15_000)

            assert page.title() == "Amanah API"
            for path in ("/api/v1/log/entries", "/api/v1/log/entries/{index}", "/api/v1/me"):
                assert page.locator(f'[data-path="{path}"]').count() == 1, path
            assert external == []
            assert [p for p in problems if "Content Security Policy" in p] == []
            assert problems == []
        finally:
            browser.close()
