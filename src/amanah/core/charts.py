"""Charts drawn by the server as SVG: bars (horizontal or vertical, one series, stacked or
grouped) and lines over time, as plain data that a template draws (`core/_bar_chart.html`,
`core/_line_chart.html`). No JavaScript, no chart library.

Pure Python, no Django: the caller gives rows of values and the words to show (numbers
already written the way the page writes them, `amanah.core.formats`), and gets back
coordinates in SVG user units, rounded to a tenth. Nothing here escapes text: templates
do, so never mark a label safe.

Direction. With `rtl=True` the x axis is mirrored: time runs from right to left, bars grow
leftwards from the right edge, the value axis stands on the right. Text anchors are
logical ("start", "end", "middle") and an inline SVG inherits its page's direction, so
"start" is the left in English and the right in Arabic: a mirrored chart keeps the same
anchors, and only x changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

__all__ = [
    "DASHES",
    "PALETTE",
    "Bar",
    "BarChart",
    "Box",
    "Line",
    "LineChart",
    "Marker",
    "Row",
    "Segment",
    "Series",
    "Text",
    "Tick",
    "bar_chart",
    "contrast",
    "line_chart",
    "nice_ticks",
]

Value = Decimal | int
Format = Callable[[Decimal], str]

# Series colours, in order: each has at least 3:1 contrast on white (WCAG 1.4.11), and
# lines also differ by their dashes, so that colour is never the only difference.
PALETTE = ("#0b6e4f", "#1f5fa8", "#b35a00", "#7b3294", "#5c5c5c", "#b3261e")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4 1 4", "1 2")


def _r(value: float) -> float:
    """A coordinate to a tenth of a unit; a whole number stays an int ("400", not "400.0")."""
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


@dataclass(frozen=True)
class Series:
    """One column of values: a stage of the money, a kind of truck. An empty colour or a
    None dash takes the next from PALETTE or DASHES."""

    key: str
    label: str
    colour: str = ""
    dash: str | None = None


@dataclass(frozen=True)
class Row:
    """One category (a bar, a point in time) with a value per series, and the same values
    written as the page shows them (`texts`; by default `str(value)`). `note`, if any, is
    shown after the label of a bar of several series."""

    key: str
    label: str
    values: tuple[Value, ...]
    texts: tuple[str, ...] = ()
    note: str = ""

    @property
    def cells(self) -> tuple[str, ...]:
        return self.texts or tuple(str(value) for value in self.values)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # logical: "start" is on the left in English, the right in Arabic


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return _r(self.x + self.width)

    @property
    def bottom(self) -> float:
        return _r(self.y + self.height)


@dataclass(frozen=True)
class Tick:
    """A value on the value axis: its grid line (x1, y1 to x2, y2) and label."""

    value: Decimal
    x1: float
    y1: float
    x2: float
    y2: float
    label: Text


@dataclass(frozen=True)
class Segment:
    """The part of a bar one series draws."""

    series: Series
    value: Value
    text: str
    title: str  # "Qatar, paid: 1,000.00"
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    caption: Text  # the label written beside or under the bar
    segments: tuple[Segment, ...]
    track: Box | None  # the bar's full extent, drawn faintly behind it (horizontal bars)


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    horizontal: bool
    stacked: bool
    rtl: bool
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]  # vertical bars: the value axis
    baseline: Box | None  # vertical bars: the zero line (a box of height 0)


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Line:
    series: Series
    points: str  # "x,y x,y ..." for a <polyline>
    markers: tuple[Marker, ...]
    last: Value  # the latest value (0 without any)


@dataclass(frozen=True)
class LineChart:
    width: float
    height: float
    rtl: bool
    plot: Box  # the area the lines are drawn in
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    lines: tuple[Line, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    top: Decimal  # the value at the top of the value axis


# --- helpers ------------------------------------------------------------------------------


def _styled(series: Sequence[Series]) -> tuple[Series, ...]:
    return tuple(
        replace(
            s,
            colour=s.colour or PALETTE[i % len(PALETTE)],
            dash=DASHES[i % len(DASHES)] if s.dash is None else s.dash,
        )
        for i, s in enumerate(series)
    )


def _check(rows: Sequence[Row], series: Sequence[Series]) -> None:
    for row in rows:
        if len(row.values) != len(series):
            raise ValueError(
                f"row {row.key!r} has {len(row.values)} values for {len(series)} series"
            )
        if row.texts and len(row.texts) != len(series):
            raise ValueError(f"row {row.key!r} has {len(row.texts)} texts for {len(series)} series")


def _nice_step(span: Decimal, count: int) -> Decimal:
    """A step of 1, 2, 2.5 or 5 times a power of ten that covers `span` in about `count`."""
    raw = span / count
    power = Decimal(10) ** raw.adjusted()
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if power * factor >= raw:
            return power * factor
    return power * 10  # pragma: no cover


def nice_ticks(low: Value, high: Value, count: int = 4) -> tuple[Decimal, ...]:
    """Round values from at or below `low` (and zero) to at or above `high`, about `count`
    steps apart: (0, 250000, 500000, 750000, 1000000)."""
    low_d, high_d = min(Decimal(low), Decimal(0)), max(Decimal(high), Decimal(0))
    if high_d == low_d:
        high_d = low_d + 1
    step = _nice_step(high_d - low_d, count)
    first = (low_d / step).to_integral_value(rounding="ROUND_FLOOR") * step
    values = [first]
    while values[-1] < high_d:
        values.append(values[-1] + step)
    return tuple(_plain(value) for value in values)


def _plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form: 500, not 5E+2."""
    if not value:
        return Decimal(0)
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def _mirror_x(x: float, width: float, rtl: bool) -> float:
    return _r(width - x if rtl else x)


def _mirror_box(x: float, w: float, width: float, rtl: bool) -> float:
    """The left edge of a box [x, x + w] once mirrored."""
    return _r(width - x - w if rtl else x)


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two "#rrggbb" colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _title(row: Row, series: Series, text: str, single: bool) -> str:
    return f"{row.label}: {text}" if single else f"{row.label}, {series.label}: {text}"


# --- bars ---------------------------------------------------------------------------------


def bar_chart(
    rows: Sequence[Row],
    series: Sequence[Series],
    *,
    rtl: bool,
    horizontal: bool = True,
    stacked: bool = True,
    width: int = 400,
    row_height: int = 34,
    bar_height: int = 14,
    height: int = 240,
    fmt: Format = str,
    track: bool = True,
) -> BarChart:
    """Bars of `rows`, one segment per series, stacked end to end or (`stacked=False`)
    side by side. Horizontal bars are scaled to the longest and labelled above; vertical
    bars stand on a value axis with round ticks written by `fmt`."""
    _check(rows, series)
    styled = _styled(series)
    if horizontal:
        return _horizontal(rows, styled, rtl, stacked, width, row_height, bar_height, track)
    return _vertical(rows, styled, rtl, stacked, width, height, fmt)


def _lengths(row: Row) -> list[Decimal]:
    return [max(Decimal(v), Decimal(0)) for v in row.values]


def _longest(rows: Sequence[Row], stacked: bool) -> Decimal:
    sizes = [
        sum(_lengths(row), Decimal(0)) if stacked else max(_lengths(row), default=Decimal(0))
        for row in rows
    ]
    return max(sizes, default=Decimal(0))


def _caption_text(row: Row, single: bool) -> str:
    if single:
        return f"{row.label}: {row.cells[0]}"
    return f"{row.label}: {row.note}" if row.note else row.label


def _horizontal(
    rows: Sequence[Row],
    series: tuple[Series, ...],
    rtl: bool,
    stacked: bool,
    width: int,
    row_height: int,
    bar_height: int,
    track: bool,
) -> BarChart:
    longest = _longest(rows, stacked)
    single = len(series) == 1
    bars = []
    for index, row in enumerate(rows):
        top = index * row_height + row_height - bar_height - 2
        offset = 0.0
        segments = []
        for position, (s, length, text) in enumerate(
            zip(series, _lengths(row), row.cells, strict=True)
        ):
            size = float(length * width / longest) if longest else 0.0
            thickness = bar_height if stacked else bar_height / len(series)
            y = top if stacked else top + position * thickness
            start = offset if stacked else 0.0
            segments.append(
                Segment(
                    series=s,
                    value=row.values[position],
                    text=text,
                    title=_title(row, s, text, single),
                    x=_mirror_box(start, _r(size), width, rtl),
                    y=_r(y),
                    width=_r(size),
                    height=_r(thickness),
                )
            )
            if stacked:
                offset += _r(size)
        bars.append(
            Bar(
                key=row.key,
                label=row.label,
                caption=Text(_mirror_x(0, width, rtl), top - 5, _caption_text(row, single)),
                segments=tuple(segments),
                track=Box(0, top, width, bar_height) if track else None,
            )
        )
    return BarChart(
        width=width,
        height=row_height * max(len(rows), 1),
        horizontal=True,
        stacked=stacked,
        rtl=rtl,
        series=series,
        rows=tuple(rows),
        bars=tuple(bars),
        ticks=(),
        baseline=None,
    )


# The margins of charts with axes: room for the value labels and the category labels.
_AXIS_SIDE, _AXIS_FAR, _AXIS_TOP, _AXIS_BOTTOM = 72, 12, 12, 28


def _value_axis(
    ticks: Sequence[Decimal], plot: Box, width: float, rtl: bool, fmt: Format
) -> tuple[Callable[[Value], float], tuple[Tick, ...]]:
    low, high = ticks[0], ticks[-1]

    def y_of(value: Value) -> float:
        return _r(plot.y + plot.height - float((Decimal(value) - low) / (high - low)) * plot.height)

    marks = tuple(
        Tick(
            value=value,
            x1=_mirror_x(plot.x, width, rtl),
            y1=y_of(value),
            x2=_mirror_x(plot.x + plot.width, width, rtl),
            y2=y_of(value),
            label=Text(_mirror_x(plot.x - 6, width, rtl), _r(y_of(value) + 4), fmt(value), "end"),
        )
        for value in ticks
    )
    return y_of, marks


def _vertical(
    rows: Sequence[Row],
    series: tuple[Series, ...],
    rtl: bool,
    stacked: bool,
    width: int,
    height: int,
    fmt: Format,
) -> BarChart:
    plot = Box(
        _AXIS_SIDE, _AXIS_TOP, width - _AXIS_SIDE - _AXIS_FAR, height - _AXIS_TOP - _AXIS_BOTTOM
    )
    ticks = nice_ticks(0, _longest(rows, stacked))
    y_of, marks = _value_axis(ticks, plot, width, rtl, fmt)
    single = len(series) == 1
    slot = plot.width / max(len(rows), 1)
    column = slot * 0.6
    bars = []
    for index, row in enumerate(rows):
        left = plot.x + index * slot + (slot - column) / 2
        base = Decimal(0)
        segments = []
        for position, (s, length, text) in enumerate(
            zip(series, _lengths(row), row.cells, strict=True)
        ):
            bottom = base if stacked else Decimal(0)
            y_top, y_bottom = y_of(bottom + length), y_of(bottom)
            thickness = column if stacked else column / len(series)
            x = left if stacked else left + position * thickness
            segments.append(
                Segment(
                    series=s,
                    value=row.values[position],
                    text=text,
                    title=_title(row, s, text, single),
                    x=_mirror_box(x, _r(thickness), width, rtl),
                    y=y_top,
                    width=_r(thickness),
                    height=_r(y_bottom - y_top),
                )
            )
            if stacked:
                base += length
        bars.append(
            Bar(
                key=row.key,
                label=row.label,
                caption=Text(
                    _mirror_x(left + column / 2, width, rtl), height - 10, row.label, "middle"
                ),
                segments=tuple(segments),
                track=None,
            )
        )
    return BarChart(
        width=width,
        height=height,
        horizontal=False,
        stacked=stacked,
        rtl=rtl,
        series=series,
        rows=tuple(rows),
        bars=tuple(bars),
        ticks=marks,
        baseline=Box(_mirror_box(plot.x, plot.width, width, rtl), y_of(0), _r(plot.width), 0),
    )


def _x_anchor(index: int, count: int) -> str:
    return "end" if count > 1 and index == count - 1 else "middle"


# --- lines --------------------------------------------------------------------------------


def line_chart(
    rows: Sequence[Row],
    series: Sequence[Series],
    *,
    rtl: bool,
    width: int = 600,
    height: int = 240,
    fmt: Format = str,
    max_labels: int = 8,
    markers: bool | None = None,
) -> LineChart:
    """One line per series over `rows` (points in time, oldest first, evenly spaced: the
    caller fills the gaps), on a value axis with round ticks written by `fmt`; at most
    `max_labels` of the rows' labels on the time axis. Markers (a dot per point, with
    its value as a tooltip) by default when there are at most 24 points."""
    _check(rows, series)
    styled = _styled(series)
    plot = Box(
        _AXIS_SIDE, _AXIS_TOP, width - _AXIS_SIDE - _AXIS_FAR, height - _AXIS_TOP - _AXIS_BOTTOM
    )
    values = [Decimal(v) for row in rows for v in row.values]
    ticks = nice_ticks(min(values, default=Decimal(0)), max(values, default=Decimal(0)))
    y_of, y_ticks = _value_axis(ticks, plot, width, rtl, fmt)
    count = len(rows)
    single = len(styled) == 1

    def x_of(index: int) -> float:
        share = index / (count - 1) if count > 1 else 0.5
        return _mirror_x(plot.x + share * plot.width, width, rtl)

    show_markers = count <= 24 if markers is None else markers
    lines = []
    for position, s in enumerate(styled):
        points = [(x_of(i), y_of(row.values[position])) for i, row in enumerate(rows)]
        lines.append(
            Line(
                series=s,
                points=" ".join(f"{x},{y}" for x, y in points),
                markers=tuple(
                    Marker(x, y, _title(row, s, row.cells[position], single))
                    for (x, y), row in zip(points, rows, strict=True)
                )
                if show_markers
                else (),
                last=rows[-1].values[position] if rows else 0,
            )
        )
    step = max(1, math.ceil(count / max_labels))
    bottom = plot.y + plot.height
    x_ticks = tuple(
        Tick(
            value=Decimal(i),
            x1=x_of(i),
            y1=_r(bottom),
            x2=x_of(i),
            y2=_r(bottom + 4),
            # The last label ends at its point, so that it stays inside the chart.
            label=Text(x_of(i), height - 10, rows[i].label, _x_anchor(i, count)),
        )
        for i in range(0, count, step)
    )
    return LineChart(
        width=width,
        height=height,
        rtl=rtl,
        plot=Box(_mirror_box(plot.x, plot.width, width, rtl), plot.y, plot.width, plot.height),
        series=styled,
        rows=tuple(rows),
        lines=tuple(lines),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        top=ticks[-1],
    )
