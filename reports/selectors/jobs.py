"""Report jobs as people see them: what a job's report is, in words, and a
campaign's reports with their newest and current jobs."""

from dataclasses import dataclass

from inspections.models import Branch, Campaign, User
from inspections.models.ordering import branch_order

from ..access import BLANK_FORMS, can_request
from ..exporters.base import REGISTRY
from ..models import ReportJob

CAMPAIGN_EXPORTERS = ("consolidated-pdf", "consolidated-xlsx")
BRANCH_EXPORTERS = ("branch-pdf", "branch-xlsx")


def job_title(*, job: ReportJob) -> str:
    """The report a job builds, named by its subject and format, e.g.
    重庆分公司验收报告（PDF）. Reads the job's visit (with its office and
    branch), branch or campaign: select them with the job."""
    exporter = REGISTRY.get(job.exporter)
    if exporter is None or not exporter.title_format:
        return job.exporter
    names = {"format": job.get_format_display()}
    if job.visit_id:
        names |= {"unit": job.visit.unit_name, "kind": job.visit.get_kind_display()}
    elif job.branch_id:
        names |= {"branch": job.branch.name}
    else:
        names |= {"campaign": job.campaign.name}
    return exporter.title_format % names


@dataclass(frozen=True)
class ReportRow:
    """One report of a campaign's reports page: its newest job (under way or
    finished) and the current file's job, which stays downloadable while a
    newer one builds."""

    exporter: str
    branch: Branch | None
    latest: ReportJob | None
    current: ReportJob | None

    @property
    def key(self) -> str:
        """Names the row on the page and in the status the page polls."""
        return f"{self.exporter}:{self.branch.pk if self.branch else ''}"

    @property
    def format_label(self) -> str:
        return ReportJob.Format(REGISTRY[self.exporter].format).label

    @property
    def download(self) -> ReportJob | None:
        current = self.current
        return current if current is not None and current.file else None


@dataclass(frozen=True)
class CampaignReports:
    #: head office's consolidated report, or None for someone who may not build it
    consolidated: list[ReportRow] | None
    #: each branch whose report the user may build, with its rows
    branches: list[tuple[Branch, list[ReportRow]]]
    blank_forms: ReportRow

    @property
    def rows(self) -> list[ReportRow]:
        rows = list(self.consolidated or [])
        for _branch, branch_rows in self.branches:
            rows.extend(branch_rows)
        return [*rows, self.blank_forms]

    @property
    def unfinished(self) -> bool:
        """A job of the page is queued or running: the page follows it."""
        return any(row.latest is not None and not row.latest.is_finished for row in self.rows)


def campaign_reports(*, campaign: Campaign, user: User) -> CampaignReports:
    """The campaign's reports the user may see (`reports.access`), each with
    its newest and current job, in two queries."""
    latest, current = {}, {}
    jobs = ReportJob.objects.filter(campaign=campaign, visit__isnull=True).order_by("-pk")
    for job in jobs.select_related("campaign", "branch"):
        key = (job.exporter, job.branch_id)
        latest.setdefault(key, job)
        if job.is_current:
            current.setdefault(key, job)

    def row(exporter: str, branch: Branch | None = None) -> ReportRow:
        key = (exporter, branch.pk if branch else None)
        return ReportRow(exporter, branch, latest.get(key), current.get(key))

    branches = [
        branch
        for branch in campaign.branches.order_by(*branch_order())
        if can_request(user, campaign=campaign, branch=branch)
    ]
    return CampaignReports(
        consolidated=[row(e) for e in CAMPAIGN_EXPORTERS]
        if can_request(user, campaign=campaign)
        else None,
        branches=[(branch, [row(e, branch) for e in BRANCH_EXPORTERS]) for branch in branches],
        blank_forms=row(BLANK_FORMS),
    )
