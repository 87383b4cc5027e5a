"""The objections sheet every workbook carries for head office's results."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..selectors.types import ObjectionLine
from .excel import SheetWriter


def write_objections(wb: Workbook, objections: list[ObjectionLine]) -> None:
    sheet = SheetWriter(wb, _("Objections"), [16, 40, 12, 40, 16, 12, 12, 40, 16])
    sheet.header(
        [
            _("Unit"),
            _("Item objected to"),
            _("Result objected to"),
            _("Grounds"),
            _("Raised by"),
            _("State"),
            _("Corrected result"),
            _("Reason for the decision"),
            _("Decided by"),
        ]
    )
    for o in objections:
        sheet.row(
            [
                o.unit,
                o.item,
                o.original,
                o.grounds,
                f"{o.raised_by} {o.raised_at:%Y-%m-%d %H:%M}",
                o.state_label,
                o.corrected,
                o.decision_reason,
                f"{o.decided_by} {o.decided_at:%Y-%m-%d %H:%M}" if o.decided_at else "",
            ],
            wrap=True,
        )
