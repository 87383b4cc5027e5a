"""A unit's results across campaigns (issue 15, point 4): an office's or a
branch's page and its workbook. Head office sees every unit, a branch
manager their own branch's (404 for another's); inspectors see no unit's
results (`access.sees_unit_results`): 403."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspections import access

from .exporters.trends import TrendXlsxExporter
from .selectors.losses import BANDS
from .selectors.trends import unit_trend
from .views import workbook_response


def _office_for(user, pk):
    office = access.get_visible(access.visible_offices(user).select_related("branch"), pk=pk)
    if not access.sees_unit_results(user):
        raise PermissionDenied
    return office


def _branch_for(user, pk):
    branch = access.get_visible(access.visible_branches(user), pk=pk)
    if not access.sees_unit_results(user):
        raise PermissionDenied
    return branch


def _page(request, *, branch, office):
    trend = unit_trend(
        branch_id=branch.pk, office_id=office.pk if office else None, whole_branch=office is None
    )
    return render(
        request,
        "reports/trends/unit_trend.html",
        {"branch": branch, "office": office, "trend": trend, "bands": list(enumerate(BANDS))},
    )


@login_required
@require_GET
def office_trend(request, pk):
    office = _office_for(request.user, pk)
    return _page(request, branch=office.branch, office=office)


@login_required
@require_GET
def branch_trend(request, pk):
    return _page(request, branch=_branch_for(request.user, pk), office=None)


@login_required
@require_GET
def office_trend_xlsx(request, pk):
    office = _office_for(request.user, pk)
    return workbook_response(TrendXlsxExporter(branch_id=office.branch_id, office_id=office.pk))


@login_required
@require_GET
def branch_trend_xlsx(request, pk):
    branch = _branch_for(request.user, pk)
    return workbook_response(TrendXlsxExporter(branch_id=branch.pk))
