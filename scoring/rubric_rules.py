"""The rules a rubric's totals must obey, as pure functions over plain values.

Defined once here and used by the import of a rubric file (`scoring.rubric_io`)
and by the admin's inline formsets, which check a parent form together with its
inline children before anything is saved. Every function returns a list of messages, empty when all is well.

The values mirror the choices of `scoring.models` as plain strings (like
`scoring.definitions`), so nothing here needs the ORM.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Sheet kinds
SCORED = "scored"
CHECKLIST_SHEET = "checklist"
LOG = "log"

# Sheet groupings
SINGLE = "single"
PARTS = "parts"
ALTERNATIVES = "alternatives"

# Section scoring
ITEM_POINTS = "item_points"
SECTION_POINTS = "section_points"
CHECKLIST = "checklist"
DEDUCTION = "deduction"

# Not-applicable rules
NA_NONE = "none"
NA_FULL_POINTS = "full_points"
NA_CHOOSE_ONE_NOTICE_KIND = "choose_one_notice_kind"


@dataclass(frozen=True)
class ItemValues:
    points: int | None
    is_notice_kind: bool = False


@dataclass(frozen=True)
class SectionValues:
    name: str
    scoring: str
    max_points: int


@dataclass(frozen=True)
class PartValues:
    name: str
    total_points: int
    is_preferred_alternative: bool = False


def section_problems(
    *,
    name: str,
    scoring: str,
    max_points: int | None,
    not_applicable_rule: str,
    items: Sequence[ItemValues],
    exempt_servicing_items: Sequence[str] = (),
) -> list[str]:
    """The items must fit the section's scoring kind (and add up to its max)."""
    problems: list[str] = []
    max_points = max_points or 0
    if scoring == ITEM_POINTS:
        if any(i.points is None for i in items):
            problems.append(_("Every item of %(section)s needs points.") % {"section": name})
        else:
            declared = sum(i.points for i in items)
            if declared != max_points:
                problems.append(
                    _("The items of %(section)s add up to %(sum)s, not its max %(max)s.")
                    % {"section": name, "sum": declared, "max": max_points}
                )
    elif scoring == DEDUCTION:
        # Its items are the deduction rules: each takes points per occurrence.
        if not items:
            problems.append(_("%(section)s lists no deduction rules.") % {"section": name})
        if any(not i.points for i in items):
            problems.append(
                _("Every deduction rule of %(section)s needs the points it takes per occurrence.")
                % {"section": name}
            )
        if not_applicable_rule != NA_NONE:
            problems.append(
                _("%(section)s takes deductions and has no not-applicable rule.")
                % {"section": name}
            )
    elif any(i.points is not None for i in items):
        problems.append(
            _("The items of %(section)s are checkpoints and take no points.") % {"section": name}
        )
    if scoring in (SECTION_POINTS, DEDUCTION) and not max_points:
        problems.append(_("%(section)s needs its max points.") % {"section": name})
    if scoring == CHECKLIST:
        if max_points:
            problems.append(
                _("%(section)s is a checklist and takes no points.") % {"section": name}
            )
        if not items:
            problems.append(_("%(section)s lists no requirements.") % {"section": name})
        if not_applicable_rule != NA_NONE:
            problems.append(
                _("%(section)s is a checklist and has no not-applicable rule.") % {"section": name}
            )
    if not_applicable_rule == NA_CHOOSE_ONE_NOTICE_KIND:
        if scoring != ITEM_POINTS:
            problems.append(
                _("%(section)s: choosing one notice kind needs points per item.")
                % {"section": name}
            )
        if sum(1 for i in items if i.is_notice_kind) < 2:
            problems.append(
                _("%(section)s needs at least two notice-kind items to choose from.")
                % {"section": name}
            )
    if exempt_servicing_items and not_applicable_rule != NA_FULL_POINTS:
        problems.append(
            _(
                "%(section)s lists servicing items that exempt it, but its rule does not "
                "give full points when it does not apply."
            )
            % {"section": name}
        )
    return problems


def exempt_servicing_item_problems(
    *, name: str, exempt_servicing_items: Iterable[str], servicing_items: Iterable[str]
) -> list[str]:
    """A section can only be exempted by servicing items its sheet offers."""
    known = set(servicing_items)
    return [
        _("%(section)s: “%(item)s” is not one of the sheet's servicing items.")
        % {"section": name, "item": item}
        for item in exempt_servicing_items
        if item not in known
    ]


def part_problems(
    *, name: str, sheet_kind: str, total_points: int | None, sections: Sequence[SectionValues]
) -> list[str]:
    """The sections of a scored form add up to its total; a checklist holds checklists."""
    problems: list[str] = []
    total_points = total_points or 0
    if sheet_kind == SCORED:
        declared = sum(s.max_points or 0 for s in sections)
        if declared != total_points:
            problems.append(
                _("The sections of %(part)s add up to %(sum)s, not its total %(total)s.")
                % {"part": name, "sum": declared, "total": total_points}
            )
        problems.extend(
            _("%(section)s is a checklist section on a scored sheet.") % {"section": s.name}
            for s in sections
            if s.scoring == CHECKLIST
        )
    elif sheet_kind == CHECKLIST_SHEET:
        if not sections:
            problems.append(_("%(part)s has no sections.") % {"part": name})
        problems.extend(
            _("%(section)s must be a yes/no checklist on a checklist sheet.") % {"section": s.name}
            for s in sections
            if s.scoring != CHECKLIST
        )
    return problems


def sheet_problems(
    *,
    sheet: str,
    kind: str,
    grouping: str,
    total_points: int | None,
    business_line: str,
    parts: Sequence[PartValues],
) -> list[str]:
    """The forms of a sheet fit its grouping and its total."""
    problems: list[str] = []
    if kind == LOG:
        if parts:
            problems.append(_("%(sheet)s is a process log and has no parts.") % {"sheet": sheet})
        if grouping != SINGLE:
            problems.append(_("Only scored sheets have parts or alternatives."))
        return problems
    if kind == CHECKLIST_SHEET:
        if grouping != SINGLE:
            problems.append(_("Only scored sheets have parts or alternatives."))
        if len(parts) != 1:
            problems.append(
                _("%(sheet)s is a checklist and must have exactly one part.") % {"sheet": sheet}
            )
        return problems

    # Scored.
    if not business_line:
        problems.append(_("A scored sheet needs a business line."))
    if not total_points:
        problems.append(_("A scored sheet needs its total points."))
    total = total_points or 0
    if not parts:
        problems.append(_("%(sheet)s has no parts.") % {"sheet": sheet})
        return problems
    preferred = [p for p in parts if p.is_preferred_alternative]
    if preferred and grouping != ALTERNATIVES:
        problems.append(
            _("Only the sub-sheets of alternatives can be the preferred alternative (%(sheet)s).")
            % {"sheet": sheet}
        )
    if len(preferred) > 1:
        problems.append(_("%(sheet)s can have only one preferred alternative.") % {"sheet": sheet})
    if grouping == PARTS:
        declared = sum(p.total_points or 0 for p in parts)
        if declared != total:
            problems.append(
                _("The parts of %(sheet)s add up to %(sum)s, not its total %(total)s.")
                % {"sheet": sheet, "sum": declared, "total": total}
            )
        return problems
    if grouping == SINGLE and len(parts) != 1:
        problems.append(
            _("%(sheet)s is a single form and must have exactly one part.") % {"sheet": sheet}
        )
    problems.extend(
        _("%(part)s totals %(points)s, but every form of %(sheet)s must total %(total)s.")
        % {"part": p.name, "points": p.total_points, "sheet": sheet, "total": total}
        for p in parts
        if p.total_points != total
    )
    return problems
