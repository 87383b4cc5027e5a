"""Head office's consolidated report of a campaign (一柜通验收汇总报告), PDF and Excel.

Both lay out `reports.selectors.campaign.consolidated_data`: per branch and per unit
the score per sheet kind, the overall score, grade and rank, checklist
compliance, KPI attainment, open and overdue actions, the drawn offices, the
problems and support requests raised in interviews, and two charts (grade
counts per branch, score distribution): SVG in the PDF, native bar charts in
Excel. The Excel workbook also has a detail sheet with one row per scored item
(`reports.selectors.campaign.detail_rows`), written in openpyxl's write-only mode so
a national campaign's quarter-million rows stream to disk.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from inspections.models import Campaign

from ..selectors.campaign import (
    ConsolidatedData,
    consolidated_data,
    detail_headers,
    detail_rows,
)
from ..selectors.types import CONSOLIDATED_REPORT_TITLE
from . import charts, pdf
from .base import PDF, XLSX, Exporter, register, report_filename
from .excel import (
    SheetWriter,
    cell_value,
    new_workbook,
    pass_fail,
    percent,
    workbook_bytes,
    yes_no,
)
from .problems import REGISTER_WIDTHS, register_cells, register_headers
from .results import write_objections, write_repeat_findings


class CampaignExporter(Exporter):
    subject = "campaign"
    title_format = gettext_lazy("Consolidated report of %(campaign)s (%(format)s)")

    def __init__(self, *, progress=None, campaign_id: int, **subject):
        super().__init__(progress=progress, campaign_id=campaign_id, **subject)
        self.campaign_id = campaign_id
        self._campaign = None

    @property
    def campaign(self) -> Campaign:
        if self._campaign is None:
            self._campaign = Campaign.objects.select_related("rubric").get(pk=self.campaign_id)
        return self._campaign

    def filename(self) -> str:
        return report_filename(CONSOLIDATED_REPORT_TITLE, self.campaign.name, extension=self.format)

    def data(self) -> ConsolidatedData:
        return consolidated_data(campaign=self.campaign, today=timezone.localdate())


# --- PDF ---------------------------------------------------------------------------


def chart_context(data: ConsolidatedData) -> dict:
    return {
        "grade_chart": charts.grade_chart_svg(
            data.grade_counts_by_branch(),
            data.grades,
            title=_("Grades per branch (units, ranking visit)"),
        ),
        "distribution_chart": charts.distribution_chart_svg(
            data.distribution(),
            title=_("Score distribution of the units (%)"),
            series_name=_("Units"),
        ),
    }


@register
class ConsolidatedPdfExporter(CampaignExporter):
    identifier = "consolidated-pdf"
    format = PDF

    def html(self, data: ConsolidatedData | None = None) -> str:
        data = data or self.data()
        return pdf.render_html(
            "reports/consolidated.html",
            {
                "title": CONSOLIDATED_REPORT_TITLE,
                "d": data,
                "campaign": self.campaign,
                "bands": self.campaign.grade_band_defs(),
                "generated_at": timezone.localtime(),
                # the columns of a unit's row from "visit kind" to the checklists
                "empty_span": 6 + len(data.scored_sheets) + len(data.checklist_sheets),
                **chart_context(data),
            },
        )

    def build(self) -> bytes:
        self.progress(5)
        data = self.data()
        self.progress(30)
        html = self.html(data)
        self.progress(45)
        content = pdf.html_to_pdf(html)
        self.progress(100)
        return content


# --- Excel -------------------------------------------------------------------------


def write_overview(wb: Workbook, data: ConsolidatedData, campaign: Campaign, bands) -> None:
    sheet = SheetWriter(
        wb,
        _("Branches"),
        [8, 18, 12, 10, 10, 10, 10, 8, 8, 8, 8, 12, 10, 10, 12, 10, 10, 30, 18, 8, 30],
    )
    sheet.title(CONSOLIDATED_REPORT_TITLE)
    sheet.row([_("Campaign"), campaign.name])
    sheet.row(
        [
            _("Period"),
            f"{campaign.period_start:%Y-%m-%d} – {campaign.period_end:%Y-%m-%d}",
            _("Report due"),
            f"{campaign.report_due:%Y-%m-%d}",
        ]
    )
    sheet.row(
        [
            _("Grade bands"),
            "；".join(f"{b.grade} ≥ {b.minimum_percent.normalize():f}%" for b in bands),
        ]
    )
    sheet.row([_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.row(
        [
            _("Basis"),
            _(
                "Approved visits only. A unit with both a self-inspection and a head-office "
                "check ranks by the head-office check."
            ),
        ]
    )
    sheet.blank()
    sheet.header(
        [
            _("Rank"),
            _("Branch"),
            _("Rollout batch"),
            *[f"{s.table_label} (%)" for s in data.scored_sheets],
            _("Overall (%)"),
            _("Grade"),
            *[_("Units graded %(grade)s") % {"grade": g} for g in data.grades],
            *[
                _("%(sheet)s compliance (%%)") % {"sheet": s.table_label}
                for s in data.checklist_sheets
            ],
            _("Balanced acceptance rate (%)"),
            _("Threshold (%)"),
            _("Attained"),
            _("Mixed acceptance rate: all offices attained"),
            _("Open actions"),
            _("Overdue actions"),
            _("Offices drawn by head office"),
            _("Branch report submitted"),
            _("Late"),
            _("Head-office results"),
        ]
    )
    for b in data.branches:
        counts = b.grade_counts(data.grades)
        sheet.row(
            [
                b.rank,
                b.name,
                b.rollout_batch_label,
                *[percent(b.sheet_percents.get(s.code)) for s in data.scored_sheets],
                percent(b.percent),
                b.grade or "",
                *[counts[g] for g in data.grades],
                *[percent(b.checklist_rates.get(s.code)) for s in data.checklist_sheets],
                percent(b.balanced_kpi.value),
                percent(b.balanced_kpi.threshold),
                pass_fail(b.balanced_kpi.passed),
                pass_fail(b.mixed_kpi_passed),
                b.open_actions,
                b.overdue_actions,
                "、".join(b.drawn_office_names),
                timezone.localtime(b.report_submitted_at).strftime("%Y-%m-%d %H:%M")
                if b.report_submitted_at
                else _("not submitted"),
                yes_no(b.report_late) if b.report_submitted_at else "",
                b.results_status,
            ]
        )


def write_units(wb: Workbook, data: ConsolidatedData) -> None:
    scored = data.scored_sheets
    checklists = data.checklist_sheets
    sheet = SheetWriter(
        wb,
        _("Offices"),
        [
            16,
            20,
            8,
            16,
            12,
            *[10] * len(scored),
            10,
            8,
            10,
            10,
            8,
            *[10] * len(checklists),
            10,
            10,
            10,
            10,
            10,
        ],
        freeze="C2",
    )
    sheet.header(
        [
            _("Branch"),
            _("Office"),
            _("Drawn"),
            _("Visit kind"),
            _("Visit dates"),
            *[f"{s.table_label} (%)" for s in scored],
            _("Overall (%)"),
            _("Grade"),
            _("Rank"),
            _("Rank in branch"),
            _("Ranks"),
            *[_("%(sheet)s compliance (%%)") % {"sheet": s.table_label} for s in checklists],
            _("Mixed acceptance rate (%)"),
            _("Threshold (%)"),
            _("Attained"),
            _("Open actions"),
            _("Overdue actions"),
        ]
    )
    for branch in data.branches:
        for unit in branch.units:
            kpi = unit.mixed_kpi
            kpi_cells = (
                [percent(kpi.value), percent(kpi.threshold), pass_fail(kpi.passed)]
                if kpi
                else [None, None, ""]
            )
            visits = unit.visits or [None]
            for visit in visits:
                ranks = visit is not None and visit is unit.ranking
                sheet.row(
                    [
                        branch.name,
                        unit.name,
                        "★" if unit.drawn else "",
                        visit.kind_label if visit else _("no approved visit"),
                        f"{visit.start_date:%Y-%m-%d} – {visit.end_date:%Y-%m-%d}" if visit else "",
                        *[
                            percent(visit.sheet_percents.get(s.code)) if visit else None
                            for s in scored
                        ],
                        percent(visit.result.percent) if visit else None,
                        (visit.result.grade or "") if visit else "",
                        unit.rank if ranks else None,
                        unit.branch_rank if ranks else None,
                        yes_no(True) if ranks else "",
                        *[
                            percent(visit.checklist_rates.get(s.code)) if visit else None
                            for s in checklists
                        ],
                        *kpi_cells,
                        unit.open_actions,
                        unit.overdue_actions,
                    ]
                )


def write_interviews(wb: Workbook, data: ConsolidatedData) -> None:
    sheet = SheetWriter(
        wb, _("Problems and support"), [16, 18, 14, 22, 12, 14, 36, 16, 60, *REGISTER_WIDTHS]
    )
    sheet.header(
        [
            _("Branch"),
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
    for item in data.interview_items:
        sheet.row(
            [
                item.branch,
                item.unit,
                item.visit_kind,
                item.audience,
                item.interviewee,
                item.post,
                item.question,
                item.tag_label,
                item.text,
                *register_cells(item),
            ]
        )


def write_charts(wb: Workbook, data: ConsolidatedData) -> None:
    """The charts' data, and the two native bar charts over it."""
    sheet = SheetWriter(wb, _("Charts"), [20, 10, 10, 10, 10, 10])
    sheet.title(_("Grades per branch (units, ranking visit)"))
    header_row = sheet.rows + 1
    sheet.header([_("Branch"), *data.grades])
    counts = data.grade_counts_by_branch()
    for name, by_grade in counts:
        sheet.row([name, *[by_grade[g] for g in data.grades]])
    last_row = sheet.rows
    grade_chart = charts.excel_bar_chart(
        sheet.ws,
        title=_("Grades per branch (units, ranking visit)"),
        header_row=header_row,
        first_row=header_row + 1,
        last_row=max(last_row, header_row + 1),
        first_col=2,
        last_col=1 + len(data.grades),
        y_title=_("Units"),
        stacked=True,
        colours=charts.PALETTE,
    )
    sheet.blank()
    sheet.title(_("Score distribution of the units (%)"))
    dist_header = sheet.rows + 1
    sheet.header([_("Score (%)"), _("Units")])
    distribution = data.distribution()
    for label, count in distribution:
        sheet.row([label, count])
    dist_chart = charts.excel_bar_chart(
        sheet.ws,
        title=_("Score distribution of the units (%)"),
        header_row=dist_header,
        first_row=dist_header + 1,
        last_row=dist_header + len(distribution),
        first_col=2,
        last_col=2,
        y_title=_("Units"),
        x_title=_("Score (%)"),
    )
    sheet.ws.add_chart(grade_chart, "H2")
    sheet.ws.add_chart(dist_chart, "H22")


def write_detail(wb: Workbook, campaign: Campaign, progress=None) -> int:
    """One row per scored item, plain values (no per-cell style): the bulk of the file."""
    sheet = SheetWriter(
        wb,
        _("Detail"),
        [16, 12, 14, 12, 10, 10, 22, 12, 14, 30, 6, 6, 14, 24, 6],
        freeze="A2",
    )
    headers = detail_headers()
    sheet.header(headers)
    # Every string is escaped once where it comes from (`detail_rows(text=…)`),
    # not cell by cell: a quarter of a million rows.
    count = sheet.prepared(detail_rows(campaign=campaign, text=cell_value), progress=progress)
    sheet.ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    return count


def consolidated_workbook(campaign: Campaign, data: ConsolidatedData, progress=None) -> bytes:
    wb = new_workbook(write_only=True)
    bands = campaign.grade_band_defs()
    write_overview(wb, data, campaign, bands)
    write_units(wb, data)
    write_interviews(wb, data)
    write_objections(wb, data.objections)
    write_repeat_findings(wb, data.repeat_findings)
    write_charts(wb, data)
    write_detail(wb, campaign, progress)
    return workbook_bytes(wb)


@register
class ConsolidatedXlsxExporter(CampaignExporter):
    identifier = "consolidated-xlsx"
    format = XLSX

    def build(self) -> bytes:
        self.progress(2)
        data = self.data()
        self.progress(10)
        # The detail rows are most of the work; their count is not known up
        # front, so progress creeps towards 90 % as rows are written.
        content = consolidated_workbook(
            self.campaign,
            data,
            progress=lambda rows: self.progress(min(90, 10 + rows // 4000)),
        )
        self.progress(100)
        return content
