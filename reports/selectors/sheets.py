"""A rubric section as report lines, one builder for every report: a visit's
filled sheet, the consolidated item detail and the blank paper forms."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from inspections.evidence_files import evidence_key
from scoring import definitions as d
from scoring.engine import SectionResult

from .types import DeductionLine, ItemLine, ReportPhoto, SectionLine


def fmt(number: Decimal | None) -> str:
    if number is None:
        return ""
    return format(number.normalize(), "f")


def rule_note(section: d.SectionDef) -> str:
    """What a blank form says of a section that may not apply."""
    if section.not_applicable_rule == d.NA_FULL_POINTS:
        note = section.not_applicable_conditions or _("Full points when it does not apply.")
        if section.exempt_servicing_items:
            note += " " + _("Does not apply to: %(items)s.") % {
                "items": "、".join(sorted(section.exempt_servicing_items))
            }
        return note
    if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
        no_notice = _("With no 二核 notice to check: not applicable, full points, and why.")
        return " ".join(filter(None, [section.not_applicable_conditions, no_notice]))
    return ""


def section_line(
    section: d.SectionDef,
    result: SectionResult | None = None,
    remarks: Mapping | None = None,
    *,
    observed: bool = True,
    photos: Mapping[str, list[ReportPhoto]] | None = None,
) -> SectionLine:
    """The section as a report shows it: blank (no `result`, e.g. a paper form),
    not observed (its part was not; it scores nothing), or with the engine's
    result, the inspector's `remarks` (keyed by section or item key) and the
    `photos` taken (keyed as evidence is: "<section>" or "<section>:<item>")."""
    remarks = remarks or {}
    photos = photos or {}
    item_points = section.scoring == d.ITEM_POINTS
    line = SectionLine(
        name=section.name,
        max_points=section.max_points,
        item_points=item_points,
        items=[
            ItemLine(
                i.text,
                i.points,
                notice_kind=i.is_notice_kind,
                photos=photos.get(evidence_key(section, i), []),
            )
            for i in section.items
        ],
        photos=photos.get(evidence_key(section), []),
        remark=str(remarks.get(section.key) or "").strip(),
        rule_note=rule_note(section),
        choose_notice_kind=section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND,
        deduction=section.scoring == d.DEDUCTION,
    )
    if result is None:
        line.score = None if observed else Decimal(0)
        return line
    line.score = result.score
    line.deductions = [DeductionLine(c.reference, c.kind_text, c.points) for c in result.deductions]
    if result.not_applicable:
        line.not_applicable = True
        note = (
            # 表四: the office had no 二核 notice to check.
            _("No 二核 notice to check. Not applicable: full %(points)s points. %(reason)s")
            if section.allows_no_notice
            else _("Not applicable: full %(points)s points. %(reason)s")
        )
        line.note = (
            note % {"points": fmt(section.max_points), "reason": result.not_applicable_reason}
        ).strip()
        for item in line.items:
            item.score = item.points if item_points else None
            if section.allows_no_notice:
                item.note = _("Not applicable: full points.")
        return line
    for item, item_def in zip(line.items, section.items, strict=True):
        item.note = str(remarks.get(item_def.key) or "").strip()
        item.score = result.item_scores.get(item_def.key) if item_points else None
        if item_def.is_notice_kind and result.notice_kind:
            checked = (
                _("Notice kind checked.")
                if item_def.key == result.notice_kind
                else _("Notice kind not checked: full points.")
            )
            item.note = " ".join(filter(None, [checked, item.note]))
    return line
