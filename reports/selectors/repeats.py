"""Repeat findings as the reports print them: read for many visits at once
(`inspections.selectors.repeat_findings_of`, a fixed number of queries)."""

from collections.abc import Iterable

from inspections.selectors import RepeatFinding, repeat_findings_of

from .types import RepeatLine


def repeat_line(unit: str, finding: RepeatFinding) -> RepeatLine:
    return RepeatLine(
        unit=unit,
        sheet=finding.table_label,
        section=finding.section_name,
        item=finding.item_text,
        requirement=finding.requirement,
        earlier_campaign=finding.earlier_campaign,
        remark_then=finding.remark_then,
        remark_now=finding.remark_now,
    )


def repeat_lines(visits: Iterable[tuple[int, str]]) -> list[RepeatLine]:
    """The repeat findings of (visit id, unit name) pairs, in their order."""
    visits = list(visits)
    found = repeat_findings_of(visit_ids=[pk for pk, _unit in visits])
    return [repeat_line(unit, f) for pk, unit in visits for f in found.get(pk, [])]
