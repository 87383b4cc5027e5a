"""Publishing head office's results to a branch, the branch's objections and
head office's review of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, evidence_files, selectors
from ..forms import add_service_errors
from ..models import Branch, Objection, ObjectionEvidence, Visit
from ..objection_forms import ObjectionDecisionForm, ObjectionForm
from ..services import objections as services


@login_required
@require_POST
def campaign_publish(request, pk, branch_pk):
    """Head office publishes a branch's results (通报): the window opens."""
    campaign = access.get_visible(access.visible_campaigns(request.user), pk=pk)
    branch = get_object_or_404(Branch, pk=branch_pk)
    try:
        publication = services.publish_results(user=request.user, campaign=campaign, branch=branch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Results published to %(branch)s. Objections are accepted until %(date)s.")
            % {"branch": branch, "date": publication.window_closes_on.isoformat()},
        )
    return redirect(reverse("campaign-detail", args=[campaign.pk]) + f"#branch-{branch.pk}")


def _head_office_check(user, pk) -> Visit:
    return access.get_visible(
        access.visible_visits(user)
        .filter(kind=Visit.Kind.HEAD_OFFICE_CHECK)
        .select_related("campaign", "branch", "office"),
        pk=pk,
    )


@login_required
def visit_objection_new(request, pk):
    visit = _head_office_check(request.user, pk)
    if not access.can_object(request.user, visit):
        raise PermissionDenied(_("Only the branch's managers may object to its results."))
    status = selectors.results_status(
        campaign=visit.campaign, branch=visit.branch, today=timezone.localdate()
    )
    targets = selectors.objection_targets(visit=visit)
    form = ObjectionForm(request.POST or None, request.FILES or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            objection = services.raise_objection(
                user=request.user,
                visit=visit,
                target=form.cleaned_data["target"],
                grounds=form.cleaned_data["grounds"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Objection sent to head office."))
            return redirect("objection-detail", objection.pk)
    return render(
        request,
        "inspections/objections/new.html",
        {"visit": visit, "form": form, "status": status},
        status=400 if form.errors else 200,
    )


def _objection_for(user, pk) -> Objection:
    return access.get_visible(
        access.visible_objections(user).select_related(
            "visit__campaign", "visit__branch", "visit__office", "raised_by", "decided_by"
        ),
        pk=pk,
    )


@login_required
def objection_detail(request, pk):
    """An objection with its evidence; head office decides it here."""
    objection = _objection_for(request.user, pk)
    visit = objection.visit
    can_decide = not objection.is_settled and access.can_decide_objection(request.user, visit)
    target = None
    if can_decide:
        target = next(
            (t for t in selectors.objection_targets(visit=visit) if t.key == objection.target),
            None,
        )
    form = ObjectionDecisionForm(request.POST or None, target=target)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied(_("This objection cannot be decided by you, or any more."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decide_objection(
                    user=request.user,
                    objection=objection,
                    upheld=data["decision"] == "uphold",
                    reason=data["reason"],
                    corrected_value=data["corrected_value"] or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("objection-detail", objection.pk)
    return render(
        request,
        "inspections/objections/detail.html",
        {
            "objection": objection,
            "visit": visit,
            "form": form if can_decide else None,
            "target": target,
            "original": objection.original_label,
            "corrected": objection.corrected_label,
            "status": selectors.results_status(
                campaign=visit.campaign, branch=visit.branch, today=timezone.localdate()
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
def objection_evidence(request, uuid):
    evidence = access.get_visible(
        ObjectionEvidence.objects.filter(objection__in=access.visible_objections(request.user)),
        uuid=uuid,
    )
    return evidence_files.file_response(evidence)
