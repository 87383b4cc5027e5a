"""Rectification action pages: the branch manager's list, an action's timeline
and its steps, extension decisions and head office's statistics."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.exporters.excel import safe_row
from scoring.models import ContentArea

from .. import access, evidence_files, selectors, services
from ..action_forms import (
    ActionFilterForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ProgressForm,
    SubmitForm,
    VerifyForm,
)
from ..models import ActionEvidence, DeadlineExtension, RectificationAction
from ..models.ordering import office_order
from .organisation import XLSX


def _errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form):
    """Each problem of the form once, as a message on the action's page."""
    for message in dict.fromkeys(m for errors in form.errors.values() for m in errors):
        messages.error(request, message)


@login_required
def action_list(request):
    user = request.user
    today = timezone.localdate()
    areas = ContentArea.objects.filter(rubric__campaigns__in=selectors.visible_campaigns(user))
    area_choices = dict(areas.order_by("order").values_list("code", "name"))
    form = ActionFilterForm(
        request.GET or None,
        offices=access.visible_offices(user).order_by(*office_order()),
        campaigns=selectors.visible_campaigns(user),
        areas=area_choices.items(),
    )
    actions = list(selectors.action_list(user, today, filters=form.filters()))
    for action in actions:
        action.days_late = action.days_overdue(today)
    pending = (
        DeadlineExtension.objects.filter(state=DeadlineExtension.State.PENDING)
        .select_related("action__visit__branch", "requested_by")
        .order_by("requested_at")
        if access.can_decide_extensions(user)
        else []
    )
    return render(
        request,
        "inspections/actions/list.html",
        {
            "form": form,
            "actions": actions,
            "counts": selectors.action_counts(user, today),
            "today": today,
            "pending_extensions": pending,
            "is_head_office": user.is_head_office,
        },
    )


@login_required
def action_detail(request, pk):
    try:
        action = selectors.action_detail(request.user, pk)
    except RectificationAction.DoesNotExist:
        raise Http404 from None
    user = request.user
    today = timezone.localdate()
    can_work = access.can_work_action(user, action) and action.status in (
        RectificationAction.Status.OPEN,
        RectificationAction.Status.IN_PROGRESS,
    )
    can_verify = access.can_verify_action(user, action) and action.status in (
        RectificationAction.Status.SUBMITTED,
        RectificationAction.Status.CLOSED,
    )
    return render(
        request,
        "inspections/actions/detail.html",
        {
            "action": action,
            "days_late": action.days_overdue(today),
            "can_work": can_work,
            "can_verify": can_verify,
            "can_request_extension": access.can_request_extension(user, action) and action.is_open,
            "can_decide": access.can_decide_extensions(user),
            "progress_form": ProgressForm(),
            "submit_form": SubmitForm(),
            "verify_form": VerifyForm(),
            "extension_form": ExtensionRequestForm(),
            "decision_form": ExtensionDecisionForm(),
        },
    )


def _action_for(user, pk) -> RectificationAction:
    return get_object_or_404(access.visible_actions(user), pk=pk)


@login_required
@require_POST
def action_progress(request, pk):
    action = _action_for(request.user, pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_progress(
                user=request.user,
                action=action,
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Progress recorded."))
    else:
        _form_errors(request, form)
    return redirect("action-detail", action.pk)


@login_required
@require_POST
def action_submit(request, pk):
    action = _action_for(request.user, pk)
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_for_verification(
                user=request.user,
                action=action,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Submitted for verification."))
    else:
        _form_errors(request, form)
    return redirect("action-detail", action.pk)


@login_required
@require_POST
def action_verify(request, pk):
    action = _action_for(request.user, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("action-detail", action.pk)
    try:
        if form.cleaned_data["decision"] == "close":
            services.close_action(
                user=request.user, action=action, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("Action closed."))
        else:
            services.reopen_action(
                user=request.user, action=action, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("Action reopened."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("action-detail", action.pk)


@login_required
@require_POST
def action_extension_request(request, pk):
    action = _action_for(request.user, pk)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_extension(user=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Extension requested: head office will decide."))
    else:
        _form_errors(request, form)
    return redirect("action-detail", action.pk)


@login_required
@require_POST
def action_extension_decide(request, extension_pk):
    if not access.can_decide_extensions(request.user):
        raise PermissionDenied
    extension = get_object_or_404(DeadlineExtension, pk=extension_pk)
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_extension(
                user=request.user,
                extension=extension,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Decision recorded."))
    else:
        _form_errors(request, form)
    return redirect("action-detail", extension.action_id)


@login_required
def action_evidence(request, uuid):
    """Action evidence is served only here, to users who may see the action."""
    evidence = ActionEvidence.objects.filter(uuid=uuid).first()
    if (
        evidence is None
        or not access.visible_actions(request.user).filter(pk=evidence.action_id).exists()
    ):
        raise Http404
    return evidence_files.file_response(evidence)


def _stats_for(request):
    if not request.user.is_head_office:
        raise PermissionDenied
    try:
        campaign_id = int(request.GET.get("campaign") or 0) or None
    except ValueError:
        campaign_id = None
    return selectors.action_stats(
        request.user, timezone.localdate(), campaign_id=campaign_id
    ), campaign_id


@login_required
def action_stats(request):
    rows, campaign_id = _stats_for(request)
    return render(
        request,
        "inspections/actions/stats.html",
        {
            "rows": rows,
            "campaigns": selectors.visible_campaigns(request.user),
            "campaign_id": campaign_id,
            "threshold": selectors.REPEATED_OVERDUE_THRESHOLD,
        },
    )


@login_required
def action_stats_xlsx(request):
    rows, _campaign_id = _stats_for(request)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改统计"
    sheet.append(
        ["分公司", "机构", "未关闭", "逾期", "已关闭", "按期关闭", "按期关闭率(%)", "重复逾期"]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            safe_row(
                [
                    row.branch,
                    row.unit,
                    row.open,
                    row.overdue,
                    row.closed,
                    row.closed_on_time,
                    row.on_time_rate,
                    "是" if row.repeated_overdue else "",
                ]
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''action-statistics.xlsx"
    return response
