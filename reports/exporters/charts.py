"""Charts of the consolidated report: grade counts per branch and the score
distribution. In the PDF they are SVG drawn here (no plotting library needed:
WeasyPrint renders inline SVG); in Excel they are openpyxl's native bar charts
over the data the workbook carries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
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


def svg_bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_title: str = "",
    width: int = 680,
    height: int = 220,
    stacked: bool = False,
) -> SafeString:
    """A bar chart as inline SVG (grouped, or stacked), labels escaped."""
    font = escape(f"'{FONT_FAMILY}', sans-serif", {"'": "&apos;"})
    left, right, top, bottom = 44, 12, 30, 58
    legend = len(series) > 1
    if legend:
        top += 16
    plot_w = width - left - right
    plot_h = height - top - bottom
    if stacked:
        totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    else:
        totals = [v for s in series for v in s.values]
    maximum = _nice_max(max(totals, default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{font}" font-size="9">',
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="12" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    if legend:
        x = left
        for s in series:
            parts.append(
                f'<rect x="{x}" y="{top - 20}" width="10" height="10" fill="{s.colour}"/>'
                f'<text x="{x + 14}" y="{top - 11}">{escape(s.name)}</text>'
            )
            x += 24 + 9 * max(1, len(s.name))
    for tick in _ticks(maximum):
        y = top + plot_h - plot_h * tick / maximum
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="0.6"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{tick}</text>'
        )
    if y_title:
        parts.append(
            f'<text x="10" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 10 {top + plot_h / 2:.1f})">{escape(y_title)}</text>'
        )
    count = max(1, len(categories))
    slot = plot_w / count
    bars_per_slot = 1 if stacked else max(1, len(series))
    bar_w = slot * 0.7 / bars_per_slot
    for index, category in enumerate(categories):
        x0 = left + slot * index + slot * 0.15
        base = 0.0
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
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{s.colour}"><title>{escape(s.name)}: {value}</title></rect>'
                )
                if not stacked:
                    parts.append(
                        f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle" '
                        f'font-size="7">{value}</text>'
                    )
        label = category if len(category) <= 8 else category[:7] + "…"
        cx = left + slot * index + slot / 2
        ly = top + plot_h + 12
        if count > 8:
            parts.append(
                f'<text x="{cx:.1f}" y="{ly:.1f}" text-anchor="end" '
                f'transform="rotate(-45 {cx:.1f} {ly:.1f})">{escape(label)}</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{ly:.1f}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#333" stroke-width="0.8"/></svg>'
    )
    # Every text above is escaped.
    return mark_safe("".join(parts))


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
