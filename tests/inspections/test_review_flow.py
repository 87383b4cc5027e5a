"""Issue 13, point 5: the review flow. A returned visit says why on the visit and
on its inspector's home page until it is submitted again; a reviewer has a list
of what waits for their decision, following `access.can_review_visit` (head
office any visit, a branch manager their branch's self-inspections, nobody a
visit they inspect); weighty posts ask for confirmation in the page."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from inspections import access, selectors, services
from inspections.models import Office, Visit, VisitTransition
from tests import factories

pytestmark = pytest.mark.django_db


def submitted(visit, by):
    """The visit as its inspector's submission leaves it (without filling it:
    the review flow is what is tested here)."""
    VisitTransition.objects.create(
        visit=visit, from_state=visit.state, to_state=Visit.State.SUBMITTED, by=by
    )
    Visit.objects.filter(pk=visit.pk).update(state=Visit.State.SUBMITTED)
    visit.refresh_from_db()
    return visit


def plan(world, *, branch, office, kind, inspectors):
    """Plan a visit as its planner does (head office its checks, on an office it drew)."""
    if kind == Visit.Kind.HEAD_OFFICE_CHECK:
        planner = world.hq
        drawn = services.draw_offices(user=world.hq, campaign=world.campaign, branch=branch)
        office = Office.objects.get(pk=drawn.result_ids[0])
    else:
        planner = world.manager_a if branch == world.branch_a else world.manager_b
    return services.plan_visit(
        user=planner,
        campaign=world.campaign,
        branch=branch,
        office=office,
        kind=kind,
        start_date=datetime.date(2012, 11, 1),
        end_date=datetime.date(2012, 11, 2),
        inspectors=inspectors,
    )


@pytest.fixture
def visits(world, visit, visit_b):
    """Submitted: branch A's self-inspection of a1 (`visit`), branch B's of b1
    (`visit_b`), a head-office check of a drawn office of branch A, and a
    self-inspection of branch A itself that head office and manager A are
    inspectors of (set directly: planning takes inspectors only); and one of
    a2 still open."""
    ho_check = plan(
        world,
        branch=world.branch_a,
        office=world.a1,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        inspectors=[world.inspector_hq],
    )
    own = plan(
        world,
        branch=world.branch_a,
        office=None,
        kind=Visit.Kind.SELF_INSPECTION,
        inspectors=[world.inspector_a],
    )
    own.inspectors.add(world.hq, world.manager_a)
    still_open = plan(
        world,
        branch=world.branch_a,
        office=world.a2,
        kind=Visit.Kind.SELF_INSPECTION,
        inspectors=[world.inspector_a2],
    )
    for v, by in (
        (visit, world.inspector_a),
        (visit_b, world.inspector_b),
        (ho_check, world.inspector_hq),
        (own, world.inspector_a),
    ):
        submitted(v, by)
    return {"a1": visit, "b1": visit_b, "ho_check": ho_check, "own": own, "open": still_open}


# --- who reviews what ----------------------------------------------------------


def test_the_queryset_of_reviewable_visits_follows_can_review_visit(world, visits):
    users = [
        world.hq,
        world.manager_a,
        world.manager_b,
        world.inspector_a,
        world.inspector_hq,
        factories.UserFactory(username="no-role", role=""),
    ]
    for user in users:
        reviewable = set(access.reviewable_visits(user).values_list("pk", flat=True))
        expected = {v.pk for v in Visit.objects.all() if access.can_review_visit(user, v)}
        assert reviewable == expected, user


def test_each_reviewer_s_queue_holds_what_waits_for_their_decision(world, visits):
    def queue(user):
        return {v.pk for v in selectors.review_queue(user=user)}

    # Head office: every submitted visit, of both kinds, except one it inspects.
    assert queue(world.hq) == {visits["a1"].pk, visits["b1"].pk, visits["ho_check"].pk}
    # A branch manager: their branch's submitted self-inspections, except one
    # they inspect; never head office's checks, never another branch's.
    assert queue(world.manager_a) == {visits["a1"].pk}
    assert queue(world.manager_b) == {visits["b1"].pk}
    # Inspectors review nothing; an open visit waits for nobody.
    assert queue(world.inspector_a) == set() and queue(world.inspector_hq) == set()


def test_the_queue_shows_the_longest_waiting_first_with_who_submitted(world, visits):
    first = selectors.review_queue(user=world.manager_a)[0]
    assert first.pk == visits["a1"].pk
    assert first.submitted_at is not None
    assert first.submissions[0].by == world.inspector_a


def test_the_review_page_lists_a_manager_s_own_branch_only(client, world, visits):
    client.force_login(world.manager_b)
    body = client.get(reverse("review-list")).content.decode()
    assert "乙一支公司" in body
    assert "甲一支公司" not in body and "甲分公司" not in body
    assert reverse("visit-detail", args=[visits["b1"].pk]) + "#review" in body


def test_the_review_page_says_when_nothing_waits(client, world):
    client.force_login(world.manager_a)
    response = client.get(reverse("review-list"))
    assert response.status_code == 200
    assert "暂无待您审核的现场验收" in response.content.decode()


def test_the_review_page_runs_a_constant_number_of_queries(
    client, world, visits, django_assert_max_num_queries
):
    client.force_login(world.hq)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("review-list"))
    for office in (world.a2, world.a3):
        for _ in range(5):
            submitted(
                plan(
                    world,
                    branch=world.branch_a,
                    office=office,
                    kind=Visit.Kind.SELF_INSPECTION,
                    inspectors=[world.inspector_a2],
                ),
                world.inspector_a2,
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("review-list"))
    assert len(response.context["visits"]) == 13  # 3 + 10


def test_the_home_page_runs_a_constant_number_of_queries_whatever_waits(
    client, world, visits, django_assert_max_num_queries
):
    client.force_login(world.hq)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("home"))
    for _ in range(12):
        submitted(
            plan(
                world,
                branch=world.branch_b,
                office=world.b2,
                kind=Visit.Kind.SELF_INSPECTION,
                inspectors=[world.inspector_b],
            ),
            world.inspector_b,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert response.context["review_count"] == 15
    assert len(response.context["reviews"]) == 10  # the rest on the review page
    assert reverse("review-list") in response.content.decode()


def test_reviewers_see_their_queue_on_the_home_page_and_inspectors_do_not(client, world, visits):
    client.force_login(world.manager_a)
    home = client.get(reverse("home"))
    assert home.context["review_count"] == 1
    body = home.content.decode()
    assert "待我审核" in body and 'data-testid="home-reviews"' in body
    assert reverse("review-list") in body  # in the navigation

    client.force_login(world.inspector_a)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-reviews"' not in body
    assert reverse("review-list") not in body


# --- a returned visit says why ---------------------------------------------------


REASON = "表七缺少仪容仪表的不符合备注，请补充后重新提交。"


@pytest.fixture
def returned(world, visit):
    submitted(visit, world.inspector_a)
    return services.return_visit(user=world.manager_a, visit=visit, comment=REASON)


def notice(body):
    match = re.search(r'<div[^>]*data-testid="return-notice".*?</div>', body, re.S)
    return match.group(0) if match else None


def test_a_returned_visit_shows_the_reason_as_a_banner(client, world, returned):
    client.force_login(world.inspector_a)
    banner = notice(client.get(reverse("visit-detail", args=[returned.pk])).content.decode())
    assert banner is not None and REASON in banner
    assert 'role="alert"' in banner
    assert str(world.manager_a) in banner and "退回修改" in banner


def test_the_banner_stays_while_the_inspector_corrects_and_goes_once_resubmitted(
    client, world, returned
):
    services.save_kpi_note(user=world.inspector_a, visit=returned, note="已补充")
    returned.refresh_from_db()
    assert returned.state == Visit.State.IN_PROGRESS  # the first change reopened it
    client.force_login(world.inspector_a)
    url = reverse("visit-detail", args=[returned.pk])
    assert REASON in notice(client.get(url).content.decode())
    assert selectors.open_return(visit=returned) is not None

    submitted(returned, world.inspector_a)
    assert notice(client.get(url).content.decode()) is None
    assert list(selectors.returned_visits(user=world.inspector_a)) == []


def test_the_inspector_s_home_page_lists_the_return_with_a_link(client, world, returned):
    client.force_login(world.inspector_a)
    banner = notice(client.get(reverse("home")).content.decode())
    assert banner is not None and REASON in banner
    assert reverse("visit-detail", args=[returned.pk]) in banner
    assert "甲一支公司" in banner

    # Another inspector of the branch is not told about it.
    client.force_login(world.inspector_a2)
    assert notice(client.get(reverse("home")).content.decode()) is None


def test_the_latest_return_is_shown(client, world, returned):
    submitted(returned, world.inspector_a)
    services.return_visit(user=world.hq, visit=returned, comment="请补充访谈记录。")
    visit = selectors.returned_visits(user=world.inspector_a).get()
    assert visit.returns[0].comment == "请补充访谈记录。"
    assert visit.returns[0].by == world.hq


def test_the_home_page_s_returns_cost_two_queries_whatever_their_number(
    world, returned, django_assert_num_queries
):
    for office in (world.a2, world.a3):
        other = plan(
            world,
            branch=world.branch_a,
            office=office,
            kind=Visit.Kind.SELF_INSPECTION,
            inspectors=[world.inspector_a],
        )
        submitted(other, world.inspector_a)
        services.return_visit(user=world.manager_a, visit=other, comment="请修改")
    with django_assert_num_queries(2):
        visits = list(selectors.returned_visits(user=world.inspector_a))
        assert all(v.returns[0].comment for v in visits)
    assert len(visits) == 3


# --- confirmations --------------------------------------------------------------


def confirm_of(body, action):
    """The data-confirm question of the form posting to `action`, or of its buttons."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>.*?</form>', body, re.S)
    assert form, action
    return re.findall(r'data-confirm="([^"]+)"', form.group(0))


def test_submit_and_the_draw_ask_for_confirmation(client, world, visit):
    client.force_login(world.inspector_a)
    body = client.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    assert confirm_of(body, reverse("visit-submit", args=[visit.pk])) == [
        "确认提交审核？审核人员退回之前，任何人都不能再修改。"
    ]
    draw = reverse("visit-draw-specialists", args=[visit.pk])
    assert "随机抽取客服专员" in confirm_of(body, draw)[0]

    services.draw_specialists(user=world.inspector_a, visit=visit, size=1)
    body = client.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    assert "重新抽取" in confirm_of(body, draw)[0]


def test_approve_and_return_ask_for_confirmation(client, world, visit):
    submitted(visit, world.inspector_a)
    client.force_login(world.manager_a)
    body = client.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    approve, give_back = confirm_of(body, reverse("visit-review", args=[visit.pk]))
    assert "审核通过" in approve and "退回" in give_back


def test_the_office_draw_and_the_reminder_ask_for_confirmation(client, world, visit):
    client.force_login(world.hq)
    url = reverse("campaign-detail", args=[world.campaign.pk])
    draw = reverse("campaign-draw", args=[world.campaign.pk, world.branch_a.pk])
    assert "甲分公司" in confirm_of(client.get(url).content.decode(), draw)[0]
    services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    body = client.get(url).content.decode()
    assert "重新抽取" in confirm_of(body, draw)[0]

    # Past the due date with offices not approved, the branch is late: remind it.
    with time_machine.travel(datetime.datetime(2013, 1, 10, 9, tzinfo=datetime.UTC)):
        body = client.get(url).content.decode()
    remind = reverse("campaign-remind", args=[world.campaign.pk, world.branch_a.pk])
    assert "提醒" in confirm_of(body, remind)[0]


def test_every_page_loads_the_confirmation_script_and_its_texts(client, world):
    client.force_login(world.inspector_a)
    body = client.get(reverse("home")).content.decode()
    assert re.search(r'<script src="[^"]*js/confirm\.js"', body)
    texts = re.search(r'<div id="confirm-texts"[^>]*>', body).group(0)
    assert 'data-ok="确认"' in texts and 'data-cancel="取消"' in texts
