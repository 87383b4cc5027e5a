"""A branch submits its acceptance report; the campaign board flags late and missing ones."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from inspections import selectors, services
from inspections.models import BranchReportSubmission
from tests import factories

# The submitted report files go to a temporary MEDIA_ROOT.
pytestmark = pytest.mark.usefixtures("private_media")

BEFORE_DUE = datetime.datetime(2012, 11, 29, 10, 0, tzinfo=datetime.UTC)
AFTER_DUE = datetime.datetime(2012, 12, 3, 10, 0, tzinfo=datetime.UTC)


def board_row(world, user, today, branch):
    board = selectors.campaign_board(campaign=world.campaign, user=user, today=today)
    return next(row for row in board if row.branch == branch)


def test_the_branch_manager_submits_on_time(world):
    with time_machine.travel(BEFORE_DUE, tick=False):
        submission = services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            note=" 请审阅 ",
        )
    assert submission.submitted_by == world.manager_a
    assert submission.note == "请审阅"
    assert submission.submitted_on == datetime.date(2012, 11, 29)
    assert not submission.is_late


def test_a_submission_after_the_due_date_is_late(world):
    with time_machine.travel(AFTER_DUE, tick=False):
        submission = services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            note="",
        )
    assert submission.is_late


def test_the_due_date_is_compared_in_local_time(world):
    # 2012-11-30 23:30 in Shanghai is 15:30 UTC: still on the due date.
    local_evening = datetime.datetime(2012, 11, 30, 15, 30, tzinfo=datetime.UTC)
    with time_machine.travel(local_evening, tick=False):
        submission = services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
        )
    assert not submission.is_late


@pytest.mark.parametrize("who", ["manager_b", "hq", "inspector_a"])
def test_only_a_manager_of_the_branch_may_submit(world, who):
    with pytest.raises(PermissionDenied):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=getattr(world, who),
            campaign=world.campaign,
            branch=world.branch_a,
        )
    assert not BranchReportSubmission.objects.exists()


def test_an_inactive_manager_may_not_submit(world):
    world.manager_a.is_active = False
    world.manager_a.save()
    with pytest.raises(PermissionDenied):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
        )


def test_a_branch_outside_the_campaign_cannot_submit(world):
    other = factories.BranchFactory(code="c", name="丙分公司")
    manager = factories.BranchManagerFactory(username="manager-c", branch=other)
    with pytest.raises(ValidationError):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT, user=manager, campaign=world.campaign, branch=other
        )


def test_the_report_is_submitted_once(world):
    services.submit_branch_report(
        report=factories.BRANCH_REPORT,
        user=world.manager_a,
        campaign=world.campaign,
        branch=world.branch_a,
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already submitted"):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
        )
    assert BranchReportSubmission.objects.count() == 1


def test_the_board_flags_missing_reports_only_after_the_due_date(world):
    before = board_row(world, world.hq, datetime.date(2012, 11, 30), world.branch_a)
    assert before.report is None
    assert not before.report_missing
    after = board_row(world, world.hq, datetime.date(2012, 12, 1), world.branch_a)
    assert after.report_missing
    assert not after.report_late


def test_the_board_shows_submitted_and_late_reports(world):
    with time_machine.travel(BEFORE_DUE, tick=False):
        on_time = services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
        )
    with time_machine.travel(AFTER_DUE, tick=False):
        late = services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_b,
            campaign=world.campaign,
            branch=world.branch_b,
        )
    today = datetime.date(2012, 12, 5)
    row_a = board_row(world, world.hq, today, world.branch_a)
    row_b = board_row(world, world.hq, today, world.branch_b)
    assert row_a.report == on_time
    assert (row_a.report_missing, row_a.report_late) == (False, False)
    assert row_b.report == late
    assert (row_b.report_missing, row_b.report_late) == (False, True)


def test_the_board_reads_submissions_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    services.submit_branch_report(
        report=factories.BRANCH_REPORT,
        user=world.manager_a,
        campaign=world.campaign,
        branch=world.branch_a,
    )
    services.submit_branch_report(
        report=factories.BRANCH_REPORT,
        user=world.manager_b,
        campaign=world.campaign,
        branch=world.branch_b,
    )
    # Branches, draws, visits, submissions, the results' publications, and the
    # standings: grade bands, approved visits and their sheet percentages.
    with django_assert_max_num_queries(9):
        rows = selectors.campaign_board(
            campaign=world.campaign, user=world.hq, today=datetime.date(2012, 12, 5)
        )
        assert [row.report_late for row in rows] == [True, True]


def test_the_manager_submits_the_built_report_from_the_board_page(world, client):
    from reports.models import ReportJob
    from reports.tasks import build_report

    client.force_login(world.manager_a)
    board = reverse("campaign-detail", args=[world.campaign.pk])
    submit_url = reverse(
        "campaign-branch-report-submit", args=[world.campaign.pk, world.branch_a.pk]
    )
    assert submit_url.encode() in client.get(board).content

    # Nothing built yet: nothing to submit, and the page says what to do, keeping the note.
    page = client.post(submit_url, {"note": "分公司报告已完成"})
    assert page.status_code == 200
    assert "请先生成分公司验收报告" in page.content.decode()
    assert 'value="分公司报告已完成"' in page.content.decode()
    assert not BranchReportSubmission.objects.exists()
    # A control character pasted into the note is marked beside it.
    page = client.post(submit_url, {"note": "已完成\x07"})
    assert "U+0007" in page.content.decode() and "is-invalid" in page.content.decode()

    job = ReportJob.objects.create(
        exporter="branch-pdf",
        format="pdf",
        campaign=world.campaign,
        branch=world.branch_a,
        requested_by=world.manager_a,
    )
    build_report.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE
    response = client.post(submit_url, {"note": "分公司报告已完成"})
    assert response.status_code == 302
    submission = BranchReportSubmission.objects.get()
    assert (submission.branch, submission.note) == (world.branch_a, "分公司报告已完成")
    assert submission.checksum == job.checksum  # the very file that was built
    page = client.get(board).content.decode()
    assert submit_url not in page and "分公司报告已完成" in page

    # Kept as submitted, and served to the branch and head office only.
    submitted = reverse(
        "campaign-branch-report-submitted", args=[world.campaign.pk, world.branch_a.pk]
    )
    assert submitted in page
    download = client.get(submitted)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Type"] == "application/pdf"
    client.force_login(world.hq)
    assert client.get(submitted).status_code == 200
    client.force_login(world.manager_b)
    assert client.get(submitted).status_code == 404
    client.force_login(world.inspector_a)
    assert client.get(submitted).status_code in (403, 404)


def test_head_office_sees_the_flags_but_no_submit_form(world, client):
    client.force_login(world.hq)
    with time_machine.travel(AFTER_DUE, tick=False):
        page = client.get(reverse("campaign-detail", args=[world.campaign.pk]))
    assert b'data-testid="report-missing"' in page.content
    submit_url = reverse(
        "campaign-branch-report-submit", args=[world.campaign.pk, world.branch_a.pk]
    )
    assert submit_url.encode() not in page.content


def test_another_branch_manager_cannot_post_a_submission(world, client):
    client.force_login(world.manager_b)
    url = reverse("campaign-branch-report-submit", args=[world.campaign.pk, world.branch_a.pk])
    response = client.post(url, {"note": "x"})
    assert response.status_code == 404
    assert not BranchReportSubmission.objects.exists()


def test_the_admin_lists_submissions_read_only(world, admin_client):
    services.submit_branch_report(
        report=factories.BRANCH_REPORT,
        user=world.manager_a,
        campaign=world.campaign,
        branch=world.branch_a,
    )
    page = admin_client.get(reverse("admin:inspections_branchreportsubmission_changelist"))
    assert page.status_code == 200
    assert "甲分公司" in page.content.decode()
    add = admin_client.get(reverse("admin:inspections_branchreportsubmission_add"))
    assert add.status_code == 403
