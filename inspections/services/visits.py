"""A visit's workflow and everything an inspector saves in it.

Every change that touches a visit locks its row, checks that the visit is
still open and that the user inspects it, and runs in one transaction.
Scores are always the scoring engine's, computed here on the server.
"""

import copy
import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring import answers as stored_answers
from scoring import definitions as d
from scoring.engine import ScoringError, check_sheet, evaluate_checklist
from scoring.models import BusinessLine, ContentArea, InterviewAudience, Sheet
from scoring.selectors import checklist_requirements, sheet_definition

from .. import access, draws, evidence_files, history, hooks
from ..models import (
    ActionEvent,
    Branch,
    Campaign,
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    InterviewAnswer,
    LineWaiver,
    Office,
    PartRecord,
    ProcessLogEntry,
    RandomDraw,
    RectificationAction,
    ResultsPublication,
    SelectionMethod,
    SheetRecord,
    Specialist,
    User,
    Visit,
    VisitTransition,
)
from ..selectors import visit_missing_items
from ..thumbnails import make_thumbnail
from .errors import Refusals, incomplete, locked, problems_refused, refused, stale
from .outcomes import mark_ranking_visit, refresh_visit_outcomes
from .problems import register_problems


def _record_transition(visit: Visit, to_state: str, user: User, comment: str = ""):
    VisitTransition.objects.create(
        visit=visit, from_state=visit.state, to_state=to_state, by=user, comment=comment
    )
    visit.state = to_state
    visit.save(update_fields=["state", "approved_at"])


def _locked_open_visit(visit: Visit, user: User) -> Visit:
    """The visit, locked, once checked it is open and `user` inspects it."""
    visit = (
        # Lock only the visit row: PostgreSQL refuses FOR UPDATE on the
        # nullable side of the office join.
        Visit.objects.select_for_update(of=("self",))
        .select_related("campaign", "branch", "office")
        .get(pk=visit.pk)
    )
    if not visit.is_editable:
        raise locked(visit)
    if not visit.inspectors.filter(pk=user.pk).exists():
        raise PermissionDenied(_("Only the visit's inspectors may change it."))
    return visit


def _open_for_editing(visit: Visit, user: User) -> Visit:
    """Lock the visit and check it may change; the first change starts it."""
    visit = _locked_open_visit(visit, user)
    if visit.state in (Visit.State.PLANNED, Visit.State.RETURNED):
        _record_transition(visit, Visit.State.IN_PROGRESS, user)
    return visit


def _check_in_unit(visit: Visit, specialist: Specialist, field: str = "specialist"):
    in_unit = specialist.branch_id == visit.branch_id and (
        visit.office_id is None or specialist.office_id == visit.office_id
    )
    if not in_unit:
        raise refused(
            _("%(name)s does not work at %(unit)s.")
            % {"name": specialist.name, "unit": visit.unit_name},
            field=field,
            code="outside_unit",
        )


def _rubric_sheet(visit: Visit, sheet: Sheet, kind: str) -> Sheet:
    if sheet.rubric_id != visit.campaign.rubric_id or sheet.kind != kind:
        raise ValidationError(_("This sheet does not belong to the campaign's rubric."))
    return sheet


def _locked_for_save(model, expected_version: int | None, **lookup):
    """The sheet or checklist record about to be saved, locked, if it exists;
    refused (code "stale") when it was saved after the page was opened, i.e. its
    version is no longer the one the page holds. None skips the check."""
    existing = model.objects.select_for_update(of=("self",)).filter(**lookup).order_by().first()
    if (
        existing is not None
        and expected_version is not None
        and existing.version != expected_version
    ):
        raise stale(existing)
    return existing


# --- planning --------------------------------------------------------------


@transaction.atomic
def plan_visit(
    *,
    user: User,
    campaign: Campaign,
    branch: Branch,
    office: Office | None,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date,
    inspectors: Iterable[User],
    unannounced: bool = False,
) -> Visit:
    if not access.can_plan_visit(user, branch, kind):
        raise PermissionDenied(_("You may not plan this visit."))
    errors = Refusals()
    if unannounced and kind != Visit.Kind.HEAD_OFFICE_CHECK:
        errors.add(
            _(
                "Only a head-office check can be unannounced: a branch's "
                "self-inspection is always known to the branch."
            ),
            field="unannounced",
            code="self_inspection_unannounced",
        )
    if not campaign.branches.filter(pk=branch.pk).exists():
        errors.add(
            _("%(branch)s is not in the campaign's scope.") % {"branch": branch},
            field="branch",
            code="out_of_scope",
        )
    if office is not None and office.branch_id != branch.pk:
        errors.add(
            _("%(office)s is not an office of %(branch)s.") % {"office": office, "branch": branch},
            field="office",
            code="other_branch",
        )
    if office is not None and not office.active:
        errors.add(_("%(office)s is closed.") % {"office": office}, field="office", code="closed")
    if start_date > end_date:
        errors.add(
            _("The visit cannot end before it starts."), field="end_date", code="before_start"
        )
    if not (campaign.contains(start_date) and campaign.contains(end_date)):
        errors.add(
            _("The visit's dates must lie within the campaign period (%(start)s – %(end)s).")
            % {"start": campaign.period_start, "end": campaign.period_end},
            field="start_date" if not campaign.contains(start_date) else "end_date",
            code="outside_period",
        )
    inspectors = list(inspectors)
    if not inspectors:
        errors.add(_("A visit needs at least one inspector."), field="inspectors", code="required")
    for inspector in inspectors:
        if not inspector.is_inspector or inspector.branch_id not in (None, branch.pk):
            errors.add(
                _("%(user)s cannot inspect %(branch)s.") % {"user": inspector, "branch": branch},
                field="inspectors",
                code="not_an_inspector",
            )
        elif unannounced and inspector.branch_id is not None:
            # The branch's own inspector would tell the branch it is coming.
            errors.add(
                _(
                    "%(user)s is an inspector of %(branch)s: an unannounced check is "
                    "made by head office's inspectors only."
                )
                % {"user": inspector, "branch": branch},
                field="inspectors",
                code="branch_inspector_unannounced",
            )
    if kind == Visit.Kind.HEAD_OFFICE_CHECK and office is not None:
        drawn = RandomDraw.objects.filter(
            kind=RandomDraw.Kind.OFFICES,
            campaign=campaign,
            branch=branch,
            superseded_by__isnull=True,
        ).first()
        if drawn is None or office.pk not in drawn.result_ids:
            errors.add(
                _("Head office checks the offices drawn at random: draw first, then plan."),
                field="office",
                code="not_drawn",
            )
    if (
        kind == Visit.Kind.HEAD_OFFICE_CHECK
        and ResultsPublication.objects.filter(campaign=campaign, branch=branch).exists()
    ):
        errors.add(
            _(
                "Head office's results for %(branch)s in this campaign are published: "
                "no further check can be planned."
            )
            % {"branch": branch},
            field="branch",
            code="published",
        )
    errors.raise_any()
    visit = Visit.objects.create(
        campaign=campaign,
        branch=branch,
        office=office,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        unannounced=unannounced,
        planned_by=user,
    )
    visit.inspectors.set(inspectors)
    VisitTransition.objects.create(visit=visit, to_state=Visit.State.PLANNED, by=user)
    return visit


@transaction.atomic
def start_visit(*, user: User, visit: Visit) -> Visit:
    """An inspector starts the visit on site (PLANNED → IN_PROGRESS, recorded
    like every transition), before saving anything in it; an unannounced check
    becomes known to the branch from this moment. The first save of anything
    starts it as well (`_open_for_editing`)."""
    visit = _locked_open_visit(visit, user)
    if visit.state != Visit.State.PLANNED:
        raise refused(
            _("This visit has already started (%(state)s).") % {"state": visit.get_state_display()},
            code="already_started",
        )
    _record_transition(visit, Visit.State.IN_PROGRESS, user)
    return visit


@transaction.atomic
def draw_specialists(
    *, user: User, visit: Visit, size: int, reason: str = "", seed: str | None = None
) -> RandomDraw:
    """Draw specialists of the visited unit at random, recorded like the office draw."""
    visit = _open_for_editing(visit, user)
    if size < 1:
        raise ValidationError(_("Draw at least one specialist."))
    current = visit.draws.filter(
        kind=RandomDraw.Kind.SPECIALISTS, superseded_by__isnull=True
    ).first()
    reason = reason.strip()
    if current is not None and not reason:
        raise ValidationError(_("A redraw needs a reason."))
    people = Specialist.objects.filter(branch=visit.branch, active=True)
    people = people.filter(office=visit.office) if visit.office_id else people.filter(office=None)
    names = {p.pk: p.name for p in people}
    if not names:
        raise ValidationError(_("%(unit)s has no active specialist.") % {"unit": visit.unit_name})
    seed = seed or draws.new_seed()
    result = draws.draw(list(names), size, seed)
    new = RandomDraw.objects.create(
        kind=RandomDraw.Kind.SPECIALISTS,
        campaign=visit.campaign,
        branch=visit.branch,
        visit=visit,
        seed=seed,
        sample_size=size,
        candidate_ids=sorted(names),
        result_ids=result,
        result_labels=[names[pk] for pk in result],
        reason=reason,
        drawn_by=user,
    )
    if current is not None:
        current.superseded_by = new
        current.save(update_fields=["superseded_by"])
    return new


# --- 表一 process log ------------------------------------------------------


@transaction.atomic
def save_log_entry(
    *, user: User, visit: Visit, entry: ProcessLogEntry | None = None, **fields
) -> ProcessLogEntry:
    visit = _open_for_editing(visit, user)
    _check_in_unit(visit, fields["operator"], field="operator")
    if entry is None:
        entry = ProcessLogEntry(visit=visit)
    elif entry.visit_id != visit.pk:
        raise PermissionDenied
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def delete_log_entry(*, user: User, entry: ProcessLogEntry):
    _open_for_editing(entry.visit, user)
    entry.delete()


# --- 表二–表四 scored sheets ----------------------------------------------


@transaction.atomic
def save_sheet(
    *,
    user: User,
    visit: Visit,
    specialist: Specialist,
    sheet: Sheet,
    selection_method: str,
    parts: Mapping[str, Any],
    chosen_alternative: str | None = None,
    alternative_reason: str = "",
    falsified_material: bool = False,
    falsified_reason: str = "",
    expected_version: int | None = None,
) -> SheetRecord:
    """Score one specialist's sheet and store the engine's result.

    `parts` maps a part code to its header and raw answers in the stored shape
    (`scoring.answers.StoredPart`, or a mapping with its fields).
    `falsified_material`: the sheet rests on falsified material and scores 0,
    for `falsified_reason`, which is then required.
    `expected_version` is the version the page was opened at (0 for a page
    that opened a new sheet): a save from a stale page is refused, never
    silently overwritten. None skips the check (callers that hold no page).
    """
    visit = _open_for_editing(visit, user)
    existing = _locked_for_save(
        SheetRecord, expected_version, visit=visit, specialist=specialist, sheet=sheet
    )
    _rubric_sheet(visit, sheet, Sheet.Kind.SCORED)
    _check_in_unit(visit, specialist)
    errors = Refusals()
    reason = specialist.ineligibility_reason(sheet.business_line)
    if reason:
        errors.add(reason, field="specialist", code="own_line")
    if selection_method not in SelectionMethod.values:
        errors.add(
            _("Record how the case was chosen: followed live or drawn at random."),
            field="selection_method",
            code="required",
        )
    # The same path and rules as the running score (views/visits.py: preview);
    # the sheet is of the visit's campaign (`_rubric_sheet`): in use, read-only.
    definition = sheet_definition(sheet=sheet, in_use=True)
    if definition.grouping != d.ALTERNATIVES:
        chosen_alternative = None
    parts = stored_answers.stored_parts(parts, chosen_alternative=chosen_alternative)
    answers = stored_answers.sheet_answers(
        parts,
        chosen_alternative=chosen_alternative,
        alternative_reason=alternative_reason,
        falsified=falsified_material,
        falsified_reason=falsified_reason,
    )
    assessment = check_sheet(definition, answers, visit.campaign.grade_band_defs())
    errors.extend(problems_refused(assessment.problems))
    errors.raise_any()
    result = assessment.result
    rubric_parts = {p.code: p for p in sheet.parts.all()}
    record, change = _write_sheet_record(
        existing,
        visit=visit,
        specialist=specialist,
        sheet=sheet,
        selection_method=selection_method,
        chosen_alternative=rubric_parts[chosen_alternative] if chosen_alternative else None,
        alternative_reason=alternative_reason.strip() if chosen_alternative else "",
        result=result,
    )
    part_changes = _write_part_records(
        record, existing=existing, parts=parts, rubric_parts=rubric_parts, result=result
    )
    history.record_changes([change, *part_changes])
    if existing is None:  # photos taken on the sheet before its first save join it now
        Evidence.objects.filter(
            visit=visit, pending_sheet=sheet, pending_specialist=specialist, sheet_record=None
        ).update(sheet_record=record, pending_sheet=None, pending_specialist=None)
    return record


# A sheet's save writes its record, its parts and their history in a fixed
# number of queries, whatever the number of parts and items: bulk writes past
# the model signals, with the history written by `history.record_changes`.

_PART_FIELDS = (
    "reference_no",
    "servicing_item",
    "observed",
    "not_observed_reason",
    "answers",
    "score",
    "max_points",
)


def _write_sheet_record(
    existing: SheetRecord | None,
    *,
    visit: Visit,
    specialist: Specialist,
    sheet: Sheet,
    selection_method: str,
    chosen_alternative,
    alternative_reason: str,
    result,
) -> tuple[SheetRecord, tuple]:
    """Insert or update the sheet's record; returns it and its (before, after)
    change for the history."""
    record = existing or SheetRecord(visit=visit, specialist=specialist, sheet=sheet)
    before = copy.copy(existing) if existing else None
    # What the history names the record by, without reading it again.
    record.visit, record.specialist, record.sheet = visit, specialist, sheet
    record.selection_method = selection_method
    record.chosen_alternative = chosen_alternative
    record.alternative_reason = alternative_reason
    record.falsified_material = result.falsified
    record.falsified_reason = result.falsified_reason
    record.score = result.score
    record.max_points = result.max_points
    record.percent = result.percent
    record.grade = result.grade or ""
    record.complete = result.complete
    record.version = (existing.version + 1) if existing else 1
    with disable_auditlog():
        if existing:
            record.save()
        else:
            try:
                with transaction.atomic():
                    record.save(force_insert=True)
            except IntegrityError:
                # Another page saved this new sheet first: never overwrite it.
                raise stale(
                    SheetRecord.objects.get(visit=visit, specialist=specialist, sheet=sheet)
                ) from None
    return record, (before, record)


def _write_part_records(
    record: SheetRecord,
    *,
    existing: SheetRecord | None,
    parts: Mapping[str, stored_answers.StoredPart],
    rubric_parts: Mapping[str, Any],
    result,
) -> list[tuple]:
    """Create, update and delete the sheet's part records, in bulk; returns
    their (before, after) changes for the history."""
    part_results = {p.key: p for p in result.parts}
    stored = {p.part_id: p for p in existing.parts.all()} if existing else {}
    changes, created, updated = [], [], []
    for code, part in parts.items():
        rubric_part = rubric_parts[code]
        part_result = part_results.get(code)
        values = {
            "reference_no": part.reference_no,
            "servicing_item": part.servicing_item,
            "observed": part.observed,
            "not_observed_reason": part.not_observed_reason,
            "answers": dict(part.answers),
            "score": part_result.score if part_result else 0,
            "max_points": part_result.max_points if part_result else 0,
        }
        row = stored.pop(rubric_part.pk, None)
        before = copy.copy(row) if row else None
        if row is None:
            row = PartRecord(sheet_record=record, part=rubric_part, **values)
            created.append(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            updated.append(row)
        row.sheet_record, row.part = record, rubric_part
        changes.append((before, row))
    # Parts no longer kept (表四: another sub-sheet chosen).
    removed = list(stored.values())
    for row in removed:
        row.sheet_record = record
        row.part = next(p for p in rubric_parts.values() if p.pk == row.part_id)
        changes.append((copy.copy(row), None))
    if removed:
        with disable_auditlog():
            PartRecord.objects.filter(pk__in=[row.pk for row in removed]).delete()
    if created:
        PartRecord.objects.bulk_create(created)
    if updated:
        PartRecord.objects.bulk_update(updated, _PART_FIELDS)
    return changes


def correct_sheet_part(*, record: SheetRecord, part_code: str, answers: Mapping) -> SheetRecord:
    """Head office's correction of a closed sheet (an upheld objection): one
    part's stored answers replaced, the sheet scored again by the engine and
    written with its history, the record before it kept there. The caller
    holds the visit's lock and has checked the right to do it."""
    sheet = record.sheet
    definition = sheet_definition(sheet=sheet, in_use=True)
    rubric_parts = {p.code: p for p in sheet.parts.all()}
    chosen = record.chosen_alternative.code if record.chosen_alternative_id else None
    parts = stored_answers.stored_parts(
        {p.part.code: p for p in record.parts.select_related("part")}, chosen_alternative=chosen
    )
    if part_code not in parts:
        raise ValidationError(_("This part of the sheet was not filled in."))
    parts[part_code] = dataclasses.replace(parts[part_code], answers=dict(answers))
    assessment = check_sheet(
        definition, record.engine_answers(parts), record.visit.campaign.grade_band_defs()
    )
    if assessment.problems:
        raise problems_refused(assessment.problems)
    record, change = _write_sheet_record(
        record,
        visit=record.visit,
        specialist=record.specialist,
        sheet=sheet,
        selection_method=record.selection_method,
        chosen_alternative=record.chosen_alternative,
        alternative_reason=record.alternative_reason,
        result=assessment.result,
    )
    part_changes = _write_part_records(
        record, existing=record, parts=parts, rubric_parts=rubric_parts, result=assessment.result
    )
    history.record_changes([change, *part_changes])
    refresh_visit_outcomes(visit=record.visit)
    return record


def correct_checklist(*, checklist: ChecklistRecord, answers: Mapping) -> ChecklistRecord:
    """Head office's correction of a closed checklist (an upheld objection),
    evaluated again; auditlog keeps the answers before it."""
    requirements = checklist_requirements(
        sheet=sheet_definition(sheet=checklist.sheet, in_use=True)
    )
    try:
        result = evaluate_checklist(requirements, stored_answers.checklist_answers(answers))
    except ScoringError as error:
        raise problems_refused(error.problems) from None
    checklist.answers = dict(answers)
    checklist.compliant = result.compliant
    checklist.non_compliant = result.non_compliant
    checklist.complete = result.complete
    checklist.version += 1
    checklist.save()
    refresh_visit_outcomes(visit=checklist.visit)
    return checklist


# --- 表五, 表七 checklists ---------------------------------------------------


@transaction.atomic
def save_checklist(
    *,
    user: User,
    visit: Visit,
    sheet: Sheet,
    specialist: Specialist | None,
    answers: dict,
    expected_version: int | None = None,
) -> ChecklistRecord:
    """`answers`: {"<item key>": {"compliant": True|False|None, "remark": ""}}.
    `expected_version`, as for `save_sheet`: a save from a page opened before
    someone else's save is refused, never silently overwritten."""
    visit = _open_for_editing(visit, user)
    existing = _locked_for_save(
        ChecklistRecord, expected_version, visit=visit, sheet=sheet, specialist=specialist
    )
    _rubric_sheet(visit, sheet, Sheet.Kind.CHECKLIST)
    if sheet.per_specialist:
        if specialist is None:
            raise ValidationError(_("%(sheet)s is filled per specialist.") % {"sheet": sheet})
        _check_in_unit(visit, specialist)
    elif specialist is not None:
        raise ValidationError(_("%(sheet)s is filled once for the unit.") % {"sheet": sheet})
    requirements = checklist_requirements(sheet=sheet_definition(sheet=sheet))
    keys = {r.key for r in requirements}
    answers = {key: value for key, value in answers.items() if key in keys}
    try:
        result = evaluate_checklist(requirements, stored_answers.checklist_answers(answers))
    except ScoringError as error:
        raise problems_refused(error.problems) from None
    record, _created = ChecklistRecord.objects.update_or_create(
        visit=visit,
        sheet=sheet,
        specialist=specialist,
        defaults={
            "answers": answers,
            "compliant": result.compliant,
            "non_compliant": result.non_compliant,
            "complete": result.complete,
            "version": (existing.version + 1) if existing else 1,
        },
    )
    return record


# --- KPIs, interviews, findings, actions ------------------------------------


@transaction.atomic
def save_kpi_note(*, user: User, visit: Visit, note: str) -> Visit:
    visit = _open_for_editing(visit, user)
    visit.kpi_monitoring_note = note.strip()
    visit.save(update_fields=["kpi_monitoring_note"])
    return visit


@transaction.atomic
def save_line_waiver(*, user: User, visit: Visit, business_line: str, reason: str):
    """Record why the visit has no sheet for a line; an empty reason removes it."""
    visit = _open_for_editing(visit, user)
    if business_line not in BusinessLine.values:
        raise ValidationError(_("“%(line)s” is not a business line.") % {"line": business_line})
    if reason.strip():
        LineWaiver.objects.update_or_create(
            visit=visit, business_line=business_line, defaults={"reason": reason.strip()}
        )
    else:
        LineWaiver.objects.filter(visit=visit, business_line=business_line).delete()


@transaction.atomic
def save_interview(
    *,
    user: User,
    visit: Visit,
    audience: InterviewAudience,
    interviewee: str,
    post: str,
    notes: str,
    answers: dict[int, dict],
    interview: Interview | None = None,
) -> Interview:
    """`answers`: {question id: {"yes_no": bool|None, "text": str, "tag": str}}."""
    visit = _open_for_editing(visit, user)
    if audience.rubric_id != visit.campaign.rubric_id:
        raise ValidationError(_("This audience does not belong to the campaign's rubric."))
    if not interviewee.strip() or not post.strip():
        raise ValidationError(_("Record who was interviewed and their post."))
    if interview is None:
        interview = Interview(visit=visit)
    elif interview.visit_id != visit.pk:
        raise PermissionDenied
    interview.audience = audience
    interview.interviewee = interviewee.strip()
    interview.post = post.strip()
    interview.notes = notes.strip()
    interview.save()
    questions = {q.pk: q for q in audience.questions.all()}
    for answer in answers.values():
        if (answer or {}).get("tag", "") not in InterviewAnswer.Tag.values:
            raise ValidationError(_("“%(tag)s” is not a tag.") % {"tag": answer["tag"]})
    interview.answers.exclude(question_id__in=list(questions)).delete()
    for question_id, question in questions.items():
        answer = answers.get(question_id) or {}
        InterviewAnswer.objects.update_or_create(
            interview=interview,
            question=question,
            defaults={
                "yes_no": answer.get("yes_no") if question.is_yes_no else None,
                "text": (answer.get("text") or "").strip(),
                "tag": answer.get("tag", question.tag) or "",
            },
        )
    return interview


@transaction.atomic
def add_finding(
    *, user: User, visit: Visit, content_area: ContentArea, kind: str, text: str
) -> Finding:
    visit = _open_for_editing(visit, user)
    if content_area.rubric_id != visit.campaign.rubric_id:
        raise ValidationError(_("This content area does not belong to the campaign's rubric."))
    if kind not in Finding.Kind.values:
        raise ValidationError(_("A finding is a strength or a shortcoming."))
    if not text.strip():
        raise ValidationError(_("Write the strength or shortcoming."))
    return Finding.objects.create(
        visit=visit, content_area=content_area, kind=kind, text=text.strip()
    )


@transaction.atomic
def delete_finding(*, user: User, finding: Finding):
    _open_for_editing(finding.visit, user)
    finding.delete()


@transaction.atomic
def add_action(
    *,
    user: User,
    visit: Visit,
    content_area: ContentArea,
    description: str,
    responsible_office: Office | None,
    responsible_person: str,
    deadline: datetime.date,
    owner: User | None = None,
) -> RectificationAction:
    visit = _open_for_editing(visit, user)
    errors = Refusals()
    if content_area.rubric_id != visit.campaign.rubric_id:
        errors.add(
            _("This content area does not belong to the campaign's rubric."),
            field="content_area",
            code="other_rubric",
        )
    if not description.strip():
        errors.add(_("Say what is to be fixed."), field="description", code="required")
    if not responsible_person.strip():
        errors.add(_("Name the person responsible."), field="responsible_person", code="required")
    if responsible_office is not None and responsible_office.branch_id != visit.branch_id:
        errors.add(
            _("The responsible office must belong to %(branch)s.") % {"branch": visit.branch},
            field="responsible_office",
            code="other_branch",
        )
    if deadline <= visit.end_date:
        errors.add(
            _("The deadline must come after the visit (%(date)s).") % {"date": visit.end_date},
            field="deadline",
            code="before_visit_end",
        )
    if owner is not None and owner.branch_id != visit.branch_id:
        errors.add(
            _("The owner must be a user of %(branch)s.") % {"branch": visit.branch},
            field="owner",
            code="other_branch",
        )
    elif owner is not None and not owner.has_role:
        errors.add(_("%(user)s has no role yet.") % {"user": owner}, field="owner", code="no_role")
    elif owner is not None and visit.inspectors.filter(pk=owner.pk).exists():
        errors.add(
            _(
                "%(user)s inspects this visit and cannot own its actions: the inspectors "
                "verify the work, so someone else must do it."
            )
            % {"user": owner},
            field="owner",
            code="inspector_of_visit",
        )
    errors.raise_any()
    action = RectificationAction.objects.create(
        visit=visit,
        content_area=content_area,
        description=description.strip(),
        responsible_office=responsible_office,
        responsible_person=responsible_person.strip(),
        owner=owner,
        deadline=deadline,
        created_by=user,
    )
    ActionEvent.objects.create(
        action=action, kind=ActionEvent.Kind.CREATED, to_status=action.status, by=user
    )
    return action


def _evidence_keys(sheet_record, checklist, pending_sheet=None) -> set[str]:
    if sheet_record is not None or pending_sheet is not None:
        sheet = sheet_record.sheet if sheet_record is not None else pending_sheet
        definition = sheet_definition(sheet=sheet, in_use=True)
        return {
            key
            for part in definition.parts
            for section in part.sections
            for key in (
                evidence_files.evidence_key(section),
                *(evidence_files.evidence_key(section, item) for item in section.items),
            )
        }
    if checklist is not None:
        return {
            r.key for r in checklist_requirements(sheet=sheet_definition(sheet=checklist.sheet))
        }
    return set()


@transaction.atomic
def add_evidence(
    *,
    user: User,
    visit: Visit,
    upload: UploadedFile,
    caption: str = "",
    sheet_record: SheetRecord | None = None,
    checklist: ChecklistRecord | None = None,
    finding: Finding | None = None,
    item_key: str = "",
    pending_sheet: Sheet | None = None,
    pending_specialist: Specialist | None = None,
) -> Evidence:
    """Attach a photo or file to the visit, a sheet record, a checklist or a
    finding; `item_key` names what in the record it shows: a sheet's section
    ("<section>") or item ("<section>:<item>"), a checklist's requirement.

    A photo taken on a sheet not saved yet names the sheet and specialist
    (`pending_sheet`, `pending_specialist`): it waits for the sheet's first
    save (`save_sheet` attaches it). An image gets its thumbnail here."""
    visit = _open_for_editing(visit, user)
    for target in (sheet_record, checklist, finding):
        if target is not None and target.visit_id != visit.pk:
            raise PermissionDenied
    if (pending_sheet is None) != (pending_specialist is None) or (
        pending_sheet is not None and sheet_record is not None
    ):
        raise ValidationError(_("The evidence names something it cannot be attached to."))
    if pending_sheet is not None:
        _rubric_sheet(visit, pending_sheet, Sheet.Kind.SCORED)
        _check_in_unit(visit, pending_specialist)
    item_key = item_key.strip()
    if item_key and item_key not in _evidence_keys(sheet_record, checklist, pending_sheet):
        raise ValidationError(_("The evidence names an item this record does not have."))
    evidence_files.check_room(
        held=Evidence.objects.filter(visit=visit).count(),
        adding=1,
        limit=settings.EVIDENCE_MAX_PER_VISIT,
        where=_("This visit"),
    )
    content_type = evidence_files.check_upload(upload)
    thumbnail = make_thumbnail(upload) if content_type.startswith("image/") else None
    evidence = Evidence(
        visit=visit,
        file=upload,
        original_name=evidence_files.stored_name(upload),
        content_type=content_type,
        size=upload.size,
        caption=caption.strip(),
        sheet_record=sheet_record,
        checklist=checklist,
        finding=finding,
        item_key=item_key,
        pending_sheet=pending_sheet,
        pending_specialist=pending_specialist,
        uploaded_by=user,
    )
    if thumbnail is not None:
        evidence.thumbnail.save(thumbnail.name, thumbnail, save=False)
    evidence.save()
    return evidence


# --- submission and review ---------------------------------------------------


@transaction.atomic
def submit_visit(*, user: User, visit: Visit) -> Visit:
    visit = _open_for_editing(visit, user)
    missing = visit_missing_items(visit=visit)
    if missing:
        raise incomplete([message for message, _url in missing])
    _record_transition(visit, Visit.State.SUBMITTED, user)
    return visit


def _open_for_review(visit: Visit, user: User) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not access.can_review_visit(user, visit):
        raise PermissionDenied(_("You may not review this visit."))
    if visit.state != Visit.State.SUBMITTED:
        raise ValidationError(_("Only a submitted visit can be reviewed."))
    return visit


@transaction.atomic
def approve_visit(*, user: User, visit: Visit, comment: str = "") -> Visit:
    """Approval freezes the visit's scores and texts; the problems and support
    requests its interviews raised enter the problem register."""
    visit = _open_for_review(visit, user)
    visit.approved_at = timezone.now()
    _record_transition(visit, Visit.State.APPROVED, user, comment.strip())
    mark_ranking_visit(visit=visit)
    refresh_visit_outcomes(visit=visit)
    register_problems(visit=visit, today=timezone.localdate(visit.approved_at))
    visit_id, user_id = visit.pk, user.pk
    transaction.on_commit(
        lambda: hooks.visit_approved.send(sender=Visit, visit_id=visit_id, approved_by_id=user_id)
    )
    return visit


@transaction.atomic
def return_visit(*, user: User, visit: Visit, comment: str) -> Visit:
    if not comment.strip():
        raise ValidationError(_("Say what must be corrected when returning a visit."))
    visit = _open_for_review(visit, user)
    _record_transition(visit, Visit.State.RETURNED, user, comment.strip())
    return visit
