"""Rectification action pages: the branch manager's list, an action's timeline
and its steps, extension decisions and head office's statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
from ..forms import add_service_errors
from ..models import ActionEvidence, DeadlineExtension, RectificationAction
from ..models.ordering import office_order
from ..params import query_id


@login_required
def action_list(request):
    user = request.user
    today = timezone.localdate()
    areas = ContentArea.objects.filter(rubric__campaigns__in=selectors.visible_campaigns(user=user))
    area_choices = dict(areas.order_by("order").values_list("code", "name"))
    form = ActionFilterForm(
        request.GET or None,
        offices=access.visible_offices(user).order_by(*office_order()),
        campaigns=selectors.visible_campaigns(user=user),
        areas=area_choices.items(),
    )
    actions = list(selectors.action_list(user=user, today=today, filters=form.filters()))
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
            "counts": selectors.action_counts(user=user, today=today),
            "today": today,
            "pending_extensions": pending,
            "is_head_office": user.is_head_office,
        },
    )


@login_required
def action_detail(request, pk):
    return _detail_page(request, selectors.action_detail(user=request.user, pk=pk))


def _detail_page(request, action, *, failed_decision=None, **failed_forms):
    """The action's page; a step refused is shown again with its form as typed
    and its errors beside the fields (status 200, nothing saved)."""
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
    forms = {
        "progress_form": ProgressForm(),
        "submit_form": SubmitForm(),
        "verify_form": VerifyForm(),
        "extension_form": ExtensionRequestForm(),
    } | failed_forms
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
            # (extension pk, bound form) of a refused decision
            "failed_decision": failed_decision,
            **forms,
        },
    )


def _action_for(user, pk) -> RectificationAction:
    return access.get_visible(access.visible_actions(user), pk=pk)


def _action_step(request, pk, form_class, form_name, perform, done):
    """One step on an action: the form validates, `perform(action, data)` calls
    the service; success redirects to the action with the message `done` (or
    `done(data)`), a refusal shows the page again with the form."""
    action = _action_for(request.user, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            perform(action, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done(form.cleaned_data) if callable(done) else done)
            return redirect("action-detail", action.pk)
    return _detail_page(
        request, selectors.action_detail(user=request.user, pk=action.pk), **{form_name: form}
    )


@login_required
@require_POST
def action_progress(request, pk):
    return _action_step(
        request,
        pk,
        ProgressForm,
        "progress_form",
        lambda action, data: services.add_progress(
            user=request.user, action=action, note=data["note"], files=data["files"]
        ),
        _("Progress recorded."),
    )


@login_required
@require_POST
def action_submit(request, pk):
    return _action_step(
        request,
        pk,
        SubmitForm,
        "submit_form",
        lambda action, data: services.submit_for_verification(
            user=request.user, action=action, text=data["text"], files=data["files"]
        ),
        _("Submitted for verification."),
    )


def _verify(user, action, data) -> None:
    if data["decision"] == "close":
        services.close_action(user=user, action=action, comment=data["comment"])
    else:
        services.reopen_action(user=user, action=action, comment=data["comment"])


@login_required
@require_POST
def action_verify(request, pk):
    return _action_step(
        request,
        pk,
        VerifyForm,
        "verify_form",
        lambda action, data: _verify(request.user, action, data),
        lambda data: _("Action closed.") if data["decision"] == "close" else _("Action reopened."),
    )


@login_required
@require_POST
def action_extension_request(request, pk):
    return _action_step(
        request,
        pk,
        ExtensionRequestForm,
        "extension_form",
        lambda action, data: services.request_extension(user=request.user, action=action, **data),
        _("Extension requested: head office will decide."),
    )


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
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("action-detail", extension.action_id)
    action = selectors.action_detail(user=request.user, pk=extension.action_id)
    return _detail_page(request, action, failed_decision=(extension.pk, form))


@login_required
def action_evidence(request, uuid):
    """Action evidence is served only here, to users who may see the action."""
    evidence = access.get_visible(
        ActionEvidence.objects.filter(action__in=access.visible_actions(request.user)), uuid=uuid
    )
    return evidence_files.file_response(evidence)


def _stats_for(request):
    if not request.user.is_head_office:
        raise PermissionDenied
    campaign_id = query_id(request.GET, "campaign")
    if campaign_id is not None:
        access.get_visible(access.visible_campaigns(request.user), pk=campaign_id)
    return selectors.action_stats(
        user=request.user, today=timezone.localdate(), campaign_id=campaign_id
    ), campaign_id


@login_required
def action_stats(request):
    rows, campaign_id = _stats_for(request)
    return render(
        request,
        "inspections/actions/stats.html",
        {
            "rows": rows,
            "campaigns": selectors.visible_campaigns(user=request.user),
            "campaign_id": campaign_id,
            "threshold": selectors.REPEATED_OVERDUE_THRESHOLD,
        },
    )
