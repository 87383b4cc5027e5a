"""The visit's acceptance report with a deduction section and a sheet scored 0
for falsified material: the PDF and the Excel file list each occurrence with
its reference, its rule and the points taken off, and show the zero with its
reason."""

import io
import re
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections import services
from reports.exporters.visit import VisitPdfExporter, VisitXlsxExporter
from reports.selectors.types import DeductionLine
from reports.selectors.visit import visit_report_data
from scoring.selectors import sheet_definition
from tests import factories

pytestmark = pytest.mark.django_db

PART = "policy_change_process"


@pytest.fixture
def reported_visit(world, deductions_visit):
    """表三 for 契约李 with two administrative penalties and one other violation
    (one of them typed again in full-width digits under the other rule: refused,
    so recorded once), and for 综合王 resting on falsified material."""
    visit = deductions_visit
    sheet = visit.sheet
    section = sheet_definition(sheet=sheet).part(PART).sections[1]
    penalty, violation = (item.key for item in section.items)
    parts = factories.full_sheet_parts(sheet)
    parts[PART]["answers"]["sections"]["compliance"]["occurrences"] = [
        {"kind": penalty, "reference": "渝保监罚〔2012〕3号"},
        {"kind": violation, "reference": "渝保监发〔2012〕12号"},
        {"kind": penalty, "reference": "渝保监罚〔2012〕7号"},
    ]
    parts[PART]["answers"]["remarks"]["compliance"] = "已核对处罚决定书"
    for specialist, extra in [
        (world.nb, {}),
        (
            world.generalist,
            {"falsified_material": True, "falsified_reason": "提供虚假的身份证复印件"},
        ),
    ]:
        services.save_sheet(
            user=world.inspector_a,
            visit=visit,
            specialist=specialist,
            sheet=sheet,
            selection_method="followed_live",
            parts=parts,
            **extra,
        )
    return visit


def test_the_data_lists_the_occurrences_and_the_falsified_zero(reported_visit):
    with translation.override("en"):
        report = visit_report_data(visit_id=reported_visit.pk)
    sheets = {s.specialist_name: s for s in report.sheets}
    honest = sheets["契约李"]
    assert (honest.score, honest.max_points, honest.falsified) == (95, 100, False)
    compliance = honest.parts[0].sections[1]
    assert compliance.deduction and compliance.score == 5 and compliance.max_points == 10
    assert compliance.deductions == [
        DeductionLine("渝保监罚〔2012〕3号", "受到行政处罚的违法违规行为", Decimal(2)),
        DeductionLine("渝保监发〔2012〕12号", "其他违法违规行为", Decimal(1)),
        DeductionLine("渝保监罚〔2012〕7号", "受到行政处罚的违法违规行为", Decimal(2)),
    ]
    assert [(i.text, i.points) for i in compliance.items] == [
        ("受到行政处罚的违法违规行为", 2),
        ("其他违法违规行为", 1),
    ]

    falsified = sheets["综合王"]
    assert (falsified.score, falsified.max_points, falsified.percent, falsified.grade) == (
        0,
        100,
        Decimal("0.00"),
        "C",
    )
    assert falsified.falsified and falsified.falsified_reason == "提供虚假的身份证复印件"
    # The office's result counts the falsified sheet at 0 %.
    assert report.unit_result.percent == Decimal("47.50")


def test_the_pdf_shows_each_occurrence_and_the_falsified_zero_with_its_reason(reported_visit):
    with translation.override("en"):
        html = VisitPdfExporter(visit_id=reported_visit.pk).html()
        data = VisitPdfExporter(visit_id=reported_visit.pk).build()
    assert "<li>渝保监罚〔2012〕3号（受到行政处罚的违法违规行为）−2</li>" in html
    assert "<li>渝保监发〔2012〕12号（其他违法违规行为）−1</li>" in html
    text = re.sub(
        r"\s+", "", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    )
    for expected in [
        "渝保监罚〔2012〕7号（受到行政处罚的违法违规行为）−2",
        "Deductionsonly",
        "Falsifiedmaterial:thesheetscores0",
        "提供虚假的身份证复印件",
        "已核对处罚决定书",
    ]:
        assert expected in text, expected


def test_the_pdf_is_in_chinese_by_default(reported_visit):
    html = VisitPdfExporter(visit_id=reported_visit.pk).html()
    assert "虚假材料" in html and "只扣分" in html


def test_the_excel_file_lists_each_occurrence_and_the_falsified_zero(reported_visit):
    with translation.override("en"):
        data = VisitXlsxExporter(visit_id=reported_visit.pk).build()
    rows = list(load_workbook(io.BytesIO(data))["表三"].iter_rows(values_only=True))
    honest = [row for row in rows if row[0] == "契约李"]
    compliance = [row[6:10] for row in honest if row[5] == "合规情况"]
    assert compliance == [
        ("受到行政处罚的违法违规行为", -2, 5, "已核对处罚决定书"),
        ("其他违法违规行为", -1, None, None),
        ("渝保监罚〔2012〕3号（受到行政处罚的违法违规行为）", -2, None, "Deduction"),
        ("渝保监发〔2012〕12号（其他违法违规行为）", -1, None, "Deduction"),
        ("渝保监罚〔2012〕7号（受到行政处罚的违法违规行为）", -2, None, "Deduction"),
    ]
    falsified = [row for row in rows if row[0] == "综合王"]
    assert falsified[0][2] == "Total" and falsified[0][8] == 0
    assert falsified[1][2] == "Falsified material: the sheet scores 0"
    assert falsified[1][6] == "提供虚假的身份证复印件" and falsified[1][8] == 0
