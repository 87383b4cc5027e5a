"""Where points are lost (issue 15, point 3): a campaign's losses by section and
item, the heat map of branches × sections, the ten items that lose the most,
checklist requirements by non-compliance rate, the workbook of those tables, and
the findings behind any figure.

For those who see units' results (`access.sees_unit_results`): head office,
every branch; a branch manager, their own branch only (another branch named in
the query is a 404). Inspectors are refused (403). Filters arrive in the query
string and are checked before any figure is read: a malformed or unknown value
is a 400 that says which.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from inspections import access
from inspections.params import BadParameter, query_id
from scoring.models import RolloutBatch

from .exporters.losses import LossesXlsxExporter
from .selectors.losses import BANDS, Scope, UnknownCell, cell_outcomes, find_cell, losses
from .selectors.losses import scope_branches as branches_of
from .views import workbook_response

PAGE_SIZE = 50


def _scope(request, pk) -> Scope:
    user = request.user
    campaign = access.get_visible(access.visible_campaigns(user).select_related("rubric"), pk=pk)
    if not access.sees_unit_results(user):
        raise PermissionDenied
    batch = request.GET.get("batch", "")
    if batch and batch not in RolloutBatch.values:
        raise BadParameter(
            _("“%(value)s” is not a rollout batch: go back and choose one from the list.")
            % {"value": batch[:40]}
        )
    branches = branches_of(campaign=campaign, user=user)
    branch_id = query_id(request.GET, "branch")
    if branch_id is not None:
        # Another branch, or one outside the campaign: a 404, as if it did not exist.
        branch = access.get_visible(branches, pk=branch_id)
    elif not access.sees_all_branches(user):
        branch = branches.first()  # a branch manager: always their own branch
    else:
        branch = None
    return Scope(campaign=campaign, user=user, branch=branch, batch=batch)


def _filters(scope: Scope) -> dict:
    """What the filter form offers and what is chosen."""
    user = scope.user
    return {
        "batches": RolloutBatch.choices,
        "branches": list(branches_of(campaign=scope.campaign, user=user))
        if access.sees_all_branches(user)
        else [],
        "query": urlencode(scope.params()),
    }


@login_required
@require_GET
def campaign_losses(request, pk):
    scope = _scope(request, pk)
    data = losses(scope=scope)
    return render(
        request,
        "reports/losses/page.html",
        {
            "campaign": scope.campaign,
            "scope": scope,
            "data": data,
            "bands": list(enumerate(BANDS)),
            **_filters(scope),
        },
    )


@login_required
@require_GET
def campaign_losses_xlsx(request, pk):
    """The page's tables as one workbook, with the page's filters."""
    scope = _scope(request, pk)
    exporter = LossesXlsxExporter(
        campaign_id=scope.campaign.pk,
        user_id=request.user.pk,
        branch_id=scope.branch.pk if scope.branch is not None else None,
        batch=scope.batch,
    )
    return workbook_response(exporter)


@login_required
@require_GET
def campaign_loss_visits(request, pk):
    """The findings behind one figure: a section's, an item's or a requirement's
    (in the scope's branch or batch), worst first, with each visit's remark."""
    scope = _scope(request, pk)
    codes = {name: request.GET.get(name, "")[:50] for name in ("sheet", "part", "section", "item")}
    if not codes["sheet"] or not codes["section"]:
        raise BadParameter(_("Choose a figure of the losses page: its sheet and section."))
    try:
        cell = find_cell(campaign=scope.campaign, **codes)
    except UnknownCell as error:
        what = {"sheet": _("sheet"), "section": _("section"), "item": _("item")}[str(error)]
        raise BadParameter(
            _(
                "This campaign's rubric has no such %(what)s: go back and choose a figure "
                "of the losses page."
            )
            % {"what": what}
        ) from None
    outcomes = cell_outcomes(scope=scope, cell=cell)
    page = Paginator(outcomes.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.item_text = cell.texts.get(row.item_code, "")
    query = urlencode(
        {k: v for k, v in request.GET.items() if k != "page" and k in {*codes, "branch", "batch"}}
    )
    return render(
        request,
        "reports/losses/visits.html",
        {
            "campaign": scope.campaign,
            "scope": scope,
            "cell": cell,
            "outcomes": outcomes,
            "page": page,
            "rows": rows,
            "query": query,
            "back_query": urlencode(scope.params()),
        },
    )
