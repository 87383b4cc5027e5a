"""Who may see and change what: the one place that decides it.

Every view and selector narrows its querysets through these functions, so a
branch manager of one branch never sees another branch's offices, people,
visits or reports.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import (
    Branch,
    Campaign,
    Objection,
    Office,
    RaisedProblem,
    RectificationAction,
    Specialist,
    User,
    Visit,
)


class NotVisible(Http404):
    """A 404 for an object that exists but that the user may not see: the
    404 page logs it like a refusal (config/errors.py)."""


def get_visible(visible: QuerySet, **lookup):
    """The object of `visible` matching `lookup`; Http404 when there is none,
    NotVisible when it exists outside what the user may see."""
    try:
        return visible.get(**lookup)
    except visible.model.DoesNotExist:
        if visible.model._base_manager.filter(**lookup).exists():
            raise NotVisible from None
        raise Http404 from None


def _sees_nothing(user: User) -> bool:
    """Not logged in, or no role yet: an account an admin has not set up sees
    no branch's data (least privilege)."""
    return not user.is_authenticated or not user.has_role


def sees_all_branches(user: User) -> bool:
    """Head office, admins and head-office inspectors (no branch) see every branch."""
    if _sees_nothing(user):
        return False
    if user.is_head_office:
        return True
    return user.is_inspector and user.branch_id is None


def visible_branches(user: User) -> QuerySet[Branch]:
    if _sees_nothing(user):
        return Branch.objects.none()
    if sees_all_branches(user):
        return Branch.objects.all()
    if user.branch_id is None:
        return Branch.objects.none()
    return Branch.objects.filter(pk=user.branch_id)


def sees_unit_results(user: User) -> bool:
    """Who sees the units' scores and ranks on the campaign board: head office,
    and a branch manager (of their branch), who see every visit behind them;
    an inspector sees only the visits they inspect, so none."""
    return not _sees_nothing(user) and (user.is_head_office or user.is_branch_manager)


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


# --- campaigns and visits --------------------------------------------------


def can_run_campaigns(user: User) -> bool:
    """Head office opens campaigns, draws offices and enters KPI figures."""
    return user.is_authenticated and user.is_head_office


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if _sees_nothing(user):
        return Campaign.objects.none()
    if sees_all_branches(user):
        return Campaign.objects.all()
    if user.branch_id is None:
        return Campaign.objects.none()
    return Campaign.objects.filter(branches=user.branch_id)


def _not_started_unannounced(user: User) -> Q:
    """The unannounced (flying) checks not started on site yet that `user`
    does not inspect: `Visit.hidden_from_branch` as a query. Until an inspector
    starts one, only head office and its inspectors know of it (seed 001)."""
    inspects = Visit.inspectors.through.objects.filter(visit_id=OuterRef("pk"), user_id=user.pk)
    return Q(unannounced=True, state=Visit.State.PLANNED) & ~Exists(inspects)


def visible_visits(user: User) -> QuerySet[Visit]:
    """Head office sees every visit; a branch manager their branch's; an
    inspector, of a branch or of head office, only the visits they inspect.
    Nobody but head office and its inspectors sees an unannounced check
    before it starts: every page, list, reminder and report that reads
    visits through here follows."""
    if _sees_nothing(user):
        return Visit.objects.none()
    if user.is_head_office:
        return Visit.objects.all()
    if user.is_branch_manager:
        visits = Visit.objects.filter(branch_id=user.branch_id)
    else:
        # One row per visit: a user is an inspector of a visit at most once.
        visits = Visit.objects.filter(inspectors=user)
    return visits.exclude(_not_started_unannounced(user))


def can_plan_visit(user: User, branch: Branch, kind: str) -> bool:
    if not user.is_authenticated:
        return False
    if kind == Visit.Kind.HEAD_OFFICE_CHECK:
        return user.is_head_office
    return user.is_branch_manager and user.branch_id == branch.pk


def can_edit_visit(user: User, visit: Visit) -> bool:
    """Only the visit's own inspectors fill it in, and only while it is open."""
    return (
        user.is_authenticated and visit.is_editable and visit.inspectors.filter(pk=user.pk).exists()
    )


def can_review_visit(user: User, visit: Visit) -> bool:
    """Head office reviews every visit; a branch manager their branch's
    self-inspections. Nobody approves a visit they inspected."""
    if not user.is_authenticated or visit.inspectors.filter(pk=user.pk).exists():
        return False
    if user.is_head_office:
        return True
    return (
        user.is_branch_manager
        and visit.branch_id == user.branch_id
        and visit.kind == Visit.Kind.SELF_INSPECTION
    )


def reviewable_visits(user: User) -> QuerySet[Visit]:
    """The visits `can_review_visit` lets the user review, in any state: head
    office every visit, a branch manager their branch's self-inspections,
    never one the user inspects."""
    if _sees_nothing(user):
        return Visit.objects.none()
    if user.is_head_office:
        visits = Visit.objects.all()
    elif user.is_branch_manager and user.branch_id is not None:
        visits = Visit.objects.filter(branch_id=user.branch_id, kind=Visit.Kind.SELF_INSPECTION)
    else:
        return Visit.objects.none()
    return visits.exclude(inspectors=user)


# --- published results and objections --------------------------------------


def can_object(user: User, visit: Visit) -> bool:
    """A branch's managers object to head office's checks of their branch."""
    return (
        user.is_authenticated
        and user.is_branch_manager
        and user.branch_id == visit.branch_id
        and visit.kind == Visit.Kind.HEAD_OFFICE_CHECK
    )


def can_decide_objection(user: User, visit: Visit) -> bool:
    """Head office reviews objections (复核), never an inspector of the check
    objected to: nobody reviews their own scoring."""
    return (
        user.is_authenticated
        and user.is_head_office
        and not visit.inspectors.filter(pk=user.pk).exists()
    )


def visible_objections(user: User):
    """The objections to the visits the user may see."""
    return Objection.objects.filter(visit__in=visible_visits(user))


# --- rectification actions -------------------------------------------------


def visible_actions(user: User):
    """Head office sees every action; a branch manager their branch's; an
    inspector those of the visits they may see; anyone the actions they own."""
    if _sees_nothing(user):
        return RectificationAction.objects.none()
    if user.is_head_office:
        return RectificationAction.objects.all()
    return RectificationAction.objects.filter(
        Q(visit__in=visible_visits(user)) | Q(owner=user)
    ).distinct()


def can_work_action(user: User, action) -> bool:
    """The branch's managers and the action's owner post progress and evidence."""
    if not user.is_authenticated:
        return False
    if action.owner_id == user.pk:
        return True
    return user.is_branch_manager and user.branch_id == action.visit.branch_id


def can_verify_action(user: User, action) -> bool:
    """The visit's inspectors or head office close or reopen an action, never
    its owner nor whoever submitted it for verification (separation of duties)."""
    if not user.is_authenticated or action.owner_id == user.pk:
        return False
    if action.submitted_by_id == user.pk:
        return False
    return user.is_head_office or action.visit.inspectors.filter(pk=user.pk).exists()


def can_request_extension(user: User, action) -> bool:
    return (
        user.is_authenticated
        and user.is_branch_manager
        and user.branch_id == action.visit.branch_id
    )


def can_decide_extensions(user: User) -> bool:
    return user.is_authenticated and user.is_head_office


# --- the problem register ------------------------------------------------------


def visible_problems(user: User):
    """As actions: head office sees every entry; a branch manager their
    branch's; an inspector those of the visits they inspect (read only);
    anyone the entries they own."""
    if _sees_nothing(user):
        return RaisedProblem.objects.none()
    if user.is_head_office:
        return RaisedProblem.objects.all()
    return RaisedProblem.objects.filter(
        Q(visit__in=visible_visits(user)) | Q(owner=user)
    ).distinct()


def can_respond_problem(user: User, problem) -> bool:
    """The entry's owner and the branch's managers write its response."""
    if not user.is_authenticated or not user.is_active:
        return False
    if problem.owner_id == user.pk:
        return True
    return user.is_branch_manager and user.branch_id == problem.visit.branch_id


def can_review_problems(user: User) -> bool:
    """Head office closes, reopens and reassigns entries."""
    return user.is_authenticated and user.is_head_office


def can_own_problem(user: User, problem) -> bool:
    """Whom an entry may be handed to: an active user with a role, of the
    visit's branch or of head office (a support request is head office's)."""
    return (
        user.is_active
        and user.has_role
        and (user.is_head_office or user.branch_id == problem.visit.branch_id)
    )


# --- the branch's acceptance report ----------------------------------------------


def can_submit_branch_report(user: User, branch: Branch) -> bool:
    """Only a branch manager of that branch submits its report."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_branch_manager
        and user.branch_id == branch.pk
    )


def can_read_branch_report(user: User, *, branch_id: int) -> bool:
    """A branch's acceptance report, built or submitted: head office and that
    branch's managers."""
    if _sees_nothing(user):
        return False
    return user.is_head_office or (user.is_branch_manager and user.branch_id == branch_id)
