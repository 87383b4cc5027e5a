"""Nothing typed is lost: a save whose session expired lands on the log-in page,
and after logging in the sheet offers the typed values back."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from scoring.models import Sheet
from tests import factories

from .test_visit_journey import visit_setup  # noqa: F401  (the same visit)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typed_scores_survive_an_expired_session(log_in, live_server, visit_setup):  # noqa: F811
    visit, claims_clerk, _change_clerk = visit_setup
    sheet = Sheet.objects.get(rubric=visit.campaign.rubric, code="policy_change")
    inspector = visit.inspectors.get()
    from inspections import services

    parts = factories.full_sheet_parts(sheet)
    record = services.save_sheet(
        user=inspector,
        visit=visit,
        specialist=claims_clerk,
        sheet=sheet,
        selection_method="followed_live",
        parts=parts,
    )
    page = log_in("bj-inspector")
    url = f"{live_server.url}/visits/{visit.pk}/sheets/{record.pk}/"
    page.goto(url)
    score = page.locator("input.score-input").first
    score.fill("7")
    page.fill('[name="policy_change_process-reference_no"]', "BQ-2012-778")

    # The session expires on the server before the inspector saves (the CSRF
    # cookie stays). Deleting it server-side, not only clearing the browser's
    # cookie: a running-score request still in flight would set the cookie again.
    Session.objects.all().delete()
    page.click("form#sheet-form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "bj-inspector")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("form button[type=submit].btn-primary")
    page.goto(url)

    # Nothing was saved, and the page offers what was typed.
    record.refresh_from_db()
    assert record.score == 100
    expect(page.locator("[data-testid=draft-banner]")).to_be_visible()
    page.click("[data-testid=draft-restore]")
    expect(page.locator("input.score-input").first).to_have_value("7")
    expect(page.locator('[name="policy_change_process-reference_no"]')).to_have_value("BQ-2012-778")
    page.click("form#sheet-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    record.refresh_from_db()
    assert record.score < 100

    # Once the save is confirmed, no draft is offered any more.
    page.goto(url)
    expect(page.locator("input.score-input").first).to_have_value("7")
    assert page.locator("[data-testid=draft-banner]").count() == 0


def test_leaving_a_sheet_with_unsaved_changes_asks_first(log_in, live_server, visit_setup):  # noqa: F811
    visit, claims_clerk, _change_clerk = visit_setup
    sheet = Sheet.objects.get(rubric=visit.campaign.rubric, code="policy_change")
    from inspections import services

    record = services.save_sheet(
        user=visit.inspectors.get(),
        visit=visit,
        specialist=claims_clerk,
        sheet=sheet,
        selection_method="followed_live",
        parts=factories.full_sheet_parts(sheet),
    )
    page = log_in("bj-inspector")
    url = f"{live_server.url}/visits/{visit.pk}/sheets/{record.pk}/"
    page.goto(url)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", answer)
    page.locator("input.score-input").first.fill("7")
    page.click("a.navbar-brand")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url == url  # still here, with what was typed
    expect(page.locator("input.score-input").first).to_have_value("7")

    # Saving is leaving on purpose: no question.
    page.click("form#sheet-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.click("a.navbar-brand")
    page.wait_for_load_state()
    assert dialogs == ["beforeunload"]


def test_a_shared_tablet_never_offers_one_person_s_typing_to_the_next(
    log_in,
    live_server,
    visit_setup,  # noqa: F811
):
    visit, claims_clerk, _change_clerk = visit_setup
    sheet = Sheet.objects.get(rubric=visit.campaign.rubric, code="policy_change")
    inspector = visit.inspectors.get()
    colleague = factories.UserFactory(username="bj-inspector2", branch=visit.branch)
    visit.inspectors.add(colleague)
    from inspections import services

    record = services.save_sheet(
        user=inspector,
        visit=visit,
        specialist=claims_clerk,
        sheet=sheet,
        selection_method="followed_live",
        parts=factories.full_sheet_parts(sheet),
    )
    url = f"{live_server.url}/visits/{visit.pk}/sheets/{record.pk}/"
    page = log_in("bj-inspector")
    page.goto(url)
    page.fill('[name="policy_change_process-reference_no"]', "A-的草稿")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('draft:'))")

    # A logs out without saving (and confirms leaving the unsaved page).
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-logout] button")
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('draft:'))") == []

    # B logs in on the same browser and opens the same sheet: nothing is offered.
    log_in("bj-inspector2")
    page.goto(url)
    expect(page.locator('[name="policy_change_process-reference_no"]')).to_have_value(
        "NO-policy_change_process"
    )
    expect(page.locator("[data-testid=draft-banner]")).to_have_count(0)


def test_drafts_are_kept_per_user(log_in, live_server, visit_setup):  # noqa: F811
    """A draft left by one user (their session expired, no log-out) is not offered
    to another, and is still there for its owner."""
    visit, claims_clerk, _change_clerk = visit_setup
    sheet = Sheet.objects.get(rubric=visit.campaign.rubric, code="policy_change")
    inspector = visit.inspectors.get()
    colleague = factories.UserFactory(username="bj-inspector2", branch=visit.branch)
    visit.inspectors.add(colleague)
    from inspections import services

    record = services.save_sheet(
        user=inspector,
        visit=visit,
        specialist=claims_clerk,
        sheet=sheet,
        selection_method="followed_live",
        parts=factories.full_sheet_parts(sheet),
    )
    url = f"{live_server.url}/visits/{visit.pk}/sheets/{record.pk}/"
    page = log_in("bj-inspector")
    page.goto(url)
    page.fill('[name="policy_change_process-reference_no"]', "A-的草稿")
    Session.objects.all().delete()
    page.context.clear_cookies()
    log_in("bj-inspector2")
    page.goto(url)
    expect(page.locator("[data-testid=draft-banner]")).to_have_count(0)
    Session.objects.all().delete()
    page.context.clear_cookies()
    log_in("bj-inspector")
    page.goto(url)
    expect(page.locator("[data-testid=draft-banner]")).to_be_visible()
