"""Head office's consolidated report: the selector's numbers and query count,
the PDF (Chinese title, SVG charts) and the Excel workbook (sheets, native
charts, the item detail, no formula from user text)."""

import datetime
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections.models import RectificationAction, Visit
from reports.exporters.base import REGISTRY
from reports.exporters.consolidated import ConsolidatedPdfExporter, ConsolidatedXlsxExporter
from reports.selectors.campaign import consolidated_data, detail_headers, detail_rows
from reports.selectors.types import CONSOLIDATED_REPORT_TITLE as REPORT_TITLE
from tests.reports import report_data as rd

CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
BEFORE_DEADLINE = datetime.date(2012, 12, 1)
AFTER_DEADLINE = datetime.date(2012, 12, 20)


@pytest.fixture
def campaign_visits(world, complete_visit):
    """a1: a self-inspection (表二 of 保全张 at 80 %) and a head-office check
    (表三 of 契约李 at 60 % of each stage, problems raised, an action); branch A itself
    (表四 at 50 %); b1 at full points. Office a1 is drawn."""
    si = complete_visit(rd.plan(world, world.a1))
    rd.rescore(world, si, world.pc, "new_business", "0.8")
    rd.approve(world, si)
    hoc = complete_visit(rd.plan(world, world.a1, Visit.Kind.HEAD_OFFICE_CHECK, day=28))
    rd.rescore(world, hoc, world.nb, "policy_change", "0.6", remark=rd.PAYLOADS[0])
    rd.add_texts(world, hoc, "系统切换慢", tag_text=rd.PAYLOADS[3])
    rd.approve(world, hoc)
    itself = complete_visit(rd.plan(world, None))
    rd.rescore(world, itself, world.at_branch, "claims", "0.5")
    rd.approve(world, itself)
    b1 = rd.approved(world, complete_visit, world.b1)
    return {"si": si, "hoc": hoc, "itself": itself, "b1": b1}


def unit(data, name):
    return next(u for u in data.units if u.name == name)


def test_the_exporters_are_registered():
    for identifier in ("consolidated-pdf", "consolidated-xlsx"):
        assert REGISTRY[identifier].subject == "campaign"


def test_scores_grades_and_ranks(world, campaign_visits):
    data = consolidated_data(campaign=world.campaign, today=BEFORE_DEADLINE)
    a1 = unit(data, "甲一支公司")
    # Both visits are shown; the head-office check ranks.
    assert a1.self_inspection.visit_id == campaign_visits["si"].pk
    assert a1.head_office_check.visit_id == campaign_visits["hoc"].pk
    assert a1.ranking is a1.head_office_check
    assert a1.self_inspection.sheet_percents == {
        "new_business": Decimal("79.00"),
        "policy_change": Decimal("100.00"),
        "claims": Decimal("100.00"),
    }
    assert a1.self_inspection.result.percent == Decimal("93.00")
    # 表三 at 60 % of each stage, but 交费通知书打印 does not apply to 退保: full 10 points.
    assert a1.head_office_check.sheet_percents["policy_change"] == Decimal("64.00")
    # The office result is the mean of its sheet percentages: (100 + 64 + 100) / 3.
    assert (a1.percent, a1.grade) == (Decimal("88.00"), "A")
    itself = next(u for u in data.units if u.is_branch_itself and u.branch_id == world.branch_a.pk)
    assert (itself.percent, itself.grade) == (Decimal("82.33"), "B")
    b1 = unit(data, "乙一支公司")
    assert (b1.percent, b1.grade) == (Decimal("100.00"), "A")
    assert (b1.rank, a1.rank, itself.rank) == (1, 2, 3)
    assert (a1.branch_rank, itself.branch_rank) == (1, 2)
    # Units without an approved visit are listed, unranked.
    a2 = unit(data, "甲二支公司")
    assert (a2.visits, a2.percent, a2.rank) == ([], None, None)
    # Drawn offices are marked.
    assert a1.drawn and not a2.drawn
    # Checklist compliance beside the scores.
    assert a1.ranking.checklist_rates == {
        "permissions": Decimal("100.00"),
        "etiquette": Decimal("100.00"),
    }


def test_branch_rows(world, campaign_visits):
    data = consolidated_data(campaign=world.campaign, today=BEFORE_DEADLINE)
    branch_a, branch_b = data.branches
    assert branch_a.name == "甲分公司"
    # Branch A: the ranking visits' sheets, [100, 64, 100] at a1 and [100, 100, 47] itself.
    assert branch_a.sheet_percents == {
        "new_business": Decimal("100.00"),
        "policy_change": Decimal("82.00"),
        "claims": Decimal("73.50"),
    }
    assert (branch_a.percent, branch_a.grade, branch_a.rank) == (Decimal("85.17"), "A", 2)
    assert (branch_b.percent, branch_b.grade, branch_b.rank) == (Decimal("100.00"), "A", 1)
    assert branch_a.grade_counts(data.grades) == {"A": 1, "B": 1, "C": 0}
    assert data.grade_counts_by_branch() == [
        ("甲分公司", {"A": 1, "B": 1, "C": 0}),
        ("乙分公司", {"A": 1, "B": 0, "C": 0}),
    ]
    assert dict(data.distribution()) == {
        "<60": 0,
        "60–69": 0,
        "70–79": 0,
        "80–84": 1,
        "85–89": 1,
        "90–94": 0,
        "95–100": 1,
    }
    assert branch_a.drawn_office_names == ["甲一支公司"]
    # KPIs: second batch, balanced ≥ 70 %, mixed 100 % in every office.
    assert (branch_a.balanced_kpi.value, branch_a.balanced_kpi.threshold) == (
        Decimal("90.00"),
        Decimal("70.00"),
    )
    assert branch_a.balanced_kpi.passed is True
    assert branch_a.mixed_kpi_passed is True


def test_kpi_failures_show(world, campaign_visits):
    from inspections.models import KpiFigure

    KpiFigure.objects.filter(office=world.a2).update(value_percent=Decimal("95"))
    data = consolidated_data(campaign=world.campaign, today=BEFORE_DEADLINE)
    assert unit(data, "甲二支公司").mixed_kpi.passed is False
    assert data.branches[0].mixed_kpi_passed is False


def test_open_and_overdue_actions(world, campaign_visits):
    before = consolidated_data(campaign=world.campaign, today=BEFORE_DEADLINE)
    a1 = unit(before, "甲一支公司")
    assert (a1.open_actions, a1.overdue_actions) == (1, 0)
    after = consolidated_data(campaign=world.campaign, today=AFTER_DEADLINE)
    assert (after.branches[0].open_actions, after.branches[0].overdue_actions) == (1, 1)
    RectificationAction.objects.update(status=RectificationAction.Status.CLOSED)
    closed = consolidated_data(campaign=world.campaign, today=AFTER_DEADLINE)
    assert (closed.branches[0].open_actions, closed.branches[0].overdue_actions) == (0, 0)


def test_problems_and_support_requests_from_interviews(world, campaign_visits):
    data = consolidated_data(campaign=world.campaign, today=BEFORE_DEADLINE)
    assert [(i.unit, i.text) for i in data.problems] == [("甲一支公司", rd.PAYLOADS[3])]
    assert [(i.unit, i.question) for i in data.support_requests] == [
        ("甲一支公司", "需要总部提供哪些支持？")
    ]


def test_visits_not_approved_do_not_count(world, complete_visit, campaign_visits):
    open_visit = complete_visit(rd.plan(world, world.a2))
    rd.rescore(world, open_visit, open_visit.sheet_records.first().specialist, "claims", "0.1")
    data = consolidated_data(campaign=world.campaign, today=BEFORE_DEADLINE)
    assert unit(data, "甲二支公司").visits == []
    assert all(row[2] != "甲二支公司" for row in detail_rows(campaign=world.campaign))


def consume(campaign):
    data = consolidated_data(campaign=campaign, today=BEFORE_DEADLINE)
    rows = list(detail_rows(campaign=campaign))
    return data, rows


def test_query_count_does_not_grow_with_visits(world, complete_visit, django_assert_num_queries):
    rd.approved(world, complete_visit, world.a1)
    rd.approved(world, complete_visit, world.b1)
    with CaptureQueriesContext(connection) as two:
        data, rows = consume(world.campaign)
    assert len([u for u in data.units if u.visits]) == 2
    rd.approved(world, complete_visit, world.a1, Visit.Kind.HEAD_OFFICE_CHECK, day=28)
    rd.approved(world, complete_visit, None)
    rd.approved(world, complete_visit, world.a2)
    rd.approved(world, complete_visit, world.b2)
    with django_assert_num_queries(len(two.captured_queries)):
        data, more_rows = consume(world.campaign)
    assert sum(len(u.visits) for u in data.units) == 6
    assert len(more_rows) > 2 * len(rows)


def test_detail_rows_recompute_every_item(world, approved_visit):
    rows = [dict(zip(range(15), row, strict=True)) for row in detail_rows(campaign=world.campaign)]
    assert len(detail_headers()) == 15
    wang = [r for r in rows if r[4] == "王喆"]
    # 表二 of 王喆: scanning items at 5 of 10; the withdrawal part not observed.
    scanning = [r for r in wang if r[8] == "扫描"]
    assert [(r[10], r[11]) for r in scanning] == [(10, 5)] * 3
    not_observed = [r for r in wang if r[7] == "撤单流程"]
    assert len(not_observed) == 1
    assert not_observed[0][12] == _("not observed")
    assert not_observed[0][13] == "当日无撤单业务"
    li = [r for r in rows if r[4] == "李䶮"]
    # 表三: one row per section (section points); N/A with its reason; the remark kept.
    payment = next(r for r in li if r[8] == "交费通知书打印")
    assert payment[11] == payment[10] == 10
    assert "未产生补费" in payment[12]
    review = next(r for r in li if r[8] == "资料审核")
    assert (review[11], review[13]) == (25, "+cmd")
    # 表四 notices: the unchecked notice kinds get full points, marked.
    notices = [r for r in li if r[8] == "二核通知书打印回收"]
    assert [r[11] for r in notices] == [15, 15, 15, 15, 20]
    assert [bool(r[12]) for r in notices] == [False, True, True, True, False]
    # Checklists: one row per requirement with yes/no.
    etiquette = [r for r in li if r[6].startswith("表七")]
    assert len(etiquette) == 7
    assert {r[14] for r in etiquette} == {_("yes")}


def test_pdf(world, campaign_visits):
    exporter = ConsolidatedPdfExporter(campaign_id=world.campaign.pk)
    html = exporter.html()
    assert html.count("<svg") == 2
    content = exporter.build()
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert REPORT_TITLE in text
    for name in ("甲分公司", "乙分公司", "甲一支公司", "乙一支公司", "系统切换慢"):
        assert name in text
    assert exporter.filename().endswith(".pdf")
    assert REPORT_TITLE in exporter.filename()


def test_excel(world, campaign_visits):
    progress = []
    exporter = ConsolidatedXlsxExporter(campaign_id=world.campaign.pk, progress=progress.append)
    content = exporter.build()
    assert progress[-1] == 100
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [
        _("Branches"),
        _("Offices"),
        _("Problems and support"),
        _("Objections"),
        _("Charts"),
        _("Detail"),
    ]
    branches = workbook[_("Branches")]
    assert branches["A1"].value == REPORT_TITLE
    values = [row for row in branches.iter_rows(values_only=True)]
    branch_rows = [r for r in values if r[1] in ("甲分公司", "乙分公司")]
    assert [(r[0], r[1], r[6], r[7]) for r in branch_rows] == [
        (2, "甲分公司", 85.17, "A"),
        (1, "乙分公司", 100, "A"),
    ]
    offices = list(workbook[_("Offices")].iter_rows(values_only=True))
    a1_rows = [r for r in offices if r[1] == "甲一支公司"]
    assert [r[3] for r in a1_rows] == [
        Visit.Kind.SELF_INSPECTION.label,
        Visit.Kind.HEAD_OFFICE_CHECK.label,
    ]
    assert [r[10] for r in a1_rows] == [None, 2]  # the head-office check ranks
    assert a1_rows[0][2] == "★"
    detail = workbook[_("Detail")]
    assert [c.value for c in detail[1]] == detail_headers()
    assert detail.max_row - 1 == len(list(detail_rows(campaign=world.campaign)))
    assert detail.auto_filter.ref == f"A1:O{detail.max_row}"
    # Native bar charts over the data of the charts sheet.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        for name in charts:
            tree = ElementTree.fromstring(archive.read(name))
            assert tree.find(f".//{{{CHART_NS}}}barChart") is not None
            formulas = [f.text for f in tree.iter(f"{{{CHART_NS}}}f")]
            assert formulas and all(f.startswith(f"'{_('Charts')}'!") for f in formulas)
    charts_sheet = workbook[_("Charts")]
    grades = list(charts_sheet.iter_rows(min_row=2, max_row=4, values_only=True))
    assert grades == [
        (_("Branch"), "A", "B", "C"),
        ("甲分公司", 1, 1, 0),
        ("乙分公司", 1, 0, 0),
    ]


def test_no_user_text_becomes_a_formula(world, complete_visit):
    visit = complete_visit(rd.plan(world, world.a1))
    rd.add_texts(world, visit, rd.PAYLOADS[0])
    rd.rescore(world, visit, world.pc, "new_business", "0.9", remark=rd.PAYLOADS[1])
    rd.rescore(world, visit, world.nb, "policy_change", "0.9", remark=rd.PAYLOADS[4])
    audience = world.rubric.interview_audiences.order_by("order").last()
    from inspections import services

    services.save_interview(
        user=visit.inspectors.first(),
        visit=visit,
        audience=audience,
        interviewee=rd.PAYLOADS[2],
        post=rd.PAYLOADS[3],
        notes="",
        answers={
            q.pk: {"text": rd.PAYLOADS[(i % 4) + 1], "tag": q.tag}
            for i, q in enumerate(audience.questions.all())
        },
    )
    world.pc.name = "=cmd|' /C calc'!A0"
    world.pc.save()
    rd.approve(world, visit)
    content = ConsolidatedXlsxExporter(campaign_id=world.campaign.pk).build()
    workbook = load_workbook(io.BytesIO(content))
    seen = set()
    for worksheet in workbook:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    for payload in (*rd.PAYLOADS, "=cmd|' /C calc'!A0"):
        assert "'" + payload in seen, payload
