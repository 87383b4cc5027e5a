"""Blank forms (表一–表七) of a campaign's rubric, as a printable PDF for paper
backup on site: each sheet (each part of 表二, each sub-sheet of 表四) with
its header fields and empty score and remark columns, laid out like the
plan's appendix tables; 表六 is the branch's post and staffing list."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Campaign
from inspections.roster import COLUMNS as ROSTER_COLUMNS
from scoring import definitions as d
from scoring.models import BusinessLine, Sheet
from scoring.selectors import rubric_definitions

from . import pdf
from .base import PDF, Exporter, register
from .consolidated import campaign_filename

REPORT_TITLE = "一柜通验收表格（空白）"
LOG_ROWS = 18
ROSTER_ROWS = 16


@dataclass
class FormItem:
    text: str
    points: Decimal | None
    notice_kind: bool = False


@dataclass
class FormSection:
    name: str
    max_points: Decimal
    per_item: bool  # points per item; else one score for the section
    items: list[FormItem]
    not_applicable_note: str = ""
    choose_notice_kind: bool = False

    @property
    def rowspan(self) -> int:
        return max(1, len(self.items))


@dataclass
class FormPart:
    name: str
    total_points: Decimal
    sections: list[FormSection]


@dataclass
class Form:
    kind: str  # "log", "scored", "checklist", "roster"
    table_label: str
    name: str
    notes: str = ""
    reference_label: str = ""
    servicing_items: tuple[str, ...] = ()
    per_specialist: bool = True
    alternatives: bool = False
    parts_add_up: bool = False
    parts: list[FormPart] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    blank_rows: range = range(0)


def _reference_label(business_line: str) -> str:
    return {
        BusinessLine.NEW_BUSINESS: _("Application no."),
        BusinessLine.POLICY_CHANGE: _("Acceptance no."),
        BusinessLine.CLAIMS: _("Claim no."),
    }.get(business_line, _("Reference no."))


def _section(section: d.SectionDef) -> FormSection:
    note = ""
    if section.not_applicable_rule == d.NA_FULL_POINTS:
        note = section.not_applicable_conditions or _("Full points when it does not apply.")
        if section.exempt_servicing_items:
            note += " " + _("Does not apply to: %(items)s.") % {
                "items": "、".join(sorted(section.exempt_servicing_items))
            }
    elif section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
        note = section.not_applicable_conditions
    return FormSection(
        name=section.name,
        max_points=section.max_points,
        per_item=section.scoring == d.ITEM_POINTS,
        items=[FormItem(i.text, i.points, i.is_notice_kind) for i in section.items],
        not_applicable_note=note,
        choose_notice_kind=section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND,
    )


def blank_forms(campaign: Campaign) -> list[Form]:
    """The rubric's sheets as blank forms, in table order. 表六 (the roster, which
    表五's first requirement is checked against) follows the unit's checklist."""
    meta = {
        code: (notes, per_specialist)
        for code, notes, per_specialist in Sheet.objects.filter(
            rubric_id=campaign.rubric_id
        ).values_list("code", "notes", "per_specialist")
    }
    forms = []
    roster_placed = False
    for sheet in rubric_definitions(campaign.rubric_id).values():
        notes, per_specialist = meta.get(sheet.key, ("", True))
        form = Form(
            kind=sheet.kind,
            table_label=sheet.table_label,
            name=sheet.name,
            notes=notes,
            per_specialist=per_specialist,
        )
        if sheet.kind == Sheet.Kind.LOG:
            form.columns = [
                _("Policy no."),
                _("Business item"),
                _("Operator"),
                _("Document review (min)"),
                _("Scanning (min)"),
                _("Data entry (min)"),
                _("Remarks"),
            ]
            form.blank_rows = range(1, LOG_ROWS + 1)
        elif sheet.kind == Sheet.Kind.SCORED:
            form.reference_label = _reference_label(sheet.business_line)
            form.servicing_items = sheet.servicing_items
            form.alternatives = sheet.grouping == d.ALTERNATIVES
            form.parts_add_up = sheet.grouping == d.PARTS
            form.parts = [
                FormPart(p.name, p.total_points, [_section(s) for s in p.sections])
                for p in sheet.parts
            ]
        elif sheet.kind == Sheet.Kind.CHECKLIST:
            form.requirements = [
                item.text for part in sheet.parts for s in part.sections for item in s.items
            ]
        forms.append(form)
        if sheet.kind == Sheet.Kind.CHECKLIST and not per_specialist and not roster_placed:
            forms.append(roster_form())
            roster_placed = True
    if not roster_placed:
        forms.append(roster_form())
    return forms


def roster_form() -> Form:
    return Form(
        kind="roster",
        table_label="表六",
        name="分公司岗位人员设置清单",
        columns=[label for _key, label in ROSTER_COLUMNS],
        blank_rows=range(1, ROSTER_ROWS + 1),
    )


@register
class BlankFormsPdfExporter(Exporter):
    identifier = "blank-forms-pdf"
    format = PDF
    subject = "campaign"

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
        return campaign_filename(REPORT_TITLE, self.campaign, self.format)

    def html(self) -> str:
        return pdf.render_html(
            "reports/blank_forms.html",
            {
                "title": REPORT_TITLE,
                "campaign": self.campaign,
                "forms": blank_forms(self.campaign),
                "generated_at": timezone.localtime(),
            },
        )

    def build(self) -> bytes:
        self.progress(10)
        html = self.html()
        self.progress(40)
        content = pdf.html_to_pdf(html)
        self.progress(100)
        return content
