"""Who may see and change what: the one place that decides it.

Every view and selector narrows its querysets through these functions, so a
branch manager of one branch never sees another branch's offices, people,
visits or reports.
"""

from django.db.models import QuerySet

from .models import Branch, Office, Specialist, User


def sees_all_branches(user: User) -> bool:
    """Head office, admins and head-office inspectors (no branch) see every branch."""
    if not user.is_authenticated:
        return False
    if user.is_head_office:
        return True
    return user.is_inspector and user.branch_id is None


def visible_branches(user: User) -> QuerySet[Branch]:
    if not user.is_authenticated:
        return Branch.objects.none()
    if sees_all_branches(user):
        return Branch.objects.all()
    if user.branch_id is None:
        return Branch.objects.none()
    return Branch.objects.filter(pk=user.branch_id)


def visible_offices(user: User) -> QuerySet[Office]:
    return Office.objects.filter(branch__in=visible_branches(user))


def visible_specialists(user: User) -> QuerySet[Specialist]:
    return Specialist.objects.filter(branch__in=visible_branches(user))


def can_manage_roster(user: User, branch: Branch) -> bool:
    """Head office for any branch; a branch manager for their own."""
    if not user.is_authenticated:
        return False
    if user.is_head_office:
        return True
    return user.is_branch_manager and user.branch_id == branch.pk


def can_import_rosters(user: User) -> bool:
    return user.is_authenticated and (user.is_head_office or user.is_branch_manager)


def roster_branches(user: User) -> QuerySet[Branch]:
    if not user.is_authenticated:
        return Branch.objects.none()
    if user.is_head_office:
        return Branch.objects.all()
    if user.is_branch_manager:
        return Branch.objects.filter(pk=user.branch_id)
    return Branch.objects.none()
