"""Head office's consolidated report of a campaign: the data, read in a fixed
number of queries however many visits the campaign has.

Only approved visits count (approval freezes their scores). Per unit (an
office, or a branch itself when it was visited) and per visit kind:

- the score per sheet kind (表二/表三/表四): the mean of that sheet's
  percentages over the visit's specialists;
- the overall score and grade: `scoring.results.unit_result`, the mean of every
  sheet percentage of the visit across 表二–表四, graded by the campaign's bands;
- the checklist compliance rates (表五, 表七) beside it.

Where a unit has both a self-inspection and a head-office check, both are
shown and the head-office check ranks. A branch's scores are the same means
over the ranking visits of all its units. Ranks are competition ranks (1, 2,
2, 4): units across the whole campaign and within their branch, branches among
branches. The units' and branches' results and ranks are
`scoring.results.standings` over every approved visit of the campaign (the
campaign board's rules, written once), so a report narrowed to some branches
(`branch_ids`: a branch report, a branch manager's results page) still ranks
them among the whole campaign; `branch_rank` ranks a unit within its branch.

`campaign_results` is the results part (branch and unit rows), which the
results page shows; `consolidated_data` adds the interviews' problems and the
objections, which only the reports show.

Rows are read with `values()` and `.iterator(chunk_size=…)` and aggregated in
Python, so the number of queries does not grow with the number of visits.
`detail_rows` streams one row per scored item (and per checklist
requirement) by recomputing each stored form's answers with the engine.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import (
    BranchReportSubmission,
    Campaign,
    ChecklistRecord,
    InterviewAnswer,
    KpiFigure,
    Office,
    PartRecord,
    RaisedProblem,
    RandomDraw,
    RectificationAction,
    SheetRecord,
    User,
    Visit,
    deadlines,
)
from inspections.models.ordering import branch_order, bytewise, office_order, unit_order
from inspections.selectors import results_statuses
from scoring import answers as stored_answers
from scoring import definitions as d
from scoring.engine import ScoringError, compliance_rate, mean_percent, score_part
from scoring.models import KpiThreshold, RolloutBatch, Sheet
from scoring.outcomes import part_outcomes
from scoring.results import (
    ApprovedVisit,
    Result,
    competition_ranks,
    kpi_passed,
    ranking_visit,
    standings,
    unit_result,
)
from scoring.selectors import checklist_requirements, rubric_definitions

from .repeats import repeat_lines
from .results import branch_objections, objection_lines, status_text
from .types import ObjectionLine, RepeatLine

CHUNK_SIZE = 2000

#: score distribution buckets: (label, lower bound inclusive)
DISTRIBUTION = (
    ("<60", Decimal(0)),
    ("60–69", Decimal(60)),
    ("70–79", Decimal(70)),
    ("80–84", Decimal(80)),
    ("85–89", Decimal(85)),
    ("90–94", Decimal(90)),
    ("95–100", Decimal(95)),
)

BALANCED = KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE
MIXED = KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE


@dataclass(frozen=True)
class SheetKind:
    id: int
    code: str
    table_label: str
    name: str


@dataclass(frozen=True)
class Kpi:
    value: Decimal | None
    threshold: Decimal | None

    @property
    def passed(self) -> bool | None:
        return kpi_passed(self.value, self.threshold)


@dataclass
class VisitScores:
    visit_id: int
    kind: str
    start_date: object
    end_date: object
    #: sheet code → mean percentage of that sheet in the visit (None: not scored)
    sheet_percents: dict[str, Decimal | None] = field(default_factory=dict)
    #: every scored sheet percentage of the visit (表二–表四)
    percents: list[Decimal] = field(default_factory=list)
    result: Result | None = None
    #: checklist sheet code → compliance rate
    checklist_rates: dict[str, Decimal | None] = field(default_factory=dict)
    #: checklist sheet code → (requirements complied with, not complied with)
    checklist_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: the same two, as lists in sheet order (for templates)
    sheet_percent_list: list[Decimal | None] = field(default_factory=list)
    checklist_rate_list: list[Decimal | None] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(Visit.Kind(self.kind).label)


@dataclass
class UnitRow:
    branch_id: int
    office_id: int | None
    name: str
    code: str
    drawn: bool
    self_inspection: VisitScores | None = None
    head_office_check: VisitScores | None = None
    mixed_kpi: Kpi | None = None
    open_actions: int = 0
    overdue_actions: int = 0
    #: the unit's standing (`scoring.results.standings`): its ranking visit's
    #: result, its rank among every unit of the campaign
    result: Result | None = None
    rank: int | None = None
    branch_rank: int | None = None

    @property
    def is_branch_itself(self) -> bool:
        return self.office_id is None

    @property
    def ranking(self) -> VisitScores | None:
        """The visit that ranks: the head-office check when there is one."""
        return ranking_visit(self.self_inspection, self.head_office_check)

    @property
    def percent(self) -> Decimal | None:
        return self.result.percent if self.result else None

    @property
    def grade(self) -> str | None:
        return self.result.grade if self.result else None

    @property
    def visits(self) -> list[VisitScores]:
        return [v for v in (self.self_inspection, self.head_office_check) if v]

    @property
    def visits_or_none(self) -> list[VisitScores | None]:
        """The visits shown, or one None for a unit without an approved visit."""
        return self.visits or [None]


@dataclass
class BranchRow:
    branch_id: int
    code: str
    name: str
    rollout_batch: str
    units: list[UnitRow]
    drawn_office_names: list[str]
    balanced_kpi: Kpi
    sheet_percents: dict[str, Decimal | None] = field(default_factory=dict)
    sheet_percent_list: list[Decimal | None] = field(default_factory=list)
    #: checklist sheet code → compliance over the units' ranking visits' answers
    checklist_rates: dict[str, Decimal | None] = field(default_factory=dict)
    checklist_rate_list: list[Decimal | None] = field(default_factory=list)
    grade_count_list: list[tuple[str, int]] = field(default_factory=list)
    result: Result | None = None
    rank: int | None = None
    report_submitted_at: object = None
    report_late: bool = False
    results_status: str = ""  # head office's results: provisional or final

    @property
    def percent(self):
        return self.result.percent if self.result else None

    @property
    def grade(self):
        return self.result.grade if self.result else None

    @property
    def rollout_batch_label(self) -> str:
        return str(RolloutBatch(self.rollout_batch).label) if self.rollout_batch else ""

    @property
    def mixed_kpi_passed(self) -> bool | None:
        """The mixed acceptance rate passes when every office of the branch passes."""
        results = [u.mixed_kpi.passed for u in self.units if u.mixed_kpi is not None]
        if any(r is False for r in results):
            return False
        if not results or any(r is None for r in results):
            return None
        return True

    @property
    def open_actions(self) -> int:
        return sum(u.open_actions for u in self.units)

    @property
    def overdue_actions(self) -> int:
        return sum(u.overdue_actions for u in self.units)

    def grade_counts(self, grades) -> dict[str, int]:
        counts = Counter(u.grade for u in self.units if u.grade)
        return {grade: counts.get(grade, 0) for grade in grades}


@dataclass(frozen=True)
class InterviewItem:
    branch: str
    unit: str
    visit_kind: str
    audience: str
    interviewee: str
    post: str
    question: str
    tag: str
    text: str
    # Its problem register entry: status, owner, due date, response, closing date.
    status: str = ""
    owner: str = ""
    deadline: datetime.date | None = None
    response: str = ""
    closed_on: datetime.date | None = None

    @property
    def tag_label(self) -> str:
        return str(InterviewAnswer.Tag(self.tag).label)


@dataclass
class CampaignResults:
    """The campaign's results: a row per branch, with a row per unit."""

    campaign: Campaign
    today: object
    grades: list[str]
    scored_sheets: list[SheetKind]
    checklist_sheets: list[SheetKind]
    branches: list[BranchRow]
    #: how many branches and units of the whole campaign have a rank (the
    #: "of N" of a rank, also where `branches` is narrowed)
    ranked_branches: int = 0
    ranked_units: int = 0

    @property
    def units(self) -> list[UnitRow]:
        return [unit for branch in self.branches for unit in branch.units]

    def grade_counts_by_branch(self) -> list[tuple[str, dict[str, int]]]:
        return [(b.name, b.grade_counts(self.grades)) for b in self.branches]

    def distribution(self) -> list[tuple[str, int]]:
        """How many units' ranking results fall in each score bucket."""
        counts = [0] * len(DISTRIBUTION)
        for unit in self.units:
            if unit.percent is None:
                continue
            for index in range(len(DISTRIBUTION) - 1, -1, -1):
                if unit.percent >= DISTRIBUTION[index][1]:
                    counts[index] += 1
                    break
        return [(label, count) for (label, _lower), count in zip(DISTRIBUTION, counts, strict=True)]


@dataclass
class ConsolidatedData(CampaignResults):
    """The results, and what only the reports show beside them."""

    interview_items: list[InterviewItem] = field(default_factory=list)
    objections: list[ObjectionLine] = field(default_factory=list)
    #: of the units' ranking visits: what failed in their previous campaign too
    repeat_findings: list[RepeatLine] = field(default_factory=list)

    @property
    def problems(self) -> list[InterviewItem]:
        return [i for i in self.interview_items if i.tag == InterviewAnswer.Tag.PROBLEM]

    @property
    def support_requests(self) -> list[InterviewItem]:
        return [i for i in self.interview_items if i.tag == InterviewAnswer.Tag.SUPPORT]


def approved_visits(*, campaign: Campaign):
    return Visit.objects.filter(campaign=campaign, state=Visit.State.APPROVED)


def consolidated_data(
    *, campaign: Campaign, today: datetime.date, branch_ids: Collection[int] | None = None
) -> ConsolidatedData:
    """Everything the consolidated report shows, in a fixed number of queries
    (`branch_ids` narrows it to some branches, e.g. for a branch report)."""
    results = campaign_results(campaign=campaign, today=today, branch_ids=branch_ids)
    branch_pks = [row.branch_id for row in results.branches]
    return ConsolidatedData(
        **{f.name: getattr(results, f.name) for f in fields(CampaignResults)},
        interview_items=list(interview_items(campaign=campaign, branch_ids=branch_pks)),
        objections=objection_lines(
            branch_objections(campaign_id=campaign.pk).filter(visit__branch_id__in=branch_pks)
        ),
        repeat_findings=repeat_lines(
            (unit.ranking.visit_id, unit.name) for unit in results.units if unit.ranking
        ),
    )


def campaign_results(
    *, campaign: Campaign, today: datetime.date, branch_ids: Collection[int] | None = None
) -> CampaignResults:
    """Every branch's and unit's scores, grade, ranks, KPIs, checklist
    compliance and open and overdue actions, in a fixed number of queries
    (`branch_ids` narrows the rows to some branches; ranks stay campaign-wide)."""
    bands = campaign.grade_band_defs()
    grades = [b.grade for b in bands]
    sheets = list(
        Sheet.objects.filter(rubric_id=campaign.rubric_id)
        .order_by("order", "id")
        .values("id", "code", "table_label", "name", "kind")
    )
    scored = [
        SheetKind(s["id"], s["code"], s["table_label"], s["name"])
        for s in sheets
        if s["kind"] == Sheet.Kind.SCORED
    ]
    checklists = [
        SheetKind(s["id"], s["code"], s["table_label"], s["name"])
        for s in sheets
        if s["kind"] == Sheet.Kind.CHECKLIST
    ]
    code_of = {s["id"]: s["code"] for s in sheets}

    # Every branch and approved visit of the campaign is read, whatever
    # `branch_ids`: the ranks are among them all.
    all_branches = list(
        campaign.branches.order_by(*branch_order()).values("id", "code", "name", "rollout_batch")
    )
    all_pks = [b["id"] for b in all_branches]
    wanted = None if branch_ids is None else set(branch_ids)
    branches = [b for b in all_branches if wanted is None or b["id"] in wanted]
    branch_pks = [b["id"] for b in branches]
    in_scope = set(branch_pks)

    all_visits = list(
        approved_visits(campaign=campaign)
        .filter(branch_id__in=all_pks)
        .order_by("start_date", "approved_at", "pk")
        .values("id", "branch_id", "office_id", "kind", "start_date", "end_date")
    )
    visits = [v for v in all_visits if v["branch_id"] in in_scope]
    # The offices visited, as a subquery: a national campaign's 800 ids would
    # be a long parameter list.
    visit_offices = (
        approved_visits(campaign=campaign)
        .filter(branch_id__in=branch_pks, office__isnull=False)
        .values("office_id")
    )
    offices = list(
        Office.objects.filter(branch_id__in=branch_pks)
        .filter(Q(active=True) | Q(pk__in=visit_offices))
        .order_by(*office_order())
        .values("id", "branch_id", "code", "name")
    )
    draws = {
        draw["branch_id"]: draw
        for draw in RandomDraw.objects.filter(
            campaign=campaign,
            kind=RandomDraw.Kind.OFFICES,
            superseded_by__isnull=True,
            branch_id__in=branch_pks,
        ).values("branch_id", "result_ids", "result_labels")
    }
    thresholds = {
        (t["kpi"], t["rollout_batch"]): t["minimum_percent"]
        for t in KpiThreshold.objects.filter(rubric_id=campaign.rubric_id).values(
            "kpi", "rollout_batch", "minimum_percent"
        )
    }
    figures = {
        (f["kpi"], f["branch_id"], f["office_id"]): f["value_percent"]
        for f in KpiFigure.objects.filter(campaign=campaign, branch_id__in=branch_pks).values(
            "kpi", "branch_id", "office_id", "value_percent"
        )
    }
    reports = {
        r["branch_id"]: r["submitted_at"]
        for r in BranchReportSubmission.objects.filter(
            campaign=campaign, branch_id__in=branch_pks
        ).values("branch_id", "submitted_at")
    }

    # Scores: stored (frozen) sheet percentages, aggregated here.
    scores = {
        v["id"]: VisitScores(v["id"], v["kind"], v["start_date"], v["end_date"]) for v in visits
    }
    per_sheet: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    percents_of: dict[int, list[Decimal]] = {v["id"]: [] for v in all_visits}
    records = (
        SheetRecord.objects.filter(
            visit__in=approved_visits(campaign=campaign), visit__branch_id__in=all_pks
        )
        .values_list("visit_id", "sheet_id", "percent")
        .order_by()
        # Three numbers a row: larger chunks, fewer round trips to the cursor.
        .iterator(chunk_size=10 * CHUNK_SIZE)
    )
    for visit_id, sheet_id, percent in records:
        if percent is None or visit_id not in percents_of:
            continue
        percents_of[visit_id].append(percent)
        if visit_id in scores:
            per_sheet[visit_id, code_of[sheet_id]].append(percent)
            scores[visit_id].percents.append(percent)
    ranked = standings(
        (
            ApprovedVisit(
                branch_id=v["branch_id"],
                office_id=v["office_id"],
                head_office_check=v["kind"] == Visit.Kind.HEAD_OFFICE_CHECK,
                percents=tuple(percents_of[v["id"]]),
            )
            for v in all_visits
        ),
        bands,
    )
    checklist_totals = (
        ChecklistRecord.objects.filter(
            visit__in=approved_visits(campaign=campaign), visit__branch_id__in=branch_pks
        )
        .values("visit_id", "sheet_id")
        .annotate(yes=Sum("compliant"), no=Sum("non_compliant"))
        .order_by()
    )
    for row in checklist_totals:
        if row["visit_id"] in scores:
            visit, code = scores[row["visit_id"]], code_of[row["sheet_id"]]
            counts = visit.checklist_counts[code] = (row["yes"] or 0, row["no"] or 0)
            visit.checklist_rates[code] = compliance_rate(*counts)
    for visit in scores.values():
        visit.sheet_percents = {
            s.code: mean_percent(per_sheet.get((visit.visit_id, s.code), ())) for s in scored
        }
        visit.result = unit_result(visit.percents, bands)
        visit.sheet_percent_list = [visit.sheet_percents[s.code] for s in scored]
        visit.checklist_rate_list = [visit.checklist_rates.get(s.code) for s in checklists]

    actions = {
        row["visit_id"]: row
        for row in RectificationAction.objects.filter(
            visit__in=approved_visits(campaign=campaign), visit__branch_id__in=branch_pks
        )
        .values("visit_id")
        .annotate(
            open=Count("pk", filter=deadlines.not_closed()),
            overdue=Count("pk", filter=deadlines.overdue(today)),
        )
        .order_by()
    }

    # Units: the branch itself (when visited) and its offices.
    units_by_key: dict[tuple[int, int | None], UnitRow] = {}
    branch_rows = []
    visited_itself = {v["branch_id"] for v in visits if v["office_id"] is None}
    offices_of: dict[int, list[dict]] = defaultdict(list)
    for office in offices:
        offices_of[office["branch_id"]].append(office)
    for branch in branches:
        draw = draws.get(branch["id"])
        drawn_ids = set(draw["result_ids"]) if draw else set()
        units = []
        if branch["id"] in visited_itself:
            units.append(
                UnitRow(
                    branch["id"],
                    None,
                    _("%(branch)s (branch itself)") % {"branch": branch["name"]},
                    branch["code"],
                    False,
                )
            )
        for office in offices_of[branch["id"]]:
            units.append(
                UnitRow(
                    branch["id"],
                    office["id"],
                    office["name"],
                    office["code"],
                    office["id"] in drawn_ids,
                    mixed_kpi=Kpi(
                        figures.get((MIXED, branch["id"], office["id"])),
                        thresholds.get((MIXED, branch["rollout_batch"])),
                    ),
                )
            )
        for unit in units:
            units_by_key[unit.branch_id, unit.office_id] = unit
        submitted_at = reports.get(branch["id"])
        branch_rows.append(
            BranchRow(
                branch_id=branch["id"],
                code=branch["code"],
                name=branch["name"],
                rollout_batch=branch["rollout_batch"],
                units=units,
                drawn_office_names=list(draw["result_labels"]) if draw else [],
                balanced_kpi=Kpi(
                    figures.get((BALANCED, branch["id"], None)),
                    thresholds.get((BALANCED, branch["rollout_batch"])),
                ),
                report_submitted_at=submitted_at,
                report_late=submitted_at is not None and campaign.is_late(submitted_at),
            )
        )
    for visit in visits:
        unit = units_by_key.get((visit["branch_id"], visit["office_id"]))
        if unit is None:
            continue
        # The latest approved visit of each kind is the one shown.
        if visit["kind"] == Visit.Kind.HEAD_OFFICE_CHECK:
            unit.head_office_check = scores[visit["id"]]
        else:
            unit.self_inspection = scores[visit["id"]]
        counts = actions.get(visit["id"])
        if counts:
            unit.open_actions += counts["open"]
            unit.overdue_actions += counts["overdue"]

    for branch in branch_rows:
        ranking = [u.ranking for u in branch.units if u.ranking]
        branch.sheet_percents = {
            s.code: mean_percent(
                p for v in ranking for p in per_sheet.get((v.visit_id, s.code), ())
            )
            for s in scored
        }
        branch.sheet_percent_list = [branch.sheet_percents[s.code] for s in scored]
        # Every requirement answered in the ranking visits counts once, as in a unit's rate.
        for s in checklists:
            counts = [v.checklist_counts.get(s.code, (0, 0)) for v in ranking]
            branch.checklist_rates[s.code] = compliance_rate(
                sum(yes for yes, _no in counts), sum(no for _yes, no in counts)
            )
        branch.checklist_rate_list = [branch.checklist_rates[s.code] for s in checklists]
        if standing := ranked.branches.get(branch.branch_id):
            branch.result, branch.rank = standing.result, standing.rank
        for unit in branch.units:
            if standing := ranked.units.get((unit.branch_id, unit.office_id)):
                unit.result, unit.rank = standing.result, standing.rank
        for unit, rank in competition_ranks(branch.units, lambda u: u.percent):
            unit.branch_rank = rank
        branch.grade_count_list = list(branch.grade_counts(grades).items())

    statuses = results_statuses(
        campaign=campaign, branch_ids=[row.branch_id for row in branch_rows], today=today
    )
    for row in branch_rows:
        row.results_status = status_text(statuses[row.branch_id], today)
    return CampaignResults(
        campaign=campaign,
        today=today,
        grades=grades,
        scored_sheets=scored,
        checklist_sheets=checklists,
        branches=branch_rows,
        ranked_branches=sum(1 for s in ranked.branches.values() if s.rank is not None),
        ranked_units=sum(1 for s in ranked.units.values() if s.rank is not None),
    )


def interview_items(
    *, campaign: Campaign, branch_ids: Collection[int] | None
) -> Iterator[InterviewItem]:
    """The problems and support requests raised in the approved visits'
    interviews, each with its problem register entry as it stands."""
    owners = {
        user.pk: str(user)
        for user in User.objects.filter(owned_problems__visit__campaign=campaign).distinct()
    }
    statuses = dict(RaisedProblem.Status.choices)
    rows = (
        InterviewAnswer.objects.filter(
            interview__visit__in=approved_visits(campaign=campaign),
            interview__visit__branch_id__in=branch_ids,
            tag__in=[InterviewAnswer.Tag.PROBLEM, InterviewAnswer.Tag.SUPPORT],
        )
        .exclude(text="")
        .order_by(
            *unit_order("interview__visit__branch__", "interview__visit__office__"),
            "-interview__visit__kind",
            "interview__created_at",
            "interview_id",
            "question__order",
        )
        .values_list(
            "interview__visit__branch__name",
            "interview__visit__office__name",
            "interview__visit__kind",
            "interview__audience__name",
            "interview__interviewee",
            "interview__post",
            "question__text",
            "tag",
            "text",
            "raised_problem__status",
            "raised_problem__owner_id",
            "raised_problem__deadline",
            "raised_problem__response",
            "raised_problem__closed_at",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in rows:
        branch, office, kind, audience, interviewee, post, question, tag, text = row[:9]
        status, owner_id, deadline, response, closed_at = row[9:]
        yield InterviewItem(
            branch=branch,
            unit=office or branch,
            visit_kind=str(Visit.Kind(kind).label),
            audience=audience,
            interviewee=interviewee,
            post=post,
            question=question,
            tag=tag,
            text=text,
            status=str(statuses.get(status, "")),
            owner=owners.get(owner_id, ""),
            deadline=deadline,
            response=response or "",
            closed_on=timezone.localdate(closed_at) if closed_at else None,
        )


# --- the detail: one row per scored item ---------------------------------------


DETAIL_COLUMNS = (
    "campaign",
    "branch",
    "office",
    "visit kind",
    "specialist",
    "employee number",
    "sheet",
    "part",
    "section",
    "item",
    "points",
    "score",
    "N/A",
    "remark",
    "compliant",
)


def detail_headers() -> list[str]:
    return [
        _("Campaign"),
        _("Branch"),
        _("Office"),
        _("Visit kind"),
        _("Specialist"),
        _("Employee number"),
        _("Sheet"),
        _("Part"),
        _("Section"),
        _("Item"),
        _("Points"),
        _("Score"),
        _("N/A"),
        _("Remark"),
        _("Compliant"),
    ]


@dataclass(frozen=True)
class _PartLayout:
    part: d.PartDef
    sheet_label: str
    part_label: str
    #: (section key, item key, or the section's key when scored whole) →
    #: (section name, item text), escaped once
    labels: dict[tuple[str, str], tuple[str, str]]


def _same(value):
    return value


def _layout(sheet: d.SheetDef, part_code: str, text) -> _PartLayout:
    part = sheet.part(part_code)
    labels = {}
    for section in part.sections:
        name = text(section.name)
        if section.scoring == d.ITEM_POINTS:
            for item in section.items:
                labels[section.key, item.key] = (name, text(item.text))
        else:
            labels[section.key, section.key] = (
                name,
                text("；".join(i.text for i in section.items)),
            )
    return _PartLayout(
        part=part,
        sheet_label=text(f"{sheet.table_label} {sheet.name}"),
        part_label=text(part.name) if len(sheet.parts) > 1 else None,
        labels=labels,
    )


def detail_rows(
    *,
    campaign: Campaign,
    branch_ids: Collection[int] | None = None,
    text: Callable[[str], str] = _same,
) -> Iterator[tuple]:
    """One row per scored item of every approved visit (section-points sections:
    one row per section), then one per checklist requirement, in the order of
    `DETAIL_COLUMNS`. Scores are the engine's, recomputed from the stored
    answers of each form; rubric definitions are read once per sheet.

    Empty cells are None, never "" (an empty string is still a cell to write).
    `text` is applied to every string once, where it comes from (a name once
    per form, a rubric text once per sheet, a remark once per section), so
    an exporter escapes them without touching every cell (`excel.cell_value`).
    Streams: a fixed number of queries (the rubric tree and two cursors),
    whatever the size."""
    definitions = rubric_definitions(rubric=campaign.rubric_id)
    sheet_ids = dict(Sheet.objects.filter(rubric_id=campaign.rubric_id).values_list("id", "code"))
    by_id = {pk: definitions[code] for pk, code in sheet_ids.items()}
    layouts: dict[tuple[int, str], _PartLayout] = {}
    kind_labels = {k.value: text(str(k.label)) for k in Visit.Kind}
    campaign_name = text(campaign.name)
    not_observed = text(_("not observed"))
    na_label = _("N/A")
    not_checked = text(_("notice kind not checked: full points"))

    visits = approved_visits(campaign=campaign)
    if branch_ids is not None:
        visits = visits.filter(branch_id__in=branch_ids)
    parts = (
        PartRecord.objects.filter(sheet_record__visit__in=visits)
        .order_by(
            *unit_order("sheet_record__visit__branch__", "sheet_record__visit__office__"),
            "-sheet_record__visit__kind",
            "sheet_record__visit_id",
            bytewise("sheet_record__specialist__employee_no").asc(nulls_first=True),
            "sheet_record__sheet__order",
            "part__order",
        )
        .values_list(
            "sheet_record__visit__branch__name",
            "sheet_record__visit__office__name",
            "sheet_record__visit__kind",
            "sheet_record__specialist__name",
            "sheet_record__specialist__employee_no",
            "sheet_record__sheet_id",
            "part__code",
            "servicing_item",
            "observed",
            "not_observed_reason",
            "answers",
            "sheet_record__falsified_material",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for (
        branch,
        office,
        kind,
        person,
        employee_no,
        sheet_id,
        part_code,
        servicing_item,
        observed,
        reason,
        answers,
        falsified,
    ) in parts:
        sheet = by_id[sheet_id]
        layout = layouts.get((sheet_id, part_code))
        if layout is None:
            layout = layouts[sheet_id, part_code] = _layout(sheet, part_code, text)
        head = (
            campaign_name,
            text(branch),
            text(office or branch),
            kind_labels[kind],
            text(person),
            text(employee_no),
            layout.sheet_label,
            layout.part_label,
        )
        if not observed:
            yield (*head, None, None, None, None, not_observed, text(reason) or None, None)
            continue
        answers = answers or {}
        stored = stored_answers.StoredPart(answers=answers, servicing_item=servicing_item)
        try:
            result = score_part(
                layout.part,
                stored_answers.sheet_answers({part_code: stored}).parts[part_code],
                servicing_items=sheet.servicing_items,
            )
        except ScoringError as error:
            yield (*head, None, None, None, None, None, text(str(error)), None)
            continue
        # The analysis' own outcomes (scoring.outcomes), so the detail and the
        # results pages cannot disagree; a falsified sheet's items show 0.
        outcomes = part_outcomes(
            layout.part, result, answers.get("remarks") or {}, falsified=falsified
        )
        for outcome in outcomes:
            section_name, item_text = layout.labels[outcome.section_key, outcome.item_key]
            na = None
            if outcome.not_applicable_reason:
                na = text(f"{na_label}：{outcome.not_applicable_reason}")
            elif outcome.not_applicable:
                na = not_checked
            yield (
                *head,
                section_name,
                item_text,
                outcome.points,
                outcome.score,
                na,
                text(outcome.remark or None),
                None,
            )

    # 表五 (the unit) and 表七 (per specialist): one row per requirement.
    requirements = {
        pk: tuple((r.key, text(r.text)) for r in checklist_requirements(sheet=sheet))
        for pk, sheet in by_id.items()
        if sheet.kind == Sheet.Kind.CHECKLIST
    }
    checklist_labels = {
        pk: (
            text(f"{sheet.table_label} {sheet.name}"),
            text(sheet.parts[0].sections[0].name)
            if sheet.parts and sheet.parts[0].sections
            else None,
        )
        for pk, sheet in by_id.items()
        if sheet.kind == Sheet.Kind.CHECKLIST
    }
    yes, no = text(_("yes")), text(_("no"))
    checklists = (
        ChecklistRecord.objects.filter(visit__in=visits)
        .order_by(
            *unit_order("visit__branch__", "visit__office__"),
            "-visit__kind",
            "visit_id",
            "sheet__order",
            bytewise("specialist__employee_no").asc(nulls_first=True),
        )
        .values_list(
            "visit__branch__name",
            "visit__office__name",
            "visit__kind",
            "specialist__name",
            "specialist__employee_no",
            "sheet_id",
            "answers",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for branch, office, kind, person, employee_no, sheet_id, answers in checklists:
        sheet_label, section_name = checklist_labels[sheet_id]
        head = (
            campaign_name,
            text(branch),
            text(office or branch),
            kind_labels[kind],
            text(person),
            text(employee_no),
            sheet_label,
            None,
            section_name,
        )
        answers = answers or {}
        for key, requirement in requirements[sheet_id]:
            answer = answers.get(key) or {}
            compliant = answer.get("compliant")
            yield (
                *head,
                requirement,
                None,
                None,
                None,
                text(answer.get("remark") or None),
                None if compliant is None else (yes if compliant else no),
            )
