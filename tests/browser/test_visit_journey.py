"""The product's heart in a real browser: an inspector scores a specialist with
the running score updating as they type, is refused an ineligible specialist,
cannot submit until the visit is complete, submits, and the branch manager
approves; the approved visit is read-only."""

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from inspections import services
from inspections.models import SheetRecord, Visit
from scoring.models import KpiThreshold, RubricVersion, Sheet
from scoring.selectors import checklist_requirements, sheet_definition
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The confirming button of the page's confirmation (static/js/confirm.js).
CONFIRM = "[data-testid=confirm-modal] [data-role=ok]"


@pytest.fixture
def visit_setup(db):
    call_command("load_rubric", verbosity=0)
    branch = factories.BranchFactory(code="bj", name="北京分公司")
    office = factories.OfficeFactory(branch=branch, name="海淀支公司")
    head_office = factories.HeadOfficeUserFactory(username="hq")
    manager = factories.BranchManagerFactory(username="bj-manager", branch=branch)
    inspector = factories.UserFactory(username="bj-inspector", branch=branch, display_name="李堃")
    claims_clerk = factories.SpecialistFactory(
        office=office, name="王喆", home_post=factories.post("claims")
    )
    change_clerk = factories.SpecialistFactory(
        office=office, name="李䶮", home_post=factories.post("policy_change")
    )
    campaign = services.create_campaign(
        user=head_office,
        name="2012年度一柜通验收",
        rubric=RubricVersion.objects.get(version="2012"),
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[branch],
    )
    services.save_kpi_figures(
        user=head_office,
        campaign=campaign,
        figures=[
            (KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE, branch, None, "88"),
            (KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, branch, office, "100"),
        ],
    )
    visit = services.plan_visit(
        user=manager,
        campaign=campaign,
        branch=branch,
        office=office,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 25),
        inspectors=[inspector],
    )
    return visit, claims_clerk, change_clerk


def _complete_the_rest(visit, inspector, people):
    """Everything but the 表三 sheet the browser filled: other lines waived,
    checklists answered, KPI note, one finding per area."""
    for line in ("new_business", "claims"):
        services.save_line_waiver(
            user=inspector, visit=visit, business_line=line, reason="当日无此类业务"
        )
    for sheet in Sheet.objects.filter(rubric=visit.campaign.rubric, kind=Sheet.Kind.CHECKLIST):
        answers = {
            r.key: {"compliant": True, "remark": ""}
            for r in checklist_requirements(sheet=sheet_definition(sheet=sheet))
        }
        for person in people if sheet.per_specialist else [None]:
            services.save_checklist(
                user=inspector, visit=visit, sheet=sheet, specialist=person, answers=answers
            )
    services.save_kpi_note(user=inspector, visit=visit, note="每周通报。")
    factories.record_required_interviews(visit, inspector)
    for area in visit.campaign.rubric.content_areas.all():
        services.add_finding(
            user=inspector, visit=visit, content_area=area, kind="strength", text="良好"
        )


def test_inspector_scores_submits_and_manager_approves(log_in, live_server, visit_setup):
    visit, claims_clerk, change_clerk = visit_setup
    page = log_in("bj-inspector")
    page.goto(f"{live_server.url}/visits/{visit.pk}/")

    # An ineligible specialist: 李䶮's home post is 保全, so 表三 offers them
    # disabled, with the reason, before anything is chosen.
    picker = page.locator("[data-testid=new-sheet-policy_change]")
    expect(picker.locator(f"option[value='{change_clerk.pk}']")).to_be_disabled()
    assert "李䶮" in picker.inner_text() and "保全" in picker.inner_text()
    expect(
        page.locator(f"[data-testid=new-sheet-new_business] option[value='{change_clerk.pk}']")
    ).to_be_enabled()

    # 王喆 (claims) may be scored on 表三.
    picker.locator("select[name=specialist]").select_option(str(claims_clerk.pk))
    picker.locator("button").click()
    page.check("input[name=selection_method][value=followed_live]")
    page.select_option("select[name$=-servicing_item]", "退保")
    scores = page.locator("input.score-input")
    for index, value in enumerate(["28", "20", "15", "", "10", "14"]):
        if value:
            scores.nth(index).fill(value)
    # 交费通知书打印 is not applicable to 退保: full 10 points; the running score says so.
    expect(page.locator("#score-total")).to_have_text("97")
    assert page.inner_text("#score-grade") == "A"
    page.click("form#sheet-form button[type=submit]")
    record = SheetRecord.objects.get(specialist=claims_clerk)
    assert record.score == 97 and record.percent == 97 and record.complete

    # Submitting now lists what is missing, each with a link.
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    page.click("form[action$='/submit/'] button")
    page.click(CONFIRM)  # the page asks first (static/js/confirm.js)
    missing = page.locator("[data-testid=missing] li a")
    assert missing.count() >= 3
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.IN_PROGRESS

    _complete_the_rest(visit, visit.inspectors.get(), [claims_clerk])
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    page.click("form[action$='/submit/'] button")
    page.click(CONFIRM)
    page.wait_for_selector("[data-state=submitted]")

    # The branch manager approves; the visit is frozen.
    page.context.clear_cookies()
    page = log_in("bj-manager")
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    page.click("#review button[value=approve]")
    page.click(CONFIRM)
    page.wait_for_selector("[data-state=approved]")
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.APPROVED
    page.goto(f"{live_server.url}/visits/{visit.pk}/sheets/{record.pk}/")
    assert page.locator("input.score-input").first.is_disabled()
    assert page.locator("form#sheet-form button[type=submit]").count() == 0
