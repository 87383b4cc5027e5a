from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import access, selectors, services
from ..forms import RosterUploadForm
from ..models import Visit
from ..models.ordering import branch_order
from ..params import query_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The home page lists this many visits waiting for review; the review list has them all.
HOME_REVIEWS = 10


@login_required
def home(request):
    user = request.user
    if not user.has_role:
        return render(request, "inspections/no_role.html")
    # One query (and its prefetches) for the whole queue: its length is the count.
    reviews = list(selectors.review_queue(user=user))
    context = {
        "branches": selectors.branch_overview(user=user),
        "campaigns": selectors.visible_campaigns(user=user),
        "can_manage_roster": access.can_import_rosters(user),
        "visits": selectors.visit_list(user=user)
        .exclude(state=Visit.State.APPROVED)
        .order_by("start_date")[:20],
        # What a reviewer has to decide, and what an inspector has to correct.
        "reviews": reviews[:HOME_REVIEWS],
        "review_count": len(reviews),
        "returned": selectors.returned_visits(user=user),
    }
    return render(request, "inspections/home.html", context)


@login_required
def specialist_list(request):
    branch_id = query_id(request.GET, "branch")
    office_id = query_id(request.GET, "office")
    if branch_id is not None:
        access.get_visible(access.visible_branches(request.user), pk=branch_id)
    if office_id is not None:
        access.get_visible(access.visible_offices(request.user), pk=office_id)
    context = {
        "branches": access.visible_branches(request.user).order_by(*branch_order()),
        "specialists": selectors.specialist_list(
            user=request.user, branch_id=branch_id, office_id=office_id
        ),
        "branch_id": branch_id,
    }
    return render(request, "inspections/specialist_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request):
    if not access.can_import_rosters(request.user):
        raise PermissionDenied
    branches = access.roster_branches(request.user)
    errors = []
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, branches=branches)
        if form.is_valid():
            branch = form.cleaned_data["branch"]
            try:
                summary = services.import_roster(
                    branch=branch, content=form.cleaned_data["file"].read()
                )
            except services.RosterImportError as error:
                errors = error.errors
                messages.error(
                    request,
                    _(
                        "Nothing was imported: the roster has %(count)s problem(s). Correct them and upload again."
                    )
                    % {"count": len(errors)},
                )
            else:
                messages.success(
                    request,
                    _("Roster of %(branch)s imported: %(created)s added, %(updated)s updated.")
                    % {"branch": branch, "created": summary.created, "updated": summary.updated},
                )
                return redirect(f"{request.path}?branch={branch.pk}")
    else:
        form = RosterUploadForm(branches=branches)
    return render(request, "inspections/roster_import.html", {"form": form, "errors": errors})
