"""Deductions and falsified material (seed 002), as the engine scores them.

Seed 002: 合规情况为扣分项。受到行政处罚的违法违规行为，发生一起扣2分。其他违法违规
行为，发生一起扣1分。已在本测评办法其他指标扣分的，此项不再重复统计 — and
提供不实材料 … 测评结果视为0分. Examples from the seed, then hypothesis
properties over arbitrary deduction sections and occurrences, and over
arbitrary sheets marked as falsified.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import answers as stored
from scoring import definitions as d
from scoring import engine as e

from . import rubric_defs as r
from .rubric_defs import GRADE_BANDS

deduction_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZERO = Decimal(0)
PENALTY = d.ItemDef(key="penalty", text="受到行政处罚的违法违规行为", points=Decimal(2))
VIOLATION = d.ItemDef(key="violation", text="其他违法违规行为", points=Decimal(1))
COMPLIANCE = d.SectionDef(
    key="compliance",
    name="合规情况",
    scoring=d.DEDUCTION,
    max_points=Decimal(10),
    items=(PENALTY, VIOLATION),
)


def occurrences(*pairs) -> list[d.Occurrence]:
    return [d.Occurrence(reference=reference, kind=kind) for reference, kind in pairs]


def assess(section: d.SectionDef, found: list[d.Occurrence]):
    return e.assess_section(section, d.SectionAnswer(occurrences=found), part_key="p1")


def codes(problems) -> list[str]:
    return [p.code for p in problems]


# --- the seed's examples --------------------------------------------------------


def test_nothing_recorded_is_the_full_points_and_not_missing():
    result, problems = assess(COMPLIANCE, [])
    assert (result.score, result.max_points, result.missing, problems) == (10, 10, (), [])


def test_two_per_penalty_one_per_other_violation():
    found = occurrences(
        ("渝保监罚〔2012〕3号", "penalty"),
        ("渝保监罚〔2012〕7号", "penalty"),
        ("渝保监发〔2012〕12号", "violation"),
    )
    result, problems = assess(COMPLIANCE, found)
    assert problems == []
    assert result.score == Decimal(5)
    assert [(c.reference, c.kind_text, c.points) for c in result.deductions] == [
        ("渝保监罚〔2012〕3号", "受到行政处罚的违法违规行为", 2),
        ("渝保监罚〔2012〕7号", "受到行政处罚的违法违规行为", 2),
        ("渝保监发〔2012〕12号", "其他违法违规行为", 1),
    ]


def test_never_below_zero():
    found = occurrences(*((f"罚〔2012〕{n}号", "penalty") for n in range(7)))
    result, problems = assess(COMPLIANCE, found)
    assert problems == [] and result.score == 0


def test_the_same_reference_twice_is_refused_on_its_input_and_counted_once():
    found = occurrences(("罚〔2012〕3号", "violation"), (" 罚〔２０１２〕３号 ", "violation"))
    result, problems = assess(COMPLIANCE, found)
    assert codes(problems) == ["duplicate_reference"]
    assert problems[0].field == stored.field_name("p1", "compliance", item="violation")
    assert "罚〔２０１２〕３号" in problems[0].message
    assert result.score == 9


def test_a_penalty_also_recorded_as_a_violation_counts_once_at_the_penalty():
    """The rule decided from the seed: an occurrence is known by its reference; a
    violation that drew an administrative penalty is the −2 case, never −2 and −1."""
    found = occurrences(("罚〔2012〕3号", "violation"), ("罚〔2012〕3号", "penalty"))
    result, problems = assess(COMPLIANCE, found)
    assert codes(problems) == ["duplicate_reference"]
    assert result.score == 8
    assert [(c.reference, c.kind, c.points) for c in result.deductions] == [
        ("罚〔2012〕3号", "penalty", 2)
    ]


def test_an_occurrence_without_reference_or_of_no_rule_is_refused_and_counts_nothing():
    found = occurrences(("  ", "penalty"), ("罚〔2012〕3号", "elsewhere"))
    result, problems = assess(COMPLIANCE, found)
    assert codes(problems) == ["reference_required", "unknown_item"]
    assert [p.field for p in problems] == [
        "p1-compliance-item-penalty",
        "p1-compliance-item-elsewhere",
    ]
    assert result.score == 10


def test_stored_occurrences_reach_the_engine():
    answer = stored.section_answer(
        {"occurrences": [{"kind": "penalty", "reference": "罚〔2012〕3号"}, {"kind": "violation"}]}
    )
    assert answer.occurrences == occurrences(("罚〔2012〕3号", "penalty"), ("", "violation"))


def test_a_deduction_section_cannot_be_marked_not_applicable():
    answer = d.SectionAnswer(not_applicable=True, not_applicable_reason="无")
    result, problems = e.assess_section(COMPLIANCE, answer, part_key="p1")
    assert codes(problems) == ["not_applicable_refused"]
    assert result.score == 10 and not result.not_applicable


# --- properties of deductions ------------------------------------------------------


@st.composite
def deduction_sections(draw) -> d.SectionDef:
    n_rules = draw(st.integers(min_value=1, max_value=4))
    items = tuple(
        d.ItemDef(
            key=f"k{n}",
            text=f"扣分规则{n}",
            points=Decimal(draw(st.integers(min_value=1, max_value=6))),
        )
        for n in range(n_rules)
    )
    return d.SectionDef(
        key="compliance",
        name="合规情况",
        scoring=d.DEDUCTION,
        max_points=Decimal(draw(st.integers(min_value=1, max_value=30))),
        items=items,
    )


# Few references, so that the same one often comes back, spelled differently.
REFERENCES = st.sampled_from(["罚〔2012〕1号", "罚〔2012〕2号", "发〔2012〕3号", "A-7", "b-8"])


@st.composite
def spelled(draw, reference: str) -> str:
    """The same reference as an inspector may type it again."""
    variants = [
        reference,
        f" {reference} ",
        reference.upper(),
        reference.lower(),
        reference.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ]
    return draw(st.sampled_from(variants))


@st.composite
def sections_with_occurrences(draw):
    section = draw(deduction_sections())
    pairs = draw(
        st.lists(st.tuples(REFERENCES, st.sampled_from([i.key for i in section.items])), max_size=8)
    )
    found = [d.Occurrence(reference=draw(spelled(ref)), kind=kind) for ref, kind in pairs]
    return section, found


def expected_score(section: d.SectionDef, found: list[d.Occurrence]) -> Decimal:
    """Independently: each reference's highest deduction, taken off the max, floored at 0."""
    points = {i.key: i.points for i in section.items}
    highest: dict[str, Decimal] = {}
    for occurrence in found:
        key = e.reference_key(occurrence.reference)
        highest[key] = max(highest.get(key, ZERO), points[occurrence.kind])
    return max(ZERO, section.max_points - sum(highest.values(), ZERO))


@deduction_settings
@given(sections_with_occurrences())
def test_the_score_stays_within_zero_and_the_max(case):
    section, found = case
    result, _ = assess(section, found)
    assert ZERO <= result.score <= section.max_points
    assert result.score == expected_score(section, found)
    assert result.max_points == section.max_points


@deduction_settings
@given(sections_with_occurrences(), st.randoms(use_true_random=False))
def test_the_order_of_the_occurrences_does_not_matter(case, random):
    section, found = case
    shuffled = list(found)
    random.shuffle(shuffled)
    before, before_problems = assess(section, found)
    after, after_problems = assess(section, shuffled)
    assert after.score == before.score
    assert sorted((e.reference_key(c.reference), c.points) for c in after.deductions) == sorted(
        (e.reference_key(c.reference), c.points) for c in before.deductions
    )
    assert len(after_problems) == len(before_problems)


@deduction_settings
@given(sections_with_occurrences(), st.data())
def test_a_reference_recorded_again_counts_once_and_is_refused(case, data):
    section, found = case
    assume(found)
    again = data.draw(st.sampled_from(found))
    repeated = [
        *found,
        d.Occurrence(reference=data.draw(spelled(again.reference.strip())), kind=again.kind),
    ]
    before, _ = assess(section, found)
    after, problems = assess(section, repeated)
    assert after.score == before.score
    assert "duplicate_reference" in codes(problems)
    assert len(after.deductions) == len({e.reference_key(o.reference) for o in found})


@deduction_settings
@given(sections_with_occurrences())
def test_distinct_references_are_accepted_and_each_counted(case):
    section, found = case
    distinct = {e.reference_key(o.reference): o for o in found}
    result, problems = assess(section, list(distinct.values()))
    assert problems == []
    points = {i.key: i.points for i in section.items}
    taken = sum((points[o.kind] for o in distinct.values()), ZERO)
    assert result.score == max(ZERO, section.max_points - taken)


# --- falsified material ------------------------------------------------------------


def falsified(answers: d.SheetAnswers, reason: str) -> d.SheetAnswers:
    return d.SheetAnswers(
        parts=answers.parts,
        chosen_alternative=answers.chosen_alternative,
        alternative_reason=answers.alternative_reason,
        falsified=True,
        falsified_reason=reason,
    )


@deduction_settings
@given(r.sheets_with_answers(), st.sampled_from(["提供虚假理赔材料", " 伪造签名 "]))
def test_falsified_material_scores_zero_of_the_same_max_with_its_reason(case, reason):
    sheet, answers = case
    honest = e.assess_sheet(sheet, answers, GRADE_BANDS)
    result = e.assess_sheet(sheet, falsified(answers, reason), GRADE_BANDS)
    assert result.result.score == 0
    assert result.result.max_points == honest.result.max_points
    assert result.result.percent == (0 if honest.result.max_points else None)
    assert result.result.falsified and result.result.falsified_reason == reason.strip()
    assert result.problems == honest.problems  # the reason given: nothing more refused
    assert result.result.parts == honest.result.parts  # what was scored stays on record


@deduction_settings
@given(r.sheets_with_answers(), st.sampled_from(["", "  ", "\n"]))
def test_falsified_material_without_a_reason_is_refused(case, reason):
    sheet, answers = case
    result = e.assess_sheet(sheet, falsified(answers, reason), GRADE_BANDS)
    refused = [p for p in result.problems if p.field == "falsified_reason"]
    assert [p.code for p in refused] == ["reason_required"]
    assert result.result.score == 0
    with pytest.raises(e.ScoringError):
        e.score_sheet(sheet, falsified(answers, reason), GRADE_BANDS)


def test_a_falsified_sheet_is_graded_on_zero_and_complete():
    sheet = r.policy_change()
    answers = falsified(d.SheetAnswers(), "提供虚假材料")
    result = e.score_sheet(sheet, answers, GRADE_BANDS)
    assert (result.score, result.max_points, result.percent, result.grade) == (0, 100, 0, "C")
    assert result.complete


def test_stored_sheet_answers_carry_falsified_material():
    answers = stored.sheet_answers({}, falsified=True, falsified_reason=" 伪造 ")
    assert (answers.falsified, answers.falsified_reason) == (True, "伪造")
