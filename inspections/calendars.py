"""Working days in mainland China: statutory holidays and the adjusted working
days (调休) the State Council publishes each year, from the maintained
`chinesecalendar` package.

Periods are counted as China's Civil Code counts them (art. 201–203): a period
counted in days starts on the day after the event, and its last day ends at
midnight. A period of working days therefore ends on its last working day.
"""

import datetime

import chinese_calendar
from django.utils.translation import gettext as _


class CalendarUnknown(ValueError):
    """The package has no holiday data for this year yet: the State Council
    publishes the next year's arrangement late in the year, and the package
    must be upgraded to know it. Refusing beats guessing a deadline."""


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarUnknown(
            _(
                "China's holidays for %(year)s are not known to this system yet, so "
                "working days in %(year)s cannot be counted. Ask an administrator to "
                "update the holiday calendar (chinesecalendar)."
            )
            % {"year": day.year}
        ) from None


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` working days that starts the day
    after `start` (the Civil Code's count): `start` itself never counts."""
    if days < 1:
        raise ValueError("a period has at least one working day")
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def previous_working_day(day: datetime.date) -> datetime.date:
    """The last working day before `day`."""
    day -= datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day
