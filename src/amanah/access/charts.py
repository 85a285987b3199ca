"""Server-rendered SVG charts of the access metrics: geometry only, no JavaScript.
Coordinates are computed here and written into the template; in Arabic the time axis
runs right to left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD = 600, 220, 30
BAR_ROW, BAR_HEIGHT, BAR_WIDTH = 30, 14, 400


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    points: str  # "x,y x,y ..." for a polyline
    last: int


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: int
    y: int
    width: int
    label_x: int
    label_y: int


def _x(position: int, count: int, rtl: bool) -> int:
    span = WIDTH - 2 * PAD
    x = PAD + (span * position // max(count - 1, 1))
    return WIDTH - x if rtl else x


def line_series(
    columns: Sequence[tuple[str, str, str, Sequence[int]]], *, rtl: bool
) -> tuple[list[Series], int]:
    """One polyline per (key, label, colour, values by day), on a shared scale."""
    top = max((max(values, default=0) for *_head, values in columns), default=0) or 1
    series = []
    for key, label, colour, values in columns:
        points = " ".join(
            f"{_x(i, len(values), rtl)},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * v // top}"
            for i, v in enumerate(values)
        )
        series.append(Series(key, label, colour, points, values[-1] if values else 0))
    return series, top


def bars(rows: Sequence[tuple[str, int]], *, rtl: bool) -> list[Bar]:
    top = max((value for _label, value in rows), default=0)
    out = []
    for row, (label, value) in enumerate(rows):
        width = 0 if not top else int(Decimal(value * BAR_WIDTH) / top)
        out.append(
            Bar(
                label=label,
                value=value,
                x=BAR_WIDTH - width if rtl else 0,
                y=row * BAR_ROW + BAR_ROW - BAR_HEIGHT - 2,
                width=width,
                label_x=BAR_WIDTH if rtl else 0,
                label_y=row * BAR_ROW + 12,
            )
        )
    return out
