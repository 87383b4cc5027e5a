"""The branch's acceptance report (以分公司为单位形成工作验收报告): approved
visits of the branch and its offices only, when and by whom, the unit
summary, findings per content area, actions with their current status,
interview problems; PDF and Excel; no formula from user text."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections import services
from inspections.models import Finding, RectificationAction, Visit
from reports.exporters.base import REGISTRY
from reports.exporters.branch import BranchPdfExporter, BranchXlsxExporter
from reports.selectors.branch import branch_report_data
from reports.selectors.types import VISIT_REPORT_TITLE as REPORT_TITLE
from reports.selectors.types import ReportDataError
from tests import factories
from tests.reports import report_data as rd

TODAY = datetime.date(2012, 12, 1)


@pytest.fixture
def branch_visits(world, complete_visit):
    """Branch A: a1 self-inspection and head-office check, and the branch
    itself; an open visit of a2; branch B's visit of b1."""
    si = complete_visit(rd.plan(world, world.a1))
    rd.add_texts(world, si, "柜面叫号系统未升级")
    rd.approve(world, si)
    hoc = complete_visit(rd.plan(world, world.a1, Visit.Kind.HEAD_OFFICE_CHECK, day=28))
    rd.rescore(world, hoc, world.nb, "policy_change", "0.6")
    rd.approve(world, hoc)
    itself = rd.approved(world, complete_visit, None)
    open_visit = complete_visit(rd.plan(world, world.a2))
    rd.add_texts(world, open_visit, "未审批的访谈内容")
    other = complete_visit(rd.plan(world, world.b1))
    rd.add_texts(world, other, "乙分公司的问题")
    rd.approve(world, other)
    return {"si": si, "hoc": hoc, "itself": itself, "open": open_visit, "other": other}


def kw(world, branch=None):
    return {"campaign_id": world.campaign.pk, "branch_id": (branch or world.branch_a).pk}


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_exporters_are_registered():
    for identifier in ("branch-pdf", "branch-xlsx"):
        assert REGISTRY[identifier].subject == "branch"


def test_the_report_covers_the_branch_and_its_offices_approved_visits(world, branch_visits):
    report = branch_report_data(
        campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY
    )
    assert report.title == "甲分公司" + REPORT_TITLE
    assert [(v.unit, v.kind) for v in report.visits] == [
        (
            _("%(branch)s (branch itself)") % {"branch": "甲分公司"},
            Visit.Kind.SELF_INSPECTION.label,
        ),
        ("甲一支公司", Visit.Kind.SELF_INSPECTION.label),
        ("甲一支公司", Visit.Kind.HEAD_OFFICE_CHECK.label),
    ]
    si = report.visits[1]
    assert si.inspectors == ["inspector-a"]
    assert si.approved_by == str(world.hq)
    assert si.start_date == datetime.date(2012, 10, 25)
    # The summary: one branch, the a1 unit with both visits, the head-office check ranking.
    assert [b.name for b in report.summary.branches] == ["甲分公司"]
    a1 = next(u for u in report.row.units if u.name == "甲一支公司")
    assert a1.ranking is a1.head_office_check
    assert a1.self_inspection is not None
    # Findings per content area, from approved visits only.
    area = report.areas[0]
    assert area.name == world.rubric.content_areas.order_by("order").first().name
    texts = [t for unit in area.findings for t in unit.shortcomings]
    assert texts == ["柜面叫号系统未升级"]
    assert len(report.areas) == world.rubric.content_areas.count()
    # Actions with deadline and current status.
    assert [(a.unit, a.description, a.deadline, a.status) for a in report.actions] == [
        ("甲一支公司", "柜面叫号系统未升级", datetime.date(2012, 12, 15), "open")
    ]
    assert report.actions[0].overdue is False
    # Interview problems of the branch only.
    assert [i.text for i in report.summary.interview_items] == ["柜面叫号系统未升级"] * 2


def test_actions_show_their_current_status(world, branch_visits):
    RectificationAction.objects.filter(visit=branch_visits["si"]).update(
        status=RectificationAction.Status.IN_PROGRESS
    )
    report = branch_report_data(
        campaign_id=world.campaign.pk,
        branch_id=world.branch_a.pk,
        today=datetime.date(2012, 12, 20),
    )
    (action,) = report.actions
    assert action.status_label == RectificationAction.Status.IN_PROGRESS.label
    assert action.overdue is True
    RectificationAction.objects.update(status=RectificationAction.Status.CLOSED)
    report = branch_report_data(
        campaign_id=world.campaign.pk,
        branch_id=world.branch_a.pk,
        today=datetime.date(2012, 12, 20),
    )
    assert report.actions[0].overdue is False


def test_a_branch_outside_the_campaign_is_refused(world):
    from tests import factories

    other = factories.BranchFactory(code="c", name="丙分公司")
    with pytest.raises(ReportDataError, match="丙分公司"):
        branch_report_data(campaign_id=world.campaign.pk, branch_id=other.pk, today=TODAY)


def test_query_count_does_not_grow_with_visits(world, complete_visit):
    rd.approved(world, complete_visit, world.a1)
    with CaptureQueriesContext(connection) as one:
        branch_report_data(campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY)
    visit = complete_visit(rd.plan(world, world.a2))
    rd.add_texts(world, visit, "叫号机故障")
    rd.approve(world, visit)
    rd.approved(world, complete_visit, None)
    with CaptureQueriesContext(connection) as three:
        report = branch_report_data(
            campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY
        )
    assert len(report.visits) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_pdf(world, branch_visits):
    exporter = BranchPdfExporter(**kw(world))
    text = pdf_text(exporter.build())
    assert "甲分公司" + REPORT_TITLE in text
    for expected in (
        "甲一支公司",
        "inspector-a",
        "inspector-hq",
        "柜面叫号系统未升级",
        "2012-12-15",
    ):
        assert expected in text
    for absent in ("乙一支公司", "乙分公司的问题", "未审批的访谈内容"):
        assert absent not in text
    assert exporter.filename().endswith(".pdf")


def test_pdf_shows_the_submission_and_lateness(world, branch_visits, media_root):
    with time_machine.travel(datetime.datetime(2012, 12, 3, 2, tzinfo=datetime.UTC), tick=False):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            note="补交",
        )
    html = BranchPdfExporter(**kw(world)).html()
    assert "2012-12-03" in html
    assert _("late") in html
    assert "补交" in html


def test_excel(world, branch_visits):
    progress = []
    content = BranchXlsxExporter(**kw(world), progress=progress.append).build()
    assert progress[-1] == 100
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [
        _("Summary"),
        _("Visits"),
        _("Findings"),
        _("Actions"),
        _("Problems and support"),
    ]
    summary = list(workbook[_("Summary")].iter_rows(values_only=True))
    assert summary[0][0] == "甲分公司" + REPORT_TITLE
    assert (_("Submitted to head office"), _("not submitted")) in [r[:2] for r in summary]
    a1_rows = [r for r in summary if r[0] == "甲一支公司"]
    assert [r[2] for r in a1_rows] == [
        Visit.Kind.SELF_INSPECTION.label,
        Visit.Kind.HEAD_OFFICE_CHECK.label,
    ]
    visits = list(workbook[_("Visits")].iter_rows(min_row=2, values_only=True))
    assert len(visits) == 3
    findings = list(workbook[_("Findings")].iter_rows(min_row=2, values_only=True))
    assert ("甲一支公司", _("Shortcoming"), "柜面叫号系统未升级") in [
        (r[1], r[3], r[4]) for r in findings
    ]
    actions = list(workbook[_("Actions")].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[6], r[7]) for r in actions] == [
        ("甲一支公司", "柜面叫号系统未升级", "2012-12-15", RectificationAction.Status.OPEN.label)
    ]
    problems = list(workbook[_("Problems and support")].iter_rows(min_row=2, values_only=True))
    assert {r[7] for r in problems} == {"柜面叫号系统未升级"}


def test_no_user_text_becomes_a_formula(world, complete_visit, media_root):
    visit = complete_visit(rd.plan(world, world.a1))
    for payload in rd.PAYLOADS:
        rd.add_texts(world, visit, payload)
    rd.rescore(world, visit, world.pc, "new_business", "0.9", remark=rd.PAYLOADS[1])
    world.pc.name = "=cmd|' /C calc'!A0"
    world.pc.save()
    rd.approve(world, visit)
    # The services strip what users type, so "\tx" arrives as "x"; text from
    # elsewhere (the admin, an import) may still start with a tab.
    Finding.objects.filter(visit=visit, text="x").update(text="\tx")
    with time_machine.travel(datetime.datetime(2012, 11, 20, tzinfo=datetime.UTC), tick=False):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            note="=1+1",
        )
    content = BranchXlsxExporter(**kw(world)).build()
    workbook = load_workbook(io.BytesIO(content))
    seen = set()
    for worksheet in workbook:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    # Findings, actions (what, who), interviewees and answers carry every payload.
    for payload in rd.PAYLOADS:
        assert "'" + payload in seen, payload
