"""Least privilege: an account without a role sees no branch's data until an
admin gives it one; only admins reach Django admin; a staff user who is not a
superuser changes only what their group allows and raises nobody's privileges."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from inspections import access
from inspections.models import User
from tests import factories


@pytest.fixture
def newcomer(world):
    """Added in admin with a branch but no role yet (the default)."""
    return User.objects.create_user("newcomer", password="pw-for-tests-1", branch=world.branch_a)


def test_a_new_account_has_no_role_and_sees_nothing(client, world, visit, newcomer):
    assert newcomer.role == User.Role.NONE and not newcomer.has_role
    assert not access.sees_all_branches(newcomer)
    for queryset in (
        access.visible_branches(newcomer),
        access.visible_offices(newcomer),
        access.visible_specialists(newcomer),
        access.visible_campaigns(newcomer),
        access.visible_visits(newcomer),
        access.visible_actions(newcomer),
    ):
        assert not queryset.exists()
    client.force_login(newcomer)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="no-role"' in home and "甲分公司" not in home
    for name in ("visit-list", "campaign-list", "action-list", "specialist-list"):
        page = client.get(reverse(name)).content.decode()
        assert "甲一支公司" not in page and "2012年度一柜通验收" not in page, name
    assert client.get(reverse("visit-detail", args=[visit.pk])).status_code == 404
    assert client.get(reverse("campaign-detail", args=[world.campaign.pk])).status_code == 404
    # Given a role, the same account sees its branch.
    newcomer.role = User.Role.BRANCH_MANAGER
    newcomer.save()
    assert list(access.visible_branches(newcomer)) == [world.branch_a]


def test_a_new_account_is_never_offered_as_an_action_owner(client, world, visit, newcomer):
    client.force_login(world.inspector_a)
    page = client.get(reverse("visit-actions", args=[visit.pk]))
    assert newcomer not in page.context["form"].fields["owner"].queryset


@pytest.fixture
def staff(db):
    """A staff account with the admin role, not a superuser, allowed by its
    group to view and change branches and to view users."""
    user = User.objects.create_user(
        "staff-admin", password="pw-for-tests-1", is_staff=True, role=User.Role.ADMIN
    )
    group = Group.objects.create(name="organisation editors")
    group.permissions.set(
        Permission.objects.filter(
            codename__in=["view_branch", "change_branch", "view_user", "change_user"]
        )
    )
    user.groups.add(group)
    return user


def test_only_admins_reach_django_admin(client, world):
    hq_staff = factories.HeadOfficeUserFactory(username="hq-staff")
    hq_staff.is_staff = True
    hq_staff.save()
    for user, status in ((world.hq, 302), (hq_staff, 302), (world.manager_a, 302)):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == status and "/admin/login/" in response["Location"]


def test_a_staff_user_changes_only_what_their_group_allows(client, world, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:inspections_branch_changelist")).status_code == 200
    assert client.get(reverse("admin:inspections_office_changelist")).status_code == 403
    assert client.get(reverse("admin:scoring_rubricversion_changelist")).status_code == 403
    assert client.get(reverse("admin:inspections_branch_add")).status_code == 403
    response = client.post(
        reverse("admin:inspections_branch_delete", args=[world.branch_a.pk]), {"post": "yes"}
    )
    assert response.status_code == 403


def test_a_staff_user_raises_nobody_s_privileges(client, world, staff):
    client.force_login(staff)
    url = reverse("admin:inspections_user_change", args=[world.manager_a.pk])
    form = client.get(url).context["adminform"].form
    for privilege in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert privilege not in form.fields, privilege
    assert "admin" not in [value for value, _label in form.fields["role"].choices]
    # Posting them anyway changes nothing.
    client.post(
        url,
        {
            "username": "manager-a",
            "role": "admin",
            "is_superuser": "on",
            "is_staff": "on",
            "branch": world.branch_a.pk,
            "date_joined_0": "2012-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    world.manager_a.refresh_from_db()
    assert world.manager_a.role == User.Role.BRANCH_MANAGER
    assert not world.manager_a.is_superuser and not world.manager_a.is_staff
