"""The stored form of an inspector's answers (JSON on a sheet's form record)
and its conversion into the engine's answer dataclasses. Pure functions.

    {"sections": {"<section code>": {"score": "25",
                                     "items": {"<item key>": "10"},
                                     "not_applicable": false,
                                     "not_applicable_reason": "",
                                     "notice_kind": "<item key>"}},
     "remarks": {"<section code or item key>": "text"}}
"""

from collections.abc import Mapping
from typing import Any

from . import definitions as d


def section_answer(data: Mapping[str, Any] | None) -> d.SectionAnswer:
    data = data or {}
    return d.SectionAnswer(
        score=data.get("score"),
        item_scores=dict(data.get("items") or {}),
        not_applicable=bool(data.get("not_applicable")),
        not_applicable_reason=str(data.get("not_applicable_reason") or ""),
        notice_kind=data.get("notice_kind") or None,
    )


def part_answers(
    data: Mapping[str, Any] | None,
    *,
    servicing_item: str = "",
    observed: bool = True,
    not_observed_reason: str = "",
) -> d.PartAnswers:
    sections = (data or {}).get("sections") or {}
    return d.PartAnswers(
        sections={key: section_answer(value) for key, value in sections.items()},
        servicing_item=servicing_item or None,
        observed=observed,
        not_observed_reason=not_observed_reason,
    )


def checklist_answers(data: Mapping[str, Any] | None) -> dict[str, d.ChecklistAnswer]:
    """{"<item key>": {"compliant": true|false|null, "remark": ""}}"""
    return {
        key: d.ChecklistAnswer(
            compliant=value.get("compliant"), remark=str(value.get("remark") or "")
        )
        for key, value in (data or {}).items()
    }
