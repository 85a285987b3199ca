"""The public access dashboard's map: one circle per crossing with a known location, its
value the trucks crossed in the dashboard's period (the same public figures as the
tables), beside a table by crossing; in Arabic too, with Arabic names, not mirrored."""

from __future__ import annotations

import datetime
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client

from amanah.access import metrics, services
from amanah.access.demo import load_demo_access
from amanah.access.views import DASHBOARD_DAYS
from amanah.reference.crossings import crossing_locations

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_factories import Access, build_access

pytestmark = pytest.mark.django_db

CIRCLE = re.compile(
    r'<circle id="crossings-map-(?P<code>[a-z_]+)" cx="[\d.]+" cy="[\d.]+" r="[\d.]+" '
    r'data-value="(?P<value>\d+)"><title>(?P<title>[^<]*)</title></circle>'
)


@pytest.fixture
def access(var_dir: Path) -> Access:
    made = build_access()
    load_demo_access(made.coordinator)
    return made


def _crossed() -> Counter[str]:
    until = metrics.last_public_day()
    since = until - datetime.timedelta(days=DASHBOARD_DAYS - 1)
    crossed: Counter[str] = Counter()
    for row in metrics.access_metrics(since=since).days:
        crossed[row.crossing] += row.trucks_crossed
    return crossed


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_the_map_has_one_circle_per_located_crossing(
    access: Access, client: Client, prefix: str
) -> None:
    page = client.get(f"{prefix}/access/")
    assert page.status_code == 200
    html = page.content.decode()
    circles = {m["code"]: m for m in CIRCLE.finditer(html)}
    assert set(circles) == set(crossing_locations())
    crossed = _crossed()
    assert sum(crossed.values()) > 0
    for code, circle in circles.items():
        assert int(circle["value"]) == crossed[code], code
    assert 'role="img" aria-labelledby="crossings-map-title crossings-map-desc"' in html
    assert 'id="by-crossing"' in html
    if prefix:
        assert 'dir="rtl"' in html
        assert circles["rafah"]["title"].startswith("رفح")
    else:
        assert circles["rafah"]["title"].startswith("Rafah — Trucks crossed: ")


def test_a_crossing_without_a_location_is_only_in_the_table(access: Access, client: Client) -> None:
    services.crossing_add(
        code="new_gate", name_en="New gate", name_ar="بوابة جديدة", actor=access.coordinator
    )
    html = client.get("/access/").content.decode()
    assert "crossings-map-new_gate" not in html
    table = html.split('id="by-crossing"')[1].split("</table>")[0]
    assert "New gate" in table
    assert table.count('<tr><th scope="row">') == len(crossing_locations()) + 1
