"""The visit's acceptance report: what it contains, that Chinese names outside
GB2312 render with the CJK font, that no typed text becomes an Excel formula,
and that its data is read with a bounded number of queries."""

import gc
import io
import re
import subprocess
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections.models import PartRecord, SheetRecord
from reports.exporters import pdf
from reports.exporters.base import REGISTRY
from reports.exporters.pdf import FONT_FAMILY, subsetter
from reports.exporters.visit import VisitPdfExporter, VisitXlsxExporter
from reports.selectors.types import VISIT_REPORT_TITLE as REPORT_TITLE
from reports.selectors.visit import visit_report_data
from scoring.engine import mean_percent
from tests import factories
from tests.skips import require_program

from .conftest import (
    EXT_A_NAME,
    FORMULA_FINDING,
    FORMULA_INTERVIEWEE,
    FORMULA_POLICY_NO,
    FORMULA_REMARK,
    GBK_NAME,
)

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_visit_exporters_are_registered():
    assert REGISTRY["visit-pdf"] is VisitPdfExporter
    assert REGISTRY["visit-xlsx"] is VisitXlsxExporter
    assert VisitPdfExporter.subject == VisitXlsxExporter.subject == "visit"


# --- the data --------------------------------------------------------------------


def test_results_follow_the_scoring_rules(approved_visit):
    report = visit_report_data(visit_id=approved_visit.pk)
    records = list(SheetRecord.objects.filter(visit=approved_visit))
    assert report.unit_result.percent == mean_percent(r.percent for r in records)
    assert report.unit_result.sheet_count == len(records)
    assert report.unit_result.grade == "A"

    people = {p.name: p for p in report.specialists}
    wang = people[GBK_NAME]
    # 表二 with the withdrawal part not observed: 70 of the 85 points checked.
    assert [c.percent if c else None for c in wang.cells] == [D("82.35"), None, None]
    assert wang.result.percent == D("82.35") and wang.result.grade == "B"
    li = people[EXT_A_NAME]
    assert li.result.percent == mean_percent([D(95), D(100)]) == D("97.50")
    assert [label for label, _name in report.scored_sheet_kinds] == ["表二", "表三", "表四"]
    assert len(report.line_results) == 3


def test_sheets_show_not_applicable_unchecked_notice_kinds_and_parts_not_observed(
    approved_visit,
):
    with translation.override("en"):
        report = visit_report_data(visit_id=approved_visit.pk)
    by_key = {(s.table_label, s.specialist_name): s for s in report.sheets}

    policy_change = by_key[("表三", EXT_A_NAME)]
    sections = {s.name: s for s in policy_change.parts[0].sections}
    na = sections["交费通知书打印"]
    assert na.not_applicable and na.score == na.max_points == 10
    assert "full 10 points" in na.note and "未产生补费" in na.note
    assert sections["资料审核"].score == 25
    assert sections["资料审核"].remark == FORMULA_REMARK

    claims = by_key[("表四", EXT_A_NAME)]
    assert [p.name for p in claims.parts] == ["通知书流程"]
    assert claims.chosen_alternative == "通知书流程"
    assert claims.alternative_reason == "本机构当月无理赔案件"
    notices = {s.name: s for s in claims.parts[0].sections}["二核通知书打印回收"]
    notes = [i.note for i in notices.items]
    assert notes[0] == "Notice kind checked."
    assert notes[1:4] == ["Notice kind not checked: full points."] * 3
    assert [i.score for i in notices.items] == [15, 15, 15, 15, 20]

    new_business = by_key[("表二", GBK_NAME)]
    withdrawal = next(p for p in new_business.parts if p.name == "撤单流程")
    assert not withdrawal.observed and withdrawal.not_observed_reason == "当日无撤单业务"
    scanning = {s.name: s for s in new_business.parts[0].sections}["扫描"]
    assert [i.score for i in scanning.items] == [5, 5, 5]


def test_checklists_kpis_interviews_findings_and_actions(approved_visit):
    report = visit_report_data(visit_id=approved_visit.pk)
    summaries = {s.table_label: s for s in report.checklist_summaries}
    assert summaries["表五"].records == 1 and summaries["表五"].rate == D(100)
    assert summaries["表七"].records == 4 and summaries["表七"].non_compliant == 0
    assert {c.who for c in report.checklists if c.table_label == "表七"} >= {GBK_NAME, EXT_A_NAME}
    assert all(k.passed for k in report.kpis)
    assert report.kpi_note
    interview = report.interviews[0]
    assert interview.interviewee == FORMULA_INTERVIEWEE
    assert any(a.tag == "problem" and a.text == "系统切换慢" for a in interview.answers)
    assert report.problems_raised
    first_area = report.areas[0]
    assert FORMULA_FINDING in first_area.shortcomings
    assert first_area.strengths
    assert [a.description for a in first_area.actions] == ["完善岗位权限报备"]
    action = report.actions[0]
    assert action.responsible_unit == "甲一支公司" and action.status == "open"
    assert report.log[0].policy_no == FORMULA_POLICY_NO
    assert report.log[0].minutes_total == 9
    assert report.approved_by == str(approved_visit.transitions.last().by)
    assert report.inspectors == ["inspector-a"]


def test_the_data_is_read_with_a_fixed_number_of_queries(approved_visit):
    with CaptureQueriesContext(connection) as first:
        visit_report_data(visit_id=approved_visit.pk)
    assert len(first) <= 25

    # More specialists and sheets: the same number of queries.
    template = SheetRecord.objects.filter(visit=approved_visit).first()
    for n in range(3):
        person = factories.SpecialistFactory(
            office=approved_visit.office, name=f"加测{n}", home_post=factories.post("general")
        )
        record = SheetRecord.objects.create(
            visit=approved_visit,
            specialist=person,
            sheet=template.sheet,
            selection_method=template.selection_method,
            chosen_alternative=template.chosen_alternative,
            score=template.score,
            max_points=template.max_points,
            percent=template.percent,
            grade=template.grade,
            complete=True,
        )
        for part in template.parts.all():
            PartRecord.objects.create(
                sheet_record=record,
                part=part.part,
                reference_no=part.reference_no,
                servicing_item=part.servicing_item,
                observed=part.observed,
                not_observed_reason=part.not_observed_reason,
                answers=part.answers,
                score=part.score,
                max_points=part.max_points,
            )
    with CaptureQueriesContext(connection) as second:
        report = visit_report_data(visit_id=approved_visit.pk)
    assert len(second) == len(first)
    assert any(p.name == "加测2" for p in report.specialists)


# --- the PDF ------------------------------------------------------------------


@pytest.fixture
def pdf_reader(approved_visit):
    data = VisitPdfExporter(visit_id=approved_visit.pk).build()
    return PdfReader(io.BytesIO(data))


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_chinese_title_and_names_outside_gb2312(pdf_reader, approved_visit):
    assert "喆".encode("gbk") and "䶮".encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        "喆".encode("gb2312")
    text = pdf_text(pdf_reader)
    assert REPORT_TITLE in text
    assert GBK_NAME in text
    assert EXT_A_NAME in text
    assert "甲一支公司" in text and "2012年度一柜通验收" in text


def _fonts(reader: PdfReader):
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for font in fonts.values():
            yield font.get_object()


def test_the_pdf_embeds_the_cjk_font_and_has_a_glyph_for_every_name_character(pdf_reader):
    fonts = list(_fonts(pdf_reader))
    names = {str(f["/BaseFont"]) for f in fonts}
    family = FONT_FAMILY.replace(" ", "-")  # WeasyPrint names them "ABCDEF+Noto-Sans-CJK-SC…"
    assert names and all(family in name for name in names), names
    mapped = {}
    for font in fonts:
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        chars = "".join(re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S))
        for cid, utf16 in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4,})>", chars):
            text = bytes.fromhex(utf16).decode("utf-16-be", errors="replace")
            mapped.setdefault(text, set()).add(int(cid, 16))
    for char in "王喆李䶮一柜通工作验收报告":
        assert char in mapped, f"{char} has no glyph in the embedded fonts"
        assert 0 not in mapped[char], f"{char} is drawn with .notdef (a box)"
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), "embedded"


def test_the_pdf_lays_out_every_part_of_the_report(approved_visit):
    with translation.override("en"):
        data = VisitPdfExporter(visit_id=approved_visit.pk).build()
    reader = PdfReader(io.BytesIO(data))
    # Table cells wrap lines: compare without whitespace.
    text = re.sub(r"\s+", "", pdf_text(reader))
    for expected in [
        "Inspectors' signatures",
        "Branch head's signature",
        "Date",
        "Not applicable: full 10 points.",
        "未产生补费",
        "Notice kind not checked: full points.",
        "当日无撤单业务",
        "本机构当月无理赔案件",
        "表一",
        "表五",
        "表七",
        "Compliance rate",
        "Reference number",
        "Not observed: left out of the score and the maximum.",
        FORMULA_FINDING,
        "完善岗位权限报备",
        "系统切换慢",
        "2012-12-31",
    ]:
        assert re.sub(r"\s+", "", expected) in text, expected
    assert len(reader.pages) >= 3
    assert "1 / " in reader.pages[0].extract_text(), "page numbers"
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842), "A4"


def test_every_table_of_the_visit_pdf_has_a_fixed_layout(approved_visit):
    # Auto table layout measures every cell's text twice: most of a long report's time.
    html = VisitPdfExporter(visit_id=approved_visit.pk).html()
    tables = re.findall(r"<table[^>]*>", html)
    assert len(tables) > 10
    for tag in tables:
        assert re.search(r'class="[^"]*\b(fixed|scored|checklist)\b', tag), tag
    css = render_to_string(pdf.BASE_CSS_TEMPLATE, {"font_family": FONT_FAMILY})
    assert "table.fixed, table.scored, table.checklist { table-layout: fixed; }" in css


def test_report_html_has_no_whitespace_between_tags_and_keeps_spaces_in_text(approved_visit):
    # Whitespace-only text nodes cost WeasyPrint parsing, styling and layout.
    html = VisitPdfExporter(visit_id=approved_visit.pk).html()
    assert not re.search(r">\s+<", html)
    grade = re.search(r"</strong><span class=\"small muted\"> \(", html)
    assert grade, "the space before the sheet count stays, inside the span"


def test_the_base_stylesheet_and_the_fetchers_ssl_context_are_made_once():
    assert pdf.base_stylesheet() is pdf.base_stylesheet()
    assert pdf.LocalOnlyFetcher().handle_open["https"][0]._context is pdf._unused_ssl_context()


def test_rendering_a_pdf_restores_the_collector_thresholds(approved_visit):
    before = gc.get_threshold()
    seen = []
    with mock.patch.object(pdf.HTML, "write_pdf", lambda *a, **k: seen.append(gc.get_threshold())):
        pdf.html_to_pdf("<p>x</p>")
    assert seen[0][0] == max(before[0], pdf.RENDER_GC_THRESHOLD)
    assert gc.get_threshold() == before


def test_pdfs_subset_fonts_with_harfbuzz_when_it_is_installed():
    # scripts/bootstrap installs libharfbuzz-subset0; without it reports take seconds longer.
    assert subsetter() in ("harfbuzz", "fonttools")


# --- the Excel file ----------------------------------------------------------------


@pytest.fixture
def workbook_bytes(approved_visit):
    return VisitXlsxExporter(visit_id=approved_visit.pk).build()


def test_the_excel_file_has_a_summary_and_a_sheet_per_kind(workbook_bytes):
    wb = load_workbook(io.BytesIO(workbook_bytes))
    names = wb.sheetnames
    assert len(names) == 11
    assert names[-1] == "照片"
    assert {"表一", "表二", "表三", "表四"} <= set(names)
    summary = wb.worksheets[0]
    values = [v for row in summary.iter_rows(values_only=True) for v in row if v is not None]
    assert values[0] == REPORT_TITLE
    assert GBK_NAME in values and EXT_A_NAME in values
    assert 82.35 in values  # numbers stay numbers
    table_three = [
        row for row in wb["表三"].iter_rows(values_only=True) if row[0] == EXT_A_NAME and row[5]
    ]
    assert any(row[5] == "交费通知书打印" and row[8] == 10 for row in table_three)


def test_no_typed_text_becomes_a_formula(workbook_bytes):
    wb = load_workbook(io.BytesIO(workbook_bytes))
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts[cell.value] = cell.data_type
    for payload in (
        FORMULA_FINDING,
        FORMULA_REMARK,
        FORMULA_INTERVIEWEE,
        FORMULA_POLICY_NO,
        '=HYPERLINK("http://x")',
        "-负责人",
    ):
        assert payload not in texts, f"{payload!r} was written as it was typed"
        assert texts.get("'" + payload) == "s", payload


def test_the_excel_file_opens_in_libreoffice_when_installed(workbook_bytes, tmp_path):
    source = tmp_path / "report.xlsx"
    source.write_bytes(workbook_bytes)
    load_workbook(source)  # openpyxl reads it back
    office = require_program(
        "libreoffice", "soffice", why="the file was re-read with openpyxl only"
    )
    result = subprocess.run(
        [office, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.csv").exists()


def test_the_excel_summary_ends_with_signature_lines(workbook_bytes):
    summary = load_workbook(io.BytesIO(workbook_bytes)).worksheets[0]
    labels = {
        row[0].value: row
        for row in summary.iter_rows()
        if row[0].value in ("验收人员签字", "分公司负责人签字", "日期")
    }
    assert len(labels) == 3, [r[0].value for r in summary.iter_rows()][-12:]
    for row in labels.values():
        assert row[1].border.bottom.style == "thin" and row[2].border.bottom.style == "thin"


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_escaped_on_a_round_trip(trigger, tmp_path):
    from openpyxl import Workbook

    from reports.exporters.excel import cell_value

    payload = f"{trigger}SUM(1,2)"
    wb = Workbook()
    wb.active.append([cell_value(payload)])
    wb.save(tmp_path / "x.xlsx")
    cell = load_workbook(tmp_path / "x.xlsx").active["A1"]
    assert cell.data_type != "f"
    # Escaped with a leading quote (XML reads a carriage return back as a newline).
    assert cell.value.startswith("'") and cell.value.endswith("SUM(1,2)")
