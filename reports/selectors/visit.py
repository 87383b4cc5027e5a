"""Everything a visit's acceptance report shows, read in one go.

`visit_report_data(visit_id)` reads the visit with a fixed number of queries
(prefetching; nothing is queried from a template or an exporter loop) and
returns plain dataclasses that the PDF template and the Excel writer both lay
out; `visit_reports_data(visit_ids)` reads many visits (a branch report's) in
the same queries. Scores are the stored ones (approval froze them); the per-item detail of
each sheet is re-computed by the scoring engine from the stored answers, so
not-applicable sections and unchecked notice kinds show why they got their
points. Rectification actions show their *current* status.
"""

import base64
import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import (
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    InterviewAnswer,
    PartRecord,
    ProcessLogEntry,
    RectificationAction,
    SheetRecord,
    Visit,
    VisitTransition,
)
from inspections.selectors import KpiStatus, repeat_findings_of, results_statuses, visits_kpis
from scoring import answers as stored_answers
from scoring import definitions as d
from scoring.engine import ScoringError, evaluate_checklist, percent_of, score_sheet
from scoring.models import ContentArea, Sheet
from scoring.results import Result, specialist_result, unit_result
from scoring.selectors import checklist_requirements, rubric_definitions

from .repeats import repeat_line
from .results import branch_objections, objection_lines, status_text
from .sheets import section_line
from .types import (
    VISIT_REPORT_TITLE,
    ActionLine,
    AreaFindings,
    ChecklistLine,
    ChecklistSheet,
    ChecklistSummary,
    InterviewAnswerLine,
    InterviewView,
    LogLine,
    ObjectionLine,
    PartSheet,
    RepeatLine,
    ReportDataError,
    ReportPhoto,
    ScoredSheet,
    SpecialistRow,
)


@dataclass
class VisitReport:
    visit: Visit
    title: str
    campaign: str
    branch: str
    office: str
    unit_name: str
    kind: str
    start_date: object
    end_date: object
    inspectors: list[str]
    approved_at: object
    approved_by: str
    approval_comment: str
    generated_at: object
    grade_bands: tuple[d.GradeBandDef, ...]
    scored_sheet_kinds: list[tuple[str, str]]  # (table label, name) of 表二–表四
    specialists: list[SpecialistRow]
    unit_result: Result
    line_results: list[Result]  # per scored sheet kind, the unit's mean
    line_waivers: list[tuple[str, str]]
    sheets: list[ScoredSheet]
    log: list[LogLine]
    checklists: list[ChecklistSheet]
    checklist_summaries: list[ChecklistSummary]
    kpis: list[KpiStatus]
    kpi_note: str
    interviews: list[InterviewView]
    areas: list[AreaFindings]
    actions: list[ActionLine]
    # Of a head-office check: whether its results are provisional or final,
    # and the branch's objections; empty for a self-inspection.
    results_status: str = ""
    objections: list[ObjectionLine] = field(default_factory=list)
    # Findings that failed at the unit in its previous campaign too.
    repeat_findings: list[RepeatLine] = field(default_factory=list)

    @property
    def problems_raised(self) -> list[tuple[str, InterviewAnswerLine]]:
        return [
            (i.interviewee, a)
            for i in self.interviews
            for a in i.answers
            if a.tag and (a.text or a.yes_no is not None)
        ]


# --- reading ------------------------------------------------------------------


def _sheet_photos(visits: list[Visit]) -> dict[int, dict[str, list[ReportPhoto]]]:
    """The thumbnails of the photos on the visits' sheets, by sheet record and
    evidence key, in the order they were taken (one query, then the files)."""
    photos: dict[int, dict[str, list[ReportPhoto]]] = defaultdict(lambda: defaultdict(list))
    evidence = (
        Evidence.objects.filter(visit__in=visits, sheet_record__isnull=False)
        .exclude(thumbnail="")
        .order_by("uploaded_at", "id")
    )
    for file in evidence:
        try:
            with file.thumbnail.open("rb") as stream:
                data = base64.b64encode(stream.read()).decode("ascii")
        except FileNotFoundError:
            continue  # gone from storage: the report still builds, without it
        photos[file.sheet_record_id][file.item_key].append(
            ReportPhoto(
                name=file.original_name,
                caption=file.caption,
                thumbnail_url=f"data:image/jpeg;base64,{data}",
                link=settings.SITE_URL.rstrip("/") + reverse("evidence-download", args=[file.uuid]),
            )
        )
    return photos


def _scored_sheet(
    record: SheetRecord, definition: d.SheetDef, bands, photos: Mapping[str, list[ReportPhoto]]
) -> ScoredSheet:
    part_records = {p.part.code: p for p in record.parts.all()}
    answers = record.engine_answers(part_records)
    try:
        result = score_sheet(definition, answers, bands)
    except ScoringError as error:
        raise ReportDataError(
            _("%(sheet)s of %(name)s cannot be scored from its stored answers: %(problems)s")
            % {
                "sheet": definition.table_label,
                "name": record.specialist.name,
                "problems": "; ".join(str(p) for p in error.problems),
            }
        ) from error
    part_results = {p.key: p for p in result.parts}
    parts = []
    for part in definition.parts:
        if definition.grouping == d.ALTERNATIVES and part.key != (
            answers.chosen_alternative or next(iter(answers.parts), None)
        ):
            continue
        stored = part_records.get(part.key)
        part_result = part_results.get(part.key)
        remarks = ((stored.answers if stored else {}) or {}).get("remarks") or {}
        section_results = (
            {s.key: s for s in part_result.sections} if part_result and part_result.observed else {}
        )
        observed = bool(part_result.observed) if part_result else bool(stored and stored.observed)
        parts.append(
            PartSheet(
                name=part.name,
                total_points=part.total_points,
                reference_no=stored.reference_no if stored else "",
                servicing_item=stored.servicing_item if stored else "",
                observed=observed,
                not_observed_reason=(part_result.not_observed_reason if part_result else ""),
                score=part_result.score if part_result else Decimal(0),
                max_points=part_result.max_points if part_result else Decimal(0),
                sections=[
                    section_line(
                        s, section_results.get(s.key), remarks, observed=observed, photos=photos
                    )
                    for s in part.sections
                ],
            )
        )
    specialist = record.specialist
    return ScoredSheet(
        record=record,
        table_label=definition.table_label,
        sheet_name=definition.name,
        sheet_code=definition.key,
        specialist_name=specialist.name,
        employee_no=specialist.employee_no,
        selection_method=record.get_selection_method_display(),
        chosen_alternative=record.chosen_alternative.name if record.chosen_alternative_id else "",
        alternative_reason=record.alternative_reason,
        score=record.score,
        max_points=record.max_points,
        percent=record.percent,
        grade=record.grade,
        parts=parts,
        falsified=result.falsified,
        falsified_reason=result.falsified_reason,
    )


def _checklist_sheet(record: ChecklistRecord, definition: d.SheetDef, unit_name: str):
    requirements = checklist_requirements(sheet=definition)
    answers = record.answers or {}
    lines = []
    for requirement in requirements:
        answer = answers.get(requirement.key) or {}
        lines.append(
            ChecklistLine(
                text=requirement.text,
                compliant=answer.get("compliant"),
                remark=str(answer.get("remark") or "").strip(),
            )
        )
    try:
        result = evaluate_checklist(requirements, stored_answers.checklist_answers(answers))
    except ScoringError as error:
        raise ReportDataError(
            _("%(sheet)s of %(who)s cannot be read from its stored answers: %(problems)s")
            % {
                "sheet": definition.table_label,
                "who": record.specialist.name if record.specialist_id else unit_name,
                "problems": "; ".join(str(p) for p in error.problems),
            }
        ) from error
    return ChecklistSheet(
        table_label=definition.table_label,
        sheet_name=definition.name,
        sheet_code=definition.key,
        who=record.specialist.name if record.specialist_id else unit_name,
        lines=lines,
        compliant=result.compliant,
        non_compliant=result.non_compliant,
        rate=result.rate,
    )


def visit_report_data(*, visit_id: int, today: datetime.date | None = None) -> VisitReport:
    """Everything the visit's acceptance report shows, in about 20 queries."""
    reports = visit_reports_data(visit_ids=[visit_id], today=today)
    if not reports:
        raise Visit.DoesNotExist(f"no visit {visit_id}")
    return reports[0]


def _by_visit(queryset) -> dict[int, list]:
    """The rows of a query over many visits, by visit id, in the query's order."""
    grouped: dict[int, list] = defaultdict(list)
    for row in queryset:
        grouped[row.visit_id].append(row)
    return grouped


@dataclass
class _VisitRows:
    """What the queries read for one visit, before it is laid out."""

    records: list[SheetRecord]
    checklists: list[ChecklistRecord]
    log: list[ProcessLogEntry]
    interviews: list[Interview]
    findings: list[Finding]
    actions: list[RectificationAction]
    kpis: list[KpiStatus]
    results_status: str  # of a head-office check: provisional or final, dated
    objections: list[ObjectionLine]  # of a head-office check
    repeat_findings: list[RepeatLine]


def visit_reports_data(
    *, visit_ids: Sequence[int], today: datetime.date | None = None, photos: bool = True
) -> list[VisitReport]:
    """The reports of many visits (a branch report's), in the order of
    `visit_ids`, in about 20 queries whatever their number. `photos=False`
    leaves the sheets' photos out (neither queried nor read from storage)."""
    found = {
        v.pk: v
        for v in Visit.objects.filter(pk__in=visit_ids)
        .select_related("campaign__rubric", "branch", "office")
        .prefetch_related(
            "inspectors",
            "line_waivers",
            "campaign__grade_bands",
            Prefetch(
                "transitions",
                queryset=VisitTransition.objects.filter(to_state=Visit.State.APPROVED)
                .select_related("by")
                .order_by("-at", "-id"),
                to_attr="approvals",
            ),
        )
    }
    visits = [found[pk] for pk in visit_ids if pk in found]
    if not visits:
        return []
    today = today or timezone.localdate()
    rubric_ids = {v.campaign.rubric_id for v in visits}
    definitions = {rubric_id: rubric_definitions(rubric=rubric_id) for rubric_id in rubric_ids}
    areas: dict[int, list[ContentArea]] = defaultdict(list)
    for area in ContentArea.objects.filter(rubric_id__in=rubric_ids).order_by("order", "id"):
        areas[area.rubric_id].append(area)

    records = _by_visit(
        SheetRecord.objects.filter(visit__in=visits)
        .select_related("sheet", "specialist__home_post", "chosen_alternative")
        .prefetch_related(
            Prefetch(
                "parts",
                queryset=PartRecord.objects.select_related("part").order_by("part__order", "id"),
            )
        )
        .order_by("sheet__order", "specialist__employee_no")
    )
    checklists = _by_visit(
        ChecklistRecord.objects.filter(visit__in=visits)
        .select_related("sheet", "specialist__home_post")
        .order_by("sheet__order", "specialist__employee_no")
    )
    log = _by_visit(
        ProcessLogEntry.objects.filter(visit__in=visits)
        .select_related("operator")
        .order_by("created_at", "id")
    )
    interviews = _by_visit(
        Interview.objects.filter(visit__in=visits)
        .select_related("audience")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=InterviewAnswer.objects.select_related("question").order_by(
                    "question__order", "id"
                ),
            )
        )
        .order_by("created_at", "id")
    )
    findings = _by_visit(Finding.objects.filter(visit__in=visits).order_by("created_at", "id"))
    actions = _by_visit(
        RectificationAction.objects.filter(visit__in=visits)
        .select_related("responsible_office", "owner")
        .order_by("deadline", "id")
    )
    kpis = visits_kpis(visits=visits)
    statuses, objections = _check_results(visits, today)
    sheet_photos = _sheet_photos(visits) if photos else {}
    repeats = repeat_findings_of(visit_ids=[v.pk for v in visits])
    return [
        _visit_report(
            visit,
            _VisitRows(
                records=records[visit.pk],
                checklists=checklists[visit.pk],
                log=log[visit.pk],
                interviews=interviews[visit.pk],
                findings=findings[visit.pk],
                actions=actions[visit.pk],
                kpis=kpis[visit.pk],
                results_status=statuses.get(visit.pk, ""),
                objections=objections.get(visit.pk, []),
                repeat_findings=[
                    repeat_line(visit.unit_name, f) for f in repeats.get(visit.pk, [])
                ],
            ),
            definitions=definitions[visit.campaign.rubric_id],
            areas=areas[visit.campaign.rubric_id],
            photos=sheet_photos,
            today=today,
        )
        for visit in visits
    ]


def _check_results(
    visits: list[Visit], today: datetime.date
) -> tuple[dict[int, str], dict[int, list[ObjectionLine]]]:
    """Of the head-office checks among `visits`, by visit id: whether their
    results are provisional or final, and the branch's objections to them (two
    queries a campaign, none without a head-office check)."""
    statuses: dict[int, str] = {}
    objections: dict[int, list[ObjectionLine]] = {}
    checks = [v for v in visits if v.kind == Visit.Kind.HEAD_OFFICE_CHECK]
    for campaign_id in {v.campaign_id for v in checks}:
        mine = [v for v in checks if v.campaign_id == campaign_id]
        by_branch = results_statuses(
            campaign=mine[0].campaign, branch_ids=sorted({v.branch_id for v in mine}), today=today
        )
        raised = _by_visit(branch_objections(campaign_id=campaign_id).filter(visit__in=mine))
        for visit in mine:
            statuses[visit.pk] = status_text(by_branch[visit.branch_id], today)
            objections[visit.pk] = objection_lines(raised[visit.pk])
    return statuses, objections


def _visit_report(
    visit: Visit,
    rows: _VisitRows,
    *,
    definitions: dict[str, d.SheetDef],
    areas: list[ContentArea],
    photos: Mapping[int, Mapping[str, list[ReportPhoto]]],
    today: datetime.date,
) -> VisitReport:
    """One visit's report from the rows read for it (no query)."""
    bands = visit.campaign.grade_band_defs()
    scored_defs = [s for s in definitions.values() if s.kind == Sheet.Kind.SCORED]

    records = rows.records
    sheets = [
        _scored_sheet(r, definitions[r.sheet.code], bands, photos.get(r.pk, {})) for r in records
    ]

    # Per specialist: one cell per scored sheet kind, and their result.
    by_specialist: dict[int, list[SheetRecord]] = defaultdict(list)
    people = {}
    for record in records:
        by_specialist[record.specialist_id].append(record)
        people[record.specialist_id] = record.specialist
    checklists = rows.checklists
    for checklist in checklists:
        if checklist.specialist_id and checklist.specialist_id not in people:
            people[checklist.specialist_id] = checklist.specialist
    specialists = []
    for person in sorted(people.values(), key=lambda p: p.employee_no):
        own = by_specialist.get(person.pk, [])
        cells = [next((r for r in own if r.sheet.code == s.key), None) for s in scored_defs]
        specialists.append(
            SpecialistRow(
                name=person.name,
                employee_no=person.employee_no,
                home_post=person.home_post.name,
                cells=cells,
                result=specialist_result([r.percent for r in own], bands),
            )
        )
    line_results = [
        unit_result([r.percent for r in records if r.sheet.code == s.key], bands)
        for s in scored_defs
    ]

    checklist_sheets = [
        _checklist_sheet(c, definitions[c.sheet.code], visit.unit_name) for c in checklists
    ]
    summaries = []
    for definition in definitions.values():
        if definition.kind != Sheet.Kind.CHECKLIST:
            continue
        mine = [c for c in checklist_sheets if c.sheet_code == definition.key]
        compliant = sum(c.compliant for c in mine)
        non_compliant = sum(c.non_compliant for c in mine)
        summaries.append(
            ChecklistSummary(
                table_label=definition.table_label,
                sheet_name=definition.name,
                records=len(mine),
                compliant=compliant,
                non_compliant=non_compliant,
                rate=percent_of(Decimal(compliant), Decimal(compliant + non_compliant)),
            )
        )

    log = [
        LogLine(
            policy_no=e.policy_no,
            business_item=e.business_item,
            operator=e.operator.name,
            minutes_document_review=e.minutes_document_review,
            minutes_scanning=e.minutes_scanning,
            minutes_data_entry=e.minutes_data_entry,
            remarks=e.remarks,
        )
        for e in rows.log
    ]

    interviews = [
        InterviewView(
            audience=i.audience.name,
            interviewee=i.interviewee,
            post=i.post,
            notes=i.notes,
            answers=[
                InterviewAnswerLine(
                    question=a.question.text,
                    yes_no=a.yes_no,
                    text=a.text,
                    tag=a.tag,
                    tag_label=a.get_tag_display() if a.tag else "",
                )
                for a in i.answers.all()
            ],
        )
        for i in rows.interviews
    ]

    area_findings = {a.pk: AreaFindings(code=a.code, name=a.name) for a in areas}
    for finding in rows.findings:
        area = area_findings.get(finding.content_area_id)
        if area is None:
            continue
        if finding.kind == Finding.Kind.STRENGTH:
            area.strengths.append(finding.text)
        else:
            area.shortcomings.append(finding.text)
    actions = []
    for action in rows.actions:
        area = area_findings.get(action.content_area_id)
        line = ActionLine(
            area=area.name if area else "",
            unit=visit.unit_name,
            description=action.description,
            responsible_unit=action.responsible_office.name
            if action.responsible_office_id
            else visit.branch.name,
            responsible_person=action.responsible_person,
            owner=str(action.owner) if action.owner_id else "",
            deadline=action.deadline,
            status=action.status,
            status_label=action.get_status_display(),
            overdue=action.is_overdue(today),
        )
        actions.append(line)
        if area is not None:
            area.actions.append(line)

    approval = visit.approvals[0] if visit.approvals else None
    return VisitReport(
        visit=visit,
        title=VISIT_REPORT_TITLE,
        campaign=visit.campaign.name,
        branch=visit.branch.name,
        office=visit.office.name if visit.office_id else "",
        unit_name=visit.unit_name,
        kind=visit.get_kind_display(),
        start_date=visit.start_date,
        end_date=visit.end_date,
        inspectors=[str(u) for u in visit.inspectors.all()],
        approved_at=visit.approved_at,
        approved_by=str(approval.by) if approval else "",
        approval_comment=approval.comment if approval else "",
        generated_at=timezone.now(),
        grade_bands=bands,
        scored_sheet_kinds=[(s.table_label, s.name) for s in scored_defs],
        specialists=specialists,
        unit_result=unit_result([r.percent for r in records], bands),
        line_results=line_results,
        line_waivers=[(w.get_business_line_display(), w.reason) for w in visit.line_waivers.all()],
        sheets=sheets,
        log=log,
        checklists=checklist_sheets,
        checklist_summaries=summaries,
        kpis=rows.kpis,
        kpi_note=visit.kpi_monitoring_note,
        interviews=interviews,
        areas=list(area_findings.values()),
        actions=actions,
        results_status=rows.results_status,
        objections=rows.objections,
        repeat_findings=rows.repeat_findings,
    )
