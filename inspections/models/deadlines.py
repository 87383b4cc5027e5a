"""What "open", "overdue" and "due soon" mean for work tracked against a
deadline: rectification actions and problem register entries. Both have a
`status` that ends at "closed" and a `deadline` in force; defined once, here."""

import datetime

from django.db import models
from django.db.models import Q

CLOSED = "closed"


def not_closed() -> Q:
    return ~Q(status=CLOSED)


def overdue(today) -> Q:
    """Not closed and past the deadline in force (due today is not late)."""
    return not_closed() & Q(deadline__lt=today)


def due_within(today, days: int) -> Q:
    """Not closed and due in the coming `days` days, today included (not yet late)."""
    return not_closed() & Q(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days)
    )


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(not_closed())

    def overdue(self, today):
        return self.filter(overdue(today))

    def due_within(self, today, days: int):
        return self.filter(due_within(today, days))


class HasDeadline:
    """The same rules for one object (a model with `status` and `deadline`)."""

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED

    def is_overdue(self, today) -> bool:
        return self.is_open and self.deadline < today

    def days_overdue(self, today) -> int:
        return (today - self.deadline).days if self.is_overdue(today) else 0
