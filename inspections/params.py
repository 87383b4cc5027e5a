"""Ids that arrive in a query string or a form: malformed ones (not a number,
negative, too large for the database) are refused with a message before any
query is made, instead of a database error (a 500)."""

import re

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A primary key: ASCII digits, within a 64-bit signed integer.
_ID = re.compile(r"[0-9]{1,18}")


def is_id(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value < 10**18
    return isinstance(value, str) and _ID.fullmatch(value) is not None and int(value) > 0


class BadParameter(BadRequest):
    """A malformed parameter: the 400 page shows this message (config/errors.py)."""


# What each parameter names, for the message.
_NAMES = {
    "campaign": gettext_lazy("campaign"),
    "branch": gettext_lazy("branch"),
    "office": gettext_lazy("office"),
    "specialist": gettext_lazy("specialist"),
    "audience": gettext_lazy("interview audience"),
}


def query_id(params, name: str) -> int | None:
    """The id in `params[name]`; None when absent or empty; BadParameter when malformed."""
    value = params.get(name, "")
    if value in ("", None):
        return None
    if not is_id(value):
        raise BadParameter(
            _("“%(value)s” does not name a %(what)s: go back and choose one from the list.")
            % {"value": str(value)[:40], "what": _NAMES.get(name, gettext_lazy("record"))}
        )
    return int(value)


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, with a malformed key refused as an invalid choice before any query."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not is_id(value)
            and not isinstance(value, self.queryset.model)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with malformed keys refused as invalid choices before any query."""

    def _check_values(self, value):
        for key in value:
            if not is_id(key) and not isinstance(key, self.queryset.model):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(key)[:40]},
                )
        return super()._check_values(value)
