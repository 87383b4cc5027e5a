"""The objections sheet every workbook carries for head office's results, and
the repeat findings sheet."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..selectors.types import ObjectionLine, RepeatLine
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


def write_repeat_findings(wb: Workbook, repeats: list[RepeatLine]) -> None:
    """What failed at a unit in its previous campaign too (none: no sheet)."""
    if not repeats:
        return
    sheet = SheetWriter(wb, _("Repeat findings"), [16, 10, 24, 40, 20, 36, 36])
    sheet.header(
        [
            _("Unit"),
            _("Sheet"),
            _("Section"),
            _("Item"),
            _("Previous campaign"),
            _("Remark then"),
            _("Remark now"),
        ]
    )
    for f in repeats:
        sheet.row(
            [f.unit, f.sheet, f.section, f.item, f.earlier_campaign, f.remark_then, f.remark_now],
            wrap=True,
        )
