"""The scores a sheet offers to touch, and when a running score has a grade."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scoring import definitions as d
from scoring import engine as e

from . import rubric_defs as r

MAXIMA = st.decimals(min_value=0, max_value=200, places=1, allow_nan=False, allow_infinity=False)


@given(MAXIMA)
def test_every_offered_score_is_one_the_engine_accepts(maximum):
    choices = e.score_choices(maximum)
    assert choices == tuple(sorted(set(choices), reverse=True))  # highest first, once each
    assert choices[0] == maximum and choices[-1] == 0
    assert len(choices) <= 5
    for value in choices:
        assert e.parse_points(str(value), key="k", label="l", maximum=maximum) == value
        assert "E" not in str(value) and not str(value).startswith("-")


def test_the_usual_deductions():
    def offered(maximum):
        return [str(v) for v in e.score_choices(Decimal(maximum))]

    assert offered("10") == ["10", "9", "8", "5", "0"]
    assert offered("5") == ["5", "4", "3", "2.5", "0"]
    assert offered("3") == ["3", "2", "1", "0"]
    assert offered("1") == ["1", "0"]
    assert offered("0.5") == ["0.5", "0"]


def test_every_item_and_section_of_the_rubric_offers_full_marks_and_zero():
    for sheet in (r.new_business(), r.policy_change(), r.claims()):
        for part in sheet.parts:
            for section in part.sections:
                maxima = (
                    [section.max_points]
                    if section.scoring == d.SECTION_POINTS
                    else [i.points for i in section.items]
                )
                for maximum in maxima:
                    choices = e.score_choices(maximum)
                    assert maximum in choices and 0 in choices


def test_nothing_scored_until_something_is_entered():
    assert not e.anything_scored(d.SheetAnswers())
    blank = d.SectionAnswer(score="  ", item_scores={"a": "", "b": None})
    assert not e.anything_scored(d.SheetAnswers(parts={"p": d.PartAnswers({"s": blank})}))
    for answer in (
        d.SectionAnswer(score="0"),
        d.SectionAnswer(item_scores={"a": "", "b": "12"}),  # refused, but entered
        d.SectionAnswer(not_applicable=True),
        d.SectionAnswer(notice_kind="k"),
    ):
        assert e.anything_scored(d.SheetAnswers(parts={"p": d.PartAnswers({"s": answer})}))
    # A servicing item may give a section its points (exempt_servicing_items).
    assert e.anything_scored(d.SheetAnswers(parts={"p": d.PartAnswers(servicing_item="退保")}))


def test_an_empty_sheet_has_no_percent_and_no_grade():
    sheet = r.new_business()
    empty = e.assess_sheet(sheet, d.SheetAnswers(), r.GRADE_BANDS).result
    assert (empty.score, empty.percent, empty.grade) == (0, None, None)
    assert empty.max_points == 100 and empty.missing
    part = sheet.parts[0]
    section = part.sections[0]
    answer = (
        d.SectionAnswer(score="0")
        if section.scoring == d.SECTION_POINTS
        else d.SectionAnswer(item_scores={section.items[0].key: "0"})
    )
    zero = d.SheetAnswers(parts={part.key: d.PartAnswers({section.key: answer})})
    result = e.assess_sheet(sheet, zero, r.GRADE_BANDS).result
    assert (result.percent, result.grade) == (0, "C")
