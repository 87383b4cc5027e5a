"""Working days as China's Civil Code counts a period (issue 14, point 1):
from the day after, statutory holidays skipped, adjusted working days (调休)
counted, data from the maintained `chinesecalendar` package."""

import datetime

import pytest

from inspections.calendars import (
    CalendarUnknown,
    add_working_days,
    is_working_day,
    previous_working_day,
)

DAY = datetime.date


@pytest.mark.parametrize(
    ("start", "days", "last"),
    [
        # An ordinary week: Monday → Thursday.
        (DAY(2012, 11, 19), 3, DAY(2012, 11, 22)),
        # Friday: the weekend does not count.
        (DAY(2012, 11, 30), 3, DAY(2012, 12, 5)),
        # Before National Day 2012: Saturday 29 September was a working day,
        # 30 September – 7 October a holiday.
        (DAY(2012, 9, 28), 3, DAY(2012, 10, 9)),
        # Before National Day 2026: the adjusted Saturday 10 October is the last day.
        (DAY(2026, 9, 30), 3, DAY(2026, 10, 10)),
        # Published on a holiday: the count starts the day after, still.
        (DAY(2026, 10, 3), 1, DAY(2026, 10, 8)),
        # Spring Festival 2026 (15–23 February, 14 and 28 February worked).
        (DAY(2026, 2, 13), 3, DAY(2026, 2, 25)),
    ],
)
def test_a_period_of_working_days_ends_on_its_last_working_day(start, days, last):
    assert add_working_days(start, days) == last
    assert is_working_day(last)


def test_the_start_day_never_counts():
    monday = DAY(2012, 11, 19)
    assert add_working_days(monday, 1) == DAY(2012, 11, 20)


def test_the_working_day_before():
    assert previous_working_day(DAY(2012, 10, 9)) == DAY(2012, 10, 8)
    assert previous_working_day(DAY(2012, 10, 8)) == DAY(2012, 9, 29)  # adjusted Saturday
    assert previous_working_day(DAY(2026, 10, 10)) == DAY(2026, 10, 9)
    assert previous_working_day(DAY(2012, 12, 3)) == DAY(2012, 11, 30)  # Monday → Friday


def test_a_year_the_package_does_not_know_is_refused_in_words():
    with pytest.raises(CalendarUnknown) as error:
        add_working_days(DAY(2026, 12, 30), 3)
    assert "2027" in str(error.value)
    assert "chinesecalendar" in str(error.value)


def test_a_period_has_a_working_day_at_least():
    with pytest.raises(ValueError):
        add_working_days(DAY(2012, 11, 19), 0)
