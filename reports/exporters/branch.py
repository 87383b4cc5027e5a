"""A branch's acceptance report (以分公司为单位形成工作验收报告), PDF and Excel.

One report per campaign and branch, covering the branch itself and all its
offices' approved visits: when and by whom, a summary table per unit
(self-inspection and head-office check scores per sheet kind, overall result,
grade, rank in the branch) with the checklists and KPIs, the strengths and
shortcomings per content area, the rectification actions with their deadlines
and *current* status, the problems and support requests raised in
interviews, the branch's post and staffing list (表六, in the roster file's
columns); then, visit by visit, its results, interviews and filled tables
(表一–表五, 表七, KPIs) as its own report lays them out (the same partial
templates, the same worksheet writers). The branch's managers submit it to
head office in the app (`inspections.services.submit_branch_report`).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.roster import COLUMNS as ROSTER_COLUMNS

from ..selectors.branch import BranchReport, branch_report_data
from ..selectors.types import VISIT_REPORT_TITLE
from . import pdf
from .base import PDF, XLSX, Exporter, register, report_filename
from .excel import (
    SheetWriter,
    new_workbook,
    pass_fail,
    percent,
    sheet_name,
    workbook_bytes,
    yes_no,
)
from .problems import REGISTER_WIDTHS, register_cells, register_headers
from .results import write_objections, write_repeat_findings
from .visit import write_visit_tables


class BranchExporter(Exporter):
    subject = "branch"
    title_format = gettext_lazy("Acceptance report of %(branch)s (%(format)s)")

    def __init__(self, *, progress=None, campaign_id: int, branch_id: int, **subject):
        super().__init__(progress=progress, campaign_id=campaign_id, branch_id=branch_id, **subject)
        self.campaign_id = campaign_id
        self.branch_id = branch_id
        self._report: BranchReport | None = None

    def report(self) -> BranchReport:
        if self._report is None:
            self._report = branch_report_data(
                campaign_id=self.campaign_id, branch_id=self.branch_id
            )
        return self._report

    def filename(self) -> str:
        report = self.report()
        return report_filename(
            VISIT_REPORT_TITLE, report.campaign.name, report.branch.name, extension=self.format
        )


@register
class BranchPdfExporter(BranchExporter):
    identifier = "branch-pdf"
    format = PDF

    def html(self) -> str:
        report = self.report()
        summary = report.summary
        return pdf.render_html(
            "reports/branch.html",
            {
                "r": report,
                "d": summary,
                "b": report.row,
                "bands": report.campaign.grade_band_defs(),
                "empty_span": 6 + len(summary.scored_sheets) + len(summary.checklist_sheets),
            },
        )

    def build(self) -> bytes:
        self.progress(5)
        self.report()
        self.progress(35)
        html = self.html()
        self.progress(50)
        content = pdf.html_to_pdf(html)
        self.progress(100)
        return content


# --- Excel -------------------------------------------------------------------------


def _date(value):
    return f"{value:%Y-%m-%d}" if value else ""


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def branch_workbook(report: BranchReport) -> bytes:
    summary = report.summary
    scored, checklists = summary.scored_sheets, summary.checklist_sheets
    wb = new_workbook()
    sheet = SheetWriter(
        wb, _("Summary"), [22, 14, 16, 10, 10, 10, 10, 8, 8, 10, 10, 12, 10, 10, 10]
    )
    sheet.title(report.title)
    submission = report.submission
    for label, value in (
        (_("Campaign"), report.campaign.name),
        (_("Branch"), report.branch.name),
        (_("Rollout batch"), report.rollout_batch),
        (
            _("Period"),
            f"{report.campaign.period_start:%Y-%m-%d} – {report.campaign.period_end:%Y-%m-%d}",
        ),
        (_("Report due"), _date(report.campaign.report_due)),
        (
            _("Submitted to head office"),
            f"{_moment(submission.submitted_at)} · {submission.submitted_by}"
            + (" · " + _("late") if submission.is_late else "")
            if submission
            else _("not submitted"),
        ),
        (_("Report generated"), _moment(report.generated_at)),
        (_("Head-office results"), report.row.results_status if report.row else ""),
    ):
        sheet.row([label, value], label=True)
    row = report.row
    if row is not None:
        sheet.blank()
        sheet.header(
            [
                _("Branch overall (%)"),
                _("Grade"),
                _("Balanced acceptance rate (%)"),
                _("Threshold (%)"),
                _("Attained"),
                _("Mixed acceptance rate: all offices attained"),
                _("Open actions"),
                _("Overdue actions"),
            ]
        )
        sheet.row(
            [
                percent(row.percent),
                row.grade or "",
                percent(row.balanced_kpi.value),
                percent(row.balanced_kpi.threshold),
                pass_fail(row.balanced_kpi.passed),
                pass_fail(row.mixed_kpi_passed),
                row.open_actions,
                row.overdue_actions,
            ]
        )
        sheet.blank()
        sheet.header(
            [
                _("Unit"),
                _("Drawn"),
                _("Visit kind"),
                *[f"{s.table_label} (%)" for s in scored],
                _("Overall (%)"),
                _("Grade"),
                _("Rank in branch"),
                *[_("%(sheet)s compliance (%%)") % {"sheet": s.table_label} for s in checklists],
                _("Mixed acceptance rate (%)"),
                _("Attained"),
                _("Open actions"),
                _("Overdue actions"),
            ]
        )
        for unit in row.units:
            for visit in unit.visits_or_none:
                ranks = visit is not None and visit is unit.ranking
                sheet.row(
                    [
                        unit.name,
                        "★" if unit.drawn else "",
                        visit.kind_label if visit else _("no approved visit"),
                        *[
                            percent(p)
                            for p in (visit.sheet_percent_list if visit else [None] * len(scored))
                        ],
                        percent(visit.result.percent) if visit else None,
                        (visit.result.grade or "") if visit else "",
                        unit.branch_rank if ranks else None,
                        *[
                            percent(p)
                            for p in (
                                visit.checklist_rate_list if visit else [None] * len(checklists)
                            )
                        ],
                        percent(unit.mixed_kpi.value) if unit.mixed_kpi else None,
                        pass_fail(unit.mixed_kpi.passed) if unit.mixed_kpi else "",
                        unit.open_actions,
                        unit.overdue_actions,
                    ]
                )

    visits = SheetWriter(wb, _("Visits"), [6, 22, 14, 12, 12, 30, 18, 16])
    visits.header(
        [
            _("No."),
            _("Unit"),
            _("Visit kind"),
            _("Start"),
            _("End"),
            _("Inspectors"),
            _("Approved"),
            _("Approved by"),
        ]
    )
    for line in report.visits:
        visits.row(
            [
                line.number,
                line.unit,
                line.kind,
                _date(line.start_date),
                _date(line.end_date),
                "、".join(line.inspectors),
                _moment(line.approved_at),
                line.approved_by,
            ]
        )

    findings = SheetWriter(wb, _("Findings"), [30, 22, 14, 12, 70])
    findings.header([_("Content area"), _("Unit"), _("Visit kind"), _("Kind"), _("Text")])
    strength, shortcoming = _("Strength"), _("Shortcoming")
    for area in report.areas:
        for unit in area.findings:
            for text in unit.strengths:
                findings.row([area.name, unit.unit, unit.kind, strength, text], wrap=True)
            for text in unit.shortcomings:
                findings.row([area.name, unit.unit, unit.kind, shortcoming, text], wrap=True)

    actions = SheetWriter(wb, _("Actions"), [30, 22, 50, 16, 12, 12, 12, 16, 8])
    actions.header(
        [
            _("Content area"),
            _("Unit"),
            _("What to fix"),
            _("Responsible office"),
            _("Responsible person"),
            _("Owner"),
            _("Deadline"),
            _("Status"),
            _("Overdue"),
        ]
    )
    for line in report.actions:
        actions.row(
            [
                line.area,
                line.unit,
                line.description,
                line.responsible_unit,
                line.responsible_person,
                line.owner,
                _date(line.deadline),
                line.status_label,
                yes_no(line.overdue),
            ],
            wrap=True,
        )

    interviews = SheetWriter(
        wb, _("Problems and support"), [22, 14, 22, 12, 14, 36, 16, 60, *REGISTER_WIDTHS]
    )
    interviews.header(
        [
            _("Unit"),
            _("Visit kind"),
            _("Audience"),
            _("Interviewee"),
            _("Post"),
            _("Question"),
            _("Raised as"),
            _("Answer"),
            *register_headers(),
        ]
    )
    for item in summary.interview_items:
        interviews.row(
            [
                item.unit,
                item.visit_kind,
                item.audience,
                item.interviewee,
                item.post,
                item.question,
                item.tag_label,
                item.text,
                *register_cells(item),
            ],
            wrap=True,
        )

    write_objections(wb, summary.objections)
    write_repeat_findings(wb, summary.repeat_findings)

    # 表六 as the roster file has it: the same columns, so it reads back in.
    roster = SheetWriter(wb, "表六 岗位人员设置清单", [14, 12, 20, 12, 20, 8])
    roster.header([header for _key, header in ROSTER_COLUMNS])
    for person in report.roster:
        roster.row(
            [
                person.employee_no,
                person.name,
                person.workplace,
                person.home_post,
                "、".join(person.concurrent_posts),
                "是" if person.active else "否",
            ]
        )

    # Each visit's tables, on worksheets named by its number in the Visits sheet.
    for line in report.visits:
        prefix = f"{line.number} {line.unit}"
        write_visit_tables(
            wb,
            line.report,
            name=lambda label, prefix=prefix: sheet_name(prefix, label),
            heading=f"{line.number}. {line.unit} · {line.kind} — ",
        )
    return workbook_bytes(wb)


@register
class BranchXlsxExporter(BranchExporter):
    identifier = "branch-xlsx"
    format = XLSX

    def build(self) -> bytes:
        self.progress(5)
        report = self.report()
        self.progress(60)
        content = branch_workbook(report)
        self.progress(100)
        return content
