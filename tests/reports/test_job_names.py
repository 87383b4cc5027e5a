"""Issue 13, point 6: report jobs in words. A job's page names its report in
the user's language and leads back to the page it came from; the campaign's
reports page follows its jobs while they run; file names carry the campaign
and the unit, never the build day, and are safe on Windows; formats are
"PDF" and "Excel" wherever people read them."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from reports import services
from reports.exporters.base import UNSAFE_IN_FILENAME, report_filename
from reports.exporters.blank_forms import BlankFormsPdfExporter
from reports.exporters.branch import BranchXlsxExporter
from reports.exporters.consolidated import ConsolidatedPdfExporter
from reports.exporters.visit import visit_filename
from reports.models import ReportJob
from reports.selectors.jobs import job_title
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(world, visit):
    def job(exporter, fmt, **subject):
        return ReportJob.objects.create(exporter=exporter, format=fmt, **subject)

    return {
        "visit-pdf": job("visit-pdf", "pdf", visit=visit),
        "visit-xlsx": job("visit-xlsx", "xlsx", visit=visit),
        "branch-pdf": job("branch-pdf", "pdf", campaign=world.campaign, branch=world.branch_a),
        "consolidated-xlsx": job("consolidated-xlsx", "xlsx", campaign=world.campaign),
        "blank-forms-pdf": job("blank-forms-pdf", "pdf", campaign=world.campaign),
    }


class VisibleText(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or hidden inputs."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


# --- a job's name and its way back ------------------------------------------------


def test_a_job_is_named_by_its_report_subject_and_format(jobs):
    with translation.override("zh-hans"):
        titles = {key: job_title(job=job) for key, job in jobs.items()}
    assert titles == {
        "visit-pdf": "甲一支公司验收报告（分公司自查，PDF）",
        "visit-xlsx": "甲一支公司验收报告（分公司自查，Excel）",
        "branch-pdf": "甲分公司验收报告（PDF）",
        "consolidated-xlsx": "2012年度一柜通验收汇总报告（Excel）",
        "blank-forms-pdf": "2012年度一柜通验收空白表格（PDF）",
    }
    with translation.override("en"):
        assert job_title(job=jobs["branch-pdf"]) == "Acceptance report of 甲分公司 (PDF)"
        assert job_title(job=jobs["consolidated-xlsx"]) == (
            "Consolidated report of 2012年度一柜通验收 (Excel)"
        )


@pytest.mark.parametrize(
    ("key", "role", "back"),
    [
        ("visit-pdf", "manager_a", "visit-reports"),
        ("branch-pdf", "manager_a", "campaign-reports"),
        ("consolidated-xlsx", "hq", "campaign-reports"),
        ("blank-forms-pdf", "inspector_a", "campaign-reports"),
    ],
)
def test_the_job_page_names_the_report_and_links_back(client, world, jobs, key, role, back):
    job = jobs[key]
    client.force_login(getattr(world, role))
    response = client.get(reverse("report-job", args=[job.pk]))
    body = response.content.decode()
    title = response.context["title"]
    assert title == job_title(job=job)
    assert re.search(rf"<title>{re.escape(title)} ·", body)
    assert re.search(rf'<h1[^>]*data-testid="job-title">{re.escape(title)}</h1>', body)
    back_url = reverse(back, args=[job.visit_id if back == "visit-reports" else world.campaign.pk])
    assert re.search(rf'<a[^>]*href="{re.escape(back_url)}"[^>]*data-testid="job-back"', body)
    text = visible_text(response)
    assert key not in text and "visit:" not in text


# --- the campaign's reports page follows its jobs ---------------------------------------


def status(client, campaign):
    response = client.get(reverse("campaign-reports-status", args=[campaign.pk]))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_the_page_is_followed_while_a_job_runs(client, world, jobs):
    client.force_login(world.hq)
    page = client.get(reverse("campaign-reports", args=[world.campaign.pk]))
    body = page.content.decode()
    assert page.context["unfinished"] is True
    status_url = reverse("campaign-reports-status", args=[world.campaign.pk])
    assert f'data-status-url="{status_url}" data-unfinished="1"' in body
    assert 'data-report-row="consolidated-xlsx:"' in body
    assert f'data-report-row="branch-pdf:{world.branch_a.pk}"' in body

    data = status(client, world.campaign)
    assert data["unfinished"] is True
    row = data["rows"]["consolidated-xlsx:"]
    assert row["job"]["state"] == "queued" and row["job"]["state_label"] == "排队中"
    assert row["job_url"] == reverse("report-job", args=[jobs["consolidated-xlsx"].pk])
    assert row["download_url"] is None
    assert data["rows"]["consolidated-pdf:"] == {
        "job": None,
        "job_url": None,
        "requested_at": "",
        "download_url": None,
    }

    for key in ("consolidated-xlsx", "branch-pdf", "blank-forms-pdf"):
        services.finish_job(job_id=jobs[key].pk, data=b"file", download_name="x.pdf")
    data = status(client, world.campaign)
    assert data["unfinished"] is False
    row = data["rows"]["consolidated-xlsx:"]
    assert row["job"]["state"] == "done"
    assert row["download_url"] == reverse(
        "report-job-download", args=[jobs["consolidated-xlsx"].pk]
    )
    page = client.get(reverse("campaign-reports", args=[world.campaign.pk]))
    assert 'data-unfinished="0"' in page.content.decode()


def test_while_a_rebuild_runs_the_current_file_stays_downloadable(
    client, world, jobs, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = jobs["branch-pdf"]
    services.finish_job(job_id=first.pk, data=b"first", download_name="a.pdf")
    rebuild = ReportJob.objects.create(
        exporter="branch-pdf", format="pdf", campaign=world.campaign, branch=world.branch_a
    )
    client.force_login(world.manager_a)
    row = status(client, world.campaign)["rows"][f"branch-pdf:{world.branch_a.pk}"]
    assert row["job"]["id"] == rebuild.pk and row["job"]["finished"] is False
    assert row["download_url"] == reverse("report-job-download", args=[first.pk])


def test_each_user_is_told_only_of_the_reports_they_may_build(client, world, jobs):
    a, b = world.branch_a.pk, world.branch_b.pk
    client.force_login(world.hq)
    assert set(status(client, world.campaign)["rows"]) == {
        "consolidated-pdf:",
        "consolidated-xlsx:",
        f"branch-pdf:{a}",
        f"branch-xlsx:{a}",
        f"branch-pdf:{b}",
        f"branch-xlsx:{b}",
        "blank-forms-pdf:",
    }
    client.force_login(world.manager_b)
    assert set(status(client, world.campaign)["rows"]) == {
        f"branch-pdf:{b}",
        f"branch-xlsx:{b}",
        "blank-forms-pdf:",
    }
    client.force_login(world.inspector_a)
    assert set(status(client, world.campaign)["rows"]) == {"blank-forms-pdf:"}


def test_the_status_is_refused_to_outsiders(client, world, jobs):
    url = reverse("campaign-reports-status", args=[world.campaign.pk])
    assert client.get(url).status_code == 302  # to log in
    outside = factories.BranchFactory(code="c", name="丙分公司")
    client.force_login(factories.BranchManagerFactory(username="manager-c", branch=outside))
    assert client.get(url).status_code == 404
    client.force_login(world.hq)
    assert client.post(url).status_code == 405


def test_the_status_costs_the_same_queries_for_many_jobs(
    client, world, jobs, django_assert_max_num_queries
):
    client.force_login(world.hq)
    with django_assert_max_num_queries(30) as few:
        status(client, world.campaign)
    for job in ReportJob.objects.filter(campaign=world.campaign):
        services.finish_job(job_id=job.pk, data=b"x", download_name="x.pdf")
    for _ in range(20):
        for branch in (world.branch_a, world.branch_b):
            done = ReportJob.objects.create(
                exporter="branch-xlsx", format="xlsx", campaign=world.campaign, branch=branch
            )
            services.finish_job(job_id=done.pk, data=b"x", download_name="x.xlsx")
    with django_assert_max_num_queries(len(few.captured_queries)):
        status(client, world.campaign)


# --- formats in words --------------------------------------------------------------


def test_formats_read_pdf_and_excel_everywhere(client, world, jobs, visit):
    client.force_login(world.hq)
    pages = [
        reverse("campaign-reports", args=[world.campaign.pk]),
        reverse("report-job", args=[jobs["visit-xlsx"].pk]),
        reverse("report-job", args=[jobs["consolidated-xlsx"].pk]),
        reverse("roster-import"),
        reverse("campaign-kpis", args=[world.campaign.pk]),
    ]
    for url in pages:
        text = visible_text(client.get(url))
        assert "Excel" in text or "PDF" in text, url
        assert not re.search(r"xlsx", text, re.I), (url, text)
        assert "PDF PDF" not in text and "Excel Excel" not in text, url


def test_the_visit_reports_cards_name_each_format_once(client, world, jobs, visit):
    client.force_login(world.hq)
    body = client.get(reverse("visit-reports", args=[visit.pk])).content.decode()
    headings = re.findall(r'<h2 class="h6 mb-1">(.*?)</h2>', body)
    assert sorted(headings) == ["Excel", "PDF"]


# --- file names --------------------------------------------------------------------------


def test_file_names_carry_campaign_and_unit_and_are_safe_on_windows(world, visit):
    campaign = world.campaign
    campaign.name = '2012/秋季:一柜通*验收?"<>|'
    campaign.save(update_fields=["name"])
    office = world.a1
    office.name = "万州\\中心支公司"
    office.save(update_fields=["name"])
    visit.refresh_from_db()
    today = timezone.localdate()
    names = [
        visit_filename(visit, "pdf"),
        visit_filename(visit, "xlsx"),
        ConsolidatedPdfExporter(campaign_id=campaign.pk).filename(),
        BlankFormsPdfExporter(campaign_id=campaign.pk).filename(),
        BranchXlsxExporter(campaign_id=campaign.pk, branch_id=world.branch_a.pk).filename(),
    ]
    for name in names:
        assert not re.search(r'[\\/:*?"<>|\x00-\x1f]', name), name
        assert "2012_秋季_一柜通_验收_" in name, name
        for day in (today, today - datetime.timedelta(days=1)):
            assert day.strftime("%Y-%m-%d") not in name and day.strftime("%Y%m%d") not in name
    visit_pdf, visit_xlsx, consolidated, blank, branch = names
    assert "万州_中心支公司" in visit_pdf and "分公司自查" in visit_pdf
    assert visit_pdf.endswith(".pdf") and visit_xlsx.endswith(".xlsx")
    assert "汇总报告" in consolidated and "空白" in blank
    assert "甲分公司" in branch and branch.endswith(".xlsx")


def test_the_file_name_rule_drops_empty_parts_and_unsafe_characters():
    assert report_filename("报告", "", " 甲 ", extension="pdf") == "报告-甲.pdf"
    assert UNSAFE_IN_FILENAME.sub("_", "a\tb") == "a_b"
