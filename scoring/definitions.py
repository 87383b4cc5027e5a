"""Plain, immutable descriptions of a rubric's sheets and of an inspector's
answers: what the scoring engine takes. No ORM, no request."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The values mirror the choices of scoring.models; kept as plain strings so the
# engine needs no Django import.
ITEM_POINTS = "item_points"
SECTION_POINTS = "section_points"
CHECKLIST = "checklist"
# Points taken off the section's max per occurrence recorded (seed 002's
# compliance item); its items are the deduction rules, their points per occurrence.
DEDUCTION = "deduction"

NA_NONE = "none"
NA_FULL_POINTS = "full_points"
NA_CHOOSE_ONE_NOTICE_KIND = "choose_one_notice_kind"

SINGLE = "single"
PARTS = "parts"
ALTERNATIVES = "alternatives"


@dataclass(frozen=True)
class ItemDef:
    key: str
    text: str
    points: Decimal | None = None
    is_notice_kind: bool = False


@dataclass(frozen=True)
class SectionDef:
    key: str
    name: str
    scoring: str
    max_points: Decimal
    items: tuple[ItemDef, ...] = ()
    not_applicable_rule: str = NA_NONE
    not_applicable_conditions: str = ""
    exempt_servicing_items: frozenset[str] = frozenset()

    @property
    def allows_not_applicable(self) -> bool:
        return self.not_applicable_rule == NA_FULL_POINTS

    @property
    def allows_no_notice(self) -> bool:
        """表四's notice section: the office may have had no 二核 notice to check,
        and then every item gets its full points, not applicable, with a reason."""
        return self.not_applicable_rule == NA_CHOOSE_ONE_NOTICE_KIND

    @property
    def notice_kinds(self) -> tuple[ItemDef, ...]:
        return tuple(i for i in self.items if i.is_notice_kind)


@dataclass(frozen=True)
class PartDef:
    key: str
    name: str
    total_points: Decimal
    sections: tuple[SectionDef, ...] = ()
    # Of alternative sub-sheets (表四): the one to pick when the standard process
    # cannot be checked (the seed: preferably 问题件流程).
    preferred: bool = False


@dataclass(frozen=True)
class SheetDef:
    key: str
    table_label: str
    name: str
    kind: str
    grouping: str = SINGLE
    total_points: Decimal | None = None
    business_line: str = ""
    parts: tuple[PartDef, ...] = ()
    servicing_items: tuple[str, ...] = ()

    def part(self, key: str) -> PartDef:
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(key)


@dataclass(frozen=True)
class GradeBandDef:
    grade: str
    minimum_percent: Decimal


# --- answers -------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One occurrence recorded in a deduction section: its reference (the
    penalty decision's or the violation document's number) and its kind, the
    key of the section's item (the deduction rule) it falls under."""

    reference: str
    kind: str


@dataclass
class SectionAnswer:
    """What the inspector entered for one section. Values may be raw form input
    (strings); the engine validates and converts them."""

    score: Any = None  # section-points sections
    item_scores: dict[str, Any] = field(default_factory=dict)  # item-points sections
    not_applicable: bool = False
    not_applicable_reason: str = ""
    notice_kind: str | None = None  # the item key of the notice kind checked
    occurrences: list[Occurrence] = field(default_factory=list)  # deduction sections


@dataclass
class PartAnswers:
    sections: dict[str, SectionAnswer] = field(default_factory=dict)
    servicing_item: str | None = None
    observed: bool = True
    not_observed_reason: str = ""


@dataclass
class SheetAnswers:
    parts: dict[str, PartAnswers] = field(default_factory=dict)
    chosen_alternative: str | None = None
    # Why not the standard process, when another of 表四's sub-sheets was checked.
    alternative_reason: str = ""
    # Falsified material (seed 002: 提供不实材料 … 测评结果视为0分): the sheet
    # scores 0 of its max, for the reason given, which is required.
    falsified: bool = False
    falsified_reason: str = ""


@dataclass
class ChecklistAnswer:
    compliant: bool | None = None
    remark: str = ""
