"""Charts of the consolidated report: grade counts per branch and the score
distribution. In the PDF they are inline SVG (no plotting library needed:
WeasyPrint renders it), laid out here and written by a template
(templates/reports/_bar_chart.svg); in Excel they are openpyxl's native bar
charts over the data the workbook carries.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from openpyxl.chart import BarChart, Reference

from .pdf import FONT_FAMILY

#: grade colours (A, B, C, then others), and the single-series colour
PALETTE = ("#2e7d32", "#f9a825", "#c62828", "#1565c0", "#6a1b9a", "#00838f")
SINGLE = "#1565c0"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]
    colour: str = SINGLE


def _nice_max(value: float) -> int:
    """A round axis maximum ≥ value (1, 2, 5 × 10ⁿ steps)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _ticks(maximum: int) -> list[int]:
    step = max(1, maximum // 5)
    return list(range(0, maximum + 1, step))


@dataclass(frozen=True)
class LegendEntry:
    x: int
    y: int
    colour: str
    name: str

    @property
    def text_x(self) -> int:
        return self.x + 14

    @property
    def text_y(self) -> int:
        return self.y + 9


@dataclass(frozen=True)
class Tick:
    y: float
    label: int

    @property
    def label_y(self) -> float:
        return self.y + 3


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    series: str
    value: int | float
    labelled: bool  # the value written above the bar (grouped bars)

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def label_y(self) -> float:
        return self.y - 2


@dataclass(frozen=True)
class Category:
    bars: list[Bar]  # its bars with a value, bottom up when stacked
    x: float  # where its label goes
    y: float
    label: str


@dataclass(frozen=True)
class BarChartLayout:
    """Where everything of a bar chart goes; templates/reports/_bar_chart.svg draws it."""

    width: int
    height: int
    font_family: str
    title: str
    y_title: str
    left: int
    top: int
    plot_width: int
    plot_height: int
    legend: list[LegendEntry]
    ticks: list[Tick]
    categories: list[Category]
    rotate_categories: bool

    @property
    def title_x(self) -> float:
        return self.width / 2

    @property
    def tick_label_x(self) -> int:
        return self.left - 4

    @property
    def right(self) -> int:
        return self.left + self.plot_width

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def middle(self) -> float:
        """The middle of the plot's height (the y axis title's centre)."""
        return self.top + self.plot_height / 2


def bar_chart_layout(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_title: str = "",
    width: int = 680,
    height: int = 220,
    stacked: bool = False,
) -> BarChartLayout:
    """The geometry of a bar chart, grouped or stacked, with a legend when
    there is more than one series."""
    left, right, top, bottom = 44, 12, 30, 58
    if len(series) > 1:
        top += 16
    plot_w = width - left - right
    plot_h = height - top - bottom
    if stacked:
        totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    else:
        totals = [v for s in series for v in s.values]
    maximum = _nice_max(max(totals, default=0))
    legend = []
    if len(series) > 1:
        x = left
        for s in series:
            legend.append(LegendEntry(x=x, y=top - 20, colour=s.colour, name=s.name))
            x += 24 + 9 * max(1, len(s.name))
    ticks = [Tick(y=top + plot_h - plot_h * tick / maximum, label=tick) for tick in _ticks(maximum)]
    count = max(1, len(categories))
    slot = plot_w / count
    bar_w = slot * 0.7 / (1 if stacked else max(1, len(series)))
    laid_out = []
    for index, category in enumerate(categories):
        x0 = left + slot * index + slot * 0.15
        base = 0.0
        bars = []
        for position, s in enumerate(series):
            value = s.values[index]
            h = plot_h * value / maximum
            if stacked:
                x = x0
                y = top + plot_h - plot_h * base / maximum - h
                base += value
            else:
                x = x0 + position * bar_w
                y = top + plot_h - h
            if value:
                bars.append(Bar(x, y, bar_w, h, s.colour, s.name, value, labelled=not stacked))
        laid_out.append(
            Category(
                bars=bars,
                x=left + slot * index + slot / 2,
                y=top + plot_h + 12,
                label=category if len(category) <= 8 else category[:7] + "…",
            )
        )
    return BarChartLayout(
        width=width,
        height=height,
        font_family=f"'{FONT_FAMILY}', sans-serif",
        title=title,
        y_title=y_title,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        legend=legend,
        ticks=ticks,
        categories=laid_out,
        rotate_categories=count > 8,
    )


def svg_bar_chart(categories: Sequence[str], series: Sequence[Series], **options) -> SafeString:
    """A bar chart as inline SVG (grouped, or stacked; the options of
    `bar_chart_layout`), written by templates/reports/_bar_chart.svg."""
    chart = bar_chart_layout(categories, series, **options)
    return render_to_string("reports/_bar_chart.svg", {"chart": chart})


def grade_chart_svg(grade_counts: Sequence[tuple[str, dict[str, int]]], grades, *, title):
    """Stacked bars: per branch, how many units got each grade."""
    return svg_bar_chart(
        [name for name, _counts in grade_counts],
        [
            Series(grade, [counts.get(grade, 0) for _name, counts in grade_counts], colour)
            for grade, colour in zip(grades, PALETTE, strict=False)
        ],
        title=title,
        stacked=True,
    )


def distribution_chart_svg(distribution: Sequence[tuple[str, int]], *, title, series_name):
    return svg_bar_chart(
        [label for label, _count in distribution],
        [Series(series_name, [count for _label, count in distribution])],
        title=title,
    )


# --- Excel -----------------------------------------------------------------------


def excel_bar_chart(
    worksheet,
    *,
    title: str,
    header_row: int,
    first_row: int,
    last_row: int,
    first_col: int,
    last_col: int,
    y_title: str = "",
    x_title: str = "",
    stacked: bool = False,
    colours: Sequence[str] = (),
) -> BarChart:
    """A native Excel bar chart over a block of the worksheet: categories in
    column `first_col - 1`, one series per column from `first_col` to
    `last_col`, series names in `header_row`."""
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.height = 9
    chart.width = max(16, min(40, 2 + (last_row - first_row + 1) * 0.9))
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(
        worksheet, min_col=first_col, max_col=last_col, min_row=header_row, max_row=last_row
    )
    categories = Reference(
        worksheet, min_col=first_col - 1, max_col=first_col - 1, min_row=first_row, max_row=last_row
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    for series, colour in zip(chart.series, colours, strict=False):
        series.graphicalProperties.solidFill = colour.lstrip("#")
        series.graphicalProperties.line.solidFill = colour.lstrip("#")
    # Show the axes (newer Excel hides them when `delete` is left unset).
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart
