"""How services refuse: Django's ValidationError, by field (the dict form) with
a code, so a view puts each message beside its input and tells refusals apart
by code ("stale", "incomplete", "locked") without attributes on exceptions."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

STALE = "stale"
INCOMPLETE = "incomplete"
LOCKED = "locked"


class Refusals:
    """Collects a service's refusals, by field, and raises them together."""

    def __init__(self):
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, message, *, field: str = NON_FIELD_ERRORS, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def extend(self, error: ValidationError) -> None:
        for field, errors in error.update_error_dict({}).items():
            self.errors.setdefault(field, []).extend(errors)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def refused(message, *, field: str = NON_FIELD_ERRORS, code: str = "invalid") -> ValidationError:
    """One refusal in Django's dict shape."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def has_code(error: ValidationError, code: str) -> bool:
    """Does the refusal include one with this code?"""
    errors = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    return any(item.code == code for items in errors for item in items)


def locked(visit) -> ValidationError:
    """The visit is submitted or approved: nothing in it may change."""
    return refused(
        _("This visit is %(state)s: its scores and texts can no longer change.")
        % {"state": visit.get_state_display()},
        code=LOCKED,
    )


def incomplete(messages) -> ValidationError:
    """Submission refused: what is still missing (the view lists it with links)."""
    return ValidationError(
        {NON_FIELD_ERRORS: [ValidationError(m, code=INCOMPLETE) for m in messages]}
    )


def stale(record) -> ValidationError:
    """The sheet or checklist was saved by someone else after this page was opened."""
    return refused(
        _(
            "This sheet was saved by someone else at %(time)s, after you opened it. "
            "Your changes were not saved: reload the sheet to see the current version."
        )
        % {"time": timezone.localtime(record.updated_at).strftime("%H:%M:%S")},
        code=STALE,
    )


def problems_refused(problems) -> ValidationError:
    """The engine's problems in Django's shape: by the field of the answer each
    refuses (`scoring.answers.field_name`), with its code, so a form shows each
    beside its own input."""
    errors: dict[str, list[ValidationError]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(
            ValidationError(str(problem), code=problem.code)
        )
    return ValidationError(errors)
