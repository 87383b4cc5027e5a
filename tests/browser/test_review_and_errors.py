"""Issue 13 on a tablet (768 px wide), in a real browser: a reviewer's return
asks for confirmation in the page (static/js/confirm.js) and its reason is a
banner on the inspector's home page and on the visit; submitting asks first
too; a missing page is the site's, in Chinese, with its navigation; the
campaign's reports list follows a running job until it is done, then stops."""

import pytest
from playwright.sync_api import expect

from inspections.models import Visit, VisitTransition
from reports import services
from reports.models import ReportJob

from .test_tablet_journey import fits_the_screen, tablet  # noqa: F401  (768 px)
from .test_visit_journey import visit_setup  # noqa: F401  (海淀支公司, 北京分公司)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "表七缺少仪容仪表不符合项的备注，请补充后重新提交。"


def test_a_return_asks_first_and_its_reason_is_a_banner_for_the_inspector(
    tablet,  # noqa: F811
    live_server,
    visit_setup,  # noqa: F811
):
    visit, _claims_clerk, _change_clerk = visit_setup
    page, log_in = tablet
    inspector = visit.inspectors.get()
    VisitTransition.objects.create(
        visit=visit, from_state=visit.state, to_state=Visit.State.SUBMITTED, by=inspector
    )
    Visit.objects.filter(pk=visit.pk).update(state=Visit.State.SUBMITTED)
    visit_url = f"{live_server.url}/visits/{visit.pk}/"

    log_in("bj-manager")
    page.goto(visit_url)
    page.fill("#id_review_comment", REASON)
    modal = page.locator("[data-testid=confirm-modal]")
    page.click("button[name=decision][value=return]")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("确认退回该现场验收")
    fits_the_screen(page)
    modal.locator("[data-role=cancel]").click()
    expect(modal).to_be_hidden()
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.SUBMITTED  # nothing was sent

    page.click("button[name=decision][value=return]")
    ok = modal.locator("[data-role=ok]")
    expect(ok).to_have_text("退回")  # the button's own words
    ok.click()
    expect(page.locator(".alert-success")).to_contain_text("现场验收已退回验收人员")
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.RETURNED

    # The inspector's home page says what to correct, and leads to the visit.
    log_in("bj-inspector")
    banner = page.locator("[data-testid=return-notice]")
    expect(banner).to_be_visible()
    expect(banner.locator("[data-testid=return-reason]")).to_contain_text(REASON)
    fits_the_screen(page)
    banner.locator("a", has_text="海淀支公司").click()
    page.wait_for_url(visit_url)
    banner = page.locator("[data-testid=return-notice]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("退回修改")
    expect(banner.locator("[data-testid=return-reason]")).to_contain_text(REASON)
    fits_the_screen(page)

    # Submitting asks first too; confirmed, it is sent (and refused: nothing is filled).
    page.click("[data-testid=submit-visit]")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("确认提交审核")
    modal.locator("[data-role=ok]").click()
    expect(page.locator("h1")).to_have_text("该现场验收暂时无法提交")
    expect(page.locator("[data-testid=missing]")).to_be_visible()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo-debug"])
def test_a_missing_page_is_in_chinese_with_the_site_navigation(
    tablet,  # noqa: F811
    live_server,
    visit_setup,  # noqa: F811
    settings,
    debug,
):
    settings.DEBUG = debug
    page, log_in = tablet
    log_in("bj-manager")
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("[data-testid=error-page] h1")).to_contain_text("页面不存在")
    expect(page.locator("[data-testid=current-user]")).to_have_count(1)
    fits_the_screen(page)
    # At tablet width the navigation folds behind its toggler; it opens and leads on.
    page.click(".navbar-toggler")
    link = page.locator("#main-nav a[href='/campaigns/']")
    expect(link).to_be_visible()
    expect(link).to_have_text("验收")
    link.click()
    page.wait_for_url(f"{live_server.url}/campaigns/")


def test_the_campaign_reports_list_follows_a_running_job_then_stops(
    tablet,  # noqa: F811
    live_server,
    visit_setup,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    visit, _claims_clerk, _change_clerk = visit_setup
    campaign = visit.campaign
    job = ReportJob.objects.create(
        exporter="consolidated-pdf", format="pdf", campaign=campaign, state="running", progress=40
    )
    page, log_in = tablet
    log_in("hq")
    polls = []
    page.on(
        "request", lambda request: polls.append(request.url) if "/status/" in request.url else None
    )
    page.goto(f"{live_server.url}/reports/campaigns/{campaign.pk}/")
    row = page.locator("[data-report-row='consolidated-pdf:']")
    expect(row.locator("[data-role=state]")).to_have_text("生成中")
    expect(row.locator("[data-role=download]")).to_be_hidden()
    fits_the_screen(page)

    services.finish_job(job_id=job.pk, data=b"%PDF-1.7 test", download_name="汇总报告.pdf")
    expect(row.locator("[data-role=state]")).to_have_text("已完成")
    download = row.locator("[data-role=download]")
    expect(download).to_be_visible()
    expect(download).to_have_attribute("href", f"/reports/jobs/{job.pk}/download/")
    expect(page.locator("[data-report-list]")).to_have_attribute("data-unfinished", "0")
    asked = len(polls)
    assert asked >= 2
    page.wait_for_timeout(4000)
    assert len(polls) == asked  # no job under way: it stopped asking
