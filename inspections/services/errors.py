from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class VisitLocked(ValidationError):
    """The visit is submitted or approved: nothing in it may change."""

    def __init__(self, visit):
        super().__init__(
            _("This visit is %(state)s: its scores and texts can no longer change.")
            % {"state": visit.get_state_display()}
        )


class VisitIncomplete(ValidationError):
    """Submission refused; `missing` lists (message, url) pairs."""

    def __init__(self, missing):
        self.missing = missing
        super().__init__([message for message, _url in missing])
