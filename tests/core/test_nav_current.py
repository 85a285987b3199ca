"""The header marks the reader's section by a prefix of the path, never a substring."""

from __future__ import annotations

from django.template import Context, Template
from django.test import RequestFactory


def _mark(path: str, url: str) -> str:
    template = Template("{% load amanah_nav %}<a{% nav_current url %}>")
    return template.render(Context({"request": RequestFactory().get(path), "url": url}))


def test_the_sections_own_page_and_the_pages_under_it() -> None:
    assert _mark("/ar/fund/", "/ar/fund/") == '<a aria-current="page">'
    assert _mark("/ar/fund/donors/XM-1/", "/ar/fund/") == '<a aria-current="true">'


def test_a_code_that_spells_a_section_is_not_that_section() -> None:
    assert _mark("/rounds/fund/", "/fund/") == "<a>"
    assert _mark("/assets/board/", "/board/") == "<a>"
