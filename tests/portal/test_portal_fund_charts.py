"""The fund page's charts and map, drawn by the server: the money over time as lines, each
donor's pledges as a stacked bar, and the money allocated in each governorate as a map,
each an image with a title and a table of the same figures beside it; mirrored in Arabic
where a chart has a time axis, never for the map."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).parent))
from fund_pages import FundPages, build_fund_pages

from amanah.funds.selectors import fund_figures
from amanah.reference.geography import governorates

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(var_dir: Path) -> FundPages:
    return build_fund_pages()


def _paths(html: str) -> list[str]:
    return re.findall(r'<path id="allocated-map-(PS\d+)" d="([^"]+)"', html)


def _points(html: str, key: str) -> list[tuple[float, float]]:
    group = html.split(f'<g id="over-time-{key}"', 1)[1]
    points = re.search(r'<polyline points="([^"]+)"', group)
    assert points is not None
    return [(float(x), float(y)) for x, y in (p.split(",") for p in points.group(1).split())]


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_the_fund_page_has_the_map_and_the_line_chart(
    client: Client, pages: FundPages, prefix: str
) -> None:
    html = client.get(f"{prefix}/fund/").content.decode()

    assert [pcode for pcode, _d in _paths(html)] == [g.pcode for g in governorates()]
    assert 'role="img" aria-labelledby="allocated-map-title"' in html
    for key in ("paid", "allocated", "disbursed", "spent"):
        assert f'<g id="over-time-{key}"' in html
    assert 'role="img" aria-labelledby="over-time-title"' in html
    assert 'role="img" aria-labelledby="donor-bar-title"' in html
    assert "style=" not in html  # the CSP allows no inline style
    assert "<script" not in html.split("<main", 1)[1]
    # Every chart and map has a table with a caption beside it.
    main = html.split("<main", 1)[1]
    assert main.count('role="img"') == 4  # the totals, the donors, the map, the months
    assert main.count("<caption>") >= 4


def test_the_map_table_has_the_money_allocated_in_each_governorate(
    client: Client, pages: FundPages
) -> None:
    html = client.get("/fund/").content.decode()

    table = html.split('id="allocated-map-table"', 1)[1].split("</table>", 1)[0]
    shown = dict(
        re.findall(r'<th scope="row">([^<]+)</th><td class="amount"><data value="([^"]+)"', table)
    )
    figures = fund_figures()["by_governorate"]
    for governorate in governorates():
        allocated = figures.get(governorate.pcode, {}).get("allocated", "0")
        assert Decimal(shown[governorate.name_en]) == Decimal(allocated)
    assert any(Decimal(value) > 0 for value in shown.values())


def test_the_map_is_not_mirrored_in_arabic_but_the_time_axis_is(
    client: Client, pages: FundPages
) -> None:
    english = client.get("/fund/").content.decode()
    arabic = client.get("/ar/fund/").content.decode()

    assert _paths(english) == _paths(arabic)
    ltr, rtl = _points(english, "paid"), _points(arabic, "paid")
    assert len(ltr) == len(rtl) > 1
    assert ltr[0][0] < ltr[-1][0]  # the first month on the left in English
    assert rtl[0][0] > rtl[-1][0]  # on the right in Arabic
    assert [y for _x, y in ltr] == [y for _x, y in rtl]


def test_the_line_chart_reaches_the_totals(client: Client, pages: FundPages) -> None:
    html = client.get("/fund/").content.decode()

    table = html.split('<g id="over-time-spent"', 1)[1].split("</table>", 1)[0]
    last_row = table.rsplit("<tr>", 1)[1]
    cells = re.findall(r'<td class="amount">([^<]+)</td>', last_row)
    totals = fund_figures()["totals"]
    expected = [Decimal(totals[key]) for key in ("paid", "allocated", "disbursed", "spent")]
    assert [Decimal(cell.replace(",", "")) for cell in cells] == expected
