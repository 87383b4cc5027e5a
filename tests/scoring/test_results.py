"""The aggregation rules of scoring.results: a specialist's result and a unit's result."""

from decimal import Decimal

from scoring import definitions as d
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
