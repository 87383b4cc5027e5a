"""Every report shows whether head office's results are provisional or final
and lists the objections with their outcome (issue 14, point 1)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from inspections.services import objections
from reports.exporters.consolidated import ConsolidatedPdfExporter, ConsolidatedXlsxExporter
from reports.exporters.visit import VisitPdfExporter, VisitXlsxExporter
from reports.models import ReportJob
from reports.selectors.campaign import consolidated_data
from reports.selectors.visit import visit_report_data
from tests.inspections.action_data import PDF, frozen
from tests.inspections.test_objections import check, item_target, published  # noqa: F401
from tests.reports.test_report_jobs import no_broker  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = datetime.date
GROUNDS = "复核材料𠀀齐全"  # a character outside the BMP, as a name may carry


@pytest.fixture
def decided(world, check, published):  # noqa: F811
    """Two objections: one upheld (the item corrected), one awaiting review."""
    first, second = [t for t in _targets(check)][:2]
    with frozen(DAY(2012, 12, 3)):
        upheld = objections.raise_objection(
            user=world.manager_a,
            visit=check,
            target=first.key,
            grounds=GROUNDS,
            files=[SimpleUploadedFile("a.pdf", PDF)],
        )
        objections.raise_objection(
            user=world.manager_a,
            visit=check,
            target=second.key,
            grounds="第二项异议",
            files=[SimpleUploadedFile("b.pdf", PDF)],
        )
    objections.decide_objection(
        user=world.hq,
        objection=upheld,
        upheld=True,
        reason="复核后更正",
        corrected_value=str(first.maximum - 1),
    )
    return check


def _targets(visit):
    from inspections import selectors

    return [t for t in selectors.objection_targets(visit=visit) if t.is_points]


def test_the_visit_report_says_provisional_and_lists_the_objections(decided):
    report = visit_report_data(visit_id=decided.pk, today=DAY(2012, 12, 6))
    assert report.results_status.startswith("暂定")  # one still awaits review
    assert [o.state for o in report.objections] == ["upheld", "pending"]
    assert report.objections[0].corrected
    exporter = VisitPdfExporter(visit_id=decided.pk)
    assert exporter.build().startswith(b"%PDF")
    text = exporter.html()
    assert "结果通报与异议" in text
    assert "复核后更正" in text
    assert "异议成立" in text
    wb = load_workbook(io.BytesIO(VisitXlsxExporter(visit_id=decided.pk).build()))
    sheet = wb["异议"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert GROUNDS in values
    assert "待复核" in values


def test_final_once_the_window_closed_and_all_are_settled(world, check, published):  # noqa: F811
    report = visit_report_data(visit_id=check.pk, today=DAY(2012, 12, 6))
    assert report.results_status.startswith("最终结果")
    assert report.objections == []
    during = visit_report_data(visit_id=check.pk, today=DAY(2012, 12, 5))
    assert "2012-12-05" in during.results_status


def test_a_self_inspection_report_has_no_objection_section(world, visit, complete_visit):
    report = visit_report_data(visit_id=complete_visit(visit).pk)
    assert report.results_status == ""
    assert "结果通报与异议" not in VisitPdfExporter(visit_id=visit.pk).html()


def test_the_consolidated_report_shows_each_branch_and_every_objection(world, decided):
    data = consolidated_data(campaign=world.campaign, today=DAY(2012, 12, 6))
    statuses = {b.name: b.results_status for b in data.branches}
    assert statuses["甲分公司"].startswith("暂定")
    assert statuses["乙分公司"].startswith("暂定：尚未向分公司通报")
    assert len(data.objections) == 2
    exporter = ConsolidatedPdfExporter(campaign_id=world.campaign.pk)
    assert exporter.build().startswith(b"%PDF")
    text = exporter.html()
    assert "总部检查结果" in text and "复核后更正" in text
    wb = load_workbook(
        io.BytesIO(ConsolidatedXlsxExporter(campaign_id=world.campaign.pk).build()),
        read_only=True,
    )
    rows = [c for row in wb["异议"].iter_rows(values_only=True) for c in row if c]
    assert GROUNDS in rows
    overview = [c for row in wb["分公司"].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("暂定") for c in overview)


def test_a_decision_rebuilds_the_visits_reports_once_committed(
    world,
    check,  # noqa: F811
    published,  # noqa: F811
    django_capture_on_commit_callbacks,
    no_broker,  # noqa: F811
):
    target = item_target(check)
    ReportJob.objects.all().delete()
    with frozen(DAY(2012, 12, 3)):
        objection = objections.raise_objection(
            user=world.manager_a,
            visit=check,
            target=target.key,
            grounds="理由",
            files=[SimpleUploadedFile("a.pdf", PDF)],
        )
    ReportJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        objections.decide_objection(
            user=world.hq,
            objection=objection,
            upheld=True,
            reason="更正",
            corrected_value=str(target.maximum - 1),
        )
    jobs = ReportJob.objects.filter(visit=check).order_by("exporter")
    assert [(j.exporter, j.state, j.requested_by) for j in jobs] == [
        ("visit-pdf", "queued", world.hq),
        ("visit-xlsx", "queued", world.hq),
    ]


def test_the_branch_report_shows_its_status_and_objections(world, decided):
    from reports.exporters.branch import BranchPdfExporter, BranchXlsxExporter

    subject = {"campaign_id": world.campaign.pk, "branch_id": world.branch_a.pk}
    html = BranchPdfExporter(**subject).html()
    assert "结果通报与异议" in html and "复核后更正" in html and GROUNDS in html
    wb = load_workbook(io.BytesIO(BranchXlsxExporter(**subject).build()), read_only=True)
    rows = [c for row in wb["异议"].iter_rows(values_only=True) for c in row if c]
    assert GROUNDS in rows
    summary = [c for row in wb["汇总"].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("暂定") for c in summary)
