"""The consolidated PDF's SVG charts: laid out in Python, written by
templates/reports/_bar_chart.svg; texts escaped, numbers unlocalized."""

import re

from django.utils import translation

from reports.exporters import charts


def test_a_stacked_chart_has_a_legend_and_one_bar_per_nonzero_count():
    svg = charts.grade_chart_svg(
        [("甲分公司", {"A": 3, "B": 1}), ("乙分公司", {"A": 0, "B": 2})],
        ["A", "B", "C"],
        title="各分公司等级",
    )
    assert svg.strip().startswith("<svg") and svg.strip().endswith("</svg>")
    assert svg.count("<title>") == 3  # A 3, B 1; B 2 (no bar for a zero or for C)
    assert "<title>A: 3</title>" in svg and "<title>B: 2</title>" in svg
    assert svg.count('width="10" height="10"') == 3  # the legend: A, B, C
    assert "甲分公司" in svg and "各分公司等级" in svg


def test_the_chart_escapes_its_texts():
    svg = charts.distribution_chart_svg(
        [("<b>90–100</b>", 2)], title='"<script>x</script>', series_name="单位&"
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "单位&amp;: 2" in svg


def test_numbers_are_written_with_a_decimal_point_whatever_the_language():
    categories = [f"单位{i}" for i in range(12)]  # more than 8: labels rotated
    with translation.override("de"):  # a decimal comma
        svg = charts.distribution_chart_svg(
            list(zip(categories, range(1200, 1212), strict=True)), title="t", series_name="s"
        )
    coordinates = re.findall(r' (?:x|y|x1|y1|x2|y2|width|height)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"\d+(\.\d)?", c) for c in coordinates)
    assert "rotate(-45 " in svg
    assert ">1211</text>" in svg
