"""The aggregation rules of scoring.results: a specialist's result and a unit's result."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import definitions as d
from scoring import engine, results
from scoring.results import specialist_result, unit_result

D = Decimal
BANDS = (
    d.GradeBandDef("A", D(85)),
    d.GradeBandDef("B", D(70)),
    d.GradeBandDef("C", D(0)),
)


def test_specialist_result_is_the_mean_of_their_sheet_percentages():
    result = specialist_result([D(90), D(80), None], BANDS)
    assert result.percent == D("85.00")
    assert result.grade == "A"
    assert result.sheet_count == 2


def test_unit_result_is_the_mean_of_every_sheet_not_of_the_specialists_means():
    # Specialist 1: 100 on one sheet; specialist 2: 60 and 60 on two sheets.
    # The mean of the means would be 80 (B); the mean of the sheets is 73.33 (B).
    result = unit_result([D(100), D(60), D(60)], BANDS)
    assert result.percent == D("73.33")
    assert result.grade == "B"
    assert result.sheet_count == 3


def test_no_sheet_gives_no_result_and_no_grade():
    assert specialist_result([], BANDS).percent is None
    assert unit_result([None], BANDS).grade is None
    assert unit_result([D(50)], ()).grade is None


def test_grade_bands_apply_at_their_boundaries():
    assert unit_result([D(85)], BANDS).grade == "A"
    assert unit_result([D("84.99")], BANDS).grade == "B"
    assert unit_result([D("69.99")], BANDS).grade == "C"


@pytest.mark.parametrize(
    ("compliant", "non_compliant", "rate"),
    [
        (0, 0, None),
        (3, 0, "100.00"),
        (0, 2, "0.00"),
        (2, 1, "66.67"),
        (1, 2, "33.33"),
        (1, 7, "12.50"),
    ],
)
def test_a_checklist_s_compliance_rate_is_its_share_of_yes_answers(compliant, non_compliant, rate):
    expected = None if rate is None else Decimal(rate)
    assert engine.compliance_rate(compliant, non_compliant) == expected


@given(st.integers(0, 500), st.integers(0, 500))
def test_a_compliance_rate_lies_between_0_and_100_and_is_rounded_like_every_percentage(
    compliant, non_compliant
):
    rate = engine.compliance_rate(compliant, non_compliant)
    if compliant + non_compliant == 0:
        assert rate is None
    else:
        assert Decimal(0) <= rate <= Decimal(100)
        assert rate == engine.percent_of(Decimal(compliant), Decimal(compliant + non_compliant))


@pytest.mark.parametrize(
    ("value", "threshold", "passed"),
    [
        ("85.00", "85", True),  # batch 1: balanced ≥ 85 %
        ("84.99", "85", False),
        ("70", "70", True),  # batches 2 and 3: ≥ 70 %
        ("99.99", "100", False),  # mixed: 100 %
        (None, "70", None),
        ("72", None, None),
    ],
)
def test_a_kpi_passes_when_it_reaches_its_threshold(value, threshold, passed):
    to_decimal = lambda v: None if v is None else Decimal(v)  # noqa: E731
    assert results.kpi_passed(to_decimal(value), to_decimal(threshold)) is passed


def test_the_head_office_check_ranks_when_there_is_one():
    assert results.ranking_visit("self", "check") == "check"
    assert results.ranking_visit("self", None) == "self"
    assert results.ranking_visit(None, None) is None


def test_competition_ranks_share_a_rank_and_skip_after_a_tie():
    rows = {"a": Decimal(90), "b": Decimal(80), "c": Decimal(90), "d": None, "e": Decimal(70)}
    ranks = dict(results.competition_ranks(rows, key=rows.get))
    assert ranks == {"a": 1, "c": 1, "b": 3, "e": 4}  # "d" has no result: unranked


@given(st.lists(st.one_of(st.none(), st.decimals(0, 100, places=2)), max_size=40))
def test_competition_ranks_properties(values):
    rows = list(enumerate(values))
    ranked = list(results.competition_ranks(rows, key=lambda r: r[1]))
    assert len(ranked) == sum(v is not None for v in values)  # every result, nothing else
    for row, rank in ranked:
        better = sum(1 for v in values if v is not None and v > row[1])
        assert rank == better + 1  # one more than the number of strictly better results
