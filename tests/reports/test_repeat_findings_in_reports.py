"""Repeat findings in the reports: the visit's (PDF and Excel), the branch's
and the consolidated report, read in queries that do not grow with visits."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from reports.exporters.branch import BranchPdfExporter, BranchXlsxExporter
from reports.exporters.consolidated import ConsolidatedPdfExporter, ConsolidatedXlsxExporter
from reports.exporters.visit import VisitPdfExporter, VisitXlsxExporter
from reports.selectors.branch import branch_report_data
from tests.inspections import campaign_series as cs

pytestmark = pytest.mark.django_db


@pytest.fixture
def repeated(world):
    """a1 fails `kept` in 2012 and again in 2013 (a copied rubric version)."""
    keys = cs.codes(world)
    c2013 = cs.campaign(world, 2013, cs.next_rubric(world))
    cs.approved(world, world.campaign, world.a1, fail=[(keys.kept, "未核对签名")])
    visit = cs.approved(world, c2013, world.a1, fail=[(keys.kept, "仍未核对签名")])
    return keys, c2013, visit


def repeat_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheet = next(ws for ws in workbook.worksheets if ws.title in ("Repeat findings", "重复问题"))
    return list(sheet.iter_rows(values_only=True))[1:]


def test_the_visit_report_lists_them(world, repeated):
    _keys, _c2013, visit = repeated
    html = VisitPdfExporter(visit_id=visit.pk).html()
    assert "未核对签名" in html and "仍未核对签名" in html and world.campaign.name in html
    rows = repeat_rows(VisitXlsxExporter(visit_id=visit.pk).build())
    assert len(rows) == 1
    unit, sheet, _section, _item, earlier, then, now = rows[0]
    assert (unit, sheet, earlier, then, now) == (
        "甲一支公司",
        "表二",
        world.campaign.name,
        "未核对签名",
        "仍未核对签名",
    )


def test_a_visit_without_a_previous_campaign_has_none(world, repeated):
    first = world.campaign.visits.get()
    html = VisitPdfExporter(visit_id=first.pk).html()
    assert _("No repeat finding.") in html and "未核对签名" in html  # its own remark only
    workbook = load_workbook(io.BytesIO(VisitXlsxExporter(visit_id=first.pk).build()))
    assert not {"Repeat findings", "重复问题"} & set(workbook.sheetnames)


def test_the_branch_and_consolidated_reports_list_them(world, repeated):
    _keys, c2013, _visit = repeated
    subject = {"campaign_id": c2013.pk, "branch_id": world.branch_a.pk}
    assert "仍未核对签名" in BranchPdfExporter(**subject).html()
    assert [r[0] for r in repeat_rows(BranchXlsxExporter(**subject).build())] == ["甲一支公司"]
    assert "仍未核对签名" in ConsolidatedPdfExporter(campaign_id=c2013.pk).html()
    rows = repeat_rows(ConsolidatedXlsxExporter(campaign_id=c2013.pk).build())
    assert [(r[0], r[6]) for r in rows] == [("甲一支公司", "仍未核对签名")]


def test_the_branch_report_s_queries_do_not_grow(world, repeated):
    keys, c2013, _visit = repeated
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as one:
        branch_report_data(campaign_id=c2013.pk, branch_id=world.branch_a.pk, today=today)
    cs.approved(world, world.campaign, world.a2, fail=[(keys.other, "甲二")])
    cs.approved(world, c2013, world.a2, fail=[(keys.other, "甲二又")])
    cs.approved(world, c2013, None, branch=world.branch_a)
    with CaptureQueriesContext(connection) as three:
        report = branch_report_data(campaign_id=c2013.pk, branch_id=world.branch_a.pk, today=today)
    assert len(report.summary.repeat_findings) == 2
    assert len(three.captured_queries) == len(one.captured_queries)
