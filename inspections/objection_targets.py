"""What a branch may object to in a head-office check, and how an upheld
objection corrects it: every scored item (or section scored as a whole) of its
score sheets and every requirement of its checklists, named by a key stored
with the objection. Pure functions over the rubric's definitions and the
engine's results; `inspections.selectors.objection_targets` reads the records.

Keys: "sheet-<record id>/<part>/<section>[/<item>]" and
"checklist-<record id>/<requirement>".
"""

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from scoring import definitions as d
from scoring.engine import SheetResult

SHEET = "sheet"
CHECKLIST = "checklist"
#: Stored values of a checklist requirement.
COMPLIANT, NON_COMPLIANT = "yes", "no"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    # The result as it stands: points ("7.5") or COMPLIANT / NON_COMPLIANT.
    value: str
    # Of points: the most the item may score; None for a checklist requirement.
    maximum: Decimal | None = None

    @property
    def is_points(self) -> bool:
        return self.maximum is not None


@dataclass(frozen=True)
class TargetKey:
    kind: str
    record_id: int
    path: tuple[str, ...]


def parse_key(key: str) -> TargetKey | None:
    """The parts of a target key; None for anything malformed."""
    head, _sep, rest = key.partition("/")
    kind, _dash, record_id = head.partition("-")
    path = tuple(rest.split("/")) if rest else ()
    if kind not in (SHEET, CHECKLIST) or not record_id.isdigit() or not all(path):
        return None
    expected = (2, 3) if kind == SHEET else (1,)
    if len(path) not in expected:
        return None
    return TargetKey(kind, int(record_id), path)


def points_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def value_label(value: str) -> str:
    """A stored result as the pages show it."""
    if value == COMPLIANT:
        return _("Compliant")
    if value == NON_COMPLIANT:
        return _("Non-compliant")
    return _("%(points)s points") % {"points": value}


def sheet_targets(
    *, record_id: int, title: str, definition: d.SheetDef, result: SheetResult
) -> list[Target]:
    """Each item of a scored section, or the section when it is scored whole,
    of the parts observed. A section scored not applicable has its full points
    already: nothing there to contest."""
    targets = []
    parts = {p.key: p for p in definition.parts}
    for part_result in result.parts:
        part = parts.get(part_result.key)
        if part is None or not part_result.observed:
            continue
        sections = {s.key: s for s in part.sections}
        for section_result in part_result.sections:
            section = sections.get(section_result.key)
            if section is None or section_result.not_applicable:
                continue
            where = f"{title} · {part.name} · {section.name}"
            prefix = f"{SHEET}-{record_id}/{part.key}/{section.key}"
            if section.scoring == d.ITEM_POINTS:
                for item in section.items:
                    scored = section_result.item_scores.get(item.key)
                    if scored is None or item.points is None:
                        continue
                    targets.append(
                        Target(
                            f"{prefix}/{item.key}",
                            f"{where} · {item.text}",
                            points_text(scored),
                            Decimal(item.points),
                        )
                    )
            elif section.scoring == d.SECTION_POINTS:
                targets.append(
                    Target(prefix, where, points_text(section_result.score), section.max_points)
                )
    return targets


def checklist_targets(
    *, record_id: int, title: str, requirements: tuple[d.ItemDef, ...], answers: Mapping
) -> list[Target]:
    """Each requirement answered yes or no."""
    targets = []
    for requirement in requirements:
        compliant = (answers.get(requirement.key) or {}).get("compliant")
        if compliant is None:
            continue
        targets.append(
            Target(
                f"{CHECKLIST}-{record_id}/{requirement.key}",
                f"{title} · {requirement.text}",
                COMPLIANT if compliant else NON_COMPLIANT,
            )
        )
    return targets


def corrected_sheet_answers(
    answers: Mapping[str, Any], *, path: tuple[str, ...], points: Decimal
) -> dict:
    """A part's stored answers (`scoring.answers`) with one item's or one
    section's points replaced; the rest untouched."""
    corrected = copy.deepcopy(dict(answers))
    section = corrected.setdefault("sections", {}).setdefault(path[1], {})
    if len(path) == 3:
        section.setdefault("items", {})[path[2]] = points_text(points)
    else:
        section["score"] = points_text(points)
    return corrected


def corrected_checklist_answers(
    answers: Mapping[str, Any], *, requirement: str, compliant: bool
) -> dict:
    corrected = copy.deepcopy(dict(answers))
    entry = corrected.setdefault(requirement, {})
    entry["compliant"] = compliant
    return corrected
