"""A branch's acceptance report (以分公司为单位形成工作验收报告): everything it
shows, for the branch itself and all its offices' approved visits, read in a
fixed number of queries: the summary, the branch's post and staffing list
(表六), then each visit's own report (its filled tables and interviews,
without photos)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import (
    Branch,
    BranchReportSubmission,
    Campaign,
    Finding,
    RectificationAction,
    Specialist,
)
from inspections.models.ordering import bytewise, unit_order
from scoring.models import ContentArea

from .campaign import BranchRow, ConsolidatedData, approved_visits, consolidated_data
from .types import VISIT_REPORT_TITLE, ActionLine, ReportDataError
from .visit import VisitReport, visit_reports_data


@dataclass
class VisitLine:
    number: int  # its place in the report, from 1: its appendix and worksheets carry it
    unit: str
    kind: str
    start_date: object
    end_date: object
    inspectors: list[str]
    approved_at: object
    approved_by: str
    report: VisitReport  # its filled tables and interviews


@dataclass
class RosterLine:
    """A row of 表六 (分公司岗位人员设置清单), with the roster file's columns."""

    employee_no: str
    name: str
    workplace: str  # the office, or the branch for the branch's own staff
    home_post: str
    concurrent_posts: list[str]
    active: bool


@dataclass
class UnitFindings:
    unit: str
    kind: str
    strengths: list[str] = field(default_factory=list)
    shortcomings: list[str] = field(default_factory=list)


@dataclass
class AreaSection:
    name: str
    findings: list[UnitFindings]
    actions: list[ActionLine]


@dataclass
class BranchReport:
    title: str
    campaign: Campaign
    branch: Branch
    today: object
    generated_at: object
    submission: BranchReportSubmission | None
    visits: list[VisitLine]
    summary: ConsolidatedData
    areas: list[AreaSection]
    roster: list[RosterLine]

    @property
    def row(self) -> BranchRow | None:
        return self.summary.branches[0] if self.summary.branches else None

    @property
    def actions(self) -> list[ActionLine]:
        return [a for area in self.areas for a in area.actions]

    @property
    def rollout_batch(self) -> str:
        return self.branch.get_rollout_batch_display()


def branch_report_data(
    *, campaign_id: int, branch_id: int, today: datetime.date | None = None
) -> BranchReport:
    """Everything the branch report shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_related("rubric").get(pk=campaign_id)
    branch = Branch.objects.get(pk=branch_id)
    if not campaign.branches.filter(pk=branch.pk).exists():
        raise ReportDataError(
            _("%(branch)s is not in the scope of %(campaign)s.")
            % {"branch": branch, "campaign": campaign}
        )
    visits_qs = approved_visits(campaign=campaign).filter(branch=branch)
    visits = list(
        visits_qs.select_related("office").order_by(*unit_order(), "-kind", "start_date", "pk")
    )

    def unit_name(visit):
        return (
            visit.office.name
            if visit.office_id
            else _("%(branch)s (branch itself)") % {"branch": branch.name}
        )

    # Photos stay in each visit's own report: thumbnails of every sheet of
    # every visit would make the branch's file large and slow to build.
    reports = visit_reports_data(visit_ids=[v.pk for v in visits], today=today, photos=False)
    lines = [
        VisitLine(
            number=number,
            unit=unit_name(visit),
            kind=report.kind,
            start_date=report.start_date,
            end_date=report.end_date,
            inspectors=report.inspectors,
            approved_at=report.approved_at,
            approved_by=report.approved_by,
            report=report,
        )
        for number, (visit, report) in enumerate(zip(visits, reports, strict=True), start=1)
    ]
    by_visit = {visit.pk: visit for visit in visits}

    areas = list(ContentArea.objects.filter(rubric_id=campaign.rubric_id).order_by("order", "pk"))
    findings: dict[int, dict[int, UnitFindings]] = defaultdict(dict)
    for finding in Finding.objects.filter(visit__in=visits_qs).order_by("created_at", "pk"):
        visit = by_visit[finding.visit_id]
        unit = findings[finding.content_area_id].setdefault(
            visit.pk, UnitFindings(unit_name(visit), visit.get_kind_display())
        )
        target = unit.strengths if finding.kind == Finding.Kind.STRENGTH else unit.shortcomings
        target.append(finding.text)
    actions: dict[int, list[ActionLine]] = defaultdict(list)
    for action in (
        RectificationAction.objects.filter(visit__in=visits_qs)
        .select_related("responsible_office", "owner")
        .order_by("deadline", "pk")
    ):
        visit = by_visit[action.visit_id]
        actions[action.content_area_id].append(
            ActionLine(
                area="",
                unit=unit_name(visit),
                description=action.description,
                responsible_unit=action.responsible_office.name
                if action.responsible_office
                else branch.name,
                responsible_person=action.responsible_person,
                owner=str(action.owner) if action.owner else "",
                deadline=action.deadline,
                status=action.status,
                status_label=action.get_status_display(),
                overdue=action.is_overdue(today),
            )
        )
    # Visits in the order of the summary: the branch itself, then its offices.
    order = {visit.pk: index for index, visit in enumerate(visits)}
    sections = []
    for area in areas:
        for line in actions.get(area.pk, []):
            line.area = area.name
        sections.append(
            AreaSection(
                name=area.name,
                findings=[
                    unit
                    for _pk, unit in sorted(
                        findings.get(area.pk, {}).items(), key=lambda item: order[item[0]]
                    )
                ],
                actions=actions.get(area.pk, []),
            )
        )
    return BranchReport(
        title=f"{branch.name}{VISIT_REPORT_TITLE}",
        campaign=campaign,
        branch=branch,
        today=today,
        generated_at=timezone.localtime(),
        submission=BranchReportSubmission.objects.filter(campaign=campaign, branch=branch)
        .select_related("submitted_by", "campaign")
        .first(),
        visits=lines,
        summary=consolidated_data(campaign=campaign, today=today, branch_ids=[branch.pk]),
        areas=sections,
        roster=[
            RosterLine(
                employee_no=person.employee_no,
                name=person.name,
                workplace=person.office.name if person.office_id else branch.name,
                home_post=person.home_post.name,
                concurrent_posts=[post.name for post in person.concurrent_posts.all()],
                active=person.active,
            )
            for person in Specialist.objects.filter(branch=branch)
            .select_related("office", "home_post")
            .prefetch_related("concurrent_posts")
            .order_by(*unit_order(), bytewise("employee_no").asc())
        ],
    )
