"""The scoring arithmetic of the acceptance plan, as pure functions.

Rules (seed 000, transcribed in fixtures/rubric-2012.yaml):
- a section never scores above its max nor below 0;
- item-points sections add up their items; section-points sections take one
  score for the section, its items being checkpoints only;
- a section whose rule allows it may be marked not applicable and then gets
  its full points (表三 交费通知书打印; automatically so for the servicing items
  listed on the section);
- 二核通知书打印回收 (表四): one notice kind is checked, the other kinds get
  their full points; where the office had no 二核 notice to check, the section
  is marked not applicable (its not-applicable box) with a reason, which is
  required, and every item gets its full points;
- a part of 表二 that could not be observed is left out of both the score and
  the maximum, so the result is a percentage of what was checked;
- checklists: yes/no per requirement, a remark is required for every "no".

Deductions (seed 002, 合规情况为扣分项: 受到行政处罚的违法违规行为，发生一起扣2分；
其他违法违规行为，发生一起扣1分；已在本测评办法其他指标扣分的，此项不再重复统计):
- a deduction section starts at its max and loses, per occurrence recorded, the
  points of its kind (its item: the rubric's deduction rule), never below 0;
- an occurrence is known by its reference (the penalty decision's or the
  violation document's number, compared without spaces, case or full-width
  forms) and counts once: recorded again, it is refused; should the same
  reference stand under two kinds (a violation that drew an administrative
  penalty, recorded as both), it counts once, at its highest deduction;
- a sheet found to rest on falsified material (提供不实材料 … 测评结果视为0分)
  scores 0 of its max, for a reason, which is required.

Missing answers are not errors: they count 0 and are listed in `missing`, so
the same functions give the running score while the inspector types and the
completeness check on submission. Impossible answers raise `ScoringError`.
"""

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from . import definitions as d
from .answers import NON_FIELD, checklist_field, field_name

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Problem:
    """One refused answer: what it is about (`key`, shown as `label`), why, the
    answer's field (`answers.field_name`: where a form marks it) and a code."""

    key: str
    label: str
    message: str
    field: str = NON_FIELD
    code: str = "invalid"

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
    deductions: tuple["Deduction", ...] = ()


@dataclass(frozen=True)
class Deduction:
    """An occurrence a deduction section counts: its reference (as first
    recorded), its kind (the item's key and text) and the points it takes off."""

    reference: str
    kind: str
    kind_text: str
    points: Decimal


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
    falsified: bool = False
    falsified_reason: str = ""

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


def parse_points(
    value: Any, *, key: str, label: str, maximum: Decimal, field: str = NON_FIELD
) -> Decimal | None:
    """Turn an entered value into points within 0..maximum; None when blank.
    A refusal names the item or section (`key`, `label`) and the answer's `field`."""

    def refused(message, code):
        return ScoringError([Problem(key, label, message, field=field, code=code)])

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise refused(_("is not a number"), "not_a_number")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise refused(_("is not a number"), "not_a_number") from None
    if not number.is_finite():
        raise refused(_("is not a number"), "not_a_number")
    if number < 0:
        raise refused(_("cannot be negative"), "negative")
    if number > maximum:
        raise refused(_("cannot exceed %(max)s points") % {"max": _fmt(maximum)}, "above_maximum")
    if number != number.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP):
        raise refused(_("allows at most one decimal place"), "decimal_places")
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


def _required_reason(given: str, refusal: Problem, problems: list[Problem]) -> str:
    """The reason given, trimmed; a blank one adds `refusal` to `problems`
    (code "reason_required")."""
    reason = given.strip()
    if not reason:
        problems.append(replace(refusal, code="reason_required"))
    return reason


def _clamp(score: Decimal, maximum: Decimal) -> Decimal:
    return max(ZERO, min(score, maximum))


# --- sections, parts, sheets ---------------------------------------------
#
# Each `assess_*` function scores what it can and lists every problem: a
# refused value counts as not answered (0, and missing), so the running score
# shows the score of the valid answers beside each refusal. The `score_*`
# functions are the same, strict: any problem raises ScoringError. Problems
# name the answer's field (`answers.field_name`), the key a form's input and a
# refusal's message share.


@dataclass(frozen=True)
class SheetAssessment:
    result: SheetResult
    problems: tuple[Problem, ...] = ()


def _points(
    value, *, key: str, field: str, label: str, maximum: Decimal, problems: list
) -> Decimal | None:
    try:
        return parse_points(value, key=key, field=field, label=label, maximum=maximum)
    except ScoringError as error:
        problems.extend(error.problems)
        return None


def assess_section(
    section: d.SectionDef,
    answer: d.SectionAnswer | None,
    *,
    servicing_item: str | None = None,
    part_key: str = "",
) -> tuple[SectionResult, list[Problem]]:
    answer = answer or d.SectionAnswer()
    problems: list[Problem] = []
    field = partial(field_name, part_key, section.key)

    exempt = servicing_item is not None and servicing_item in section.exempt_servicing_items
    if answer.not_applicable and not (section.allows_not_applicable or section.allows_no_notice):
        problems.append(
            Problem(
                section.key,
                section.name,
                _("cannot be marked not applicable"),
                field=field(what="na"),
                code="not_applicable_refused",
            )
        )
    if section.scoring == d.CHECKLIST:
        problems.append(
            Problem(
                section.key,
                section.name,
                _("is a checklist, not a scored section"),
                field=field(what="score"),
                code="not_scored",
            )
        )
    known_items = {i.key for i in section.items}
    for key in answer.item_scores:
        if key not in known_items:
            problems.append(
                Problem(
                    key,
                    key,
                    _("is not an item of %(section)s") % {"section": section.name},
                    field=field(item=key),
                    code="unknown_item",
                )
            )

    if section.allows_not_applicable and (answer.not_applicable or exempt):
        # Show why the full points were given: the reason entered, else the
        # exempting servicing item, else the section's own condition (表三:
        # no extra premium arose). With none of them the reason is missing.
        reason = answer.not_applicable_reason.strip()
        if not reason and exempt:
            reason = _("not applicable to the servicing item %(item)s") % {"item": servicing_item}
        if not reason:
            reason = section.not_applicable_conditions.strip()
        result = SectionResult(
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
        return result, problems

    if section.allows_no_notice and answer.not_applicable:
        return _no_notice_to_check(section, answer, field, problems)

    if section.scoring == d.DEDUCTION:
        return _deduction_section(section, answer, field, problems)

    if section.scoring == d.SECTION_POINTS:
        score = _points(
            answer.score,
            key=section.key,
            field=field(what="score"),
            label=section.name,
            maximum=section.max_points,
            problems=problems,
        )
        result = SectionResult(
            key=section.key,
            name=section.name,
            score=_clamp(score or ZERO, section.max_points),
            max_points=section.max_points,
            missing=() if score is not None else (section.name,),
        )
        return result, problems

    # Item points.
    notice_kinds = section.notice_kinds
    chosen = None
    missing: list[str] = []
    if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
        chosen = (answer.notice_kind or "").strip() or None
        if chosen is not None and chosen not in {i.key for i in notice_kinds}:
            problems.append(
                Problem(
                    section.key,
                    section.name,
                    _("the notice kind checked is not one of its items"),
                    field=field(what="notice_kind"),
                    code="unknown_notice_kind",
                )
            )
            chosen = None
        if chosen is None:
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
        value = _points(
            answer.item_scores.get(item.key),
            key=item.key,
            field=field(item=item.key),
            label=item.text,
            maximum=points,
            problems=problems,
        )
        if value is None:
            missing.append(item.text)
            value = ZERO
        item_scores[item.key] = value
    result = SectionResult(
        key=section.key,
        name=section.name,
        score=_clamp(sum(item_scores.values(), ZERO), section.max_points),
        max_points=section.max_points,
        item_scores=item_scores,
        notice_kind=chosen,
        missing=tuple(missing),
    )
    return result, problems


def _no_notice_to_check(
    section: d.SectionDef, answer: d.SectionAnswer, field, problems: list[Problem]
) -> tuple[SectionResult, list[Problem]]:
    """表四's notice section where the office had no 二核 notice to check: every
    item gets its full points, not applicable, for the reason entered (there is
    no rule to fall back on: without a reason the answer is refused). A notice
    kind chosen as well is ignored."""
    reason = _required_reason(
        answer.not_applicable_reason,
        Problem(
            section.key,
            section.name,
            _("say why there was no 二核 notice to check"),
            field=field(what="na_reason"),
        ),
        problems,
    )
    result = SectionResult(
        key=section.key,
        name=section.name,
        score=section.max_points,
        max_points=section.max_points,
        not_applicable=True,
        not_applicable_reason=reason,
        item_scores={item.key: item.points or ZERO for item in section.items},
    )
    return result, problems


def reference_key(reference: str) -> str:
    """What makes two references one occurrence: the same characters once
    full-width forms, case and spaces are set aside (“渝保监罚〔2012〕３号 ” is
    “渝保监罚〔2012〕3号”)."""
    return "".join(unicodedata.normalize("NFKC", reference).casefold().split())


def deductions(section: d.SectionDef, occurrences: Iterable[d.Occurrence]) -> tuple[Deduction, ...]:
    """The occurrences a deduction section counts: each reference once, at the
    highest deduction it is recorded under, in the order first recorded.
    Occurrences without a reference or of no kind of the section count nothing."""
    kinds = {item.key: item for item in section.items}
    counted: dict[str, Deduction] = {}
    for occurrence in occurrences:
        key = reference_key(occurrence.reference)
        kind = kinds.get(occurrence.kind)
        if not key or kind is None:
            continue
        points = kind.points or ZERO
        first = counted.get(key)
        if first is None or points > first.points:
            counted[key] = Deduction(
                reference=first.reference if first else occurrence.reference.strip(),
                kind=kind.key,
                kind_text=kind.text,
                points=points,
            )
    return tuple(counted.values())


def deduction_score(section: d.SectionDef, counted: Iterable[Deduction]) -> Decimal:
    """The section's max less every deduction counted, never below 0."""
    return _clamp(section.max_points - sum((c.points for c in counted), ZERO), section.max_points)


def _deduction_section(
    section: d.SectionDef, answer: d.SectionAnswer, field, problems: list[Problem]
) -> tuple[SectionResult, list[Problem]]:
    """A deduction section: nothing recorded is its full points (deductions
    only take off), so it is never missing. An occurrence of no kind of the
    section, without a reference, or recorded again is refused on its kind's
    input."""
    kinds = {item.key: item for item in section.items}
    seen: set[str] = set()
    for occurrence in answer.occurrences:
        kind = kinds.get(occurrence.kind)
        if kind is None:
            problems.append(
                Problem(
                    occurrence.kind,
                    occurrence.kind,
                    _("is not a deduction rule of %(section)s") % {"section": section.name},
                    field=field(item=occurrence.kind),
                    code="unknown_item",
                )
            )
            continue
        key = reference_key(occurrence.reference)
        if not key:
            problems.append(
                Problem(
                    kind.key,
                    kind.text,
                    _("every occurrence needs its reference (the document's number)"),
                    field=field(item=kind.key),
                    code="reference_required",
                )
            )
        elif key in seen:
            problems.append(
                Problem(
                    kind.key,
                    kind.text,
                    _(
                        "“%(reference)s” is recorded twice: an occurrence counts once "
                        "(a violation that drew an administrative penalty is recorded "
                        "once, as the penalty)"
                    )
                    % {"reference": occurrence.reference.strip()},
                    field=field(item=kind.key),
                    code="duplicate_reference",
                )
            )
        seen.add(key)
    counted = deductions(section, answer.occurrences)
    result = SectionResult(
        key=section.key,
        name=section.name,
        score=deduction_score(section, counted),
        max_points=section.max_points,
        deductions=counted,
    )
    return result, problems


def assess_part(
    part: d.PartDef, answers: d.PartAnswers | None, *, servicing_items: Sequence[str] = ()
) -> tuple[PartResult, list[Problem]]:
    answers = answers or d.PartAnswers()
    field = partial(field_name, part.key)
    problems: list[Problem] = []
    if not answers.observed:
        reason = _required_reason(
            answers.not_observed_reason,
            Problem(
                part.key,
                part.name,
                _("a part not observed needs a reason"),
                field=field(what="not_observed_reason"),
            ),
            problems,
        )
        result = PartResult(
            key=part.key,
            name=part.name,
            observed=False,
            score=ZERO,
            max_points=ZERO,
            percent=None,
            not_observed_reason=reason,
        )
        return result, problems

    missing: list[str] = []
    servicing_item = (answers.servicing_item or "").strip() or None
    if servicing_items:
        if servicing_item is not None and servicing_item not in servicing_items:
            problems.append(
                Problem(
                    part.key,
                    _("servicing item"),
                    _("“%(item)s” is not one of the sheet's servicing items")
                    % {"item": servicing_item},
                    field=field(what="servicing_item"),
                    code="unknown_servicing_item",
                )
            )
            servicing_item = None
        if servicing_item is None:
            missing.append(_("servicing item"))
    known = {s.key for s in part.sections}
    for key in answers.sections:
        if key not in known:
            problems.append(
                Problem(
                    key,
                    key,
                    _("is not a section of %(part)s") % {"part": part.name},
                    field=field(key, what="score"),
                    code="unknown_section",
                )
            )

    results = []
    for section in part.sections:
        result, section_problems = assess_section(
            section,
            answers.sections.get(section.key),
            servicing_item=servicing_item,
            part_key=part.key,
        )
        problems.extend(section_problems)
        results.append(result)
        missing.extend(result.missing)

    score = _clamp(sum((r.score for r in results), ZERO), part.total_points)
    result = PartResult(
        key=part.key,
        name=part.name,
        observed=True,
        score=score,
        max_points=part.total_points,
        percent=percent_of(score, part.total_points),
        sections=tuple(results),
        missing=tuple(missing),
    )
    return result, problems


def score_part(
    part: d.PartDef, answers: d.PartAnswers | None, *, servicing_items: Sequence[str] = ()
) -> PartResult:
    result, problems = assess_part(part, answers, servicing_items=servicing_items)
    if problems:
        raise ScoringError(problems)
    return result


def assess_sheet(
    sheet: d.SheetDef, answers: d.SheetAnswers, grade_bands: Iterable[d.GradeBandDef] = ()
) -> SheetAssessment:
    """Score one specialist's sheet (its percentage of the points checked) and
    list every problem of its answers."""
    problems: list[Problem] = []
    if sheet.kind != "scored":
        problems.append(
            Problem(
                sheet.key,
                sheet.name,
                _("is not a scored sheet"),
                field=NON_FIELD,
                code="not_scored",
            )
        )
    known = {p.key for p in sheet.parts}
    for key in answers.parts:
        if key not in known:
            problems.append(
                Problem(
                    key,
                    key,
                    _("is not a part of %(sheet)s") % {"sheet": sheet.name},
                    field=NON_FIELD,
                    code="unknown_part",
                )
            )

    parts_to_score = list(sheet.parts)
    if sheet.grouping == d.ALTERNATIVES:
        # Raw form input: a blank choice is no choice.
        chosen = (answers.chosen_alternative or "").strip() or None
        if chosen is None and len(answers.parts) == 1:
            chosen = next(iter(answers.parts))
        if chosen is not None and chosen not in known:
            if chosen not in answers.parts:  # else already reported as not a part
                problems.append(
                    Problem(
                        chosen,
                        chosen,
                        _("is not a sub-sheet of %(sheet)s") % {"sheet": sheet.name},
                        field=field_name(what="chosen_alternative"),
                        code="unknown_part",
                    )
                )
            chosen = None
        if chosen is None:
            empty = SheetResult(
                key=sheet.key,
                score=ZERO,
                max_points=sheet.total_points or ZERO,
                percent=None,
                grade=None,
                missing=(_("the sub-sheet checked"),),
            )
            return _falsified(empty, answers, grade_bands, problems)
        parts_to_score = [sheet.part(chosen)]

    results = []
    for part in parts_to_score:
        result, part_problems = assess_part(
            part, answers.parts.get(part.key), servicing_items=sheet.servicing_items
        )
        problems.extend(part_problems)
        results.append(result)

    observed = [r for r in results if r.observed]
    score = sum((r.score for r in observed), ZERO)
    maximum = sum((r.max_points for r in observed), ZERO)
    # An empty sheet is not a C: no percent or grade until something is scored.
    scored = anything_scored(
        d.SheetAnswers(
            parts={p.key: answers.parts[p.key] for p in observed if p.key in answers.parts}
        )
    )
    percent = percent_of(score, maximum) if scored else None
    missing = tuple(m for r in observed for m in r.missing)
    if not observed:
        missing += (_("no part of the sheet was observed"),)
    result = SheetResult(
        key=sheet.key,
        score=score,
        max_points=maximum,
        percent=percent,
        grade=grade_for(percent, grade_bands),
        parts=tuple(results),
        missing=missing,
    )
    return _falsified(result, answers, grade_bands, problems)


def _falsified(
    result: SheetResult,
    answers: d.SheetAnswers,
    grade_bands: Iterable[d.GradeBandDef],
    problems: list[Problem],
) -> SheetAssessment:
    """A sheet marked as resting on falsified material scores 0 of the same max
    (its parts keep what was scored, for the record), and needs its reason."""
    if not answers.falsified:
        return SheetAssessment(result, tuple(problems))
    reason = _required_reason(
        answers.falsified_reason,
        Problem(
            result.key,
            _("falsified material"),
            _("say what material was falsified"),
            field=field_name(what="falsified_reason"),
        ),
        problems,
    )
    percent = percent_of(ZERO, result.max_points)
    falsified = replace(
        result,
        score=ZERO,
        percent=percent,
        grade=grade_for(percent, grade_bands),
        missing=(),
        falsified=True,
        falsified_reason=reason,
    )
    return SheetAssessment(falsified, tuple(problems))


def score_sheet(
    sheet: d.SheetDef, answers: d.SheetAnswers, grade_bands: Iterable[d.GradeBandDef] = ()
) -> SheetResult:
    """As `assess_sheet`, strict: any problem raises ScoringError."""
    assessment = assess_sheet(sheet, answers, grade_bands)
    if assessment.problems:
        raise ScoringError(assessment.problems)
    return assessment.result


def recording_problems(sheet: d.SheetDef, answers: d.SheetAnswers) -> list[Problem]:
    """What recording a sheet needs beyond its scores: which of 表四's
    sub-sheets was checked, and why, when it is not the standard process."""
    if sheet.grouping != d.ALTERNATIVES:
        return []
    chosen = (answers.chosen_alternative or "").strip()
    if chosen not in {p.key for p in sheet.parts}:
        return [
            Problem(
                sheet.key,
                sheet.name,
                _("Choose the sub-sheet that was checked."),
                field=field_name(what="chosen_alternative"),
                code="required",
            )
        ]
    standard = sheet.parts[0]
    if chosen != standard.key and not answers.alternative_reason.strip():
        return [
            Problem(
                sheet.key,
                sheet.name,
                _("Say why the standard process (%(part)s) could not be checked.")
                % {"part": standard.name},
                field=field_name(what="alternative_reason"),
                code="required",
            )
        ]
    return []


def check_sheet(
    sheet: d.SheetDef, answers: d.SheetAnswers, grade_bands: Iterable[d.GradeBandDef] = ()
) -> SheetAssessment:
    """Everything a sheet's save and its running score judge, the same for both:
    its assessment with the recording rules' problems added. A save is refused
    while there is any problem; the running score shows the result beside them."""
    assessment = assess_sheet(sheet, answers, grade_bands)
    extra = [p for p in recording_problems(sheet, answers) if p not in assessment.problems]
    return SheetAssessment(assessment.result, (*extra, *assessment.problems))


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
                    Problem(
                        requirement.key,
                        requirement.text,
                        _("a “no” needs a remark"),
                        field=checklist_field(requirement.key, what="remark"),
                        code="remark_required",
                    )
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


# --- what the sheet offers to touch -----------------------------------------------


def score_choices(maximum: Decimal) -> tuple[Decimal, ...]:
    """The scores offered as buttons for an item or a section worth `maximum`:
    full marks, the usual deductions of one and two points, half marks on the
    larger ones, and 0; highest first. Any other score can still be typed."""
    maximum = Decimal(maximum)
    if maximum <= ZERO:
        return (ZERO,)
    offered = {maximum, maximum - 1, maximum - 2, ZERO}
    if maximum >= 4:
        offered.add((maximum / 2).quantize(Decimal("0.5"), rounding=ROUND_DOWN))
    # Whole numbers without a decimal place ("5", not "5.0"), as the buttons show them.
    shown = {v.quantize(Decimal(1)) if v == v.to_integral_value() else v for v in offered}
    return tuple(sorted((v + ZERO for v in shown if ZERO <= v <= maximum), reverse=True))


def anything_scored(answers: d.SheetAnswers) -> bool:
    """Whether any score, not-applicable, notice kind or servicing item (which may
    give a section its points) has been entered: until then a sheet has no
    percent and no grade (an empty sheet is not a C)."""
    for part in answers.parts.values():
        if part.servicing_item:
            return True
        for section in part.sections.values():
            if section.not_applicable or section.notice_kind or section.occurrences:
                return True
            values = [section.score, *section.item_scores.values()]
            if any(v is not None and str(v).strip() for v in values):
                return True
    return False
