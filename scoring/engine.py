"""The scoring arithmetic of the acceptance plan, as pure functions.

Rules (seed 000, transcribed in fixtures/rubric-2012.yaml):
- a section never scores above its max nor below 0;
- item-points sections add up their items; section-points sections take one
  score for the section, its items being checkpoints only;
- a section whose rule allows it may be marked not applicable and then gets
  its full points (表三 交费通知书打印; automatically so for the servicing items
  listed on the section);
- 二核通知书打印回收 (表四): one notice kind is checked, the other kinds get
  their full points;
- a part of 表二 that could not be observed is left out of both the score and
  the maximum, so the result is a percentage of what was checked;
- checklists: yes/no per requirement, a remark is required for every "no".

Missing answers are not errors: they count 0 and are listed in `missing`, so
the same functions give the running score while the inspector types and the
completeness check on submission. Impossible answers raise `ScoringError`.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from . import definitions as d

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Problem:
    key: str
    label: str
    message: str

    def __str__(self):
        return f"{self.label}: {self.message}"


class ScoringError(ValueError):
    """Raised for answers that cannot be right; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class SectionResult:
    key: str
    name: str
    score: Decimal
    max_points: Decimal
    not_applicable: bool = False
    not_applicable_reason: str = ""
    item_scores: Mapping[str, Decimal] = field(default_factory=dict)
    notice_kind: str | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartResult:
    key: str
    name: str
    observed: bool
    score: Decimal
    max_points: Decimal
    percent: Decimal | None
    sections: tuple[SectionResult, ...] = ()
    not_observed_reason: str = ""
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetResult:
    key: str
    score: Decimal
    max_points: Decimal
    percent: Decimal | None
    grade: str | None
    parts: tuple[PartResult, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class ChecklistResult:
    compliant: int
    non_compliant: int
    unanswered: tuple[str, ...]
    rate: Decimal | None

    @property
    def complete(self) -> bool:
        return not self.unanswered


# --- helpers -------------------------------------------------------------


def parse_points(value: Any, *, key: str, label: str, maximum: Decimal) -> Decimal | None:
    """Turn an entered value into points within 0..maximum; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ScoringError([Problem(key, label, _("is not a number"))])
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ScoringError([Problem(key, label, _("is not a number"))]) from None
    if not number.is_finite():
        raise ScoringError([Problem(key, label, _("is not a number"))])
    if number < 0:
        raise ScoringError([Problem(key, label, _("cannot be negative"))])
    if number > maximum:
        raise ScoringError(
            [Problem(key, label, _("cannot exceed %(max)s points") % {"max": _fmt(maximum)})]
        )
    if number != number.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP):
        raise ScoringError([Problem(key, label, _("allows at most one decimal place"))])
    # Adding zero turns "-0" into 0 and "1E+1" into 10, so no score is shown as
    # "-0" or in exponent notation.
    return number + ZERO


def percent_of(score: Decimal, maximum: Decimal) -> Decimal | None:
    if not maximum:
        return None
    return (score * HUNDRED / maximum).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def compliance_rate(compliant: int, non_compliant: int) -> Decimal | None:
    """A checklist's share of "yes" among the requirements answered, as a
    percentage (rounded like every percentage); None when nothing is answered."""
    answered = compliant + non_compliant
    return percent_of(Decimal(compliant), Decimal(answered)) if answered else None


def grade_for(percent: Decimal | None, bands: Iterable[d.GradeBandDef]) -> str | None:
    """The grade of the highest band whose minimum the percentage reaches."""
    if percent is None:
        return None
    for band in sorted(bands, key=lambda b: b.minimum_percent, reverse=True):
        if percent >= band.minimum_percent:
            return band.grade
    return None


def mean_percent(percents: Iterable[Decimal | None]) -> Decimal | None:
    """The mean of the percentages that exist (a specialist's or an office's result)."""
    values = [p for p in percents if p is not None]
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _clamp(score: Decimal, maximum: Decimal) -> Decimal:
    return max(ZERO, min(score, maximum))


# --- sections, parts, sheets ---------------------------------------------


def score_section(
    section: d.SectionDef, answer: d.SectionAnswer | None, *, servicing_item: str | None = None
) -> SectionResult:
    answer = answer or d.SectionAnswer()
    problems: list[Problem] = []

    exempt = servicing_item is not None and servicing_item in section.exempt_servicing_items
    if answer.not_applicable and not section.allows_not_applicable:
        problems.append(Problem(section.key, section.name, _("cannot be marked not applicable")))
    if section.scoring == d.CHECKLIST:
        problems.append(
            Problem(section.key, section.name, _("is a checklist, not a scored section"))
        )
    known_items = {i.key for i in section.items}
    for key in answer.item_scores:
        if key not in known_items:
            problems.append(
                Problem(key, key, _("is not an item of %(section)s") % {"section": section.name})
            )
    if problems:
        raise ScoringError(problems)

    if section.allows_not_applicable and (answer.not_applicable or exempt):
        # Show why the full points were given: the reason entered, else the
        # exempting servicing item, else the section's own condition (表三:
        # no extra premium arose). With none of them the reason is missing.
        reason = answer.not_applicable_reason.strip()
        if not reason and exempt:
            reason = _("not applicable to the servicing item %(item)s") % {"item": servicing_item}
        if not reason:
            reason = section.not_applicable_conditions.strip()
        return SectionResult(
            key=section.key,
            name=section.name,
            score=section.max_points,
            max_points=section.max_points,
            not_applicable=True,
            not_applicable_reason=reason,
            missing=()
            if reason
            else (_("%(section)s: why it does not apply") % {"section": section.name},),
        )

    if section.scoring == d.SECTION_POINTS:
        score = parse_points(
            answer.score, key=section.key, label=section.name, maximum=section.max_points
        )
        return SectionResult(
            key=section.key,
            name=section.name,
            score=_clamp(score or ZERO, section.max_points),
            max_points=section.max_points,
            missing=() if score is not None else (section.name,),
        )

    # Item points.
    notice_kinds = section.notice_kinds
    chosen = None
    missing: list[str] = []
    if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
        chosen = (answer.notice_kind or "").strip() or None
        if chosen is not None and chosen not in {i.key for i in notice_kinds}:
            # Reported with any problem of the items below.
            problems.append(
                Problem(
                    section.key,
                    section.name,
                    _("the notice kind checked is not one of its items"),
                )
            )
        elif chosen is None:
            missing.append(_("%(section)s: notice kind checked") % {"section": section.name})

    item_scores: dict[str, Decimal] = {}
    for item in section.items:
        points = item.points or ZERO
        if (
            item.is_notice_kind
            and section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND
            and chosen is not None
            and item.key != chosen
        ):
            # The kinds not checked get their full points.
            item_scores[item.key] = points
            continue
        try:
            value = parse_points(
                answer.item_scores.get(item.key), key=item.key, label=item.text, maximum=points
            )
        except ScoringError as error:
            problems.extend(error.problems)
            continue
        if value is None:
            missing.append(item.text)
            value = ZERO
        item_scores[item.key] = value
    if problems:
        raise ScoringError(problems)
    return SectionResult(
        key=section.key,
        name=section.name,
        score=_clamp(sum(item_scores.values(), ZERO), section.max_points),
        max_points=section.max_points,
        item_scores=item_scores,
        notice_kind=chosen,
        missing=tuple(missing),
    )


def score_part(
    part: d.PartDef, answers: d.PartAnswers | None, *, servicing_items: Sequence[str] = ()
) -> PartResult:
    answers = answers or d.PartAnswers()
    if not answers.observed:
        reason = answers.not_observed_reason.strip()
        if not reason:
            raise ScoringError(
                [Problem(part.key, part.name, _("a part not observed needs a reason"))]
            )
        return PartResult(
            key=part.key,
            name=part.name,
            observed=False,
            score=ZERO,
            max_points=ZERO,
            percent=None,
            not_observed_reason=reason,
        )

    problems: list[Problem] = []
    missing: list[str] = []
    servicing_item = (answers.servicing_item or "").strip() or None
    if servicing_items:
        if servicing_item is None:
            missing.append(_("servicing item"))
        elif servicing_item not in servicing_items:
            problems.append(
                Problem(
                    part.key,
                    _("servicing item"),
                    _("“%(item)s” is not one of the sheet's servicing items")
                    % {"item": servicing_item},
                )
            )
    known = {s.key for s in part.sections}
    for key in answers.sections:
        if key not in known:
            problems.append(
                Problem(key, key, _("is not a section of %(part)s") % {"part": part.name})
            )

    results = []
    for section in part.sections:
        try:
            result = score_section(
                section, answers.sections.get(section.key), servicing_item=servicing_item
            )
        except ScoringError as error:
            problems.extend(error.problems)
            continue
        results.append(result)
        missing.extend(result.missing)
    if problems:
        raise ScoringError(problems)

    score = _clamp(sum((r.score for r in results), ZERO), part.total_points)
    return PartResult(
        key=part.key,
        name=part.name,
        observed=True,
        score=score,
        max_points=part.total_points,
        percent=percent_of(score, part.total_points),
        sections=tuple(results),
        missing=tuple(missing),
    )


def score_sheet(
    sheet: d.SheetDef, answers: d.SheetAnswers, grade_bands: Iterable[d.GradeBandDef] = ()
) -> SheetResult:
    """Score one specialist's sheet: its result is its percentage of the points checked."""
    if sheet.kind != "scored":
        raise ScoringError([Problem(sheet.key, sheet.name, _("is not a scored sheet"))])
    problems: list[Problem] = []
    known = {p.key for p in sheet.parts}
    for key in answers.parts:
        if key not in known:
            problems.append(
                Problem(key, key, _("is not a part of %(sheet)s") % {"sheet": sheet.name})
            )
    # Problems are collected and raised together with those of the parts below.

    if sheet.grouping == d.ALTERNATIVES:
        # Raw form input: a blank choice is no choice.
        chosen = (answers.chosen_alternative or "").strip() or None
        if chosen is None and len(answers.parts) == 1:
            chosen = next(iter(answers.parts))
        if chosen is None:
            if problems:
                raise ScoringError(problems)
            return SheetResult(
                key=sheet.key,
                score=ZERO,
                max_points=sheet.total_points or ZERO,
                percent=None,
                grade=None,
                missing=(_("the sub-sheet checked"),),
            )
        try:
            part = sheet.part(chosen)
        except KeyError:
            if chosen not in answers.parts:  # else already reported as not a part
                problems.append(
                    Problem(
                        chosen,
                        chosen,
                        _("is not a sub-sheet of %(sheet)s") % {"sheet": sheet.name},
                    )
                )
            raise ScoringError(problems) from None
        parts_to_score = [part]
    else:
        parts_to_score = list(sheet.parts)

    results = []
    for part in parts_to_score:
        try:
            results.append(
                score_part(part, answers.parts.get(part.key), servicing_items=sheet.servicing_items)
            )
        except ScoringError as error:
            problems.extend(error.problems)
    if problems:
        raise ScoringError(problems)

    observed = [r for r in results if r.observed]
    score = sum((r.score for r in observed), ZERO)
    maximum = sum((r.max_points for r in observed), ZERO)
    percent = percent_of(score, maximum)
    missing = tuple(m for r in observed for m in r.missing)
    if not observed:
        missing += (_("no part of the sheet was observed"),)
    return SheetResult(
        key=sheet.key,
        score=score,
        max_points=maximum,
        percent=percent,
        grade=grade_for(percent, grade_bands),
        parts=tuple(results),
        missing=missing,
    )


def evaluate_checklist(
    requirements: Sequence[d.ItemDef], answers: Mapping[str, d.ChecklistAnswer]
) -> ChecklistResult:
    """Yes/no per requirement; every "no" needs a remark. Returns the compliance rate."""
    problems = []
    compliant = non_compliant = 0
    unanswered = []
    for requirement in requirements:
        answer = answers.get(requirement.key) or d.ChecklistAnswer()
        if answer.compliant is None:
            unanswered.append(requirement.text)
        elif answer.compliant:
            compliant += 1
        else:
            if not answer.remark.strip():
                problems.append(
                    Problem(requirement.key, requirement.text, _("a “no” needs a remark"))
                )
            non_compliant += 1
    if problems:
        raise ScoringError(problems)
    return ChecklistResult(
        compliant=compliant,
        non_compliant=non_compliant,
        unanswered=tuple(unanswered),
        rate=compliance_rate(compliant, non_compliant),
    )
