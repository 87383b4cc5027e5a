from django.core.exceptions import ValidationError
from django.utils import timezone
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


class StaleSheet(ValidationError):
    """The sheet was saved by someone else after this page was opened."""

    def __init__(self, record):
        self.record = record
        super().__init__(
            _(
                "This sheet was saved by someone else at %(time)s, after you opened it. "
                "Your changes were not saved: reload the sheet to see the current version."
            )
            % {"time": timezone.localtime(record.updated_at).strftime("%H:%M:%S")}
        )
