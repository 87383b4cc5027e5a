"""The item outcomes head office's analysis reads (`scoring.outcomes`): they
add up to the engine's scores, lose nothing where not applicable, and a
falsified sheet loses every point."""

import dataclasses
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import definitions as d
from scoring import engine as e
from scoring.outcomes import checklist_layout, checklist_outcomes, part_outcomes, share_lost

from . import rubric_defs as r

ZERO = Decimal(0)

outcome_settings = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def outcomes_of(sheet, result, *, falsified=False):
    return [
        outcome
        for part in result.parts
        for outcome in part_outcomes(sheet.part(part.key), part, falsified=falsified)
    ]


@outcome_settings
@given(r.sheets_with_answers(with_na=True))
def test_outcomes_add_up_to_the_sections_scores(sheet_and_answers):
    sheet, answers = sheet_and_answers
    result = e.score_sheet(sheet, answers)
    for part in result.parts:
        outcomes = list(part_outcomes(sheet.part(part.key), part))
        if not part.observed:
            assert outcomes == []
            continue
        assert sum(o.score for o in outcomes) == sum(s.score for s in part.sections)
        assert sum(o.points for o in outcomes) == sum(s.max_points for s in part.sections)
        for outcome in outcomes:
            assert ZERO <= outcome.lost <= outcome.points
            assert outcome.failed == (outcome.lost > 0)
            if outcome.not_applicable:
                assert outcome.lost == 0 and outcome.score == outcome.points


@outcome_settings
@given(r.sheets_with_answers())
def test_a_falsified_sheet_loses_every_point(sheet_and_answers):
    sheet, answers = sheet_and_answers
    answers = dataclasses.replace(answers, falsified=True, falsified_reason="伪造回执")
    result = e.score_sheet(sheet, answers)
    outcomes = outcomes_of(sheet, result, falsified=True)
    assert all(o.score == 0 and o.lost == o.points and not o.not_applicable for o in outcomes)
    assert all(o.failed for o in outcomes if o.points)


def test_full_marks_lose_nothing_and_each_item_is_its_own_row():
    sheet = r.new_business()
    result = e.score_sheet(sheet, r.full_sheet_answers(sheet))
    outcomes = outcomes_of(sheet, result)
    assert outcomes and not any(o.failed for o in outcomes)
    item_sections = [s for p in sheet.parts for s in p.sections if s.scoring == d.ITEM_POINTS]
    assert len(outcomes) >= sum(len(s.items) for s in item_sections)


def test_an_item_remark_wins_over_its_sections_and_blank_is_none():
    sheet = r.new_business()
    part = sheet.parts[0]
    section = next(s for s in part.sections if s.scoring == d.ITEM_POINTS)
    first, second = section.items[0], section.items[1]
    answers = r.full_sheet_answers(sheet)
    answers.parts[part.key].sections[section.key].item_scores[first.key] = ZERO
    result = e.score_sheet(sheet, answers)
    third = section.items[2]
    remarks = {section.key: " 柜面未核对 ", first.key: "未核对身份证件", third.key: " \t"}
    outcomes = {
        o.item_key: o for o in part_outcomes(part, result.parts[0], remarks) if o.section_key
    }
    assert outcomes[first.key].lost == first.points and outcomes[first.key].failed
    assert outcomes[first.key].remark == "未核对身份证件"
    # As recorded (reports show it as written); a blank item remark is none.
    assert outcomes[second.key].remark == outcomes[third.key].remark == " 柜面未核对 "
    assert not outcomes[second.key].failed


@given(st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=12))
def test_a_checklist_requirement_fails_only_on_no(answers):
    requirements = r.checklist_requirements("etiquette")[: len(answers)]
    sheet = d.SheetDef(
        key="t5",
        table_label="表五",
        name="t5",
        kind=d.CHECKLIST,
        parts=(
            d.PartDef(
                "p",
                "p",
                ZERO,
                sections=(d.SectionDef("s", "s", d.CHECKLIST, ZERO, items=requirements),),
            ),
        ),
    )
    given_answers = {
        req.key: d.ChecklistAnswer(compliant=value, remark="说明" if value is False else "")
        for req, value in zip(requirements, answers, strict=False)
    }
    outcomes = list(checklist_outcomes(checklist_layout(sheet), given_answers))
    assert [o.compliant for o in outcomes] == answers[: len(requirements)]
    assert [o.failed for o in outcomes] == [v is False for v in answers[: len(requirements)]]
    assert all(o.lost == 0 and o.points is None for o in outcomes)


def test_share_lost():
    assert share_lost(Decimal(3), Decimal(40)) == Decimal("7.5")
    assert share_lost(ZERO, Decimal(40)) == Decimal("0.0")
    assert share_lost(Decimal(1), ZERO) is None
    assert share_lost(None, None) is None
