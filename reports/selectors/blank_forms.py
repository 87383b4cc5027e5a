"""The rubric's sheets as blank paper forms (表一–表七), for the blank-forms PDF."""

from django.utils.translation import gettext as _

from inspections.models import Campaign
from inspections.roster import COLUMNS as ROSTER_COLUMNS
from scoring import definitions as d
from scoring.models import BusinessLine, Sheet
from scoring.selectors import rubric_definitions

from .sheets import section_line
from .types import Form, FormPart

LOG_ROWS = 18
ROSTER_ROWS = 16


def _reference_label(business_line: str) -> str:
    return {
        BusinessLine.NEW_BUSINESS: _("Application no."),
        BusinessLine.POLICY_CHANGE: _("Acceptance no."),
        BusinessLine.CLAIMS: _("Claim no."),
    }.get(business_line, _("Reference no."))


def blank_forms(*, campaign: Campaign) -> list[Form]:
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
    for sheet in rubric_definitions(rubric=campaign.rubric_id).values():
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
                FormPart(p.name, p.total_points, [section_line(s) for s in p.sections])
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
