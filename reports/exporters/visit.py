"""A visit's acceptance report (一柜通工作验收报告), as PDF and as Excel.

Both read `reports.selectors.visit.visit_report_data` once and lay out the same
content: the visit, results per specialist and sheet with the unit's overall
result, every filled sheet, 表一, 表五 and 表七, KPIs, interviews, strengths and
shortcomings per content area, rectification actions with their current
status, and signature lines.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from inspections.models import Visit

from ..selectors.types import VISIT_REPORT_TITLE
from ..selectors.visit import VisitReport, visit_report_data
from . import pdf
from .base import PDF, XLSX, Exporter, register, report_filename
from .excel import (
    BOLD,
    HEADER_FILL,
    SheetWriter,
    new_workbook,
    percent,
    workbook_bytes,
    yes_no,
)
from .results import write_objections, write_repeat_findings


def visit_filename(visit: Visit, extension: str) -> str:
    return report_filename(
        VISIT_REPORT_TITLE,
        visit.campaign.name,
        visit.unit_name,
        visit.get_kind_display(),
        extension=extension,
    )


class VisitExporter(Exporter):
    subject = "visit"
    title_format = gettext_lazy("Acceptance report of %(unit)s (%(kind)s, %(format)s)")

    def __init__(self, *, progress=None, visit_id: int, **subject):
        super().__init__(progress=progress, visit_id=visit_id, **subject)
        self.visit_id = visit_id
        self._report: VisitReport | None = None

    def report(self) -> VisitReport:
        if self._report is None:
            self._report = visit_report_data(visit_id=self.visit_id)
        return self._report

    def filename(self) -> str:
        return visit_filename(self.report().visit, self.format)


@register
class VisitPdfExporter(VisitExporter):
    identifier = "visit-pdf"
    format = PDF

    def html(self) -> str:
        report = self.report()
        return pdf.render_html("reports/visit_report.html", {"r": report})

    def build(self) -> bytes:
        self.progress(5)
        self.report()
        self.progress(25)
        html = self.html()
        self.progress(40)
        data = pdf.html_to_pdf(html)
        self.progress(100)
        return data


# --- Excel --------------------------------------------------------------------


def write_visit_workbook(report: VisitReport, progress=lambda percent: None) -> Workbook:
    wb = new_workbook()
    summary = SheetWriter(wb, _("Summary"), [22, 16, 16, 16, 16, 18])
    summary.title(report.title)
    summary.blank()
    approved = ""
    if report.approved_at:
        approved = report.approved_at.strftime("%Y-%m-%d %H:%M")
        if report.approved_by:
            approved += f" · {report.approved_by}"
    for label, value in [
        (_("Campaign"), report.campaign),
        (_("Branch"), report.branch),
        (_("Office"), report.office or _("The branch itself")),
        (_("Kind of visit"), report.kind),
        (_("Visit dates"), f"{report.start_date:%Y-%m-%d} – {report.end_date:%Y-%m-%d}"),
        (_("Inspectors"), "、".join(report.inspectors)),
        (_("Approved"), approved),
        (
            _("Grade bands"),
            "；".join(
                f"{b.grade} ≥ {b.minimum_percent.normalize():f}%" for b in report.grade_bands
            ),
        ),
    ]:
        summary.row([label, value], label=True)
    summary.blank()
    summary.row([_("Results")], font=BOLD)
    kinds = [f"{label} {name}" for label, name in report.scored_sheet_kinds]
    header = [_("Specialist"), _("Employee number"), _("Home post")]
    score, grade = _("Score"), _("Grade")
    for kind in kinds:
        header += [f"{kind} {score}", f"{kind} %", f"{kind} {grade}"]
    header += [_("Specialist's result") + " %", _("Grade")]
    summary.header(header)
    for person in report.specialists:
        values = [person.name, person.employee_no, person.home_post]
        for cell in person.cells:
            if cell is None:
                values += [None, None, None]
            else:
                values += [cell.score, percent(cell.percent), cell.grade]
        values += [percent(person.result.percent), person.result.grade or ""]
        summary.row(values)
    footer = [_("%(unit)s (mean)") % {"unit": report.unit_name}, "", ""]
    for result in report.line_results:
        footer += [None, percent(result.percent), result.grade or ""]
    footer += [percent(report.unit_result.percent), report.unit_result.grade or ""]
    summary.row(footer, font=BOLD)
    summary.row(
        [
            _("Overall result of %(unit)s") % {"unit": report.unit_name},
            percent(report.unit_result.percent),
            report.unit_result.grade or "",
        ],
        font=BOLD,
    )
    for line, reason in report.line_waivers:
        summary.row([_("Business lines without a sheet"), line, reason])
    if report.results_status:
        summary.blank()
        summary.row([_("Status of the results"), report.results_status], font=BOLD)
        write_objections(wb, report.objections)
    write_repeat_findings(wb, report.repeat_findings)
    summary.blank()
    summary.row([_("Checklists: compliance")], font=BOLD)
    summary.row(
        [_("Sheet"), _("Checklists"), _("Compliant"), _("Not compliant"), _("Compliance rate")],
        font=BOLD,
        fill=HEADER_FILL,
    )
    for s in report.checklist_summaries:
        summary.row(
            [
                f"{s.table_label} {s.sheet_name}",
                s.records,
                s.compliant,
                s.non_compliant,
                percent(s.rate),
            ]
        )
    # Signature lines, as on the PDF: the printed summary is signed on site.
    summary.blank()
    for label in (_("Inspectors' signatures"), _("Branch head's signature"), _("Date")):
        summary.blank()
        summary.row([label], label=True, ruled=(2, 3))
    progress(30)

    write_visit_tables(wb, report, progress=progress)
    _write_findings_and_actions(wb, report)
    _write_photos(wb, report)
    progress(90)
    return wb


def write_visit_tables(
    wb: Workbook,
    report: VisitReport,
    *,
    name: Callable[[str], str] = str,
    heading: str = "",
    progress: Callable[[int], None] = lambda percent: None,
) -> None:
    """The visit's filled tables as worksheets: one per scored sheet kind (表二–表四),
    表一, the checklists (表五, 表七), the KPIs and the interviews. `name` turns
    each worksheet's name in the visit's own workbook ("表二", "KPIs" …) into its
    name in `wb`; `heading` goes before each worksheet's title (the branch
    workbook holds several visits' tables)."""
    # One worksheet per scored sheet kind, laid out like the seed's tables.
    for index, (label, sheet_name) in enumerate(report.scored_sheet_kinds):
        ws = SheetWriter(wb, name(label), [12, 10, 16, 14, 12, 14, 30, 8, 8, 36])
        ws.title(f"{heading}{label} {sheet_name}")
        ws.header(
            [
                _("Specialist"),
                _("Employee number"),
                _("Form"),
                _("Reference number"),
                _("Servicing item"),
                _("Section"),
                _("Item"),
                _("Points"),
                _("Score"),
                _("Remark"),
            ]
        )
        for s in report.sheets:
            if s.table_label != label:
                continue
            how = " · ".join(
                filter(
                    None,
                    [
                        s.selection_method,
                        s.chosen_alternative,
                        s.alternative_reason,
                    ],
                )
            )
            result = f"{s.percent:.2f}% · {s.grade}" if s.percent is not None else ""
            total = [s.specialist_name, s.employee_no, _("Total"), "", "", "", how]
            total += [s.max_points, s.score, result]
            ws.row(total, font=BOLD)
            if s.falsified:
                falsified = [s.specialist_name, s.employee_no]
                falsified += [_("Falsified material: the sheet scores 0"), "", "", ""]
                falsified += [s.falsified_reason, None, 0, ""]
                ws.row(falsified, font=BOLD)
            for part in s.parts:
                base = [
                    s.specialist_name,
                    s.employee_no,
                    part.name,
                    part.reference_no,
                    part.servicing_item,
                ]
                if not part.observed:
                    ws.row(
                        [
                            *base,
                            "",
                            "",
                            None,
                            None,
                            _("Not observed: left out of the score and the maximum.")
                            + " "
                            + part.not_observed_reason,
                        ]
                    )
                    continue
                for section in part.sections:
                    section_notes = " ".join(
                        filter(
                            None, [section.note if section.not_applicable else "", section.remark]
                        )
                    )
                    items = section.items or [None]
                    for i, item in enumerate(items):
                        text = item.text if item else ""
                        if section.item_points:
                            points = item.points if item else section.max_points
                            score = item.score if item else section.score
                            note = " ".join(
                                filter(
                                    None,
                                    [section_notes if i == 0 else "", item.note if item else ""],
                                )
                            )
                        elif section.deduction:
                            # The rule's points per occurrence, taken off the section's max.
                            points = -item.points if item and item.points else None
                            score = section.score if i == 0 else None
                            note = section_notes if i == 0 else ""
                        else:
                            points = section.max_points if i == 0 else None
                            score = section.score if i == 0 else None
                            note = section_notes if i == 0 else ""
                        ws.row([*base, section.name, text, points, score, note])
                    # Each occurrence counted: its reference and rule, and the points taken off.
                    for deduction in section.deductions:
                        ws.row(
                            [
                                *base,
                                section.name,
                                f"{deduction.reference}（{deduction.rule}）",
                                -deduction.points,
                                None,
                                _("Deduction"),
                            ]
                        )
        progress(30 + 30 * (index + 1) // max(1, len(report.scored_sheet_kinds)))

    log = SheetWriter(wb, name("表一"), [18, 16, 12, 12, 12, 12, 12, 36])
    log.title(heading + _("表一 process log"))
    log.header(
        [
            _("Policy number"),
            _("Business item"),
            _("Operator"),
            _("Document review (min)"),
            _("Scanning (min)"),
            _("Data entry (min)"),
            _("Total (min)"),
            _("Remarks"),
        ]
    )
    for e in report.log:
        log.row(
            [
                e.policy_no,
                e.business_item,
                e.operator,
                e.minutes_document_review,
                e.minutes_scanning,
                e.minutes_data_entry,
                e.minutes_total,
                e.remarks,
            ]
        )

    checklists = SheetWriter(wb, name(_("Checklists")), [24, 14, 60, 10, 36])
    checklists.title(heading + _("Checklists (表五, 表七)"))
    checklists.header([_("Sheet"), _("For"), _("Requirement"), _("Compliant"), _("Remark")])
    for c in report.checklists:
        for line in c.lines:
            checklists.row(
                [
                    f"{c.table_label} {c.sheet_name}",
                    c.who,
                    line.text,
                    yes_no(line.compliant),
                    line.remark,
                ]
            )
        checklists.row(
            [
                f"{c.table_label} {c.sheet_name}",
                c.who,
                _("Compliance rate"),
                percent(c.rate),
                f"{c.compliant}/{c.compliant + c.non_compliant}",
            ],
            font=BOLD,
        )
    progress(70)

    kpis = SheetWriter(wb, name(_("KPIs")), [22, 20, 12, 12, 10])
    kpis.title(heading + _("KPIs"))
    kpis.header([_("KPI"), _("Unit"), _("Value") + " %", _("Threshold") + " %", _("Result")])
    for kpi in report.kpis:
        passed = {True: _("pass"), False: _("fail")}.get(kpi.passed, "")
        kpis.row([str(kpi.label), kpi.unit_name, kpi.value, kpi.threshold, passed])
    if report.kpi_note:
        kpis.blank()
        kpis.row([_("How the branch monitors the KPIs"), report.kpi_note])

    interviews = SheetWriter(wb, name(_("Interviews")), [20, 12, 12, 36, 8, 40, 14])
    interviews.title(heading + _("Interviews"))
    interviews.header(
        [
            _("Audience"),
            _("Interviewee"),
            _("Post"),
            _("Question"),
            _("Yes/no"),
            _("Answer"),
            _("Tag"),
        ]
    )
    for i in report.interviews:
        for a in i.answers:
            interviews.row(
                [
                    i.audience,
                    i.interviewee,
                    i.post,
                    a.question,
                    yes_no(a.yes_no),
                    a.text,
                    a.tag_label,
                ]
            )
        if i.notes:
            interviews.row([i.audience, i.interviewee, i.post, _("Extra notes"), "", i.notes, ""])


def _write_findings_and_actions(wb, report: VisitReport) -> None:
    findings = SheetWriter(wb, _("Findings"), [30, 12, 80])
    findings.title(_("Strengths and shortcomings"))
    findings.header([_("Content area"), _("Kind"), _("Text")])
    for area in report.areas:
        for text in area.strengths:
            findings.row([area.name, _("Strength"), text])
        for text in area.shortcomings:
            findings.row([area.name, _("Shortcoming"), text])

    actions = SheetWriter(wb, _("Actions"), [30, 50, 16, 12, 14, 12, 16, 10])
    actions.title(_("Rectification actions and deadlines"))
    actions.header(
        [
            _("Content area"),
            _("What to fix"),
            _("Responsible unit"),
            _("Responsible person"),
            _("Owner (user)"),
            _("Deadline"),
            _("Current status"),
            _("Overdue"),
        ]
    )
    for a in report.actions:
        actions.row(
            [
                a.area,
                a.description,
                a.responsible_unit,
                a.responsible_person,
                a.owner,
                a.deadline,
                a.status_label,
                _("Yes") if a.overdue else "",
            ]
        )


def _write_photos(wb, report: VisitReport) -> None:
    """Every photo taken on the sheets, where it was taken, with a link to it in
    the app (opened by those who may see the visit)."""
    photos = SheetWriter(wb, _("Photos"), [14, 12, 24, 40, 24, 24, 60])
    photos.header(
        [
            _("Sheet"),
            _("Specialist"),
            _("Section"),
            _("Item"),
            _("File name"),
            _("Caption"),
            _("Link"),
        ]
    )
    for sheet in report.sheets:
        for part in sheet.parts:
            for section in part.sections:
                taken = [("", photo) for photo in section.photos]
                taken += [(item.text, photo) for item in section.items for photo in item.photos]
                for item_text, photo in taken:
                    row = photos.row(
                        [
                            sheet.table_label,
                            sheet.specialist_name,
                            section.name,
                            item_text,
                            photo.name,
                            photo.caption,
                            photo.link,
                        ]
                    )
                    photos.ws.cell(row=row, column=7).hyperlink = photo.link
    if photos.rows == 1:
        photos.row([_("No photo was taken on the sheets.")])


@register
class VisitXlsxExporter(VisitExporter):
    identifier = "visit-xlsx"
    format = XLSX

    def build(self) -> bytes:
        self.progress(5)
        report = self.report()
        self.progress(20)
        content = workbook_bytes(write_visit_workbook(report, self.progress))
        self.progress(100)
        return content
