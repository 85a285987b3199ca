"""The projects list's map: how many projects each governorate has, and the US dollars
allocated to them, for the projects the filters select (all pages, not just the one shown)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from amanah.funds.models import Allocation, MoveStatus
from amanah.funds.selectors import fund_projects_by_governorate
from amanah.monitoring import views
from amanah.projects.models import Project
from amanah.reference.geography import governorates

pytestmark = pytest.mark.django_db


def _map_counts(html: str) -> dict[str, int]:
    """The map's table: projects by governorate name."""
    table = html.split('id="projects-map-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td class="amount">(?:<data value="(\d+)">)?', table
    )
    return {name: int(value or 0) for name, value in rows}


def _expected(**filters: str) -> dict[str, int]:
    counts = dict(
        Project.objects.filter(**filters)
        .values("governorate")
        .annotate(n=Count("pk"))
        .values_list("governorate", "n")
    )
    return {g.name_en: counts.get(g.pcode, 0) for g in governorates()}


def test_the_map_counts_the_projects_the_filters_select(
    client: Client, demo_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PROJECTS_PER_PAGE", 1)  # the map covers every page
    everything = client.get("/monitoring/projects/").content.decode()
    health = client.get("/monitoring/projects/", {"sector": "health"}).content.decode()

    assert everything.count('<path id="projects-map-PS') == 5
    assert _map_counts(everything) == _expected()
    assert _map_counts(health) == _expected(sector="health")
    assert _map_counts(health) != _map_counts(everything)
    assert sum(_map_counts(health).values()) == Project.objects.filter(sector="health").count()
    assert 'role="img" aria-labelledby="projects-map-title' in health


def test_the_map_names_governorates_in_arabic(client: Client, demo_log: Any) -> None:
    html = client.get("/ar/monitoring/projects/").content.decode()

    assert html.count('<path id="projects-map-PS') == 5
    assert "خان يونس" in html.split('id="projects-map-table"', 1)[1]


def test_no_map_when_no_project_matches(client: Client, demo_log: Any) -> None:
    used = set(Project.objects.values_list("sector", "governorate"))
    sector = Project.objects.values_list("sector", flat=True).first()
    empty = next(g.pcode for g in governorates() if (sector, g.pcode) not in used)
    html = client.get("/monitoring/projects/", {"sector": sector, "governorate": empty})

    assert 'id="project-' not in html.content.decode()
    assert 'id="projects-map"' not in html.content.decode()


def test_projects_by_governorate_sums_approved_allocations(demo_log: Any) -> None:
    found = fund_projects_by_governorate(Project.objects.filter(sector="health"))

    for pcode, row in found.items():
        projects = Project.objects.filter(sector="health", governorate=pcode)
        assert row.projects == projects.count()
        usd = sum(
            a.usd_minor
            for a in Allocation.objects.filter(project__in=projects, status=MoveStatus.APPROVED)
        )
        assert row.allocated.amount == Decimal(usd) / 100
        assert row.allocated.currency == "USD"
