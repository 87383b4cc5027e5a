"""The problem register's columns beside each problem or support request in
the branch and consolidated workbooks (their "Problems and support" sheet)."""

from django.utils.translation import gettext as _

from ..selectors.campaign import InterviewItem

REGISTER_WIDTHS = (12, 14, 12, 50, 12)


def register_headers() -> list[str]:
    return [_("Status"), _("Owner"), _("Respond by"), _("Response"), _("Closed on")]


def register_cells(item: InterviewItem) -> list:
    return [
        item.status,
        item.owner,
        item.deadline.isoformat() if item.deadline else "",
        item.response,
        item.closed_on.isoformat() if item.closed_on else "",
    ]
