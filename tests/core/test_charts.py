"""`amanah.core.charts`: the geometry of bars and lines, mirrored in Arabic, and the
partials that draw it (which escape every label)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from amanah.core import charts
from amanah.core.charts import Row, Series

STAGES = [Series("paid", "Paid"), Series("unpaid", "Pledged, not yet paid")]


def _rows() -> list[Row]:
    return [
        Row("qa", "Qatar", (Decimal("500"), Decimal("500"))),
        Row("pk", "Pakistan", (100, 0)),
        Row("no", "Norway", (Decimal("250.5"), Decimal("1000"))),
    ]


def _line_rows() -> list[Row]:
    return [
        Row("2026-01", "Jan 2026", (0, 10)),
        Row("2026-02", "Feb 2026", (50, 20)),
        Row("2026-03", "Mar 2026", (120, 25)),
        Row("2026-04", "Apr 2026", (200, 40)),
    ]


def _xs(points: str) -> list[float]:
    return [float(pair.split(",")[0]) for pair in points.split()]


def _ys(points: str) -> list[float]:
    return [float(pair.split(",")[1]) for pair in points.split()]


# --- bars -------------------------------------------------------------------------------


def test_a_single_series_is_scaled_to_the_largest_bar() -> None:
    rows = [Row("a", "A", (Decimal("1000000"),)), Row("b", "B", (Decimal("250000"),))]
    chart = charts.bar_chart(rows, [Series("usd", "USD")], rtl=False)

    widths = [bar.segments[0].width for bar in chart.bars]
    assert widths == [400, 100]
    assert chart.height == 2 * 34
    assert chart.bars[0].caption.text == "A: 1000000"
    assert chart.bars[0].segments[0].title == "A: 1000000"
    assert all(bar.segments[0].x == 0 for bar in chart.bars)
    assert chart.bars[0].track == charts.Box(0, 18, 400, 14)


def test_stacked_segments_sum_to_the_bar_and_follow_each_other() -> None:
    chart = charts.bar_chart(_rows(), STAGES, rtl=False)

    totals = [sum(bar.segments[i].width for i in range(2)) for bar in chart.bars]
    assert totals[2] == 400  # Norway's 1,250.5 is the longest bar
    assert totals[0] == pytest.approx(400 * 1000 / 1250.5, abs=0.2)
    for bar in chart.bars:
        paid, unpaid = bar.segments
        assert unpaid.x == pytest.approx(paid.x + paid.width, abs=0.05)
        assert paid.y == unpaid.y
    assert chart.bars[0].segments[1].title == "Qatar, Pledged, not yet paid: 500"


def test_in_arabic_bars_grow_from_the_right() -> None:
    ltr = charts.bar_chart(_rows(), STAGES, rtl=False)
    rtl = charts.bar_chart(_rows(), STAGES, rtl=True)

    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        for a, b in zip(left.segments, right.segments, strict=True):
            assert b.width == a.width
            assert b.x == pytest.approx(400 - a.x - a.width, abs=0.05)
            assert b.y == a.y
        assert right.caption.x == 400
        assert left.caption.x == 0
        # The anchor is logical: "start" is the right edge on a right-to-left page.
        assert left.caption.anchor == right.caption.anchor == "start"


def test_grouped_bars_share_the_bar_height_and_scale_to_the_largest_value() -> None:
    chart = charts.bar_chart(_rows(), STAGES, rtl=False, stacked=False)

    norway = chart.bars[2]
    assert [s.width for s in norway.segments] == [pytest.approx(100.2, abs=0.1), 400]
    assert norway.segments[0].height == norway.segments[1].height == 7
    assert norway.segments[1].y == norway.segments[0].y + 7


def test_vertical_stacked_bars_stand_on_round_ticks() -> None:
    chart = charts.bar_chart(
        _rows(), STAGES, rtl=False, horizontal=False, width=400, height=240, fmt=lambda v: f"<{v}>"
    )

    assert [tick.value for tick in chart.ticks] == [0, 500, 1000, 1500]
    assert chart.ticks[1].label.text == "<500>"
    assert chart.ticks[0].label.anchor == "end"
    assert chart.baseline is not None
    for bar in chart.bars:
        lower, upper = bar.segments
        # The upper segment sits on the lower one, and together they reach the total.
        assert upper.y + upper.height == pytest.approx(lower.y, abs=0.1)
        assert lower.y + lower.height == pytest.approx(chart.baseline.y, abs=0.1)
    norway = chart.bars[2]
    plot_height = chart.baseline.y - chart.ticks[-1].y1
    total = norway.segments[0].height + norway.segments[1].height
    assert total == pytest.approx(plot_height * 1250.5 / 1500, abs=0.2)


def test_vertical_bars_are_mirrored_in_arabic() -> None:
    ltr = charts.bar_chart(_rows(), STAGES, rtl=False, horizontal=False)
    rtl = charts.bar_chart(_rows(), STAGES, rtl=True, horizontal=False)

    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        for a, b in zip(left.segments, right.segments, strict=True):
            assert b.x == pytest.approx(ltr.width - a.x - a.width, abs=0.1)
            assert (b.y, b.height) == (a.y, a.height)
        assert right.caption.x == pytest.approx(ltr.width - left.caption.x, abs=0.1)
    for a, b in zip(ltr.ticks, rtl.ticks, strict=True):
        assert b.label.x == pytest.approx(ltr.width - a.label.x, abs=0.1)
        assert b.label.anchor == a.label.anchor == "end"
    # The first bar is on the left in English, on the right in Arabic.
    assert ltr.bars[0].segments[0].x < ltr.bars[-1].segments[0].x
    assert rtl.bars[0].segments[0].x > rtl.bars[-1].segments[0].x


def test_negative_values_draw_no_bar_and_wrong_shapes_are_refused() -> None:
    chart = charts.bar_chart(
        [Row("a", "A", (-5,)), Row("b", "B", (5,))], [Series("x", "X")], rtl=False
    )
    assert chart.bars[0].segments[0].width == 0

    with pytest.raises(ValueError, match="2 values for 1 series"):
        charts.bar_chart([Row("a", "A", (1, 2))], [Series("x", "X")], rtl=False)
    with pytest.raises(ValueError, match="1 texts for 2 series"):
        charts.bar_chart([Row("a", "A", (1, 2), ("1",))], STAGES, rtl=False)


def test_an_empty_chart_has_no_bar() -> None:
    chart = charts.bar_chart([], STAGES, rtl=False)
    assert chart.bars == ()
    assert chart.height == 34


# --- lines ------------------------------------------------------------------------------


def test_lines_run_over_time_on_a_shared_scale() -> None:
    chart = charts.line_chart(_line_rows(), STAGES, rtl=False, fmt=lambda v: f"{v} USD")

    assert [tick.value for tick in chart.y_ticks] == [0, 50, 100, 150, 200]
    assert chart.y_ticks[-1].label.text == "200 USD"
    assert chart.top == 200
    paid, unpaid = chart.lines
    assert _xs(paid.points) == _xs(unpaid.points)
    xs = _xs(paid.points)
    assert xs == sorted(xs)  # oldest on the left
    assert xs[0] == chart.plot.x
    assert xs[-1] == chart.plot.right
    ys = _ys(paid.points)
    assert ys[0] == chart.plot.bottom  # zero on the axis
    assert ys[-1] == chart.plot.y  # the top of the scale
    assert paid.last == 200
    assert [m.title for m in paid.markers][:2] == ["Jan 2026, Paid: 0", "Feb 2026, Paid: 50"]
    assert [tick.label.text for tick in chart.x_ticks] == [r.label for r in _line_rows()]
    # The last time label ends at its point, inside the chart.
    assert chart.x_ticks[-1].label.anchor == "end"
    assert chart.x_ticks[0].label.anchor == "middle"
    assert chart.series[0].colour == charts.PALETTE[0]
    assert chart.series[1].dash == charts.DASHES[1]


def test_in_arabic_time_runs_from_right_to_left() -> None:
    ltr = charts.line_chart(_line_rows(), STAGES, rtl=False)
    rtl = charts.line_chart(_line_rows(), STAGES, rtl=True)

    for a, b in zip(ltr.lines, rtl.lines, strict=True):
        assert _xs(b.points) == [pytest.approx(ltr.width - x, abs=0.1) for x in _xs(a.points)]
        assert _ys(b.points) == _ys(a.points)
    assert _xs(rtl.lines[0].points)[0] > _xs(rtl.lines[0].points)[-1]
    for a, b in zip(ltr.y_ticks, rtl.y_ticks, strict=True):
        assert b.label.x == pytest.approx(ltr.width - a.label.x, abs=0.1)
        assert (b.label.anchor, b.y1) == (a.label.anchor, a.y1)
    for a, b in zip(ltr.x_ticks, rtl.x_ticks, strict=True):
        assert b.label.x == pytest.approx(ltr.width - a.label.x, abs=0.1)
        assert b.label.anchor == a.label.anchor
    assert rtl.plot.x == pytest.approx(ltr.width - ltr.plot.right, abs=0.1)


def test_many_points_get_a_few_labels_and_no_markers() -> None:
    rows = [Row(str(day), f"day {day}", (day,)) for day in range(42)]
    chart = charts.line_chart(rows, [Series("n", "N", "#123456", "")], rtl=False, max_labels=7)

    assert len(chart.x_ticks) == 7
    assert chart.lines[0].markers == ()
    assert chart.series[0].colour == "#123456"
    assert chart.series[0].dash == ""


def test_one_point_and_no_point() -> None:
    one = charts.line_chart([Row("a", "A", (5,))], [Series("n", "N")], rtl=False)
    assert _xs(one.lines[0].points) == [pytest.approx(one.plot.x + one.plot.width / 2, abs=0.1)]
    assert one.x_ticks[0].label.anchor == "middle"

    none = charts.line_chart([], [Series("n", "N")], rtl=False)
    assert none.lines[0].points == ""
    assert none.lines[0].last == 0
    assert [tick.value for tick in none.y_ticks] == [
        0,
        Decimal("0.25"),
        Decimal("0.5"),
        Decimal("0.75"),
        1,
    ]


def test_negative_values_extend_the_axis_below_zero() -> None:
    chart = charts.line_chart(
        [Row("a", "A", (-30,)), Row("b", "B", (70,))], [Series("n", "N")], rtl=False
    )
    values = [tick.value for tick in chart.y_ticks]
    assert values[0] <= -30
    assert 0 in values
    assert values[-1] >= 70


# --- helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 1000000, (0, 250000, 500000, 750000, 1000000)),
        (0, 7, (0, 2, 4, 6, 8)),
        (0, Decimal("0.3"), (0, Decimal("0.1"), Decimal("0.2"), Decimal("0.3"))),
        (0, 0, (0, Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), 1)),
        (-30, 70, (-50, -25, 0, 25, 50, 75)),
    ],
)
def test_nice_ticks(low: int, high: int, expected: tuple[Decimal, ...]) -> None:
    assert charts.nice_ticks(low, high) == tuple(Decimal(v) for v in expected)


def test_every_series_colour_has_3_to_1_contrast_on_white() -> None:
    for colour in charts.PALETTE:
        assert charts.contrast(colour, "#ffffff") >= 3, colour
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast("#777777", "#777777") == 1


def test_the_module_needs_no_django() -> None:
    code = "import sys, amanah.core.charts; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the partials -----------------------------------------------------------------------

NASTY = '<script>alert("x")</script> & Co'


def test_the_bar_partial_escapes_labels_and_draws_a_described_image() -> None:
    rows = [Row("a", NASTY, (1, 2), (NASTY, "2"), note=NASTY)]
    chart = charts.bar_chart(rows, [Series("s", NASTY), Series("t", "T")], rtl=False)
    html = render_to_string(
        "core/_bar_chart.html",
        {
            "chart": chart,
            "chart_id": "c",
            "title": NASTY,
            "desc": "A description",
            "table": True,
            "first": "Donor",
        },
    )

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert 'role="img" aria-labelledby="c-title c-desc"' in html
    assert '<title id="c-title">' in html
    assert '<desc id="c-desc">A description</desc>' in html
    assert '<g id="c-a">' in html
    assert "<caption>&lt;script&gt;" in html  # the table's caption is the title
    assert 'class="chart-legend"' in html
    assert "style=" not in html


def test_the_line_partial_escapes_labels_and_is_not_localized() -> None:
    from django.utils import translation

    rows = [Row("a", NASTY, (Decimal("1234.5"), 2)), Row("b", "B", (3, 4))]
    chart = charts.line_chart(rows, [Series("s", NASTY), Series("t", "T")], rtl=True)
    with translation.override("ar"):
        html = render_to_string(
            "core/_line_chart.html",
            {"chart": chart, "chart_id": "l", "title": "T", "table": True, "first": "Month"},
        )

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count("<polyline") == 2
    assert f'points="{chart.lines[0].points}"' in html  # coordinates as written, not localized
    assert 'aria-labelledby="l-title"' in html
    assert "<caption>T</caption>" in html
