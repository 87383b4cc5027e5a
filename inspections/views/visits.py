"""The inspector's visit pages and the reviewer's decision.

Each view reads through `selectors`/`access`, validates with a form and
changes state only through `services`.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from scoring import definitions as d
from scoring.answers import sheet_answers
from scoring.engine import check_sheet
from scoring.models import InterviewAudience, Sheet
from scoring.results import unit_result
from scoring.selectors import checklist_requirements, sheet_definition

from .. import access, evidence_files, selectors, services
from ..forms import (
    ActionForm,
    ChecklistForm,
    EvidenceForm,
    FindingForm,
    InterviewForm,
    KpiNoteForm,
    LineWaiverForm,
    LogEntryForm,
    NewSheetForm,
    ReviewForm,
    SheetEvidenceForm,
    SpecialistDrawForm,
    add_service_errors,
)
from ..models import (
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    Office,
    PartRecord,
    ProcessLogEntry,
    RandomDraw,
    SheetRecord,
    User,
    Visit,
)
from ..params import BadParameter, query_id
from ..sheet_forms import SheetForm, parts_html


def _visit_for(user, pk) -> Visit:
    return access.get_visible(
        access.visible_visits(user).select_related("campaign__rubric", "branch", "office"), pk=pk
    )


def _editable_visit(user, pk) -> Visit:
    return _check_editable(user, _visit_for(user, pk))


def _check_editable(user, visit: Visit) -> Visit:
    if not access.can_edit_visit(user, visit):
        raise PermissionDenied(
            _("This visit is %(state)s: it can no longer change.")
            % {"state": visit.get_state_display()}
            if not visit.is_editable
            else _("Only the visit's inspectors may change it.")
        )
    return visit


def _report_errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


@login_required
def visit_list(request):
    campaign_id = query_id(request.GET, "campaign")
    if campaign_id is not None:
        access.get_visible(access.visible_campaigns(request.user), pk=campaign_id)
    return render(
        request,
        "inspections/visit_list.html",
        {"visits": selectors.visit_list(user=request.user, campaign_id=campaign_id)},
    )


@login_required
def review_list(request):
    """The submitted visits waiting for this user's decision: head office every
    visit, a branch manager their branch's self-inspections; and for head
    office, the branches' objections awaiting review."""
    return render(
        request,
        "inspections/review_list.html",
        {
            "visits": selectors.review_queue(user=request.user),
            "objections": selectors.objections_to_review(user=request.user),
        },
    )


@login_required
def visit_detail(request, pk):
    return _visit_page(request, _visit_for(request.user, pk))


def _visit_page(request, visit, *, waiver_failed=None, **failed_forms):
    """The visit's page; a form posted from it and refused is shown again as
    typed, its errors beside the fields (status 200, nothing saved)."""
    user = request.user
    rubric = visit.campaign.rubric
    sheets = list(rubric.sheets.order_by("order"))
    records = list(
        visit.sheet_records.select_related(
            "sheet", "specialist__home_post", "chosen_alternative"
        ).order_by("sheet__order", "specialist__employee_no")
    )
    checklists = list(visit.checklists.select_related("sheet", "specialist"))
    specialists = selectors.unit_specialists(visit=visit)
    can_edit = access.can_edit_visit(user, visit)
    waivers = {w.business_line: w for w in visit.line_waivers.all()}
    # A sheet refused for its specialist comes back with what was chosen.
    chosen = request.GET.get("sheet"), request.GET.get("specialist")
    lines = []
    for sheet in sheets:
        if sheet.kind == Sheet.Kind.SCORED:
            lines.append(
                {
                    "sheet": sheet,
                    "records": [r for r in records if r.sheet_id == sheet.pk],
                    "waiver": waivers.get(sheet.business_line),
                    # Who may be scored on this sheet; the others with the reason why not.
                    "candidates": [
                        (person, person.ineligibility_reason(sheet.business_line))
                        for person in specialists
                    ]
                    if can_edit
                    else [],
                    "chosen": chosen[1] if chosen[0] == str(sheet.pk) else None,
                }
            )
    checklist_rows = []
    scored_people = {r.specialist_id: r.specialist for r in records}
    for sheet in sheets:
        if sheet.kind != Sheet.Kind.CHECKLIST:
            continue
        if sheet.per_specialist:
            people = {
                **scored_people,
                **{c.specialist_id: c.specialist for c in checklists if c.sheet_id == sheet.pk},
            }
            for person in people.values():
                record = next(
                    (
                        c
                        for c in checklists
                        if c.sheet_id == sheet.pk and c.specialist_id == person.pk
                    ),
                    None,
                )
                checklist_rows.append({"sheet": sheet, "specialist": person, "record": record})
        else:
            record = next(
                (c for c in checklists if c.sheet_id == sheet.pk and c.specialist_id is None), None
            )
            checklist_rows.append({"sheet": sheet, "specialist": None, "record": record})
    specialist_draws = list(
        visit.draws.filter(kind=RandomDraw.Kind.SPECIALISTS).select_related("drawn_by")
    )
    context = {
        "visit": visit,
        "can_edit": can_edit,
        "can_review": access.can_review_visit(user, visit) and visit.state == Visit.State.SUBMITTED,
        "lines": lines,
        # The unit's score and grade, as its acceptance report computes them.
        "unit_result": unit_result([r.percent for r in records], visit.campaign.grade_band_defs()),
        "checklist_rows": checklist_rows,
        "specialists": specialists,
        "scored_sheets": [s for s in sheets if s.kind == Sheet.Kind.SCORED],
        "draw_form": failed_forms.get("draw_form") or (SpecialistDrawForm() if can_edit else None),
        # (business line, bound form) of a refused line waiver
        "waiver_failed": waiver_failed,
        "specialist_draws": specialist_draws,
        # A draw now supersedes this one: the confirmation says so.
        "current_specialist_draw": next((d for d in specialist_draws if d.is_current), None),
        "transitions": visit.transitions.select_related("by"),
        "open_return": selectors.open_return(visit=visit),
        "kpis": selectors.visit_kpis(visit=visit),
        "log_count": visit.log_entries.count(),
        "interview_count": visit.interviews.count(),
        "findings": visit.findings.select_related("content_area"),
        "actions": visit.actions.select_related("content_area", "responsible_office"),
        "review_form": failed_forms.get("review_form") or ReviewForm(),
        "missing": selectors.visit_missing_items(visit=visit) if can_edit else [],
    }
    if visit.state == Visit.State.APPROVED:
        # As the visit's own report lists them, for whoever may read it.
        context["repeat_findings"] = selectors.repeat_findings(visit=visit)
        # The unit's scores across campaigns: only for those who see results.
        context["show_trend"] = access.sees_unit_results(user)
    if visit.kind == Visit.Kind.HEAD_OFFICE_CHECK and visit.state == Visit.State.APPROVED:
        context["results_status"] = selectors.results_status(
            campaign=visit.campaign, branch=visit.branch, today=timezone.localdate()
        )
        context["objections"] = selectors.visit_objections(visit=visit)
        context["can_object"] = access.can_object(user, visit)
    if visit.state == Visit.State.APPROVED:
        # Whoever sees the visit sees its entries (access.visible_problems).
        context["raised_problems"] = visit.raised_problems.select_related("owner").order_by("pk")
    return render(request, "inspections/visit_detail.html", context)


@login_required
@require_POST
def visit_start(request, pk):
    """The inspector starts the check on site; an unannounced check becomes
    known to the branch from now on."""
    visit = _editable_visit(request.user, pk)
    try:
        services.start_visit(user=request.user, visit=visit)
    except ValidationError as error:
        _report_errors(request, error)
    else:
        messages.success(request, _("The check is started on site."))
    return redirect("visit-detail", visit.pk)


@login_required
@require_POST
def visit_draw_specialists(request, pk):
    visit = _editable_visit(request.user, pk)
    form = SpecialistDrawForm(request.POST)
    if form.is_valid():
        try:
            draw = services.draw_specialists(
                user=request.user,
                visit=visit,
                size=form.cleaned_data["size"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Drawn: %(names)s (seed %(seed)s).")
                % {"names": "、".join(draw.result_labels), "seed": draw.seed},
            )
            return redirect(reverse("visit-detail", args=[visit.pk]) + "#specialists")
    return _visit_page(request, visit, draw_form=form)


@login_required
@require_POST
def visit_line_waiver(request, pk):
    visit = _editable_visit(request.user, pk)
    form = LineWaiverForm(request.POST)
    if form.is_valid():
        try:
            services.save_line_waiver(user=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("visit-detail", args=[visit.pk])
                + f"#line-{form.cleaned_data['business_line']}"
            )
    return _visit_page(request, visit, waiver_failed=(request.POST.get("business_line"), form))


# --- scored sheets ---------------------------------------------------------


# Explicit orders within one record: the models' default orderings start with
# the parent (sheet record, visit), which Django expands into the parents' own
# orderings, joining and sorting by campaign, branch, office, … for nothing.
_PART_RECORDS = PartRecord.objects.select_related("part").order_by("part__order", "id")


def _sheet_context(visit, sheet, form, record=None, specialist=None):
    definition = form.definition
    if record is not None:
        evidence = list(record.evidence.order_by("uploaded_at", "id"))
    else:  # photos taken before the first save wait for it
        evidence = list(
            Evidence.objects.filter(
                visit=visit, sheet_record=None, pending_sheet=sheet, pending_specialist=specialist
            ).order_by("uploaded_at", "id")
        )
    can_edit = visit.is_editable
    blocks = form.blocks()
    is_alternatives = definition.grouping == d.ALTERNATIVES
    return {
        "visit": visit,
        "sheet": sheet,
        "form": form,
        "record": record,
        "definition": definition,
        "is_alternatives": is_alternatives,
        "is_parts": definition.grouping == d.PARTS,
        "evidence": evidence,
        "evidence_form": EvidenceForm(),
        "can_edit": can_edit,
        "blocks": blocks,
        "sheet_parts": parts_html(form, blocks, evidence, can_attach=can_edit),
        "selection_radios": form.radios_html("selection_method"),
        "alternative_radios": form.radios_html(
            "chosen_alternative",
            badges={
                index: _("preferred when there is no claim")
                for index, part in enumerate(definition.parts)
                if part.preferred
            },
        )
        if is_alternatives
        else "",
    }


def _save_sheet_from_form(request, visit, sheet, form, specialist):
    data = form.cleaned_data
    return services.save_sheet(
        user=request.user,
        visit=visit,
        specialist=specialist,
        sheet=sheet,
        selection_method=data["selection_method"],
        parts=form.parts_data(),
        chosen_alternative=data.get("chosen_alternative"),
        alternative_reason=data.get("alternative_reason", ""),
        falsified_material=bool(data.get("falsified")),
        falsified_reason=data.get("falsified_reason", ""),
        # A page always carries the version it was opened at; a post without one
        # is taken as opened before any save, so it never skips the check.
        expected_version=data.get("version") or 0,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_sheet_new(request, pk):
    visit = _editable_visit(request.user, pk)
    rubric = visit.campaign.rubric
    source = request.POST if request.method == "POST" else request.GET
    pick = NewSheetForm(
        source,
        sheets=rubric.sheets.filter(kind=Sheet.Kind.SCORED).order_by("order"),
        specialists=selectors.unit_specialists(visit=visit),
    )
    if not pick.is_valid():
        for errors in pick.errors.values():
            for message in errors:
                messages.error(request, message)
        # Back to the sheet's list with the choice kept.
        kept = {k: source[k] for k in ("sheet", "specialist") if source.get(k, "").isdigit()}
        return redirect(f"{reverse('visit-detail', args=[visit.pk])}?{urlencode(kept)}#sheets")
    sheet, specialist = pick.cleaned_data["sheet"], pick.cleaned_data["specialist"]
    existing = SheetRecord.objects.filter(visit=visit, sheet=sheet, specialist=specialist).first()
    filled = request.method == "POST" and "selection_method" in request.POST
    if existing and not filled:
        return redirect("visit-sheet", visit.pk, existing.pk)
    definition = sheet_definition(sheet=sheet, in_use=True)  # the campaign's rubric: read-only
    stale_url = None  # a page opened before someone else's save: reload from here
    if filled:
        # A sheet someone else saved meanwhile: the service refuses this page's
        # save as stale, and the page keeps what was typed.
        form = SheetForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                record = _save_sheet_from_form(request, visit, sheet, form, specialist)
            except ValidationError as error:
                add_service_errors(form, error)
                if services.has_code(error, services.STALE):
                    saved = SheetRecord.objects.get(visit=visit, sheet=sheet, specialist=specialist)
                    stale_url = reverse("visit-sheet", args=[visit.pk, saved.pk])
            else:
                messages.success(
                    request,
                    _("Sheet saved: %(score)s of %(max)s.")
                    % {"score": record.score, "max": record.max_points},
                )
                return redirect("visit-sheet", visit.pk, record.pk)
    else:
        form = SheetForm(definition=definition)
    context = _sheet_context(visit, sheet, form, specialist=specialist)
    context["specialist"] = specialist
    context["stale_url"] = stale_url
    return render(request, "inspections/sheet_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_sheet(request, pk, record_pk):
    visit = _visit_for(request.user, pk)
    record = get_object_or_404(
        SheetRecord.objects.select_related(
            "sheet", "specialist__home_post", "chosen_alternative"
        ).prefetch_related(Prefetch("parts", _PART_RECORDS)),
        pk=record_pk,
        visit=visit,
    )
    # A visit's sheet belongs to its campaign's rubric version: in use, read-only.
    definition = sheet_definition(sheet=record.sheet, in_use=True)
    stale_url = None
    if request.method == "POST":
        _check_editable(request.user, visit)
        form = SheetForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                record = _save_sheet_from_form(
                    request, visit, record.sheet, form, record.specialist
                )
            except ValidationError as error:
                add_service_errors(form, error)
                if services.has_code(error, services.STALE):
                    stale_url = request.path
            else:
                messages.success(
                    request,
                    _("Sheet saved: %(score)s of %(max)s.")
                    % {"score": record.score, "max": record.max_points},
                )
                return redirect("visit-sheet", visit.pk, record.pk)
    else:
        form = SheetForm(definition=definition, initial=SheetForm.initial_from_record(record))
    context = _sheet_context(visit, record.sheet, form, record)
    context["specialist"] = record.specialist
    context["can_edit"] = request.method == "POST" or access.can_edit_visit(request.user, visit)
    context["stale_url"] = stale_url
    return render(request, "inspections/sheet_form.html", context)


@login_required
@require_POST
def visit_sheet_preview(request, pk, sheet_code):
    """The running score while the inspector types: the engine's, as JSON."""
    visit = _visit_for(request.user, pk)
    sheet = get_object_or_404(
        Sheet, rubric_id=visit.campaign.rubric_id, code=sheet_code, kind=Sheet.Kind.SCORED
    )
    definition = sheet_definition(sheet=sheet, in_use=True)  # the campaign's rubric: read-only
    form = SheetForm(request.POST, definition=definition)
    form.is_valid()  # the form's own refusals are reported with the engine's
    chosen = form.cleaned_data.get("chosen_alternative") or None
    # The save's path and rules (services.save_sheet): the same answers, the
    # same checks; refused values count as not answered.
    answers = sheet_answers(
        form.parts_data(),
        chosen_alternative=chosen if definition.grouping == d.ALTERNATIVES else None,
        alternative_reason=form.cleaned_data.get("alternative_reason", ""),
        falsified=bool(form.cleaned_data.get("falsified")),
        falsified_reason=form.cleaned_data.get("falsified_reason", ""),
    )
    assessment = check_sheet(definition, answers, visit.campaign.grade_band_defs())
    problems: dict[str, list[str]] = {
        name: [str(message) for message in messages] for name, messages in form.errors.items()
    }
    for problem in assessment.problems:
        problems.setdefault(problem.field, []).append(str(problem))
    result = assessment.result
    # The score of the valid answers; no percent or grade before anything is
    # scored (the engine's rule, the same for the saved sheet).
    return JsonResponse(
        {
            "ok": not problems,
            "problems": problems,
            "errors": [message for messages in problems.values() for message in messages],
            "scored": result.percent is not None,
            "score": str(result.score),
            "max": str(result.max_points),
            "percent": str(result.percent) if result.percent is not None else None,
            "grade": result.grade,
            "missing": len(result.missing),
            "parts": {
                p.key: {
                    "score": str(p.score),
                    "max": str(p.max_points),
                    "observed": p.observed,
                    "sections": {s.key: str(s.score) for s in p.sections},
                }
                for p in result.parts
            },
        }
    )


# --- checklists ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_checklist(request, pk, sheet_code):
    visit = _visit_for(request.user, pk)
    sheet = get_object_or_404(
        Sheet, rubric_id=visit.campaign.rubric_id, code=sheet_code, kind=Sheet.Kind.CHECKLIST
    )
    specialist = None
    if sheet.per_specialist:
        specialist = get_object_or_404(
            selectors.unit_specialists(visit=visit),
            pk=query_id(request.POST, "specialist") or query_id(request.GET, "specialist") or 0,
        )
    requirements = checklist_requirements(sheet=sheet_definition(sheet=sheet))
    record = ChecklistRecord.objects.filter(visit=visit, sheet=sheet, specialist=specialist).first()
    stale_url = None  # a page opened before someone else's save: reload from here
    if request.method == "POST":
        visit = _editable_visit(request.user, pk)
        form = ChecklistForm(request.POST, requirements=requirements)
        if form.is_valid():
            try:
                record = services.save_checklist(
                    user=request.user,
                    visit=visit,
                    sheet=sheet,
                    specialist=specialist,
                    answers=form.answers(),
                    # As for score sheets: a post without a version never skips the check.
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except ValidationError as error:
                add_service_errors(form, error)
                if services.has_code(error, services.STALE):
                    stale_url = request.path + (
                        f"?specialist={specialist.pk}" if specialist else ""
                    )
            else:
                messages.success(request, _("%(sheet)s saved.") % {"sheet": sheet.table_label})
                return redirect("visit-detail", visit.pk)
    else:
        form = ChecklistForm(
            requirements=requirements,
            initial=ChecklistForm.initial_from(
                record.answers if record else {}, record.version if record else 0
            ),
        )
    return render(
        request,
        "inspections/checklist_form.html",
        {
            "visit": visit,
            "sheet": sheet,
            "specialist": specialist,
            "form": form,
            "record": record,
            "can_edit": access.can_edit_visit(request.user, visit),
            "stale_url": stale_url,
            "evidence": record.evidence.all() if record else [],
            "evidence_form": EvidenceForm(),
        },
    )


# --- 表一 process log --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_log(request, pk):
    visit = _visit_for(request.user, pk)
    specialists = selectors.unit_specialists(visit=visit)
    form = LogEntryForm(specialists=specialists)
    if request.method == "POST":
        visit = _editable_visit(request.user, pk)
        form = LogEntryForm(request.POST, specialists=specialists)
        if form.is_valid():
            try:
                services.save_log_entry(user=request.user, visit=visit, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Row added to 表一."))
                return redirect("visit-log", visit.pk)
    return render(
        request,
        "inspections/visit_log.html",
        {
            "visit": visit,
            "entries": visit.log_entries.select_related("operator"),
            "form": form,
            "can_edit": access.can_edit_visit(request.user, visit),
        },
    )


@login_required
@require_POST
def visit_log_delete(request, pk, entry_pk):
    visit = _editable_visit(request.user, pk)
    entry = get_object_or_404(ProcessLogEntry, pk=entry_pk, visit=visit)
    services.delete_log_entry(user=request.user, entry=entry)
    messages.success(request, _("Row deleted."))
    return redirect("visit-log", visit.pk)


# --- KPIs -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_kpis(request, pk):
    visit = _visit_for(request.user, pk)
    form = KpiNoteForm(initial={"note": visit.kpi_monitoring_note})
    if request.method == "POST":
        visit = _editable_visit(request.user, pk)
        form = KpiNoteForm(request.POST)
        if form.is_valid():
            services.save_kpi_note(user=request.user, visit=visit, note=form.cleaned_data["note"])
            messages.success(request, _("Saved."))
            return redirect("visit-kpis", visit.pk)
    return render(
        request,
        "inspections/visit_kpis.html",
        {
            "visit": visit,
            "kpis": selectors.visit_kpis(visit=visit),
            "form": form,
            "can_edit": access.can_edit_visit(request.user, visit),
        },
    )


# --- interviews -------------------------------------------------------------


@login_required
def visit_interviews(request, pk):
    visit = _visit_for(request.user, pk)
    interviews = visit.interviews.select_related("audience").prefetch_related("answers__question")
    return render(
        request,
        "inspections/visit_interviews.html",
        {
            "visit": visit,
            "interviews": interviews,
            "audiences": visit.campaign.rubric.interview_audiences.all(),
            "required": selectors.required_interviews(visit=visit),
            "can_edit": access.can_edit_visit(request.user, visit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_interview(request, pk, interview_pk=None):
    visit = _visit_for(request.user, pk)
    interview = None
    if interview_pk:
        interview = get_object_or_404(
            Interview.objects.select_related("audience"), pk=interview_pk, visit=visit
        )
        audience = interview.audience
    else:
        audience = get_object_or_404(
            InterviewAudience,
            pk=query_id(request.GET, "audience") or query_id(request.POST, "audience") or 0,
            rubric_id=visit.campaign.rubric_id,
        )
    questions = audience.questions.all()
    if request.method == "POST":
        visit = _editable_visit(request.user, pk)
        form = InterviewForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                services.save_interview(
                    user=request.user,
                    visit=visit,
                    audience=audience,
                    interviewee=form.cleaned_data["interviewee"],
                    post=form.cleaned_data["post"],
                    notes=form.cleaned_data["notes"],
                    answers=form.answers(),
                    interview=interview,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Interview saved."))
                return redirect("visit-interviews", visit.pk)
    else:
        form = InterviewForm(
            questions=questions,
            initial=InterviewForm.initial_from(interview) if interview else None,
        )
    return render(
        request,
        "inspections/interview_form.html",
        {
            "visit": visit,
            "audience": audience,
            "form": form,
            "interview": interview,
            "can_edit": access.can_edit_visit(request.user, visit),
        },
    )


# --- findings and actions ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_findings(request, pk):
    visit = _visit_for(request.user, pk)
    areas = visit.campaign.rubric.content_areas.all()
    form = FindingForm(areas=areas)
    if request.method == "POST":
        visit = _editable_visit(request.user, pk)
        form = FindingForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                services.add_finding(user=request.user, visit=visit, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(
                    reverse("visit-findings", args=[visit.pk])
                    + f"#area-{form.cleaned_data['content_area'].code}"
                )
    findings = list(visit.findings.select_related("content_area").prefetch_related("evidence"))
    by_area = [(area, [f for f in findings if f.content_area_id == area.pk]) for area in areas]
    return render(
        request,
        "inspections/visit_findings.html",
        {
            "visit": visit,
            "by_area": by_area,
            "form": form,
            "evidence_form": EvidenceForm(),
            "can_edit": access.can_edit_visit(request.user, visit),
        },
    )


@login_required
@require_POST
def visit_finding_delete(request, pk, finding_pk):
    visit = _editable_visit(request.user, pk)
    finding = get_object_or_404(Finding, pk=finding_pk, visit=visit)
    services.delete_finding(user=request.user, finding=finding)
    messages.success(request, _("Deleted."))
    return redirect("visit-findings", visit.pk)


@login_required
@require_http_methods(["GET", "POST"])
def visit_actions(request, pk):
    visit = _visit_for(request.user, pk)
    areas = visit.campaign.rubric.content_areas.all()
    offices = Office.objects.filter(branch_id=visit.branch_id, active=True)
    # Never the visit's own inspectors: they verify the work (separation of duties).
    owners = (
        User.objects.filter(branch_id=visit.branch_id, is_active=True)
        .exclude(role=User.Role.NONE)
        .exclude(pk__in=visit.inspectors.values("pk"))
    )
    form = ActionForm(
        areas=areas, offices=offices, owners=owners, initial={"responsible_office": visit.office_id}
    )
    if request.method == "POST":
        visit = _editable_visit(request.user, pk)
        form = ActionForm(request.POST, areas=areas, offices=offices, owners=owners)
        if form.is_valid():
            try:
                services.add_action(user=request.user, visit=visit, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Rectification action added."))
                return redirect("visit-actions", visit.pk)
    return render(
        request,
        "inspections/visit_actions.html",
        {
            "visit": visit,
            "actions": visit.actions.select_related("content_area", "responsible_office", "owner"),
            "form": form,
            "can_edit": access.can_edit_visit(request.user, visit),
        },
    )


# --- evidence ---------------------------------------------------------------


@login_required
@require_POST
def visit_evidence_upload(request, pk):
    visit = _editable_visit(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    back = request.POST.get("next") or ""
    # Only a page of this site: "//host" and "/\\host" are other sites to a browser.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("visit-detail", args=[visit.pk])
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(back)
    target = form.cleaned_data["target"]
    kwargs = {}
    models = {
        "sheet": ("sheet_record", SheetRecord),
        "checklist": ("checklist", ChecklistRecord),
        "finding": ("finding", Finding),
    }
    if target:
        # "<kind>:<id>" of a record of this visit, or nothing for the visit itself.
        kind, _sep, target_id = target.partition(":")
        if kind not in models:
            raise BadParameter(_("The evidence names something it cannot be attached to."))
        name, model = models[kind]
        kwargs[name] = get_object_or_404(
            model, pk=query_id({"id": target_id}, "id") or 0, visit=visit
        )
    try:
        services.add_evidence(
            user=request.user,
            visit=visit,
            upload=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
            item_key=form.cleaned_data["item_key"],
            **kwargs,
        )
    except ValidationError as error:
        _report_errors(request, error)
    else:
        messages.success(request, _("Evidence attached."))
    return redirect(back)


@login_required
def evidence_download(request, uuid):
    """Evidence is served only here, to users who may see its visit."""
    return evidence_files.file_response(_visible_evidence(request.user, uuid))


@login_required
def evidence_thumbnail(request, uuid):
    """A photo's thumbnail, to the same users as the photo."""
    evidence = _visible_evidence(request.user, uuid)
    if not evidence.thumbnail:
        raise Http404(_("The file is missing from storage."))
    return evidence_files.thumbnail_response(evidence)


def _visible_evidence(user, uuid) -> Evidence:
    return access.get_visible(
        Evidence.objects.filter(visit__in=access.visible_visits(user)), uuid=uuid
    )


@login_required
@require_POST
def visit_sheet_evidence(request, pk, sheet_code):
    """A photo from a sheet item's row, sent by static/js/sheet.js without
    leaving the page (what was typed stays): attached to the saved sheet, or
    waiting for its first save. Answers the item's evidence as HTML."""
    visit = _editable_visit(request.user, pk)
    sheet = get_object_or_404(
        Sheet, rubric_id=visit.campaign.rubric_id, code=sheet_code, kind=Sheet.Kind.SCORED
    )
    form = SheetEvidenceForm(
        request.POST, request.FILES, specialists=selectors.unit_specialists(visit=visit)
    )
    if not form.is_valid():
        message = " ".join(m for errors in form.errors.values() for m in errors)
        return JsonResponse({"error": message}, status=400)
    specialist, item_key = form.cleaned_data["specialist"], form.cleaned_data["item_key"]
    record = SheetRecord.objects.filter(visit=visit, sheet=sheet, specialist=specialist).first()
    pending = {} if record else {"pending_sheet": sheet, "pending_specialist": specialist}
    try:
        services.add_evidence(
            user=request.user,
            visit=visit,
            upload=form.cleaned_data["file"],
            sheet_record=record,
            item_key=item_key,
            **pending,
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    files = Evidence.objects.filter(visit=visit, item_key=item_key).filter(
        Q(sheet_record=record) if record else Q(sheet_record=None, **pending)
    )
    html = render_to_string(
        "inspections/_evidence.html",
        {"evidence": files.order_by("uploaded_at", "id"), "item_key": item_key},
        request=request,
    )
    return JsonResponse({"html": html})


# --- submission and review ----------------------------------------------------


@login_required
@require_POST
def visit_submit(request, pk):
    visit = _editable_visit(request.user, pk)
    try:
        services.submit_visit(user=request.user, visit=visit)
    except ValidationError as error:
        if services.has_code(error, services.INCOMPLETE):
            return render(
                request,
                "inspections/visit_incomplete.html",
                {"visit": visit, "missing": selectors.visit_missing_items(visit=visit)},
                status=400,
            )
        _report_errors(request, error)
        return redirect("visit-detail", visit.pk)
    messages.success(request, _("Visit submitted for review."))
    return redirect("visit-detail", visit.pk)


@login_required
@require_POST
def visit_review(request, pk):
    visit = _visit_for(request.user, pk)
    if not access.can_review_visit(request.user, visit):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_visit(
                    user=request.user, visit=visit, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("Visit approved: its scores are now frozen."))
            else:
                services.return_visit(
                    user=request.user, visit=visit, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("Visit returned to its inspectors."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("visit-detail", visit.pk)
    return _visit_page(request, visit, review_form=form)
