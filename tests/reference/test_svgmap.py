"""`amanah.reference.svgmap`: Gaza's five governorates projected into the map's viewBox,
north up and west on the left in every language; five classes from a colour-blind-safe
scale whose borders keep 3:1; small path data; and the partial that draws it."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from amanah.core.charts import contrast
from amanah.reference import svgmap
from amanah.reference.geography import boundaries, governorates

NORTH_GAZA, GAZA, DEIR_AL_BALAH, KHAN_YOUNIS, RAFAH = (g.pcode for g in governorates())
VALUES = {
    NORTH_GAZA: Decimal("120000"),
    GAZA: Decimal("950000.50"),
    DEIR_AL_BALAH: 0,
    KHAN_YOUNIS: 400000,
    RAFAH: None,
}


def _points(path: str) -> list[list[tuple[float, float]]]:
    """The absolute points of each ring of path data made of "M x y l dx dy ... z"."""
    rings = []
    for ring in re.findall(r"M([^Mz]+)z", path):
        absolute, relative = ring.split("l")
        numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", absolute)]
        x, y = numbers
        points = [(x, y)]
        moves = [float(n) for n in re.findall(r"-?\d*\.?\d+", relative)]
        for dx, dy in zip(moves[::2], moves[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((round(x, 1), round(y, 1)))
        rings.append(points)
    return rings


def _map(language: str = "en") -> svgmap.ChoroplethMap:
    return svgmap.choropleth(VALUES, language=language, fmt=lambda v: f"{v:,}")


def test_the_five_governorates_fit_in_the_view_box() -> None:
    drawn = _map()

    assert [area.pcode for area in drawn.areas] == [g.pcode for g in governorates()]
    for area in drawn.areas:
        points = [point for ring in _points(area.path) for point in ring]
        assert len(points) > 20, area.pcode
        assert all(0 <= x <= drawn.width and 0 <= y <= drawn.height for x, y in points)
        assert 0 <= area.anchor_x <= drawn.width
        assert 0 <= area.anchor_y <= drawn.height
        assert 0 <= area.label_y <= drawn.height


def test_north_is_up_and_west_is_left() -> None:
    gaza_city = svgmap.project(34.4668, 31.5017)
    rafah_town = svgmap.project(34.2435, 31.2969)
    assert rafah_town[1] > gaza_city[1]  # Rafah is south of Gaza City: lower on the map
    assert rafah_town[0] < gaza_city[0]  # and west of it: to the left

    anchors = [area.anchor_y for area in _map().areas]
    assert anchors == sorted(anchors)  # north to south, top to bottom
    by_pcode = {area.pcode: area for area in _map().areas}
    rafah = [y for ring in _points(by_pcode[RAFAH].path) for _x, y in ring]
    north = [y for ring in _points(by_pcode[NORTH_GAZA].path) for _x, y in ring]
    assert min(rafah) > max(north)


def _distance(point: tuple[float, float], ring: list[tuple[float, float]]) -> float:
    """From `point` to the nearest edge of the closed `ring`."""
    best = float("inf")
    x, y = point
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x2 - x1, y2 - y1
        share = 0.0 if not (dx or dy) else ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)
        share = min(1.0, max(0.0, share))
        best = min(best, math.hypot(x - (x1 + share * dx), y - (y1 + share * dy)))
    return best


def test_the_paths_follow_the_surveyed_boundaries() -> None:
    for feature, area in zip(boundaries()["features"], _map().areas, strict=True):
        surveyed = [svgmap.project(lon, lat) for lon, lat in feature["geometry"]["coordinates"][0]]
        drawn = _points(area.path)[0]
        assert drawn[0] == pytest.approx(surveyed[0], abs=0.06)  # to a tenth of a unit
        assert len(drawn) < len(surveyed) / 2  # simplified...
        # ...yet no surveyed point strays further than the tolerance (plus rounding).
        worst = max(_distance(point, drawn) for point in surveyed)
        assert worst <= svgmap.TOLERANCE + 0.1, area.pcode


def test_the_map_is_a_few_kilobytes() -> None:
    total = sum(len(area.path) for area in _map().areas)
    assert total < 4 * 1024


def test_values_fall_into_five_round_classes() -> None:
    drawn = _map()

    assert [(c.lower, c.upper) for c in drawn.legend] == [
        (0, 200000),
        (200000, 400000),
        (400000, 600000),
        (600000, 800000),
        (800000, 1000000),
    ]
    assert drawn.legend[1].label == "200,000 – 400,000"
    levels = {area.pcode: area.level for area in drawn.areas}
    # A class holds its lower bound, not its upper one: 400,000 is in 400,000 – 600,000.
    assert levels == {NORTH_GAZA: 0, GAZA: 4, DEIR_AL_BALAH: 0, KHAN_YOUNIS: 2, RAFAH: None}
    fills = {area.pcode: area.fill for area in drawn.areas}
    assert fills[GAZA] == svgmap.SEQUENTIAL[4]
    assert fills[RAFAH] == svgmap.EMPTY
    assert drawn.has_empty


@pytest.mark.parametrize(
    ("largest", "upper_bounds"),
    [
        (3, "1 2 3 4 5"),
        (7, "2 4 6 8 10"),
        (0, "1 2 3 4 5"),
        (Decimal("60000.00"), "20000 40000 60000 80000 100000"),
        (Decimal("0.3"), "0.1 0.2 0.3 0.4 0.5"),
    ],
)
def test_class_bounds(largest: Decimal, upper_bounds: str) -> None:
    uppers = [Decimal(b) for b in upper_bounds.split()]
    found = svgmap.class_bounds(largest)
    assert found == tuple(zip([Decimal(0), *uppers[:-1]], uppers, strict=True))
    assert all("E" not in str(value) for pair in found for value in pair)


def test_counts_get_whole_number_classes() -> None:
    few = svgmap.choropleth({NORTH_GAZA: 1, GAZA: 0, DEIR_AL_BALAH: 2}, language="en")
    assert [c.label for c in few.legend] == ["0", "1", "2", "3", "4 – 5"]
    assert [a.level for a in few.areas] == [1, 0, 2, None, None]

    more = svgmap.choropleth({GAZA: 7, RAFAH: 10}, language="en")
    assert [c.label for c in more.legend] == ["0 – 1", "2 – 3", "4 – 5", "6 – 7", "8 – 10"]
    assert [a.level for a in more.areas][1::3] == [3, 4]  # Gaza, Rafah: the last holds 10


def test_the_border_keeps_3_to_1_against_every_class() -> None:
    for fill in (*svgmap.SEQUENTIAL, svgmap.EMPTY):
        assert contrast(svgmap.BORDER, fill) >= 3, fill
    assert contrast(svgmap.BORDER, "#ffffff") >= 3  # and against the page


def test_titles_and_labels_name_the_governorate_and_its_figures() -> None:
    drawn = svgmap.choropleth(
        {GAZA: 3},
        language="ar",
        label="Projects",
        details=[("Allocated (USD)", {GAZA: "1,250.00"})],
    )

    gaza = drawn.areas[1]
    assert gaza.name == "غزة"
    assert gaza.text == "3"
    assert gaza.details == ("1,250.00",)
    assert gaza.title == "غزة — Projects: 3; Allocated (USD): 1,250.00"
    assert drawn.areas[0].title == "شمال غزة"  # no value, no figure
    assert drawn.detail_labels == ("Allocated (USD)",)
    assert _map().areas[0].title == "North Gaza: 120,000"


def test_the_map_is_not_mirrored_in_arabic() -> None:
    english, arabic = _map("en"), _map("ar")
    for a, b in zip(english.areas, arabic.areas, strict=True):
        assert (a.path, a.anchor_x, a.label_x, a.label_y) == (
            b.path,
            b.anchor_x,
            b.label_x,
            b.label_y,
        )
        assert a.name != b.name


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        svgmap.choropleth({GAZA: -1}, language="en")


def test_the_module_needs_no_django() -> None:
    code = (
        "import sys, amanah.reference.svgmap as m; m.choropleth({}, language='en'); "
        "assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_partial_draws_five_paths_a_legend_and_a_table() -> None:
    from django.template.loader import render_to_string

    nasty = svgmap.choropleth(
        VALUES, language="en", fmt=lambda v: f"<b>{v}</b>", label='<i>"USD"</i>'
    )
    html = render_to_string(
        "core/_map.html", {"map": nasty, "map_id": "m", "title": "<script>", "desc": "D"}
    )

    assert html.count("<path ") == 5
    assert 'role="img" aria-labelledby="m-title m-desc"' in html
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;b&gt;120000&lt;/b&gt;" in html
    assert "<caption>&lt;script&gt;</caption>" in html
    assert html.count('<tr><th scope="row">') == 5
    assert 'class="map-legend"' in html
    assert "No data" in html  # Rafah has no value
    assert "style=" not in html
    assert len(html.encode()) < 8 * 1024
