"""A branch manager of branch A sees nothing of branch B, whatever the page."""

import pytest
from django.urls import reverse

from inspections import access
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_branches(branch_a, branch_b):
    office_a = factories.OfficeFactory(branch=branch_a, name="甲一支公司")
    office_b = factories.OfficeFactory(branch=branch_b, name="乙一支公司")
    person_a = factories.SpecialistFactory(office=office_a, name="甲方专员")
    person_b = factories.SpecialistFactory(office=office_b, name="乙方专员")
    return office_a, office_b, person_a, person_b


def test_selectors_scope_a_branch_manager_to_their_branch(manager_a, two_branches, branch_b):
    office_a, _office_b, person_a, _person_b = two_branches
    assert list(access.visible_branches(manager_a)) == [manager_a.branch]
    assert list(access.visible_offices(manager_a)) == [office_a]
    assert list(access.visible_specialists(manager_a)) == [person_a]
    assert not access.can_manage_roster(manager_a, branch_b)


def test_head_office_and_head_office_inspectors_see_every_branch(head_office_user, two_branches):
    inspector = factories.UserFactory(username="hq-inspector")
    for user in (head_office_user, inspector):
        assert access.visible_branches(user).count() == 2
        assert access.visible_specialists(user).count() == 2


def test_branch_inspector_sees_own_branch_only(branch_a, two_branches):
    inspector = factories.UserFactory(username="a-inspector", branch=branch_a)
    assert list(access.visible_branches(inspector)) == [branch_a]
    assert not access.can_manage_roster(inspector, branch_a)


@pytest.mark.parametrize("url_name", ["home", "specialist-list"])
def test_pages_of_branch_a_show_nothing_of_branch_b(client, manager_a, two_branches, url_name):
    client.force_login(manager_a)
    office_b = two_branches[1]
    response = client.get(reverse(url_name), {"branch": office_b.branch_id})
    body = response.content.decode()
    # The home page ignores the filter; the list refuses a branch it may not show.
    assert response.status_code == (404 if url_name == "specialist-list" else 200)
    assert "乙分公司" not in body and "乙一支公司" not in body and "乙方专员" not in body


def test_anonymous_is_sent_to_log_in(client, db):
    for name in ("home", "specialist-list", "roster-import", "roster-template"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_specialist_list_runs_a_constant_number_of_queries(
    client, head_office_user, django_assert_max_num_queries, branch_a
):
    office = factories.OfficeFactory(branch=branch_a)
    client.force_login(head_office_user)
    factories.SpecialistFactory.create_batch(3, office=office)
    with django_assert_max_num_queries(8):
        client.get(reverse("specialist-list"))
    people = factories.SpecialistFactory.create_batch(40, office=office)
    for person in people[::3]:
        person.concurrent_posts.set([factories.post("claims")])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("specialist-list"))
    assert len(response.context["specialists"]) == 43


def test_home_runs_a_constant_number_of_queries(
    client, head_office_user, django_assert_max_num_queries, branch_a, branch_b
):
    client.force_login(head_office_user)
    for branch in (branch_a, branch_b):
        for _ in range(5):
            factories.SpecialistFactory(office=factories.OfficeFactory(branch=branch))
    # 9, and one each for the visits waiting for review and those returned.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("home"))
    assert response.status_code == 200
