"""The change history of a visit: who changed which score, answer, finding or
action, and when."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access, selectors

PAGE_SIZE = 100


@login_required
@require_GET
def visit_history(request, pk):
    visit = access.get_visible(
        access.visible_visits(request.user).select_related("campaign", "branch", "office"), pk=pk
    )
    page = Paginator(selectors.visit_changes(visit=visit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "inspections/visit_history.html",
        {
            "visit": visit,
            "page": page,
            "entries": selectors.visit_history(visit=visit, entries=list(page.object_list)),
        },
    )
