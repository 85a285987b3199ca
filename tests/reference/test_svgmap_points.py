"""`amanah.reference.svgmap.point_map` and `amanah.reference.crossings`: the crossings
projected as the governorates are, inside the viewBox, circles whose area is proportional
to the value, escaped names, and no Django."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal

import pytest

from amanah.reference import svgmap
from amanah.reference.crossings import crossing_locations, locations_source

VALUES = {"kerem_shalom": 400, "rafah": 100, "zikim": 0, "kissufim": 25, "erez": 225}


def _map(**values: int) -> svgmap.PointMap:
    places = crossing_locations()
    given = values or VALUES
    return svgmap.point_map(
        {code: (places[code].lat, places[code].lon, v, code.title()) for code, v in given.items()},
        language="en",
        fmt=lambda v: f"{v:,}",
        label="Trucks crossed",
    )


def test_the_demo_crossings_have_locations_and_a_source() -> None:
    places = crossing_locations()
    assert set(places) == set(VALUES)
    for place in places.values():
        assert 31.2 < place.lat < 31.65
        assert 34.2 < place.lon < 34.6
    assert "OCHA" in locations_source()
    assert "approximate" in locations_source().lower()


def test_every_circle_is_inside_the_view_box() -> None:
    drawn = _map()
    assert {p.code for p in drawn.points} == set(VALUES)
    assert drawn.view_x <= 0
    assert drawn.view_y <= 0
    assert drawn.view_x + drawn.width >= svgmap.WIDTH
    assert drawn.view_y + drawn.height >= svgmap.HEIGHT
    for point in drawn.points:
        assert drawn.view_x <= point.x - point.r
        assert point.x + point.r <= drawn.view_x + drawn.width
        assert drawn.view_y <= point.y - point.r
        assert point.y + point.r <= drawn.view_y + drawn.height
    # The governorates are drawn as on the choropleth, neutral.
    assert len(drawn.areas) == 5
    assert {area.fill for area in drawn.areas} == {svgmap.NEUTRAL}


def test_the_area_is_proportional_to_the_value() -> None:
    points = {p.code: p for p in _map().points}
    area = {code: math.pi * p.r**2 for code, p in points.items()}
    assert area["kerem_shalom"] / area["rafah"] == pytest.approx(4, rel=0.01)
    assert area["erez"] / area["kissufim"] == pytest.approx(9, rel=0.01)
    assert area["kerem_shalom"] / area["erez"] == pytest.approx(400 / 225, rel=0.01)
    # A zero stays visible; the largest is drawn first, so smaller circles are on top.
    assert points["zikim"].r == svgmap.MIN_RADIUS
    radii = [p.r for p in _map().points]
    assert radii == sorted(radii, reverse=True)


def test_the_legend_uses_the_same_scale() -> None:
    drawn = _map()
    largest, quarter = drawn.legend
    assert largest.value == Decimal(500)
    assert largest.r == svgmap.MAX_RADIUS
    assert quarter.value == Decimal(125)
    assert quarter.r == pytest.approx(svgmap.MAX_RADIUS / 2)
    point = next(p for p in drawn.points if p.code == "kerem_shalom")
    assert (point.r / largest.r) ** 2 == pytest.approx(400 / 500, rel=0.01)
    # All zeros: every circle at the minimum, the legend still round.
    nothing = _map(rafah=0, erez=0)
    assert {p.r for p in nothing.points} == {svgmap.MIN_RADIUS}
    assert nothing.legend[0].value == 1


def test_north_is_up_and_west_is_left() -> None:
    points = {p.code: p for p in _map().points}
    assert points["kerem_shalom"].y > points["kissufim"].y > points["erez"].y
    assert points["zikim"].y < points["erez"].y  # Zikim is the northernmost
    assert points["rafah"].x < points["kerem_shalom"].x < points["erez"].x
    assert points["zikim"].x < points["erez"].x  # Zikim is by the sea, Erez inland


def test_titles_name_the_crossing_and_its_value() -> None:
    points = {p.code: p for p in _map().points}
    assert points["kerem_shalom"].title == "Kerem_Shalom — Trucks crossed: 400"


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        _map(rafah=-1)


def test_the_modules_need_no_django() -> None:
    code = (
        "import sys, amanah.reference.svgmap as m, amanah.reference.crossings as c; "
        "p = c.crossing_locations()['rafah']; "
        "m.point_map({'rafah': (p.lat, p.lon, 3, 'Rafah')}, language='ar'); "
        "assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_partial_escapes_names_and_is_accessible() -> None:
    from django.template.loader import render_to_string

    places = crossing_locations()
    nasty = svgmap.point_map(
        {"rafah": (places["rafah"].lat, places["rafah"].lon, 7, "<script>x</script>")},
        language="en",
        fmt=lambda v: f"<b>{v}</b>",
        label='<i>"trucks"</i>',
    )
    html = render_to_string(
        "core/_points_map.html", {"map": nasty, "map_id": "m", "title": "<T>", "desc": "D"}
    )
    assert 'role="img" aria-labelledby="m-title m-desc"' in html
    assert '<title id="m-title">&lt;T&gt;</title>' in html
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert html.count("<path ") == 5
    assert html.count('<circle id="m-') == 1
    assert 'class="map-legend map-size-legend"' in html
    assert "style=" not in html
    assert len(html.encode()) < 8 * 1024
