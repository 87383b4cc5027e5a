"""Answers as they are stored and typed, and the one way they become the
scoring engine's input. Pure functions.

A sheet's answers are stored per part (a `PartRecord`, or a form's cleaned
data before it is saved) in one shape, `StoredPart`; its `answers` JSON is

    {"sections": {"<section code>": {"score": "25",
                                     "items": {"<item key>": "10"},
                                     "not_applicable": false,
                                     "not_applicable_reason": "",
                                     "notice_kind": "<item key>",
                                     "occurrences": [{"kind": "<item key>",
                                                      "reference": "渝保监罚〔2012〕3号"}]}},
     "remarks": {"<section code or item key>": "text"}}

(`occurrences`: a deduction section's, each under the item, the deduction
rule, it falls under.) The sheet's own answers (how the case was chosen, 表四's
sub-sheet, falsified material and its reason) are the `SheetRecord`'s fields.

`sheet_answers` turns stored parts into `definitions.SheetAnswers`: the save,
the running score, every report and the consolidated detail all call it, so
they cannot disagree about what was answered.

`field_name` names each answer the way the sheet form names its inputs and
the engine's problems name what they refuse ("<part>-<section>-item-<key>"…):
a refusal is shown on its own input.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import definitions as d

#: A problem of the whole sheet, not of one input.
NON_FIELD = "__all__"

# What one input of a section or a part is.
SECTION_FIELDS = ("score", "item", "na", "na_reason", "notice_kind", "remark")
PART_FIELDS = ("reference_no", "servicing_item", "not_observed", "not_observed_reason")
SHEET_FIELDS = (
    "selection_method",
    "chosen_alternative",
    "alternative_reason",
    "falsified",
    "falsified_reason",
)


def field_name(part: str = "", section: str = "", *, item: str = "", what: str = "item") -> str:
    """The name of one answer: "<part>-<section>-item-<item>" for an item's
    points, "<part>-<section>-<what>" for a section's score, not-applicable box
    and reason, notice kind and remark, "<part>-<what>" for a part's header
    fields, and the bare name for the sheet's own."""
    if what in SHEET_FIELDS:
        return what
    if what in PART_FIELDS:
        return f"{part}-{what}"
    if item:
        return f"{part}-{section}-item-{item}"
    return f"{part}-{section}-{what}"


def checklist_field(requirement: str, *, what: str) -> str:
    """A checklist's inputs: "answer-<key>" (yes/no) and "remark-<key>"."""
    return f"{what}-{requirement}"


@dataclass(frozen=True)
class StoredPart:
    """One part's answers in the stored shape (a PartRecord has the same fields)."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    reference_no: str = ""
    servicing_item: str = ""
    observed: bool = True
    not_observed_reason: str = ""

    @classmethod
    def of(cls, value: "StoredPart | Mapping[str, Any] | Any") -> "StoredPart":
        """From a StoredPart, a mapping with these keys, or an object with these
        attributes (a PartRecord)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            get = value.get
        else:

            def get(name, default=None):
                return getattr(value, name, default)

        return cls(
            answers=get("answers") or {},
            reference_no=(get("reference_no") or "").strip(),
            servicing_item=(get("servicing_item") or "").strip(),
            observed=bool(get("observed", True)),
            not_observed_reason=(get("not_observed_reason") or "").strip(),
        )


def section_answer(data: Mapping[str, Any] | None) -> d.SectionAnswer:
    data = data or {}
    return d.SectionAnswer(
        score=data.get("score"),
        item_scores=dict(data.get("items") or {}),
        not_applicable=bool(data.get("not_applicable")),
        not_applicable_reason=str(data.get("not_applicable_reason") or ""),
        notice_kind=data.get("notice_kind") or None,
        occurrences=[
            d.Occurrence(
                reference=str(entry.get("reference") or ""), kind=str(entry.get("kind") or "")
            )
            for entry in data.get("occurrences") or ()
        ],
    )


def _part_answers(part: StoredPart) -> d.PartAnswers:
    sections = (part.answers or {}).get("sections") or {}
    return d.PartAnswers(
        sections={key: section_answer(value) for key, value in sections.items()},
        servicing_item=part.servicing_item or None,
        observed=part.observed,
        not_observed_reason=part.not_observed_reason,
    )


def stored_parts(
    parts: Mapping[str, Any], *, chosen_alternative: str | None = None
) -> dict[str, StoredPart]:
    """A sheet's parts, {part code: stored part} (a StoredPart, a PartRecord or
    a mapping of the same fields), as StoredParts; of a sheet of alternative
    sub-sheets (表四) only the one chosen: what is scored and what is kept."""
    if chosen_alternative:
        return {chosen_alternative: StoredPart.of(parts.get(chosen_alternative) or {})}
    return {code: StoredPart.of(part) for code, part in parts.items()}


def sheet_answers(
    parts: Mapping[str, Any],
    *,
    chosen_alternative: str | None = None,
    alternative_reason: str = "",
    falsified: bool = False,
    falsified_reason: str = "",
) -> d.SheetAnswers:
    """The engine's input from a sheet's stored parts (see `stored_parts`) and
    the sheet's own answers."""
    return d.SheetAnswers(
        parts={
            code: _part_answers(part)
            for code, part in stored_parts(parts, chosen_alternative=chosen_alternative).items()
        },
        chosen_alternative=chosen_alternative,
        alternative_reason=alternative_reason.strip(),
        falsified=bool(falsified),
        falsified_reason=falsified_reason.strip(),
    )


def checklist_answers(data: Mapping[str, Any] | None) -> dict[str, d.ChecklistAnswer]:
    """{"<item key>": {"compliant": true|false|null, "remark": ""}}"""
    return {
        key: d.ChecklistAnswer(
            compliant=value.get("compliant"), remark=str(value.get("remark") or "")
        )
        for key, value in (data or {}).items()
    }
