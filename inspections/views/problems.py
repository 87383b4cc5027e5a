"""The problem register's pages: the list (head office's, and each user's
share of it), an entry's page, and its three steps: the owner's response,
head office's close or reopen, head office's reassignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, selectors, services
from ..forms import add_service_errors
from ..models import RaisedProblem
from ..problem_forms import ReassignForm, ResponseForm, ReviewForm, filter_form

PAGE_SIZE = 50


@login_required
@require_GET
def problem_list(request):
    user = request.user
    today = timezone.localdate()
    form = filter_form(user=user, data=request.GET)
    page = Paginator(
        selectors.problem_list(user=user, today=today, filters=form.filters()), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for problem in page.object_list:
        problem.days_late = problem.days_overdue(today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/problems/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.problem_counts(user=user, today=today),
        },
    )


@login_required
@require_GET
def problem_detail(request, pk):
    return _detail_page(request, selectors.problem_detail(user=request.user, pk=pk))


def _detail_page(request, problem, **failed_forms):
    """The entry's page; a step refused comes back with its form as typed and
    its errors (status 200, nothing saved)."""
    user = request.user
    initial = {"version": problem.version}
    can_review = access.can_review_problems(user)
    forms = {
        "response_form": ResponseForm(initial=initial | {"response": problem.response}),
        "review_form": ReviewForm(initial=initial),
        "reassign_form": ReassignForm(
            initial=initial | {"owner": problem.owner_id, "deadline": problem.deadline},
            owners=selectors.problem_owners(problem=problem),
        ),
    } | failed_forms
    return render(
        request,
        "inspections/problems/detail.html",
        {
            "problem": problem,
            "days_late": problem.days_overdue(timezone.localdate()),
            "can_respond": access.can_respond_problem(user, problem) and problem.is_open,
            "can_review": can_review and problem.status != RaisedProblem.Status.OPEN,
            "can_reassign": can_review and problem.is_open,
            **forms,
        },
    )


def _problem_for(user, pk) -> RaisedProblem:
    return access.get_visible(access.visible_problems(user), pk=pk)


def _step(request, problem, *, may, form, form_name, perform, done):
    """One step on an entry by a user who `may` take it: the form validates,
    `perform(problem, data)` calls the service; success goes back to the entry
    with the message `done(data)`, a refusal shows the page again with the
    form and its errors."""
    if not may:
        raise PermissionDenied
    stale = False
    if form.is_valid():
        try:
            perform(problem, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            stale = services.has_code(error, services.STALE)
        else:
            messages.success(request, done(form.cleaned_data))
            return redirect("problem-detail", problem.pk)
    problem = selectors.problem_detail(user=request.user, pk=problem.pk)
    if stale:
        # The page now shows the entry as it is: posting again, having read
        # it, acts on this version (what was typed is kept).
        form.data = form.data.copy()
        form.data["version"] = problem.version
    return _detail_page(request, problem, **{form_name: form})


@login_required
@require_POST
def problem_respond(request, pk):
    problem = _problem_for(request.user, pk)
    return _step(
        request,
        problem,
        may=access.can_respond_problem(request.user, problem),
        form=ResponseForm(request.POST),
        form_name="response_form",
        perform=lambda problem, data: services.respond_to_problem(
            user=request.user, problem=problem, **data
        ),
        done=lambda data: _("Response saved: head office will review it."),
    )


def _review(user, problem, data) -> None:
    step = services.close_problem if data["decision"] == "close" else services.reopen_problem
    step(user=user, problem=problem, comment=data["comment"], version=data["version"])


@login_required
@require_POST
def problem_review(request, pk):
    return _step(
        request,
        _problem_for(request.user, pk),
        may=access.can_review_problems(request.user),
        form=ReviewForm(request.POST),
        form_name="review_form",
        perform=lambda problem, data: _review(request.user, problem, data),
        done=lambda data: (
            _("Entry closed.") if data["decision"] == "close" else _("Entry reopened.")
        ),
    )


@login_required
@require_POST
def problem_reassign(request, pk):
    problem = _problem_for(request.user, pk)
    return _step(
        request,
        problem,
        may=access.can_review_problems(request.user),
        form=ReassignForm(request.POST, owners=selectors.problem_owners(problem=problem)),
        form_name="reassign_form",
        perform=lambda problem, data: services.reassign_problem(
            user=request.user, problem=problem, **data
        ),
        done=lambda data: _("Owner and due date saved."),
    )
