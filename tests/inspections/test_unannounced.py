"""Issue 14 point 5: unannounced (flying) checks, seed 001's 飞行检查.

Head office may plan a head-office check as unannounced; a branch's
self-inspection cannot be. Until its inspector starts it on site, the branch
(its managers and inspectors) does not know of it: no list, board, reminder or
report shows it. Head office and the check's own inspectors always see it.
Once started it is a head-office check like any other. The URLs are swept in
tests/test_url_sweep.py."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from inspections import access, reminders, selectors, services
from inspections.models import Visit, VisitTransition
from reports import access as report_access
from reports.selectors.branch import branch_report_data
from tests import factories

pytestmark = pytest.mark.django_db

BADGE = 'data-testid="unannounced"'


def plan_check(world, *, office=None, unannounced=True, inspectors=None):
    """An unannounced head-office check of branch A (its own counters by default)."""
    return services.plan_visit(
        user=world.hq,
        campaign=world.campaign,
        branch=world.branch_a,
        office=office,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=datetime.date(2012, 11, 5),
        end_date=datetime.date(2012, 11, 6),
        inspectors=inspectors or [world.inspector_hq],
        unannounced=unannounced,
    )


def visible_to(user, visit) -> bool:
    return access.visible_visits(user).filter(pk=visit.pk).exists()


def page(client, user, url, **query):
    client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


# --- planning ---------------------------------------------------------------------------


def test_head_office_plans_an_unannounced_check(world):
    check = plan_check(world)
    assert check.unannounced and check.state == Visit.State.PLANNED
    assert check.hidden_from_branch
    assert list(check.transitions.values_list("to_state", "by")) == [
        (Visit.State.PLANNED, world.hq.pk)
    ]
    assert not plan_check(world, unannounced=False).unannounced


def test_a_branch_s_self_inspection_cannot_be_unannounced(world):
    with pytest.raises(ValidationError) as refused:
        services.plan_visit(
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            office=world.a1,
            kind=Visit.Kind.SELF_INSPECTION,
            start_date=datetime.date(2012, 10, 25),
            end_date=datetime.date(2012, 10, 26),
            inspectors=[world.inspector_a],
            unannounced=True,
        )
    [error] = refused.value.error_dict["unannounced"]
    assert error.code == "self_inspection_unannounced"
    assert "总部检查" in str(error.message)  # in the user's language
    assert not Visit.objects.exists()


def test_the_database_keeps_self_inspections_announced(world, visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(unannounced=True)


def test_head_office_s_plan_form_offers_unannounced_and_plans_it(client, world):
    url = reverse("visit-plan", args=[world.campaign.pk])
    html = page(client, world.hq, url)
    assert 'name="unannounced"' in html and "飞行检查" in html
    response = client.post(
        url,
        {
            "kind": Visit.Kind.HEAD_OFFICE_CHECK,
            "branch": world.branch_a.pk,
            "office": "",
            "start_date": "2012-11-05",
            "end_date": "2012-11-06",
            "inspectors": [world.inspector_hq.pk],
            "unannounced": "on",
        },
    )
    check = Visit.objects.get()
    assert response.status_code == 302 and check.unannounced


def test_a_branch_manager_s_plan_form_has_no_unannounced_box(client, world):
    """The box is not offered, and a tampered post naming it plans an
    ordinary self-inspection (the service refuses one that says otherwise)."""
    url = reverse("visit-plan", args=[world.campaign.pk])
    assert 'name="unannounced"' not in page(client, world.manager_a, url)
    response = client.post(
        url,
        {
            "kind": Visit.Kind.SELF_INSPECTION,
            "branch": world.branch_a.pk,
            "office": world.a1.pk,
            "start_date": "2012-10-25",
            "end_date": "2012-10-26",
            "inspectors": [world.inspector_a.pk],
            "unannounced": "on",
        },
    )
    assert response.status_code == 302
    assert not Visit.objects.get().unannounced


# --- who sees it, before and after it starts --------------------------------------------------


def test_only_head_office_and_its_inspectors_see_it_before_it_starts(world):
    second = factories.InspectorFactory(username="inspector-hq2")
    check = plan_check(world, inspectors=[world.inspector_hq, second])
    for user in (world.hq, world.inspector_hq, second):
        assert visible_to(user, check)
    for user in (
        world.manager_a,
        world.inspector_a,
        world.inspector_a2,
        world.manager_b,
        world.inspector_b,
    ):
        assert not visible_to(user, check)
    # A head-office check announced as usual: the branch sees it at once.
    announced = plan_check(world, unannounced=False)
    assert visible_to(world.manager_a, announced)


def test_starting_it_on_site_shows_it_to_the_branch(world):
    check = plan_check(world)
    started = services.start_visit(user=world.inspector_hq, visit=check)
    assert started.state == Visit.State.IN_PROGRESS and not started.hidden_from_branch
    transition = VisitTransition.objects.filter(visit=check).last()
    assert (transition.from_state, transition.to_state, transition.by) == (
        Visit.State.PLANNED,
        Visit.State.IN_PROGRESS,
        world.inspector_hq,
    )
    assert visible_to(world.manager_a, check)
    # The normal rules: an inspector not on it and the other branch still do not.
    assert not visible_to(world.inspector_a2, check)
    assert not visible_to(world.manager_b, check)


def test_the_first_save_starts_it_too(world):
    check = plan_check(world)
    services.save_kpi_note(user=world.inspector_hq, visit=check, note="到场")
    check.refresh_from_db()
    assert check.state == Visit.State.IN_PROGRESS
    assert visible_to(world.manager_a, check)


def test_a_draw_of_specialists_starts_it_so_no_hidden_check_has_a_draw(world):
    """A draw tied to the visit is a change like any other: the check is
    started by it, so the branch never meets a draw of a check it cannot see."""
    check = plan_check(world)
    draw = services.draw_specialists(user=world.inspector_hq, visit=check, size=1)
    check.refresh_from_db()
    assert draw.visit == check and check.state == Visit.State.IN_PROGRESS
    assert visible_to(world.manager_a, check)


def test_only_its_inspectors_start_it_and_only_once(world):
    check = plan_check(world)
    for user in (world.hq, world.manager_a, world.inspector_a):
        with pytest.raises(PermissionDenied):
            services.start_visit(user=user, visit=check)
    services.start_visit(user=world.inspector_hq, visit=check)
    with pytest.raises(ValidationError) as refused:
        services.start_visit(user=world.inspector_hq, visit=check)
    assert refused.value.error_dict["__all__"][0].code == "already_started"
    assert check.transitions.filter(to_state=Visit.State.IN_PROGRESS).count() == 1


def test_the_start_button_is_offered_to_its_inspector_while_planned(client, world):
    check = plan_check(world)
    url = reverse("visit-detail", args=[check.pk])
    html = page(client, world.inspector_hq, url)
    assert 'data-testid="start-visit"' in html and BADGE in html
    assert 'data-testid="hidden-from-branch"' in html
    response = client.post(reverse("visit-start", args=[check.pk]))
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.state == Visit.State.IN_PROGRESS
    html = page(client, world.inspector_hq, url)
    assert 'data-testid="start-visit"' not in html and BADGE in html
    assert 'data-testid="hidden-from-branch"' not in html
    # Started already: said so, in Chinese, and nothing more is recorded.
    response = client.post(reverse("visit-start", args=[check.pk]), follow=True)
    assert "已经开始" in response.content.decode()
    assert check.transitions.count() == 2
    # Head office sees it, not the button: only the check's inspectors start it.
    assert 'data-testid="start-visit"' not in page(client, world.hq, url)


# --- the board, lists and reminders ------------------------------------------------------------


def test_the_board_does_not_show_or_count_it_for_the_branch_before_it_starts(world):
    services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    check = plan_check(world)
    day = datetime.date(2012, 12, 1)  # past the due date: lateness is decided

    def row_a(user):
        board = selectors.campaign_board(campaign=world.campaign, user=user, today=day)
        return next(row for row in board if row.branch == world.branch_a)

    def checks(row):
        return [visit for unit in row.units for visit in unit.head_office_checks]

    branch_view, head_office_view = row_a(world.manager_a), row_a(world.hq)
    assert checks(branch_view) == [] and checks(head_office_view) == [check]
    # Lateness counts self-inspections only, so both see the same lateness.
    assert (branch_view.late, branch_view.open_units) == (True, 4)
    assert (head_office_view.late, head_office_view.open_units) == (True, 4)
    # The drawn offices are on record for the branch, as before: not when head office comes.
    assert [u.drawn for u in branch_view.units] == [u.drawn for u in head_office_view.units]

    services.start_visit(user=world.inspector_hq, visit=check)
    assert checks(row_a(world.manager_a)) == [check]
    assert row_a(world.manager_a).open_units == 4


def test_the_board_page_and_lists_leave_it_out_for_the_branch(client, world, visit):
    check = plan_check(world)
    link = f"/visits/{check.pk}/"
    urls = [
        reverse("campaign-detail", args=[world.campaign.pk]),
        reverse("visit-list"),
        reverse("home"),
        reverse("review-list"),
        reverse("action-list"),
    ]
    for user in (world.manager_a, world.inspector_a):
        for url in urls:
            html = page(client, user, url)
            assert link not in html and BADGE not in html, (user, url)
    for user in (world.hq, world.inspector_hq):
        for url in urls[:3]:
            html = page(client, user, url)
            assert link in html and BADGE in html, (user, url)
    services.start_visit(user=world.inspector_hq, visit=check)
    for url in urls[:3]:
        html = page(client, world.manager_a, url)
        assert link in html and BADGE in html, url


def test_the_visit_list_and_board_cost_the_same_with_many_unannounced_checks(
    client, world, visit, django_assert_max_num_queries
):
    """The rule is part of the list's one query, not a query per visit."""
    client.force_login(world.manager_a)
    urls = [reverse("visit-list"), reverse("campaign-detail", args=[world.campaign.pk])]
    plan_check(world)
    started = plan_check(world)
    services.start_visit(user=world.inspector_hq, visit=started)
    budgets = {}
    for url in urls:
        with django_assert_max_num_queries(100) as captured:
            client.get(url)
        budgets[url] = len(captured)
    for _ in range(10):
        plan_check(world)
        services.start_visit(user=world.inspector_hq, visit=plan_check(world))
    for url in urls:
        with django_assert_max_num_queries(budgets[url]):
            response = client.get(url)
    visits = response.context["board"][0].units[0].head_office_checks
    assert len(visits) == 11  # the started ones only
    assert len(selectors.visit_list(user=world.manager_a)) == 12  # and the self-inspection


def test_the_report_reminder_to_the_branch_does_not_mention_it(world, mailoutbox):
    world.manager_a.email = "a@example.cn"
    world.manager_a.save(update_fields=["email"])
    check = plan_check(world)
    reminders.send_report_reminder(
        user=world.hq,
        campaign=world.campaign,
        branch=world.branch_a,
        today=datetime.date(2012, 12, 1),
    )
    [mail] = mailoutbox
    assert "甲分公司" in mail.body  # the branch's own counters are open: they are named
    for text in ("飞行检查", "总部检查", f"/visits/{check.pk}/", "11-05"):
        assert text not in mail.body, text


def test_action_reminders_never_name_it(world, make_action, mailoutbox):
    """A planned check has no actions (adding one starts it); the branch's
    reminders of another visit's actions do not mention it either."""
    check = plan_check(world)
    other = plan_check(world, office=None, unannounced=False)
    make_action(other, user=world.inspector_hq, deadline=datetime.date(2012, 11, 10))
    assert reminders.send_action_reminders(today=datetime.date(2012, 11, 20)) >= 1
    for mail in mailoutbox:
        assert "飞行检查" not in mail.body and f"/visits/{check.pk}/" not in mail.body
    check.refresh_from_db()
    assert check.state == Visit.State.PLANNED and not check.actions.exists()


# --- reports ---------------------------------------------------------------------------------


def test_its_reports_are_the_branch_s_only_once_started(world):
    check = plan_check(world)
    assert not report_access.can_see_subject(world.manager_a, visit_id=check.pk)
    assert report_access.can_see_subject(world.hq, visit_id=check.pk)
    assert report_access.can_see_subject(world.inspector_hq, visit_id=check.pk)
    services.start_visit(user=world.inspector_hq, visit=check)
    assert report_access.can_see_subject(world.manager_a, visit_id=check.pk)


def test_the_branch_report_has_it_once_approved_never_before(world, complete_visit):
    check = plan_check(world)
    head_office_check = str(Visit.Kind.HEAD_OFFICE_CHECK.label)

    def lines():
        data = branch_report_data(campaign_id=world.campaign.pk, branch_id=world.branch_a.pk)
        return [(line.unit, line.kind) for line in data.visits]

    assert lines() == []
    complete_visit(check, world.inspector_hq)
    services.submit_visit(user=world.inspector_hq, visit=check)
    assert lines() == []  # started, not approved: reports hold approved visits only
    services.approve_visit(user=world.hq, visit=check)
    assert lines() == [("甲分公司（本部）", head_office_check)]


def test_the_branch_s_visit_reports_page_is_a_404_before_it_starts(client, world):
    check = plan_check(world)
    client.force_login(world.manager_a)
    assert client.get(reverse("visit-reports", args=[check.pk])).status_code == 404


def test_the_branch_s_own_inspector_cannot_make_it(world):
    """Its own inspector on the check would tell the branch it is coming."""
    with pytest.raises(ValidationError) as error:
        plan_check(world, inspectors=[world.inspector_hq, world.inspector_a])
    assert services.has_code(error.value, "branch_inspector_unannounced")
    assert "inspectors" in error.value.message_dict
    # Announced, the branch's inspector may join head office's check as before.
    assert plan_check(world, unannounced=False, inspectors=[world.inspector_hq, world.inspector_a])
