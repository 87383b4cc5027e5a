"""The problem register: entries made from an approved visit's tagged
interview answers, then answered by their owner and closed by head office
(the states are described in `inspections.models.problems`).

Every change locks the entry and checks the version the user's page showed:
two people on one entry never overwrite each other silently, and a second
click of the same button is refused as already done.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import InterviewAnswer, RaisedProblem, User, Visit
from .errors import STALE, Refusals, refused

Status = RaisedProblem.Status


def default_owner(visit: Visit) -> User | None:
    """The branch's manager: the first active one, by account age."""
    return (
        User.objects.filter(
            role=User.Role.BRANCH_MANAGER, branch_id=visit.branch_id, is_active=True
        )
        .order_by("pk")
        .first()
    )


def register_problems(*, visit: Visit, today: datetime.date | None = None) -> list[RaisedProblem]:
    """An entry for each answer of the visit's interviews tagged as a problem
    or a support request that has no entry yet (answers tagged but left
    empty raise nothing). Safe to run again: an answer has one entry at most.
    Runs in the caller's transaction (the visit's approval)."""
    answers = list(
        InterviewAnswer.objects.filter(
            interview__visit=visit,
            tag__in=RaisedProblem.Kind.values,
            raised_problem__isnull=True,
        )
        .exclude(text="")
        .order_by("interview__created_at", "interview_id", "question__order")
    )
    if not answers:
        return []
    owner = default_owner(visit)
    today = today or timezone.localdate()
    deadline = today + datetime.timedelta(days=settings.PROBLEM_RESPONSE_DAYS)
    return RaisedProblem.objects.bulk_create(
        [
            RaisedProblem(
                answer=answer,
                visit=visit,
                kind=answer.tag,
                text=answer.text,
                owner=owner,
                deadline=deadline,
            )
            for answer in answers
        ]
    )


def _locked(problem: RaisedProblem, version: int) -> RaisedProblem:
    """The entry, locked, as the user last saw it; refused (code "stale")
    when someone changed it after their page showed `version`."""
    locked = (
        RaisedProblem.objects.select_for_update(of=("self",))
        .select_related("visit__branch")
        .get(pk=problem.pk)
    )
    if locked.version != version:
        raise refused(
            _(
                "Someone changed this entry after you opened it (or your first click "
                "was already saved). Nothing was saved: look at the entry as it is now."
            ),
            code=STALE,
        )
    return locked


def _save(problem: RaisedProblem, *fields: str) -> RaisedProblem:
    problem.version += 1
    problem.save(update_fields=[*fields, "version"])
    return problem


@transaction.atomic
def respond_to_problem(
    *, user: User, problem: RaisedProblem, response: str, version: int
) -> RaisedProblem:
    """The owner's (or the branch manager's) response; written again until
    head office decides."""
    problem = _locked(problem, version)
    if not access.can_respond_problem(user, problem):
        raise PermissionDenied(_("Only the entry's owner and the branch's managers respond."))
    if problem.status == Status.CLOSED:
        raise refused(_("This entry is closed: ask head office to reopen it first."))
    if not response.strip():
        raise refused(_("Write the response."), field="response", code="required")
    problem.response = response.strip()
    problem.responded_by = user
    problem.responded_at = timezone.now()
    problem.status = Status.RESPONDED
    return _save(problem, "response", "responded_by", "responded_at", "status")


def _require_reviewer(user: User) -> None:
    if not access.can_review_problems(user):
        raise PermissionDenied(_("Only head office closes, reopens or reassigns an entry."))


@transaction.atomic
def close_problem(
    *, user: User, problem: RaisedProblem, comment: str, version: int
) -> RaisedProblem:
    """Head office accepts the response: the entry is closed today."""
    _require_reviewer(user)
    problem = _locked(problem, version)
    if problem.status != Status.RESPONDED:
        raise refused(_("Only an entry with a response can be closed."))
    if problem.responded_by_id == user.pk:
        raise refused(_("You wrote the response: someone else in head office closes the entry."))
    problem.status = Status.CLOSED
    problem.closed_at = timezone.now()
    problem.closed_by = user
    problem.review_comment = comment.strip()
    return _save(problem, "status", "closed_at", "closed_by", "review_comment")


@transaction.atomic
def reopen_problem(
    *, user: User, problem: RaisedProblem, comment: str, version: int
) -> RaisedProblem:
    """Head office sends a response back: the entry is open again."""
    _require_reviewer(user)
    problem = _locked(problem, version)
    if problem.status == Status.OPEN:
        raise refused(_("This entry is open already."))
    if not comment.strip():
        raise refused(_("Say why the entry is reopened."), field="comment", code="required")
    problem.status = Status.OPEN
    problem.closed_at = None
    problem.closed_by = None
    problem.review_comment = comment.strip()
    return _save(problem, "status", "closed_at", "closed_by", "review_comment")


@transaction.atomic
def reassign_problem(
    *,
    user: User,
    problem: RaisedProblem,
    owner: User,
    deadline: datetime.date,
    version: int,
) -> RaisedProblem:
    """Head office hands the entry to someone else or moves its due date."""
    _require_reviewer(user)
    problem = _locked(problem, version)
    errors = Refusals()
    if problem.status == Status.CLOSED:
        errors.add(_("This entry is closed: reopen it first."))
    if not access.can_own_problem(owner, problem):
        errors.add(
            _(
                "%(user)s cannot own this entry: choose an active user of %(branch)s or of head office."
            )
            % {"user": owner, "branch": problem.visit.branch},
            field="owner",
            code="other_branch",
        )
    if deadline < problem.created_at.date():
        errors.add(
            _("The due date cannot come before the entry was made (%(date)s).")
            % {"date": problem.created_at.date()},
            field="deadline",
            code="too_early",
        )
    errors.raise_any()
    problem.owner = owner
    problem.deadline = deadline
    return _save(problem, "owner", "deadline")
