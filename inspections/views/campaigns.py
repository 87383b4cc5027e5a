"""Head office's campaign pages: campaigns, the board, the draw, KPI figures."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoring.models import KpiThreshold
from scoring.results import kpi_passed

from .. import access, hooks, reminders, selectors, services
from ..downloads import private_file
from ..forms import (
    BranchReportSubmitForm,
    CampaignForm,
    GradeBandsForm,
    KpiUploadForm,
    ReasonForm,
    VisitPlanForm,
    add_service_errors,
)
from ..models import Branch, BranchReportSubmission, KpiFigure, Office, Visit
from ..models.ordering import branch_order, office_order
from ..params import query_id
from ..services.campaigns import figure_field

_OFFICES = Prefetch("offices", queryset=Office.objects.order_by(*office_order()))


def _campaign_for(user, pk):
    return access.get_visible(access.visible_campaigns(user).select_related("rubric"), pk=pk)


def _head_office_only(user):
    if not access.can_run_campaigns(user):
        raise PermissionDenied


@login_required
def campaign_list(request):
    return render(
        request,
        "inspections/campaign_list.html",
        {
            "campaigns": selectors.visible_campaigns(user=request.user),
            "can_create": access.can_run_campaigns(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    _head_office_only(request.user)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campaign “%(name)s” opened.") % {"name": campaign.name})
            return redirect("campaign-detail", campaign.pk)
    return render(request, "inspections/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    """The campaign board: every unit in scope, its visits and their states."""
    return _campaign_page(request, _campaign_for(request.user, pk))


def _campaign_page(request, campaign, *, bands_form=None, report_note=None):
    """The board; a form posted from it and refused is shown again as typed,
    its errors beside the field: `bands_form`, or `report_note` as (branch pk,
    bound form) of a branch report's submission."""
    today = timezone.localdate()
    bands = campaign.grade_band_defs()
    context = {
        "campaign": campaign,
        "board": selectors.campaign_board(campaign=campaign, user=request.user, today=today),
        "today": today,
        "is_head_office": access.can_run_campaigns(request.user),
        "can_plan": access.can_run_campaigns(request.user) or request.user.is_branch_manager,
        "sees_unit_results": access.sees_unit_results(request.user),
        "bands": bands,
        "bands_form": bands_form
        or GradeBandsForm(
            initial={
                "bands": "\n".join(f"{b.grade} {b.minimum_percent.normalize():f}" for b in bands)
            }
        ),
        "report_note": report_note,
        "bands_editable": not campaign.has_visits(),
        "history": selectors.draw_history(campaign=campaign, user=request.user),
    }
    return render(request, "inspections/campaign_detail.html", context)


@login_required
@require_POST
def campaign_grade_bands(request, pk):
    campaign = _campaign_for(request.user, pk)
    _head_office_only(request.user)
    form = GradeBandsForm(request.POST)
    if form.is_valid():
        try:
            services.update_grade_bands(
                user=request.user, campaign=campaign, bands=form.cleaned_data["bands"]
            )
        except ValidationError as error:
            form.add_error("bands", error)
        else:
            messages.success(request, _("Grade bands saved."))
            return redirect("campaign-detail", campaign.pk)
    return _campaign_page(request, campaign, bands_form=form)


@login_required
@require_POST
def campaign_draw(request, pk, branch_pk):
    campaign = _campaign_for(request.user, pk)
    _head_office_only(request.user)
    branch = get_object_or_404(Branch, pk=branch_pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        draw = services.draw_offices(
            user=request.user,
            campaign=campaign,
            branch=branch,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Drawn for %(branch)s: %(offices)s (seed %(seed)s).")
            % {"branch": branch, "offices": "、".join(draw.result_labels), "seed": draw.seed},
        )
    return redirect(reverse("campaign-detail", args=[campaign.pk]) + f"#branch-{branch.pk}")


@login_required
@require_POST
def campaign_remind(request, pk, branch_pk):
    """Send the branch's managers a reminder of the report due date."""
    campaign = _campaign_for(request.user, pk)
    branch = get_object_or_404(Branch, pk=branch_pk)
    try:
        count = reminders.send_report_reminder(user=request.user, campaign=campaign, branch=branch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Reminder sent to %(count)s manager(s) of %(branch)s.")
            % {"count": count, "branch": branch},
        )
    return redirect(reverse("campaign-detail", args=[campaign.pk]) + f"#branch-{branch.pk}")


@dataclass(frozen=True)
class KpiEntry:
    """One KPI input of the figures page: what is saved, what the input shows
    (what was typed, after a refused save) and why it was refused."""

    input_name: str
    saved: Decimal | None
    shown: object
    threshold: Decimal | None
    errors: list

    @property
    def passed(self) -> bool | None:
        return kpi_passed(self.saved, self.threshold)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_kpis(request, pk):
    """Head office enters its monitored KPI figures, by form or Excel upload."""
    campaign = _campaign_for(request.user, pk)
    _head_office_only(request.user)
    branches = list(campaign.branches.order_by(*branch_order()).prefetch_related(_OFFICES))
    mixed = KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE
    balanced = KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE
    upload_form = KpiUploadForm()
    errors, field_errors, typed = [], {}, {}
    if request.method == "POST" and "file" in request.FILES:
        upload_form = KpiUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                count = services.import_kpi_figures(
                    user=request.user, campaign=campaign, content=request.FILES["file"].read()
                )
            except ValidationError as error:
                errors = error.messages
                messages.error(
                    request, _("Nothing was imported: correct the rows listed and upload again.")
                )
            else:
                messages.success(request, _("%(count)s KPI figure(s) imported.") % {"count": count})
                return redirect("campaign-kpis", campaign.pk)
    elif request.method == "POST":
        entered = []
        for branch in branches:
            entered.append((balanced, branch, None, request.POST.get(f"balanced-{branch.pk}", "")))
            for office in branch.offices.all():
                entered.append((mixed, branch, office, request.POST.get(f"mixed-{office.pk}", "")))
        typed = {(k, b.pk, o.pk if o else None): v for k, b, o, v in entered}
        try:
            saved = services.save_kpi_figures(
                user=request.user,
                campaign=campaign,
                figures=[(k, b, o, v) for k, b, o, v in entered if v.strip()],
            )
        except ValidationError as error:
            for field, items in error.update_error_dict({}).items():
                for item in items:
                    if field == NON_FIELD_ERRORS:
                        errors.extend(item.messages)
                    else:
                        field_errors.setdefault(field, []).extend(item.messages)
            messages.error(request, _("Nothing was saved: correct the figures marked below."))
        else:
            messages.success(request, _("%(count)s KPI figure(s) saved.") % {"count": saved})
            return redirect("campaign-kpis", campaign.pk)
    figures = {
        (f.kpi, f.branch_id, f.office_id): f.value_percent
        for f in KpiFigure.objects.filter(campaign=campaign)
    }
    thresholds = {
        (t.kpi, t.rollout_batch): t.minimum_percent for t in campaign.rubric.kpi_thresholds.all()
    }

    def entry(kpi, branch, office) -> KpiEntry:
        key = (kpi, branch.pk, office.pk if office else None)
        saved = figures.get(key)
        return KpiEntry(
            input_name=f"mixed-{office.pk}" if office else f"balanced-{branch.pk}",
            saved=saved,
            shown=typed.get(key, "" if saved is None else saved),
            threshold=thresholds.get((kpi, branch.rollout_batch)),
            errors=field_errors.get(
                figure_field(kpi=kpi, branch_id=branch.pk, office_id=key[2]), []
            ),
        )

    rows = [
        (
            branch,
            entry(balanced, branch, None),
            [(office, entry(mixed, branch, office)) for office in branch.offices.all()],
        )
        for branch in branches
    ]
    return render(
        request,
        "inspections/campaign_kpis.html",
        {"campaign": campaign, "rows": rows, "upload_form": upload_form, "errors": errors},
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_plan(request, pk):
    campaign = _campaign_for(request.user, pk)
    user = request.user
    if access.can_run_campaigns(user):
        kinds = [Visit.Kind.HEAD_OFFICE_CHECK]
        branches = campaign.branches.order_by(*branch_order())
    elif user.is_branch_manager:
        kinds = [Visit.Kind.SELF_INSPECTION]
        branches = campaign.branches.filter(pk=user.branch_id)
    else:
        raise PermissionDenied
    initial = {"start_date": campaign.period_start, "end_date": campaign.period_start}
    for key in ("branch", "office"):
        if (chosen := query_id(request.GET, key)) is not None:
            initial[key] = chosen
    form = VisitPlanForm(request.POST or None, initial=initial, branches=branches, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.plan_visit(user=user, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Visit planned."))
            return redirect("visit-detail", visit.pk)
    return render(request, "inspections/visit_plan.html", {"form": form, "campaign": campaign})


# --- the branch's acceptance report -------------------------------------------------


@login_required
@require_POST
def branch_report_submit(request, pk, branch_pk):
    """A branch manager submits the branch's acceptance report to head office:
    the branch report (PDF) as last built, kept as it is at this moment."""
    campaign = _campaign_for(request.user, pk)
    branch = access.get_visible(access.visible_branches(request.user), pk=branch_pk)
    if not access.can_submit_branch_report(request.user, branch):
        raise PermissionDenied
    form = BranchReportSubmitForm(request.POST)
    if form.is_valid():
        try:
            submission = services.submit_branch_report(
                user=request.user,
                campaign=campaign,
                branch=branch,
                report=hooks.built_branch_report(campaign=campaign, branch=branch),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if submission.is_late:
                messages.warning(
                    request,
                    _("Report submitted after the due date (%(date)s): it is marked late.")
                    % {"date": campaign.report_due},
                )
            else:
                messages.success(request, _("The branch's acceptance report is submitted."))
            return redirect(reverse("campaign-detail", args=[campaign.pk]) + f"#branch-{branch.pk}")
    return _campaign_page(request, campaign, report_note=(branch.pk, form))


@login_required
@require_GET
def branch_report_submitted_file(request, pk, branch_pk):
    """The report file as the branch submitted it: head office and that
    branch's managers only."""
    campaign = _campaign_for(request.user, pk)
    branch = access.get_visible(access.visible_branches(request.user), pk=branch_pk)
    if not access.can_read_branch_report(request.user, branch_id=branch.pk):
        raise PermissionDenied
    submission = get_object_or_404(
        BranchReportSubmission.objects.exclude(file=""), campaign=campaign, branch=branch
    )
    return private_file(
        submission.file,
        filename=submission.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
        missing=_("The report file is missing."),
    )
