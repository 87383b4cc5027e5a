"""The view-models every report lays out (PDF templates and Excel writers alike),
one set for all of them: a scored sheet's parts, sections and items, a
checklist, an interview, a finding area, a rectification action, a 表一 row.
Selectors fill them (reports/selectors/); exporters only read them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from inspections.models import SheetRecord
from scoring.results import Result

# Report titles, as the documents and the job pages name them.
VISIT_REPORT_TITLE = "一柜通工作验收报告"
CONSOLIDATED_REPORT_TITLE = "一柜通验收汇总报告"
BLANK_FORMS_TITLE = "一柜通验收表格（空白）"


class ReportDataError(ValueError):
    """The visit cannot be reported as it is; the message says why, readably."""


@dataclass(frozen=True)
class ReportPhoto:
    """A photo taken on a sheet: its thumbnail for the PDF (a data: URL, so the
    PDF needs no file access), and the app's address of the original."""

    name: str
    caption: str
    thumbnail_url: str  # data:image/jpeg;base64,…
    link: str  # absolute URL of the original, for those who may see the visit


@dataclass
class ItemLine:
    text: str
    points: Decimal | None
    score: Decimal | None = None
    note: str = ""
    notice_kind: bool = False  # one of 表四's 二核 notice kinds
    photos: list[ReportPhoto] = field(default_factory=list)


@dataclass(frozen=True)
class DeductionLine:
    """An occurrence a deduction section counted: its reference, the rule it
    falls under and the points it took off."""

    reference: str
    rule: str
    points: Decimal


@dataclass
class SectionLine:
    """A rubric section as a report shows it: filled in (a visit's sheet) or
    blank (the paper forms), then `score` is None."""

    name: str
    max_points: Decimal
    item_points: bool  # True: points per item; False: one score for the section
    items: list[ItemLine]
    score: Decimal | None = None
    not_applicable: bool = False
    note: str = ""  # why not applicable, which notice kind was checked …
    remark: str = ""  # what the inspector wrote
    # The rule as the blank form prints it: when it does not apply, or that one
    # notice kind is checked and the others get their points.
    rule_note: str = ""
    choose_notice_kind: bool = False
    photos: list[ReportPhoto] = field(default_factory=list)  # of the section as a whole
    # A deduction section: its items are the rules (points per occurrence) and
    # `deductions` the occurrences it counted.
    deduction: bool = False
    deductions: list[DeductionLine] = field(default_factory=list)

    @property
    def rowspan(self) -> int:
        return max(1, len(self.items))


@dataclass
class PartSheet:
    name: str
    total_points: Decimal
    reference_no: str
    servicing_item: str
    observed: bool
    not_observed_reason: str
    score: Decimal
    max_points: Decimal
    sections: list[SectionLine]


@dataclass
class ScoredSheet:
    record: SheetRecord
    table_label: str
    sheet_name: str
    sheet_code: str
    specialist_name: str
    employee_no: str
    selection_method: str
    chosen_alternative: str
    alternative_reason: str
    score: Decimal
    max_points: Decimal
    percent: Decimal | None
    grade: str
    parts: list[PartSheet]
    # Seed 002: falsified material scores the sheet 0, for this reason.
    falsified: bool = False
    falsified_reason: str = ""


@dataclass
class SpecialistRow:
    name: str
    employee_no: str
    home_post: str
    cells: list[SheetRecord | None]  # one per scored sheet kind, in sheet order
    result: Result


@dataclass
class ChecklistLine:
    text: str
    compliant: bool | None
    remark: str


@dataclass
class ChecklistSheet:
    table_label: str
    sheet_name: str
    sheet_code: str
    who: str  # the specialist, or the visited unit for 表五
    lines: list[ChecklistLine]
    compliant: int
    non_compliant: int
    rate: Decimal | None


@dataclass
class ChecklistSummary:
    table_label: str
    sheet_name: str
    records: int
    compliant: int
    non_compliant: int
    rate: Decimal | None


@dataclass
class InterviewAnswerLine:
    question: str
    yes_no: bool | None
    text: str
    tag: str
    tag_label: str


@dataclass
class InterviewView:
    audience: str
    interviewee: str
    post: str
    notes: str
    answers: list[InterviewAnswerLine]


@dataclass
class ActionLine:
    area: str
    unit: str  # the visited unit the action came from
    description: str
    responsible_unit: str
    responsible_person: str
    owner: str
    deadline: object
    status: str
    status_label: str
    overdue: bool


@dataclass
class ObjectionLine:
    """A branch's objection to a head-office check and head office's decision."""

    unit: str  # the unit whose check was objected to
    item: str
    original: str
    grounds: str
    raised_by: str
    raised_at: object
    state: str
    state_label: str
    corrected: str
    decision_reason: str
    decided_by: str
    decided_at: object


@dataclass
class AreaFindings:
    code: str
    name: str
    strengths: list[str] = field(default_factory=list)
    shortcomings: list[str] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)


@dataclass
class LogLine:
    policy_no: str
    business_item: str
    operator: str
    minutes_document_review: Decimal | None
    minutes_scanning: Decimal | None
    minutes_data_entry: Decimal | None
    remarks: str

    @property
    def minutes_total(self) -> Decimal | None:
        values = [
            v
            for v in (self.minutes_document_review, self.minutes_scanning, self.minutes_data_entry)
            if v is not None
        ]
        return sum(values, Decimal(0)) if values else None


@dataclass
class FormPart:
    name: str
    total_points: Decimal
    sections: list[SectionLine]


@dataclass
class Form:
    """A blank paper form: a scored sheet, a checklist, 表一's log or 表六's roster."""

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


@dataclass(frozen=True)
class RepeatLine:
    """A repeat finding as a report prints it (`inspections.selectors.RepeatFinding`):
    at the unit, an item or requirement that failed in its previous campaign too."""

    unit: str
    sheet: str
    section: str
    item: str
    requirement: bool
    earlier_campaign: str
    remark_then: str
    remark_now: str
