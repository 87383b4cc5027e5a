"""What each scored item (and checklist requirement) of a closed sheet came to:
the rows head office analyses for where points are lost, how a unit moves from
one campaign to the next, and which findings repeat. Pure functions over the
engine's results.

- An item-points section gives one outcome per item; a section scored whole
  (section points, deductions) one outcome for the section, keyed by the
  section's own key.
- Not applicable (the section's full-points rule, or a notice kind not checked)
  is kept apart: it scores its full points and counts in no share of points lost.
- A sheet resting on falsified material scores 0: every item of it has lost its
  points, as its stored percentage says.
- A checklist requirement has no points: it either complies, or not (a finding),
  or was not answered.

Keys (sheet, part, section, item codes) are what matches an item across rubric
versions; texts are read from the rubric when shown.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import definitions as d
from .engine import PartResult

ZERO = Decimal(0)


@dataclass(frozen=True)
class Outcome:
    part_key: str
    section_key: str
    item_key: str  # a section scored whole: the section's key
    points: Decimal | None  # None: a checklist requirement
    score: Decimal | None
    not_applicable: bool = False
    #: the section's not-applicable reason; empty for a notice kind not checked
    not_applicable_reason: str = ""
    compliant: bool | None = None  # checklist requirements only
    remark: str = ""

    @property
    def lost(self) -> Decimal:
        """Points lost; none when not applicable (it scores its full points)."""
        if self.points is None or self.score is None or self.not_applicable:
            return ZERO
        return self.points - self.score

    @property
    def failed(self) -> bool:
        """A finding: points lost, or a requirement not complied with."""
        if self.points is None:
            return self.compliant is False
        return self.lost > 0


def part_outcomes(
    part: d.PartDef,
    result: PartResult,
    remarks: Mapping[str, str] | None = None,
    *,
    falsified: bool = False,
) -> Iterator[Outcome]:
    """The outcomes of one observed part, from its engine result; a part not
    observed has none (it is left out of the sheet's points). `remarks` are the
    stored remarks by section or item key; an item's own wins over its section's."""
    if not result.observed:
        return
    remarks = remarks or {}
    for section, section_result in zip(part.sections, result.sections, strict=True):
        section_remark = _remark(remarks.get(section.key))
        na = section_result.not_applicable
        if section.scoring != d.ITEM_POINTS:
            yield Outcome(
                part_key=part.key,
                section_key=section.key,
                item_key=section.key,
                points=section.max_points,
                score=ZERO if falsified else section_result.score,
                not_applicable=na and not falsified,
                not_applicable_reason=section_result.not_applicable_reason if na else "",
                remark=section_remark,
            )
            continue
        notice_kinds = {k.key for k in section.notice_kinds}
        for item in section.items:
            points = item.points or ZERO
            item_na = na or (
                section_result.notice_kind is not None
                and item.key != section_result.notice_kind
                and item.key in notice_kinds
            )
            score = points if na else section_result.item_scores.get(item.key, ZERO)
            yield Outcome(
                part_key=part.key,
                section_key=section.key,
                item_key=item.key,
                points=points,
                score=ZERO if falsified else score,
                not_applicable=item_na and not falsified,
                not_applicable_reason=section_result.not_applicable_reason if na else "",
                remark=_remark(remarks.get(item.key)) or section_remark,
            )


def _remark(value: str | None) -> str:
    """A remark as recorded (reports show it as written); blank is none."""
    return value if value and value.strip() else ""


def checklist_outcomes(
    requirements: Sequence[tuple[str, str, d.ItemDef]],
    answers: Mapping[str, d.ChecklistAnswer],
) -> Iterator[Outcome]:
    """One outcome per requirement of a checklist, given as (part key, section
    key, requirement), with its yes/no answer and remark."""
    for part_key, section_key, requirement in requirements:
        answer = answers.get(requirement.key) or d.ChecklistAnswer()
        yield Outcome(
            part_key=part_key,
            section_key=section_key,
            item_key=requirement.key,
            points=None,
            score=None,
            compliant=answer.compliant,
            remark=_remark(answer.remark),
        )


def checklist_layout(sheet: d.SheetDef) -> tuple[tuple[str, str, d.ItemDef], ...]:
    """A checklist sheet's requirements with where they sit (part, section keys)."""
    return tuple(
        (part.key, section.key, item)
        for part in sheet.parts
        for section in part.sections
        for item in section.items
    )


def share_lost(lost: Decimal | None, points: Decimal | None) -> Decimal | None:
    """The share of the applicable points lost, in percent (one decimal); None
    with no applicable points."""
    if not points:
        return None
    return (Decimal(100) * (lost or ZERO) / points).quantize(Decimal("0.1"))
