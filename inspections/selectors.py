"""Reads of the organisation, narrowed to what the user may see (`access`)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from scoring import answers as stored_answers
from scoring.engine import check_sheet
from scoring.models import BusinessLine, InterviewAudience, Item, KpiThreshold, Section, Sheet
from scoring.results import ApprovedVisit, Standing, Standings, kpi_passed, standings
from scoring.selectors import checklist_requirements, rubric_definitions, sheet_definition

from . import access, history
from .models import (
    ActionEvent,
    Branch,
    BranchReportSubmission,
    Campaign,
    ChecklistRecord,
    DeadlineExtension,
    ItemOutcome,
    KpiFigure,
    Objection,
    Office,
    RaisedProblem,
    RandomDraw,
    RectificationAction,
    ResultsPublication,
    SheetRecord,
    Specialist,
    User,
    Visit,
    VisitChange,
    VisitTransition,
    deadlines,
)
from .models.actions import closed_on_time
from .models.ordering import branch_order, bytewise, office_order, unit_order
from .objection_targets import Target, checklist_targets, sheet_targets


def branch_overview(*, user: User) -> QuerySet[Branch]:
    """Visible branches with their offices and head counts, in a fixed number of queries."""
    offices = Office.objects.annotate(
        specialist_count=Count("specialists", filter=Q(specialists__active=True))
    ).order_by(*office_order())
    return (
        access.visible_branches(user)
        .annotate(
            office_count=Count("offices", distinct=True),
            specialist_count=Count(
                "specialists", filter=Q(specialists__active=True), distinct=True
            ),
        )
        .prefetch_related(Prefetch("offices", queryset=offices))
        .order_by(*branch_order())
    )


def specialist_list(
    *, user: User, branch_id: int | None = None, office_id: int | None = None
) -> QuerySet[Specialist]:
    specialists = (
        access.visible_specialists(user)
        .select_related("branch", "office", "home_post")
        .prefetch_related("concurrent_posts")
        .order_by(*unit_order(), bytewise("employee_no").asc())
    )
    if branch_id:
        specialists = specialists.filter(branch_id=branch_id)
    if office_id:
        specialists = specialists.filter(office_id=office_id)
    return specialists


def visible_campaigns(*, user: User) -> QuerySet[Campaign]:
    return access.visible_campaigns(user).select_related("rubric").order_by("-period_start")


# --- campaigns and visits ---------------------------------------------------


def visit_list(*, user: User, campaign_id: int | None = None) -> QuerySet[Visit]:
    visits = (
        access.visible_visits(user)
        .select_related("campaign", "branch", "office")
        .prefetch_related("inspectors")
        .order_by("-start_date", *unit_order(), "pk")
    )
    if campaign_id:
        visits = visits.filter(campaign_id=campaign_id)
    return visits


# --- review: what waits for a reviewer, what was sent back ------------------------

_REVIEW_STEPS = (Visit.State.SUBMITTED, Visit.State.RETURNED)


def _latest_transitions(to_states) -> QuerySet[VisitTransition]:
    """A visit's transitions to these states, newest first (for Prefetch and
    Subquery: `visit` is the outer visit when used with OuterRef)."""
    return VisitTransition.objects.filter(to_state__in=to_states).order_by("-at", "-pk")


def review_queue(*, user: User) -> QuerySet[Visit]:
    """The submitted visits waiting for this user's decision (approve or
    return; `access.reviewable_visits`), the longest-waiting first. Each has
    `submitted_at` and `submissions` (its submissions with who, newest first)."""
    submissions = _latest_transitions([Visit.State.SUBMITTED])
    return (
        access.reviewable_visits(user)
        .filter(state=Visit.State.SUBMITTED)
        .select_related("campaign", "branch", "office")
        .annotate(submitted_at=Subquery(submissions.filter(visit=OuterRef("pk")).values("at")[:1]))
        .prefetch_related(
            "inspectors",
            Prefetch(
                "transitions", queryset=submissions.select_related("by"), to_attr="submissions"
            ),
        )
        .order_by("submitted_at", "pk")
    )


def returned_visits(*, user: User) -> QuerySet[Visit]:
    """The visits this user inspects that a reviewer sent back and that are not
    submitted again yet (still returned, or being corrected), each with
    `returns` (its returns with reason and reviewer, newest first)."""
    last_step = _latest_transitions(_REVIEW_STEPS).filter(visit=OuterRef("pk"))
    return (
        access.visible_visits(user)
        .filter(inspectors=user, state__in=[Visit.State.RETURNED, Visit.State.IN_PROGRESS])
        .annotate(last_review_step=Subquery(last_step.values("to_state")[:1]))
        .filter(last_review_step=Visit.State.RETURNED)
        .select_related("campaign", "branch", "office")
        .prefetch_related(
            Prefetch(
                "transitions",
                queryset=_latest_transitions([Visit.State.RETURNED]).select_related("by"),
                to_attr="returns",
            )
        )
        .order_by("start_date", "pk")
    )


def open_return(*, visit: Visit) -> VisitTransition | None:
    """The return (reason, reviewer, when) the visit's inspectors still have to
    answer: the visit is open and was not submitted again since; else None."""
    if not visit.is_editable:
        return None
    step = _latest_transitions(_REVIEW_STEPS).filter(visit=visit).select_related("by").first()
    return step if step is not None and step.to_state == Visit.State.RETURNED else None


def current_office_draws(*, campaign: Campaign) -> dict[int, RandomDraw]:
    """The current (not superseded) office draw of each branch of the campaign."""
    return {
        draw.branch_id: draw
        for draw in RandomDraw.objects.filter(
            campaign=campaign, kind=RandomDraw.Kind.OFFICES, superseded_by__isnull=True
        ).select_related("drawn_by")
    }


@dataclass
class BoardUnit:
    branch: Branch
    office: Office | None
    drawn: bool
    self_inspections: list = field(default_factory=list)
    head_office_checks: list = field(default_factory=list)
    #: score, grade and rank over the approved visits (None: none approved)
    standing: Standing | None = None

    @property
    def name(self):
        return self.office.name if self.office else self.branch.name

    @property
    def self_inspection_approved(self) -> bool:
        return any(v.state == Visit.State.APPROVED for v in self.self_inspections)


@dataclass
class BoardBranch:
    branch: Branch
    units: list[BoardUnit]
    draw: RandomDraw | None
    #: the campaign's report due date has passed
    past_due: bool
    #: the branch's acceptance report submission, if any
    report: BranchReportSubmission | None = None
    #: no report submitted and the due date has passed
    report_missing: bool = False
    #: the report was submitted after the due date
    report_late: bool = False
    #: whether its head-office results are published, provisional or final
    results: "ResultsStatus | None" = None
    #: score, grade and rank among the branches (None: no approved visit)
    standing: Standing | None = None

    @property
    def unapproved_units(self) -> list[BoardUnit]:
        """The units whose self-inspection is not approved yet: the branch's own
        counters (the first unit, visits with no office) and its offices, both
        in scope (seed 000: 分公司、三级机构均在验收范围)."""
        return [unit for unit in self.units if not unit.self_inspection_approved]

    @property
    def open_units(self) -> int:
        return len(self.unapproved_units)

    @property
    def late(self) -> bool:
        """Past the due date with a unit (the branch itself or an office) whose
        self-inspection is not approved."""
        return self.past_due and self.open_units > 0


def campaign_board(*, campaign: Campaign, user: User, today: datetime.date) -> list[BoardBranch]:
    """Every branch and office in scope with its visits and their states, in a
    fixed number of queries."""
    branches = list(
        access.visible_branches(user)
        .filter(pk__in=campaign.branches.values("pk"))
        .prefetch_related(
            Prefetch(
                "offices", queryset=Office.objects.filter(active=True).order_by(*office_order())
            )
        )
        .order_by(*branch_order())
    )
    draws_by_branch = current_office_draws(campaign=campaign)
    visits = list(
        access.visible_visits(user)
        .filter(campaign=campaign, branch__in=branches)
        .select_related("office")
        .order_by("start_date", "pk")
    )
    reports = {
        report.branch_id: report
        for report in BranchReportSubmission.objects.filter(
            campaign=campaign, branch__in=branches
        ).select_related("submitted_by", "campaign")
    }
    statuses = results_statuses(campaign=campaign, branch_ids=[b.pk for b in branches], today=today)
    ranked = (
        campaign_standings(campaign=campaign)
        if access.sees_unit_results(user)
        else Standings(units={}, branches={})
    )
    rows = []
    for branch in branches:
        draw = draws_by_branch.get(branch.pk)
        drawn_ids = set(draw.result_ids) if draw else set()
        units = [BoardUnit(branch, None, False)] + [
            BoardUnit(branch, office, office.pk in drawn_ids) for office in branch.offices.all()
        ]
        by_office = {unit.office.pk if unit.office else None: unit for unit in units}
        for unit in units:
            unit.standing = ranked.units.get((branch.pk, unit.office.pk if unit.office else None))
        for visit in visits:
            if visit.branch_id != branch.pk:
                continue
            unit = by_office.get(visit.office_id)
            if unit is None:
                continue
            if visit.kind == Visit.Kind.SELF_INSPECTION:
                unit.self_inspections.append(visit)
            else:
                unit.head_office_checks.append(visit)
        past_due = campaign.is_past_due(today)
        row = BoardBranch(
            branch=branch,
            units=units,
            draw=draw,
            past_due=past_due,
            report=reports.get(branch.pk),
            report_missing=branch.pk not in reports and past_due,
            report_late=branch.pk in reports and reports[branch.pk].is_late,
            results=statuses[branch.pk],
            standing=ranked.branches.get(branch.pk),
        )
        rows.append(row)
    return rows


def campaign_standings(*, campaign: Campaign) -> Standings:
    """Every unit's and branch's score, grade and rank over the campaign's
    approved visits, from their stored (frozen) sheet percentages, in 3 queries.
    Ranks are among all the campaign's units and branches, whoever looks: a
    branch manager sees where their branch stands, not the others' scores."""
    visits = list(
        Visit.objects.filter(
            campaign=campaign,
            state=Visit.State.APPROVED,
            branch__in=campaign.branches.values("pk"),
        )
        .order_by("start_date", "approved_at", "pk")
        .values_list("pk", "branch_id", "office_id", "kind")
    )
    percents: dict[int, list] = {pk: [] for pk, *_ in visits}
    approved = SheetRecord.objects.filter(
        visit__campaign=campaign, visit__state=Visit.State.APPROVED
    ).order_by()
    for visit_id, percent in approved.values_list("visit_id", "percent"):
        if visit_id in percents:  # a visit of a branch no longer in scope
            percents[visit_id].append(percent)
    return standings(
        (
            ApprovedVisit(
                branch_id=branch_id,
                office_id=office_id,
                head_office_check=kind == Visit.Kind.HEAD_OFFICE_CHECK,
                percents=tuple(percents[pk]),
            )
            for pk, branch_id, office_id, kind in visits
        ),
        campaign.grade_band_defs(),
    )


@dataclass(frozen=True)
class KpiStatus:
    kpi: str
    label: str
    unit_name: str
    value: object  # Decimal | None
    threshold: object  # Decimal | None

    @property
    def passed(self) -> bool | None:
        return kpi_passed(self.value, self.threshold)


def visit_kpis(*, visit: Visit) -> list[KpiStatus]:
    """The KPI figures that concern the visit, against its branch's batch thresholds:
    the branch's balanced acceptance rate, and the mixed acceptance rate of the
    visited office (of every office, for a visit of the branch itself)."""
    return visits_kpis(visits=[visit])[visit.pk]


def visits_kpis(*, visits: Sequence[Visit]) -> dict[int, list[KpiStatus]]:
    """`visit_kpis` of many visits by visit id, in 3 queries whatever their
    number (a branch report's). The visits need their campaign and branch."""
    thresholds = {
        (t.rubric_id, t.rollout_batch, t.kpi): t.minimum_percent
        for t in KpiThreshold.objects.filter(
            rubric_id__in={v.campaign.rubric_id for v in visits},
            rollout_batch__in={v.branch.rollout_batch for v in visits},
        )
    }
    figures = {
        (f.campaign_id, f.branch_id, f.kpi, f.office_id): f.value_percent
        for f in KpiFigure.objects.filter(
            campaign_id__in={v.campaign_id for v in visits},
            branch_id__in={v.branch_id for v in visits},
        )
    }
    # A visit of the branch itself lists every office; queried whatever the
    # visits, so the count does not depend on which units were visited.
    offices: dict[int, list[Office]] = {}
    for office in Office.objects.filter(
        branch_id__in={v.branch_id for v in visits}, active=True
    ).order_by(*office_order()):
        offices.setdefault(office.branch_id, []).append(office)
    balanced = KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE
    mixed = KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE
    result = {}
    for visit in visits:
        rubric, batch = visit.campaign.rubric_id, visit.branch.rollout_batch
        campaign, branch = visit.campaign_id, visit.branch_id
        rows = [
            KpiStatus(
                balanced,
                balanced.label,
                visit.branch.name,
                figures.get((campaign, branch, balanced, None)),
                thresholds.get((rubric, batch, balanced)),
            )
        ]
        rows += [
            KpiStatus(
                mixed,
                mixed.label,
                office.name,
                figures.get((campaign, branch, mixed, office.pk)),
                thresholds.get((rubric, batch, mixed)),
            )
            for office in ([visit.office] if visit.office_id else offices.get(branch, []))
        ]
        result[visit.pk] = rows
    return result


def unit_specialists(*, visit: Visit) -> QuerySet[Specialist]:
    people = Specialist.objects.filter(branch_id=visit.branch_id, active=True).select_related(
        "home_post"
    )
    people = (
        people.filter(office_id=visit.office_id) if visit.office_id else people.filter(office=None)
    )
    return people.prefetch_related("concurrent_posts").order_by(bytewise("employee_no").asc())


@dataclass(frozen=True)
class RequiredInterview:
    audience: InterviewAudience
    done: bool


def required_interviews(*, visit: Visit) -> list[RequiredInterview]:
    """The audiences the campaign's rubric requires an interview of at this kind
    of visit (`Visit.interview_requirement`), each with whether the visit has one."""
    required = InterviewAudience.REQUIRED_FIELDS[visit.interview_requirement]
    interviewed = set(visit.interviews.values_list("audience_id", flat=True))
    audiences = InterviewAudience.objects.filter(
        rubric_id=visit.campaign.rubric_id, **{required: True}
    ).order_by("order", "pk")
    return [RequiredInterview(audience, audience.pk in interviewed) for audience in audiences]


def visit_missing_items(*, visit: Visit) -> list[tuple[str, str]]:
    """What still stops the visit from being submitted, each with the page to fix it."""
    missing = []
    url = lambda name, *args: reverse(name, args=[visit.pk, *args])  # noqa: E731
    sheets = {s.code: s for s in Sheet.objects.filter(rubric_id=visit.campaign.rubric_id)}
    records = list(SheetRecord.objects.filter(visit=visit).select_related("sheet", "specialist"))
    waived = set(visit.line_waivers.values_list("business_line", flat=True))
    for sheet in sheets.values():
        if sheet.kind != Sheet.Kind.SCORED:
            continue
        line_records = [r for r in records if r.sheet_id == sheet.pk]
        if not any(r.complete for r in line_records) and sheet.business_line not in waived:
            missing.append(
                (
                    _("%(sheet)s (%(line)s): no complete sheet yet, and no reason recorded why not")
                    % {"sheet": sheet, "line": BusinessLine(sheet.business_line).label},
                    url("visit-detail") + f"#line-{sheet.business_line}",
                )
            )
    for record in records:
        if not record.complete:
            missing.append(
                (
                    _("%(sheet)s of %(name)s is not complete")
                    % {"sheet": record.sheet.table_label, "name": record.specialist.name},
                    url("visit-sheet", record.pk),
                )
            )
    checklists = list(ChecklistRecord.objects.filter(visit=visit).select_related("sheet"))
    scored_people = {r.specialist_id: r.specialist for r in records}
    for sheet in sheets.values():
        if sheet.kind != Sheet.Kind.CHECKLIST:
            continue
        if sheet.per_specialist:
            for person_id, person in scored_people.items():
                done = any(
                    c.sheet_id == sheet.pk and c.specialist_id == person_id and c.complete
                    for c in checklists
                )
                if not done:
                    missing.append(
                        (
                            _("%(sheet)s of %(name)s is not answered in full")
                            % {"sheet": sheet.table_label, "name": person.name},
                            url("visit-checklist", sheet.code) + f"?specialist={person_id}",
                        )
                    )
        elif not any(
            c.sheet_id == sheet.pk and c.specialist_id is None and c.complete for c in checklists
        ):
            missing.append(
                (
                    _("%(sheet)s is not answered in full") % {"sheet": sheet},
                    url("visit-checklist", sheet.code),
                )
            )
    kpis = visit_kpis(visit=visit)
    if any(k.value is None for k in kpis):
        missing.append(
            (_("Head office has not entered every KPI figure for this unit yet"), url("visit-kpis"))
        )
    if not visit.kpi_monitoring_note:
        missing.append(
            (_("Record how the branch monitors the KPIs and what was discussed"), url("visit-kpis"))
        )
    for required in required_interviews(visit=visit):
        if not required.done:
            missing.append(
                (
                    _("No interview yet of “%(audience)s”, which this kind of visit requires")
                    % {"audience": required.audience.name},
                    url("visit-interviews") + f"#audience-{required.audience.pk}",
                )
            )
    areas_with_findings = set(visit.findings.values_list("content_area_id", flat=True))
    for area in visit.campaign.rubric.content_areas.all():
        if area.pk not in areas_with_findings:
            missing.append(
                (
                    _("Write at least one strength or shortcoming for “%(area)s”")
                    % {"area": area.name},
                    url("visit-findings") + f"#area-{area.code}",
                )
            )
    return missing


def draw_history(*, campaign: Campaign, user: User) -> QuerySet[RandomDraw]:
    """Every office draw of the campaign, superseded ones included, newest first."""
    return (
        RandomDraw.objects.filter(
            campaign=campaign,
            kind=RandomDraw.Kind.OFFICES,
            branch__in=access.visible_branches(user),
        )
        .select_related("branch", "drawn_by", "superseded_by")
        .order_by(*branch_order("branch__"), "-drawn_at", "-pk")
    )


# --- rectification actions ------------------------------------------------------

REPEATED_OVERDUE_THRESHOLD = 3  # seed 001: three or more repeated findings escalate
DUE_SOON_DAYS = 7  # the action list's "due within 7 days" count


def action_list(
    *, user: User, today: datetime.date, filters: dict | None = None
) -> QuerySet[RectificationAction]:
    """The user's visible actions, sorted by deadline, filtered; a fixed number of queries."""
    filters = filters or {}
    actions = (
        access.visible_actions(user)
        .select_related(
            "visit__campaign",
            "visit__branch",
            "visit__office",
            "responsible_office",
            "content_area",
            "owner",
        )
        .annotate(
            pending_extension=Exists(
                DeadlineExtension.objects.filter(
                    action=OuterRef("pk"), state=DeadlineExtension.State.PENDING
                )
            )
        )
        .order_by("deadline", "pk")
    )
    status = filters.get("status")
    if status == "open":
        actions = actions.open()
    elif status in RectificationAction.Status.values:
        actions = actions.filter(status=status)
    if filters.get("office"):
        actions = actions.filter(responsible_office_id=filters["office"])
    if filters.get("campaign"):
        actions = actions.filter(visit__campaign_id=filters["campaign"])
    if filters.get("area"):
        actions = actions.filter(content_area__code=filters["area"])
    window = filters.get("due")
    if window == "overdue":
        actions = actions.overdue(today)
    elif window in ("7", "30"):
        actions = actions.due_within(today, int(window))
    return actions


def action_counts(*, user: User, today: datetime.date) -> dict:
    pks = access.visible_actions(user).values("pk")
    return RectificationAction.objects.filter(pk__in=pks).aggregate(
        open=Count("pk", filter=deadlines.not_closed()),
        due_soon=Count("pk", filter=deadlines.due_within(today, DUE_SOON_DAYS)),
        overdue=Count("pk", filter=deadlines.overdue(today)),
        closed=Count("pk", filter=Q(status=RectificationAction.Status.CLOSED)),
        closed_on_time=Count("pk", filter=closed_on_time()),
    )


@dataclass
class ActionStatsRow:
    branch: str
    unit: str
    open: int
    overdue: int
    closed: int
    closed_on_time: int

    @property
    def on_time_rate(self):
        if not self.closed:
            return None
        return round(self.closed_on_time * 100 / self.closed, 1)

    @property
    def repeated_overdue(self) -> bool:
        return self.overdue >= REPEATED_OVERDUE_THRESHOLD


def action_stats(
    *, user: User, today: datetime.date, campaign_id: int | None = None
) -> list[ActionStatsRow]:
    """Per branch and responsible unit: open, overdue, closed on time, on-time rate (one query)."""
    pks = access.visible_actions(user).values("pk")
    actions = RectificationAction.objects.filter(pk__in=pks)
    if campaign_id:
        actions = actions.filter(visit__campaign_id=campaign_id)
    rows = (
        actions.values(
            "visit__branch__code",
            "visit__branch__name",
            "responsible_office__code",
            "responsible_office__name",
        )
        .annotate(
            open=Count("pk", filter=deadlines.not_closed()),
            overdue=Count("pk", filter=deadlines.overdue(today)),
            closed=Count("pk", filter=Q(status=RectificationAction.Status.CLOSED)),
            closed_on_time=Count("pk", filter=closed_on_time()),
        )
        .order_by(*unit_order("visit__branch__", "responsible_office__"))
    )
    return [
        ActionStatsRow(
            branch=row["visit__branch__name"],
            unit=row["responsible_office__name"] or row["visit__branch__name"],
            open=row["open"],
            overdue=row["overdue"],
            closed=row["closed"],
            closed_on_time=row["closed_on_time"],
        )
        for row in rows
    ]


def action_detail(*, user: User, pk: int) -> RectificationAction:
    """The action with its timeline; Http404 (NotVisible when it exists) otherwise."""
    return access.get_visible(
        access.visible_actions(user)
        .select_related(
            "visit__campaign",
            "visit__branch",
            "visit__office",
            "responsible_office",
            "content_area",
            "owner",
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ActionEvent.objects.select_related("by").prefetch_related("evidence"),
            ),
            Prefetch(
                "extensions",
                queryset=DeadlineExtension.objects.select_related("requested_by", "decided_by"),
            ),
        ),
        pk=pk,
    )


# --- the problem register ---------------------------------------------------------------


def problem_list(
    *, user: User, today: datetime.date, filters: dict | None = None
) -> QuerySet[RaisedProblem]:
    """The entries the user may see, by due date, filtered (`ProblemFilterForm.filters`);
    one query, whatever the number of entries."""
    filters = filters or {}
    problems = (
        RaisedProblem.objects.filter(pk__in=access.visible_problems(user).values("pk"))
        .select_related(
            "visit__campaign",
            "visit__branch",
            "visit__office",
            "owner",
            "closed_by",
        )
        .order_by("deadline", "pk")
    )
    status = filters.get("status")
    if status == "not_closed":
        problems = problems.open()
    elif status in RaisedProblem.Status.values:
        problems = problems.filter(status=status)
    if filters.get("campaign"):
        problems = problems.filter(visit__campaign_id=filters["campaign"])
    if filters.get("branch"):
        problems = problems.filter(visit__branch_id=filters["branch"])
    if filters.get("kind"):
        problems = problems.filter(kind=filters["kind"])
    if filters.get("overdue"):
        problems = problems.overdue(today)
    return problems


def problem_counts(*, user: User, today: datetime.date) -> dict:
    pks = access.visible_problems(user).values("pk")
    return RaisedProblem.objects.filter(pk__in=pks).aggregate(
        open=Count("pk", filter=Q(status=RaisedProblem.Status.OPEN)),
        responded=Count("pk", filter=Q(status=RaisedProblem.Status.RESPONDED)),
        overdue=Count("pk", filter=deadlines.overdue(today)),
        closed=Count("pk", filter=Q(status=RaisedProblem.Status.CLOSED)),
    )


def problem_detail(*, user: User, pk: int) -> RaisedProblem:
    """The entry with its interview; Http404 (NotVisible when it exists) otherwise."""
    return access.get_visible(
        access.visible_problems(user).select_related(
            "visit__campaign",
            "visit__branch",
            "visit__office",
            "owner",
            "responded_by",
            "closed_by",
            "answer__question",
            "answer__interview__audience",
        ),
        pk=pk,
    )


def problem_owners(*, problem: RaisedProblem) -> QuerySet[User]:
    """Whom head office may hand the entry to (`access.can_own_problem`)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(branch_id=problem.visit.branch_id, role__in=[r for r in User.Role.values if r])
            | Q(role__in=[User.Role.HEAD_OFFICE, User.Role.ADMIN])
            | Q(is_superuser=True)
        )
        .order_by("branch_id", "username")
    )


# --- change history ----------------------------------------------------------------


def visit_history(*, visit: Visit, entries: list[VisitChange]) -> list[history.HistoryEntry]:
    """`entries` (a page of `visit_changes`) as readable lines: the rubric's
    wording for answers, names for related objects (one query per related model)."""
    sheets = rubric_definitions(rubric=visit.campaign.rubric_id)
    related = {}
    for model, ids in history.related_ids(entries).items():
        keys = {int(i) for i in ids if str(i).isdigit()}
        related[model] = {
            obj.pk: _related_name(obj) for obj in model._default_manager.filter(pk__in=keys)
        }
    labels = history.Labels(sheets, related)
    return [history.describe(entry, labels) for entry in entries]


def visit_changes(*, visit: Visit) -> QuerySet[VisitChange]:
    return (
        VisitChange.objects.filter(visit=visit)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )


def _related_name(obj) -> str:
    return str(getattr(obj, "name", None) or obj)


# --- published results and objections (seed 002) -----------------------------


@dataclass(frozen=True)
class ResultsStatus:
    """Where a branch's head-office results stand: not published yet, then
    provisional from publication until the objection window has closed and
    every objection is settled, and final after that."""

    publication: ResultsPublication | None
    today: datetime.date
    pending_objections: int = 0
    objections: int = 0

    NOT_PUBLISHED, PROVISIONAL, FINAL = "not_published", "provisional", "final"

    @property
    def window_open(self) -> bool:
        return self.publication is not None and self.publication.window_open(self.today)

    @property
    def state(self) -> str:
        if self.publication is None:
            return self.NOT_PUBLISHED
        if self.window_open or self.pending_objections:
            return self.PROVISIONAL
        return self.FINAL

    @property
    def is_final(self) -> bool:
        return self.state == self.FINAL

    @property
    def label(self) -> str:
        if self.publication is None:
            return _("Provisional: not published to the branch yet")
        if self.window_open:
            return _("Provisional: objections accepted until %(date)s") % {
                "date": self.publication.window_closes_on.isoformat()
            }
        if self.pending_objections:
            return _("Provisional: %(count)s objection(s) awaiting review") % {
                "count": self.pending_objections
            }
        return _("Final")


def results_statuses(
    *, campaign: Campaign, branch_ids: list[int], today: datetime.date
) -> dict[int, ResultsStatus]:
    """Every branch's status in one query: {branch id: ResultsStatus}."""
    publications = {
        p.branch_id: p
        for p in ResultsPublication.objects.filter(campaign=campaign, branch_id__in=branch_ids)
        .annotate(
            pending=Count("objections", filter=Q(objections__state=Objection.State.PENDING)),
            raised=Count("objections"),
        )
        .select_related("campaign")
    }
    statuses = {}
    for branch_id in branch_ids:
        publication = publications.get(branch_id)
        statuses[branch_id] = ResultsStatus(
            publication,
            today,
            pending_objections=publication.pending if publication else 0,
            objections=publication.raised if publication else 0,
        )
    return statuses


def results_status(*, campaign: Campaign, branch: Branch, today: datetime.date) -> ResultsStatus:
    return results_statuses(campaign=campaign, branch_ids=[branch.pk], today=today)[branch.pk]


def objections_to_review(*, user: User) -> QuerySet[Objection]:
    """The objections awaiting head office's review that this user may decide
    (`access.can_decide_objection`: head office, not the check's inspector)."""
    if not user.is_authenticated or not user.is_head_office:
        return Objection.objects.none()
    return (
        Objection.objects.filter(state=Objection.State.PENDING)
        .exclude(visit__inspectors=user)
        .select_related("visit__branch", "visit__office", "raised_by", "publication")
        .order_by("raised_at", "pk")
    )


def visit_objections(*, visit: Visit) -> QuerySet[Objection]:
    """A head-office check's objections, oldest first, with their evidence."""
    return (
        Objection.objects.filter(visit=visit)
        .select_related("raised_by", "decided_by", "publication")
        .prefetch_related("evidence")
        .order_by("raised_at", "pk")
    )


def objection_targets(*, visit: Visit) -> list[Target]:
    """Everything of a head-office check a branch may object to, in the order
    of its sheets, with each result as it stands (the engine's, recomputed
    from the stored answers)."""
    targets = []
    records = (
        SheetRecord.objects.filter(visit=visit)
        .select_related("sheet", "specialist", "chosen_alternative")
        .prefetch_related("parts__part")
        .order_by("sheet__order", "specialist__employee_no", "pk")
    )
    bands = visit.campaign.grade_band_defs()
    for record in records:
        definition = sheet_definition(sheet=record.sheet, in_use=True)
        chosen = record.chosen_alternative.code if record.chosen_alternative_id else None
        parts = {p.part.code: p for p in record.parts.all()}
        answers = stored_answers.sheet_answers(parts, chosen_alternative=chosen)
        result = check_sheet(definition, answers, bands).result
        title = f"{record.sheet.table_label} {record.specialist.name}"
        targets += sheet_targets(
            record_id=record.pk, title=title, definition=definition, result=result
        )
    checklists = (
        ChecklistRecord.objects.filter(visit=visit)
        .select_related("sheet", "specialist")
        .order_by("sheet__order", "specialist__employee_no", "pk")
    )
    for checklist in checklists:
        requirements = checklist_requirements(
            sheet=sheet_definition(sheet=checklist.sheet, in_use=True)
        )
        title = str(checklist)
        targets += checklist_targets(
            record_id=checklist.pk,
            title=title,
            requirements=requirements,
            answers=checklist.answers,
        )
    return targets


# --- repeat findings (issue 15, point 4) ----------------------------------------


@dataclass(frozen=True)
class RepeatFinding:
    """A finding of an approved visit (an item that lost points, a requirement
    not complied with) that was a finding too, for the same item key (sheet,
    part, section, item codes: they match across rubric versions), in the
    counting visit of the same unit in its previous campaign: the latest
    earlier campaign, by period start, in which the unit has a counting visit
    (`Visit.counts_in_results`)."""

    sheet_code: str
    part_code: str
    section_code: str
    item_code: str
    table_label: str
    section_name: str
    item_text: str  # a section scored whole: the section's name
    requirement: bool  # a checklist requirement (no points)
    earlier_campaign: str
    earlier_visit_id: int
    remark_then: str
    remark_now: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.sheet_code, self.part_code, self.section_code, self.item_code)


@dataclass(frozen=True)
class EarlierVisit:
    visit_id: int
    campaign_id: int
    campaign_name: str


def previous_counting_visits(*, visit_ids: Sequence[int]) -> dict[int, EarlierVisit]:
    """For each visit, its unit's counting visit in the previous campaign
    (the latest campaign starting before the visit's own, ties broken by
    campaign id), if any; two queries whatever the number of visits."""
    visits = list(
        Visit.objects.filter(pk__in=visit_ids).values_list(
            "pk", "branch_id", "office_id", "campaign__period_start", "campaign_id"
        )
    )
    if not visits:
        return {}
    latest_start = max(start for _pk, _b, _o, start, _c in visits)
    earlier: dict[tuple[int, int | None], list] = {}
    counting = (
        Visit.objects.filter(
            counts_in_results=True,
            branch_id__in={branch for _pk, branch, *_rest in visits},
            campaign__period_start__lt=latest_start,
        )
        .order_by("campaign__period_start", "campaign_id")
        .values_list(
            "pk",
            "branch_id",
            "office_id",
            "campaign__period_start",
            "campaign_id",
            "campaign__name",
        )
    )
    for pk, branch, office, start, campaign_id, name in counting:
        earlier.setdefault((branch, office), []).append((start, campaign_id, pk, name))
    found = {}
    for pk, branch, office, start, _campaign_id in visits:
        before = [e for e in earlier.get((branch, office), []) if e[0] < start]
        if before:
            _start, campaign_id, earlier_pk, name = before[-1]
            found[pk] = EarlierVisit(earlier_pk, campaign_id, name)
    return found


def _joined(remarks: list[str]) -> str:
    return "；".join(dict.fromkeys(r for r in remarks if r))


def repeat_findings_of(*, visit_ids: Sequence[int]) -> dict[int, list[RepeatFinding]]:
    """The repeat findings of many visits, by visit id, in the order of their
    sheets and items, in at most five queries whatever the number of visits.
    Only approved visits have findings to compare (`ItemOutcome`); a key that
    failed on several records (two specialists' 表二) is one repeat finding,
    its remarks joined."""
    earlier = previous_counting_visits(visit_ids=visit_ids)
    if not earlier:
        return {}
    wanted = set(earlier) | {e.visit_id for e in earlier.values()}
    failed = (
        ItemOutcome.objects.filter(visit_id__in=wanted, failed=True)
        .order_by()  # sorted below by sheet order, then as written (the rubric's order)
        .values_list(
            "visit_id",
            "sheet_code",
            "part_code",
            "section_code",
            "item_code",
            "remark",
            "sheet_id",
            "item_id",
            "points",
            "pk",
        )
    )
    by_visit: dict[int, dict[tuple, list]] = {}
    for visit_id, sheet, part, section, item, remark, sheet_id, item_id, points, _pk in sorted(
        failed, key=lambda row: row[-1]
    ):
        keyed = by_visit.setdefault(visit_id, {})
        keyed.setdefault((sheet, part, section, item), []).append(
            (remark, sheet_id, item_id, points)
        )
    repeats: dict[int, list[tuple]] = {}
    for visit_id, before in earlier.items():
        then = by_visit.get(before.visit_id, {})
        now = by_visit.get(visit_id, {})
        hits = [(key, rows, then[key]) for key, rows in now.items() if key in then]
        if hits:
            repeats[visit_id] = hits
    if not repeats:
        return {}
    sheet_ids = {rows[0][1] for hits in repeats.values() for _key, rows, _then in hits}
    item_ids = {rows[0][2] for hits in repeats.values() for _key, rows, _then in hits} - {None}
    sections, sheet_order = {}, {}
    for sheet_id, label, order, part, code, name in Section.objects.filter(
        part__sheet_id__in=sheet_ids
    ).values_list(
        "part__sheet_id",
        "part__sheet__table_label",
        "part__sheet__order",
        "part__code",
        "code",
        "name",
    ):
        sections[sheet_id, part, code] = (label, name)
        sheet_order[sheet_id] = order
    texts = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "text"))
    result: dict[int, list[RepeatFinding]] = {}
    for visit_id, hits in repeats.items():
        before = earlier[visit_id]
        lines = []
        hits.sort(key=lambda hit: sheet_order.get(hit[1][0][1], 0))  # stable: keeps item order
        for key, rows, then in hits:
            _remark, sheet_id, item_id, points = rows[0]
            label, section_name = sections.get((sheet_id, key[1], key[2]), ("", key[2]))
            lines.append(
                RepeatFinding(
                    *key,
                    table_label=label,
                    section_name=section_name,
                    item_text=texts.get(item_id, section_name) if item_id else section_name,
                    requirement=points is None,
                    earlier_campaign=before.campaign_name,
                    earlier_visit_id=before.visit_id,
                    remark_then=_joined([r[0] for r in then]),
                    remark_now=_joined([r[0] for r in rows]),
                )
            )
        result[visit_id] = lines
    return result


def repeat_findings(*, visit: Visit) -> list[RepeatFinding]:
    """One visit's repeat findings (see `repeat_findings_of`)."""
    return repeat_findings_of(visit_ids=[visit.pk]).get(visit.pk, [])
