"""Issue 15, point 5: the branch and consolidated reports show, beside each
problem and support request raised in an interview, its problem register
entry: status, owner, due date, response and closing date (PDF and Excel)."""

import datetime
import io

import pytest
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from inspections import services
from reports.exporters.branch import BranchPdfExporter, BranchXlsxExporter
from reports.exporters.consolidated import ConsolidatedPdfExporter, ConsolidatedXlsxExporter
from reports.selectors.campaign import consolidated_data
from tests.inspections.action_data import frozen
from tests.inspections.problem_data import PROBLEM_TEXT, SUPPORT_TEXT, raise_and_approve

pytestmark = pytest.mark.django_db

CLOSED_ON = datetime.date(2012, 11, 20)
RESPONSE = "已在高峰时段增开综合岗窗口"


@pytest.fixture
def register(world, visit, media_root):
    """The problem answered and closed on CLOSED_ON; the support request open."""
    entries = raise_and_approve(world, visit)
    problem = entries["problem"]
    services.respond_to_problem(user=world.manager_a, problem=problem, response=RESPONSE, version=1)
    with frozen(CLOSED_ON):
        services.close_problem(user=world.hq, problem=problem, comment="", version=2)
    return entries


def test_the_report_data_carries_each_entry(world, register):
    data = consolidated_data(campaign=world.campaign, today=CLOSED_ON)
    (problem,) = data.problems
    assert (problem.text, problem.status, problem.owner) == (
        PROBLEM_TEXT,
        _("Closed"),
        str(world.manager_a),
    )
    assert (problem.response, problem.closed_on) == (RESPONSE, CLOSED_ON)
    assert problem.deadline == register["problem"].deadline
    (support,) = data.support_requests
    assert (support.text, support.status, support.response, support.closed_on) == (
        SUPPORT_TEXT,
        _("Open"),
        "",
        None,
    )


def _problem_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content))[_("Problems and support")]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("exporter", ["branch", "consolidated"])
def test_the_workbooks_show_the_register(world, register, exporter):
    if exporter == "branch":
        content = BranchXlsxExporter(
            campaign_id=world.campaign.pk, branch_id=world.branch_a.pk
        ).build()
    else:
        content = ConsolidatedXlsxExporter(campaign_id=world.campaign.pk).build()
    rows = {row[_("Answer")]: row for row in _problem_rows(content)}
    closed = rows[PROBLEM_TEXT]
    assert closed[_("Status")] == _("Closed")
    assert closed[_("Owner")] == str(world.manager_a)
    assert closed[_("Response")] == RESPONSE
    assert closed[_("Closed on")] == CLOSED_ON.isoformat()
    assert closed[_("Respond by")] == register["problem"].deadline.isoformat()
    assert rows[SUPPORT_TEXT][_("Status")] == _("Open")
    assert not rows[SUPPORT_TEXT][_("Closed on")]


@pytest.mark.parametrize("exporter", ["branch", "consolidated"])
def test_the_pdfs_show_the_register(world, register, exporter):
    if exporter == "branch":
        html = BranchPdfExporter(campaign_id=world.campaign.pk, branch_id=world.branch_a.pk).html()
    else:
        html = ConsolidatedPdfExporter(campaign_id=world.campaign.pk).html()
    assert RESPONSE in html
    assert f"{_('Closed on')} {CLOSED_ON:%Y-%m-%d}" in html
    assert str(world.manager_a) in html
