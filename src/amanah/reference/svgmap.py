"""Gaza's five governorates as an SVG choropleth: plain data that a template draws.

The boundaries (`geography.boundaries()`, longitude/latitude in WGS 84) are projected once
to the map's user units: equirectangular, longitude scaled by the cosine of the strip's
middle latitude (over Gaza's 40 km the distortion is far below a pixel), north up. Each
ring is simplified (Douglas-Peucker, `TOLERANCE` units) and written to a tenth of a unit,
as relative moves, so the five paths together stay a few kilobytes.

The caller gives one value per governorate (by P-code) and a function that writes a value
the way the page writes numbers (Babel, in `amanah.core.formats`); values are put into
five classes of equal width from zero to a round number at or above the largest, filled
from a colour-blind-safe sequential scale. A map is never mirrored on an Arabic page: the
west is on the left in every language. Names are the governorates' own, in the language
asked for; nothing here escapes text, so a template (which escapes) draws the result.

`point_map` draws places (the crossings, `amanah.reference.crossings`) over the same,
neutral, governorates: circles whose area is proportional to a value, with a size legend;
the viewBox grows where a circle on the border would stick out of it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import Any

from amanah.reference.geography import boundaries, governorates

__all__ = [
    "BORDER",
    "EMPTY",
    "HEIGHT",
    "NEUTRAL",
    "POINT_FILL",
    "SEQUENTIAL",
    "WIDTH",
    "Area",
    "ChoroplethMap",
    "LegendClass",
    "Point",
    "PointMap",
    "SizeKey",
    "choropleth",
    "class_bounds",
    "point_map",
    "project",
]

Value = Decimal | int
Format = Callable[[Decimal], str]

# The map's user units (the SVG viewBox is 0 0 WIDTH HEIGHT); the strip sits on the
# right, its labels in the sea on the left, joined to each governorate by a leader line.
WIDTH, HEIGHT = 360, 380
_MAP_LEFT, _MAP_RIGHT, _MAP_TOP, _MAP_BOTTOM = 96, 352, 8, 372
TOLERANCE = 0.35  # user units a simplified border may stray from the surveyed one

# Five classes, light to dark: ColorBrewer's YlGnBu, stopped before its darkest blues so
# that the dark border (BORDER) keeps at least 3:1 against every class, as WCAG 1.4.11
# asks of a graphical object's edges; it is safe for the common colour-vision deficiencies.
SEQUENTIAL = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0")
BORDER = "#1d2521"
EMPTY = "#ffffff"  # a governorate without a value (the legend says "no data")
NEUTRAL = "#eef0ee"  # the governorates under a point map, which colours nothing by area
POINT_FILL = "#1d91c0"  # a point map's circles (drawn half-opaque, with a BORDER edge)

# Labels sit in the sea west of the strip, centred on _LABEL_X, at least _LABEL_GAP apart;
# a leader line runs from _LEADER_X to the governorate.
_LABEL_X, _LEADER_X, _LABEL_GAP = 46, 94, 40


@dataclass(frozen=True)
class Area:
    """One governorate as drawn: its outline, fill and label."""

    pcode: str
    name: str
    value: Value | None
    text: str  # the value as the caller writes it ("" without a value)
    title: str  # "Gaza: 1,250,000" (the <title> a pointer or screen reader finds)
    level: int | None  # the class (0 = lightest), None without a value
    fill: str
    path: str  # SVG path data, user units
    anchor_x: float  # where the leader line touches the governorate
    anchor_y: float
    label_x: float  # the label's centre, in the sea
    label_y: float  # the baseline of the name; the value is on the line below
    leader_x: float  # where the leader line starts, beside the label
    leader_y: float
    details: tuple[str, ...] = ()  # more figures, as the caller writes them (`detail_labels`)


@dataclass(frozen=True)
class LegendClass:
    fill: str
    lower: Decimal
    upper: Decimal
    label: str  # "250,000 – 500,000" as the caller writes numbers


@dataclass(frozen=True)
class ChoroplethMap:
    width: int
    height: int
    areas: tuple[Area, ...]  # north to south
    legend: tuple[LegendClass, ...]
    has_empty: bool  # some governorate has no value (the legend adds "no data")
    label: str = ""  # what the value is ("Projects"), for the table and the tooltips
    detail_labels: tuple[str, ...] = ()
    border: str = BORDER
    empty: str = EMPTY


# --- projection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    west: float
    north: float
    scale: float  # user units per degree of latitude
    x_factor: float  # cos(middle latitude)
    left: float
    top: float


@cache
def _frame() -> _Frame:
    lons, lats = [], []
    for feature in boundaries()["features"]:
        for ring in _rings(feature["geometry"]):
            for lon, lat in ring:
                lons.append(lon)
                lats.append(lat)
    factor = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * factor
    span_y = max(lats) - min(lats)
    scale = min((_MAP_RIGHT - _MAP_LEFT) / span_x, (_MAP_BOTTOM - _MAP_TOP) / span_y)
    # Centre the strip in its box.
    left = _MAP_LEFT + ((_MAP_RIGHT - _MAP_LEFT) - span_x * scale) / 2
    top = _MAP_TOP + ((_MAP_BOTTOM - _MAP_TOP) - span_y * scale) / 2
    return _Frame(min(lons), max(lats), scale, factor, left, top)


def project(lon: float, lat: float) -> tuple[float, float]:
    """A point (degrees) in the map's user units: x grows east, y grows south."""
    frame = _frame()
    x = frame.left + (lon - frame.west) * frame.x_factor * frame.scale
    y = frame.top + (frame.north - lat) * frame.scale
    return x, y


def _rings(geometry: Mapping[str, Any]) -> list[Sequence[Sequence[float]]]:
    """Every ring of a GeoJSON Polygon or MultiPolygon (outlines and holes alike)."""
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return [ring for polygon in polygons for ring in polygon]


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative: the points a polyline keeps within `tolerance`."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            x, y = points[index]
            if length:
                d = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            else:
                d = math.hypot(x - x1, y - y1)
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _tenths(value: int) -> str:
    """A number of tenths as short SVG path text: 12 -> "1.2", -3 -> "-.3", 40 -> "4"."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _join(numbers: list[str]) -> str:
    out = numbers[0]
    for number in numbers[1:]:
        out += number if number.startswith("-") else " " + number
    return out


def _path(rings: list[Sequence[Sequence[float]]]) -> str:
    parts = []
    for ring in rings:
        projected = [project(lon, lat) for lon, lat in ring]
        if projected[0] == projected[-1]:
            projected = projected[:-1]  # the path's "z" closes it
        # Split the closed ring in two, so that its two ends are both kept.
        half = len(projected) // 2
        kept = _simplify(projected[: half + 1], TOLERANCE)[:-1]
        kept += _simplify(projected[half:] + projected[:1], TOLERANCE)[:-1]
        tenths = [(round(x * 10), round(y * 10)) for x, y in kept]
        steps = [tenths[0]]
        for point in tenths[1:]:
            if point != steps[-1]:
                steps.append(point)
        x0, y0 = steps[0]
        moves = []
        for (xa, ya), (xb, yb) in itertools.pairwise(steps):
            moves += [_tenths(xb - xa), _tenths(yb - ya)]
        parts.append(f"M{_join([_tenths(x0), _tenths(y0)])}l{_join(moves)}z")
    return "".join(parts)


@dataclass(frozen=True)
class _Shape:
    pcode: str
    path: str
    anchor: tuple[float, float]


@cache
def _shapes() -> tuple[_Shape, ...]:
    shapes = []
    for feature in boundaries()["features"]:
        properties = feature["properties"]
        anchor = project(properties["center_lon"], properties["center_lat"])
        shapes.append(
            _Shape(
                properties["adm2_pcode"],
                _path(_rings(feature["geometry"])),
                (round(anchor[0], 1), round(anchor[1], 1)),
            )
        )
    return tuple(shapes)


@cache
def _label_rows() -> tuple[float, ...]:
    """Each label's baseline: level with its governorate's centre where there is room,
    pushed down (then the whole column up, if it runs off the map) to keep them apart."""
    rows: list[float] = []
    for shape in _shapes():
        wanted = shape.anchor[1]
        rows.append(wanted if not rows else max(wanted, rows[-1] + _LABEL_GAP))
    overflow = max(0.0, rows[-1] - (HEIGHT - 24)) if rows else 0.0
    return tuple(round(row - overflow, 1) for row in rows)


# --- classes and the map ------------------------------------------------------------------


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `value`."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if power * step >= value:
            return power * step
    return power * 10  # pragma: no cover (10 * power always suffices)


def class_bounds(largest: Value, classes: int = 5) -> tuple[tuple[Decimal, Decimal], ...]:
    """Equal classes from zero to a round number at or above `largest`: the bounds are
    multiples of a fifth of 1, 2, 2.5, 5 or 10 times a power of ten, so they read well."""
    top = _nice_ceiling(Decimal(largest) if largest > 0 else Decimal(0))
    if top < classes and Decimal(largest) == Decimal(largest).to_integral_value():
        top = Decimal(classes)  # counts: classes 0-1, 1-2, ... rather than 0-0.2
    step = top / classes
    return tuple((_plain(step * i), _plain(step * (i + 1))) for i in range(classes))


def _plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form: 200000, not 2E+5."""
    if not value:
        return Decimal(0)
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def _level(value: Value, bounds: Sequence[tuple[Decimal, Decimal]]) -> int:
    """The class holding `value`: from its lower bound up to, not including, its upper
    bound; the last class includes its upper bound too."""
    for index, (_lower, upper) in enumerate(bounds[:-1]):
        if value < upper:
            return index
    return len(bounds) - 1


def _class_label(lower: Decimal, upper: Decimal, last: bool, counts: bool, fmt: Format) -> str:
    """ "200,000 - 400,000" (with an en dash); for counts, the whole numbers the class
    holds: "2 - 3", "1"."""
    if counts and not last:
        upper -= 1
    return fmt(lower) if upper == lower else f"{fmt(lower)} – {fmt(upper)}"


def _title(name: str, text: str, label: str, details: Sequence[tuple[str, str]]) -> str:
    """ "Gaza: 1,250,000", or with labels "Gaza — Projects: 3; Allocated (USD): 1,250.00"."""
    if not label and not details:
        return f"{name}: {text}" if text else name
    figures = [f"{label}: {text}" if label else text] if text else []
    figures += [f"{what}: {shown}" for what, shown in details if shown]
    return f"{name} — {'; '.join(figures)}" if figures else name


def choropleth(
    values: Mapping[str, Value | None],
    *,
    language: str,
    fmt: Format = str,
    legend_fmt: Format | None = None,
    label: str = "",
    details: Sequence[tuple[str, Mapping[str, str]]] = (),
    palette: Sequence[str] = SEQUENTIAL,
) -> ChoroplethMap:
    """The map of `values` (by P-code; a governorate missing or None has no value), with
    names in `language`, values written by `fmt` and the legend's bounds by `legend_fmt`
    (by default `fmt`). `label` says what the value is; `details` adds figures to the
    tooltips and the table: (what, text by P-code) for each.

    A class holds its lower bound and not its upper one (the last holds both). Values
    given as ints are counts: the legend names the whole numbers of each class ("0",
    "1", ... "4 - 5"; "0 - 1", "2 - 3", ... "8 - 10")."""
    if len(palette) < 1:
        raise ValueError("a choropleth needs at least one colour")
    known = [Decimal(v) for v in values.values() if v is not None]
    if any(v < 0 for v in known):
        raise ValueError("a choropleth shows amounts and counts, never a negative value")
    bounds = class_bounds(max(known, default=Decimal(0)), len(palette))
    names = {g.pcode: g.name(language) for g in governorates()}
    areas = []
    for shape, label_y in zip(_shapes(), _label_rows(), strict=True):
        value = values.get(shape.pcode)
        level = None if value is None else _level(value, bounds)
        text = "" if value is None else fmt(Decimal(value))
        name = names[shape.pcode]
        extra = tuple(texts.get(shape.pcode, "") for _what, texts in details)
        areas.append(
            Area(
                pcode=shape.pcode,
                name=name,
                value=value,
                text=text,
                title=_title(
                    name, text, label, [(w, t) for (w, _), t in zip(details, extra, strict=True)]
                ),
                level=level,
                fill=EMPTY if level is None else palette[level],
                path=shape.path,
                anchor_x=shape.anchor[0],
                anchor_y=shape.anchor[1],
                label_x=_LABEL_X,
                label_y=label_y,
                leader_x=_LEADER_X,
                leader_y=round(label_y - 4, 1),
                details=extra,
            )
        )
    # Counts (values given as ints) put whole numbers in each class, and say which.
    counts = all(isinstance(v, int) for v in values.values() if v is not None)
    counts = counts and all(lower == lower.to_integral_value() for lower, _upper in bounds)
    legend = tuple(
        LegendClass(
            fill,
            lower,
            upper,
            _class_label(lower, upper, index == len(bounds) - 1, counts, legend_fmt or fmt),
        )
        for index, (fill, (lower, upper)) in enumerate(zip(palette, bounds, strict=True))
    )
    return ChoroplethMap(
        width=WIDTH,
        height=HEIGHT,
        areas=tuple(areas),
        legend=legend,
        has_empty=any(area.level is None for area in areas),
        label=label,
        detail_labels=tuple(what for what, _texts in details),
    )


# --- points -------------------------------------------------------------------------------

# A point map's circles: the area is proportional to the value, the largest key of the
# legend (a round number at or above the largest value) has radius MAX_RADIUS; a zero (or
# a value too small to see) is drawn with MIN_RADIUS, so the place stays visible.
MAX_RADIUS, MIN_RADIUS = 18.0, 2.5
_MARGIN = 2.0  # user units kept around the outermost circle


@dataclass(frozen=True)
class Point:
    """One place as drawn: a circle whose area is proportional to its value."""

    code: str
    name: str
    value: Value
    text: str  # the value as the caller writes it
    title: str  # "Rafah: 120" (the <title> a pointer or screen reader finds)
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class SizeKey:
    """One circle of the size legend: `value` drawn with radius `r`."""

    value: Decimal
    text: str
    r: float

    @property
    def box(self) -> float:
        """The side of a square that holds the circle (for the legend's own SVG)."""
        return round(2 * self.r + 2, 1)

    @property
    def centre(self) -> float:
        return round(self.r + 1, 1)


@dataclass(frozen=True)
class PointMap:
    """Points over the five governorates (drawn neutral, with their names in the sea).
    The viewBox is `view_x view_y width height`: the governorate map's, grown where a
    circle would stick out of it."""

    view_x: float
    view_y: float
    width: float
    height: float
    areas: tuple[Area, ...]  # the governorates, north to south, all NEUTRAL
    points: tuple[Point, ...]  # largest first, so that a smaller circle is drawn on top
    legend: tuple[SizeKey, ...]  # largest first
    label: str = ""  # what the value is ("Trucks crossed")
    border: str = BORDER
    fill: str = NEUTRAL
    point_fill: str = POINT_FILL


def _radius(value: Decimal, top: Decimal) -> float:
    """The radius whose circle's area is to MAX_RADIUS's as `value` is to `top`."""
    r = MAX_RADIUS * math.sqrt(float(value / top)) if top > 0 else 0.0
    return round(max(r, MIN_RADIUS), 2)


def point_map(
    points: Mapping[str, tuple[float, float, Value, str]],
    *,
    language: str,
    fmt: Format = str,
    label: str = "",
) -> PointMap:
    """The map of `points`: {code: (latitude, longitude, value, name)}, projected as the
    governorates are, each a circle whose area is proportional to its value (at least
    MIN_RADIUS), with a <title> "name: value" (or "name — label: value"). The legend
    shows a round number at or above the largest value, and a quarter of it (half the
    radius). Governorate names are in `language`; nothing here escapes text."""
    values = [Decimal(value) for _lat, _lon, value, _name in points.values()]
    if any(v < 0 for v in values):
        raise ValueError("a point map shows amounts and counts, never a negative value")
    top = _nice_ceiling(max(values, default=Decimal(0)))
    drawn = []
    for code, (lat, lon, value, name) in points.items():
        x, y = project(lon, lat)
        text = fmt(Decimal(value))
        drawn.append(
            Point(
                code=code,
                name=name,
                value=value,
                text=text,
                title=_title(name, text, label, ()),
                x=round(x, 1),
                y=round(y, 1),
                r=_radius(Decimal(value), top),
            )
        )
    drawn.sort(key=lambda point: -point.r)
    keys = tuple(
        SizeKey(_plain(amount), fmt(_plain(amount)), _radius(amount, top))
        for amount in (top, top / 4)
    )
    # Grow the viewBox, never shrink it, so that every circle is whole inside it.
    left = min([0.0] + [p.x - p.r - _MARGIN for p in drawn])
    upper = min([0.0] + [p.y - p.r - _MARGIN for p in drawn])
    right = max([float(WIDTH)] + [p.x + p.r + _MARGIN for p in drawn])
    lower = max([float(HEIGHT)] + [p.y + p.r + _MARGIN for p in drawn])
    base = choropleth({}, language=language)
    areas = tuple(replace(area, fill=NEUTRAL, title=area.name) for area in base.areas)
    return PointMap(
        view_x=math.floor(left),
        view_y=math.floor(upper),
        width=math.ceil(right) - math.floor(left),
        height=math.ceil(lower) - math.floor(upper),
        areas=areas,
        points=tuple(drawn),
        legend=keys,
        label=label,
    )
