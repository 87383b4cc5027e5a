"""The report job page in a real browser: static/js/report-job.js polls the
status and shows the progress, then the download link once the worker is done."""

import datetime

import pytest
from playwright.sync_api import expect

from reports import services
from reports.models import ReportJob
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_job_page_follows_the_job_until_the_download_appears(
    page, log_in, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.HeadOfficeUserFactory(username="hq")
    campaign = factories.CampaignFactory(period_start=datetime.date(2012, 10, 22))
    job = ReportJob.objects.create(
        exporter="consolidated-pdf", format="pdf", campaign=campaign, state="running", progress=30
    )
    log_in("hq")
    page.goto(f"{live_server.url}/reports/jobs/{job.pk}/")
    card = page.locator(f"[data-report-job='{job.pk}']")
    expect(card.locator("[data-role=percent]")).to_have_text("30")
    expect(card.locator("[data-role=download]")).to_be_hidden()

    ReportJob.objects.filter(pk=job.pk).update(progress=60)
    expect(card.locator("[data-role=percent]")).to_have_text("60")

    services.finish_job(job_id=job.pk, data=b"%PDF-1.7 test", download_name="汇总报告.pdf")
    link = card.locator("[data-role=download-link]")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/reports/jobs/{job.pk}/download/")
    expect(card.locator("[data-role=percent]")).to_have_text("100")
    expect(card.locator("[data-role=file]")).to_contain_text("汇总报告.pdf")


def test_a_failed_job_shows_its_message(page, log_in, live_server):
    factories.HeadOfficeUserFactory(username="hq")
    campaign = factories.CampaignFactory()
    job = ReportJob.objects.create(exporter="consolidated-pdf", format="pdf", campaign=campaign)
    log_in("hq")
    page.goto(f"{live_server.url}/reports/jobs/{job.pk}/")
    services.mark_failed(job_id=job.pk, message="报告生成失败：请稍后重试。")
    card = page.locator(f"[data-report-job='{job.pk}']")
    expect(card.locator("[data-role=error]")).to_have_text("报告生成失败：请稍后重试。")
    expect(card.locator("[data-role=download]")).to_be_hidden()
